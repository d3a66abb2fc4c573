//! The HTML report for the seed article, checked as text always and in a
//! real headless browser when `chromium` is installed.

use std::process::Command;

use textdedup::{Dedup, Level};

const ARTICLE: &str = include_str!("../examples/data/seed_article.txt");

fn seed_page() -> (textdedup::Report, String) {
    let dedup = Dedup::builder()
        .levels([Level::Paragraph, Level::Sentence])
        .build()
        .unwrap();
    let report = dedup.check(ARTICLE);
    let page = report.html(ARTICLE, "Seed article");
    (report, page)
}

#[test]
fn every_duplicate_paragraph_is_highlighted_once() {
    let (_, page) = seed_page();
    for (start, end, of_start) in [
        (378, 435, 319),
        (2125, 2457, 1028),
        (2458, 2906, 1361),
        (2907, 3221, 1810),
    ] {
        let needle = format!(r#"data-start="{start}" data-end="{end}" data-level="paragraph""#);
        assert_eq!(page.matches(&needle).count(), 1, "{needle} in page");
        assert!(page.contains(&format!(r#"data-of-start="{of_start}""#)));
    }
    assert_eq!(page.matches("<mark ").count(), 4);
    // The text between the highlights is there, escaped.
    assert!(page.contains("&quot;unilateral bullying&quot;"));
}

/// Chromium evaluates the page's DOM; we read back the marks it found.
#[test]
fn chromium_renders_the_highlights() {
    let Some(chromium) = ["chromium", "chromium-browser"].into_iter().find(|name| {
        Command::new(name)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }) else {
        eprintln!("SKIPPED: chromium is not installed (apt-get install chromium)");
        return;
    };
    let (_, page) = seed_page();
    let dir = std::env::temp_dir().join(format!("textdedup-html-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("seed.html");
    std::fs::write(&file, page).unwrap();
    let output = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", file.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&output.stdout);
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        dom.matches("<mark ").count(),
        4,
        "marks in the rendered DOM"
    );
    for start in [378, 2125, 2458, 2907] {
        assert!(
            dom.contains(&format!(r#"data-start="{start}""#)),
            "mark at {start}"
        );
    }
}
