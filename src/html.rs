//! Self-contained HTML pages that show what reports found.

use std::fmt::Write;

use crate::{Duplicate, Report, Span};

/// One document for [`html_page`]: a name (a heading; empty for none), its
/// text and the report made from it.
#[derive(Clone, Copy, Debug)]
pub struct HtmlDoc<'a> {
    /// The heading of the document's section, e.g. its id.
    pub name: &'a str,
    /// The text the report was made from.
    pub text: &'a str,
    /// What was found in it.
    pub report: &'a Report,
}

/// A self-contained HTML page with one section per document, each like
/// [`Report::html`]: statistics, the text with its duplicates highlighted,
/// and a side note per duplicate.
///
/// ```
/// use textdedup::{Dedup, HtmlDoc, html_page};
/// let mut index = Dedup::new().index();
/// let (a, b) = ("A shared paragraph of text.", "New words.\nA shared paragraph of text.");
/// let (ra, rb) = (index.insert("a", a), index.insert("b", b));
/// let page = html_page("Two documents", [
///     HtmlDoc { name: "a", text: a, report: &ra },
///     HtmlDoc { name: "b", text: b, report: &rb },
/// ]);
/// assert_eq!(page.matches("<section>").count(), 2);
/// assert!(page.contains(r#"data-of-doc="a""#));
/// ```
pub fn html_page<'a>(title: &str, docs: impl IntoIterator<Item = HtmlDoc<'a>>) -> String {
    let mut page = String::with_capacity(4096);
    page.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>");
    escape_into(&mut page, title);
    page.push_str("</title>\n<style>\n");
    page.push_str(STYLE);
    page.push_str("</style></head>\n<body>\n<h1>");
    escape_into(&mut page, title);
    page.push_str("</h1>\n");
    let mut next_mark = 0;
    for doc in docs {
        doc.report.html_section(&mut page, &doc, &mut next_mark);
    }
    page.push_str("</body></html>\n");
    page
}

impl Report {
    /// A self-contained HTML page (no scripts or styles from elsewhere) that
    /// shows `text` with every duplicate highlighted, a tooltip and a side
    /// note saying what each duplicates, by which method and with which
    /// score, and the statistics on top.
    ///
    /// `text` must be the text the report was made from; spans that do not
    /// fit it are left out. Each highlight is a `<mark>` with `data-start`,
    /// `data-end`, `data-level`, `data-method`, `data-score` and `data-of-*`
    /// attributes, so tools can find them in the DOM.
    ///
    /// ```
    /// use textdedup::Dedup;
    /// let text = "Same <b>line</b> again.\nSame <b>line</b> again.";
    /// let report = Dedup::new().check(text);
    /// let page = report.html(text, "Example");
    /// assert!(page.contains(r#"<mark id="dup-0" data-start="24" data-end="47""#));
    /// assert!(page.contains("Same &lt;b&gt;line&lt;/b&gt; again."));
    /// ```
    pub fn html(&self, text: &str, title: &str) -> String {
        html_page(
            title,
            [HtmlDoc {
                name: "",
                text,
                report: self,
            }],
        )
    }

    /// One document's section: statistics, highlighted text, side notes.
    /// Marks are numbered from `*next_mark` on, so ids stay unique on a page
    /// of several documents.
    fn html_section(&self, page: &mut String, doc: &HtmlDoc<'_>, next_mark: &mut usize) {
        let text = doc.text;
        page.push_str("<section>\n");
        if !doc.name.is_empty() {
            page.push_str("<h2>");
            escape_into(page, doc.name);
            page.push_str("</h2>\n");
        }
        self.stats_table(page, text);
        page.push_str("<main>\n<pre class=\"text\">");
        let groups = self.highlight_groups(text);
        // Each note is shown twice (tooltip and side note); describing one
        // counts lines, so do it once.
        let notes: Vec<Vec<String>> = groups
            .iter()
            .map(|(_, dups)| dups.iter().map(|d| describe(d, text)).collect())
            .collect();
        let mut pos = 0;
        for ((span, dups), group_notes) in groups.iter().zip(&notes) {
            let i = *next_mark;
            *next_mark += 1;
            escape_into(page, &text[pos..span.start]);
            let outer = dups[0];
            let _ = write!(
                page,
                r#"<mark id="dup-{i}" data-start="{}" data-end="{}" data-level="{}" data-method="{}" data-score="{:.3}" data-of-doc="{}" data-of-start="{}" data-of-end="{}" title=""#,
                outer.span.start,
                outer.span.end,
                outer.level,
                outer.method,
                outer.score,
                outer
                    .of
                    .doc
                    .as_ref()
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                outer.of.span.start,
                outer.of.span.end,
            );
            for note in group_notes {
                escape_into(page, note);
                page.push_str("&#10;");
            }
            page.push_str("\">");
            escape_into(page, &text[span.range()]);
            let _ = write!(page, "</mark><sup>{}</sup>", i + 1);
            pos = span.end;
        }
        escape_into(page, &text[pos..]);
        page.push_str("</pre>\n<aside><h3>Duplicates</h3><ol>\n");
        for group_notes in &notes {
            page.push_str("<li>");
            for note in group_notes {
                page.push_str("<p>");
                escape_into(page, note);
                page.push_str("</p>");
            }
            page.push_str("</li>\n");
        }
        page.push_str("</ol></aside>\n</main>\n</section>\n");
    }

    /// Maximal runs of overlapping duplicate spans, each with the duplicates
    /// inside it, outermost (earliest, largest) first.
    fn highlight_groups<'r>(&'r self, text: &str) -> Vec<(Span, Vec<&'r Duplicate>)> {
        let mut dups: Vec<&Duplicate> = self
            .duplicates
            .iter()
            .filter(|d| {
                d.span.end <= text.len()
                    && text.is_char_boundary(d.span.start)
                    && text.is_char_boundary(d.span.end)
            })
            .collect();
        dups.sort_by_key(|d| (d.span.start, std::cmp::Reverse(d.span.end), d.level));
        let mut groups: Vec<(Span, Vec<&Duplicate>)> = Vec::new();
        for dup in dups {
            match groups.last_mut() {
                Some((span, members)) if dup.span.start < span.end => {
                    span.end = span.end.max(dup.span.end);
                    members.push(dup);
                }
                _ => groups.push((dup.span, vec![dup])),
            }
        }
        groups
    }

    fn stats_table(&self, page: &mut String, text: &str) {
        let removed = self.removed_bytes(text);
        let _ = writeln!(
            page,
            "<p class=\"summary\">{} bytes; {} duplicates; cleaning removes {} bytes ({:.1}%).</p>",
            text.len(),
            self.duplicates.len(),
            removed,
            percent(removed, text.len()),
        );
        page.push_str(
            "<table class=\"stats\"><tr><th>level</th><th>segments</th><th>too short</th>\
             <th>duplicates</th><th>duplicate fraction</th><th>duplicate bytes</th></tr>\n",
        );
        for level in &self.stats.levels {
            let _ = writeln!(
                page,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.1}%</td><td>{} ({:.1}%)</td></tr>",
                level.level,
                level.segments,
                level.short,
                level.duplicates,
                100.0 * level.duplicate_fraction(),
                level.duplicate_bytes,
                100.0 * level.duplicate_byte_fraction(),
            );
        }
        page.push_str("</table>\n");
    }
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

/// One line saying what a duplicate repeats.
fn describe(dup: &Duplicate, text: &str) -> String {
    let line = |span: Span| {
        text.get(..span.start)
            .map_or(0, |t| t.matches('\n').count() + 1)
    };
    let place = match &dup.of.doc {
        None => format!("line {} {}", line(dup.of.span), dup.of.span),
        Some(doc) => format!("document {doc} {}", dup.of.span),
    };
    format!(
        "{} at line {} {} repeats {}: {} score {:.3}",
        dup.level,
        line(dup.span),
        dup.span,
        place,
        dup.method,
        dup.score
    )
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

const STYLE: &str = "\
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
main { display: flex; gap: 2em; align-items: flex-start; }
pre.text { flex: 3; white-space: pre-wrap; font-family: Georgia, serif; font-size: 1.05em; line-height: 1.5; }
aside { flex: 2; font-size: 0.9em; }
mark { background: #ffd54f; border-radius: 3px; }
sup { color: #b26a00; font-weight: bold; }
table.stats { border-collapse: collapse; margin-bottom: 1em; }
table.stats td, table.stats th { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: right; }
";
