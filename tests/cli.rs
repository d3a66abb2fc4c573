//! The `textdedup` command, end to end: output format, bad input, exit
//! codes, determinism across thread counts and batch sizes, saved indexes
//! and Bloom mode.
#![cfg(feature = "cli")]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn textdedup(args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_textdedup"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut input = child.stdin.take().unwrap();
    let data = stdin.unwrap_or_default().to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("the output is UTF-8"),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn data(name: &str) -> String {
    format!("{}/tests/data/cli/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// A fresh scratch directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("textdedup-cli-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn lines(s: &str) -> Vec<serde_json::Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

const SMALL_OUT: [&str; 4] = [
    r#"{"id":"a","text":"Stocks rose on Friday after a long week.\nOil prices fell sharply overnight.","meta":{"n": 1.50},"duplicates":[]}"#,
    r#"{"id":2,"url":"http://x","text":"New story begins here today.","duplicates":[{"start":29,"end":63,"level":"paragraph","method":"exact","score":1.0,"of":{"id":"a","start":41,"end":75}},{"start":64,"end":92,"level":"paragraph","method":"exact","score":1.0,"of":{"id":2,"start":0,"end":28}}]}"#,
    r#"{"text":"Nothing repeats in this one at all.","z":[1e3, "\u00e9"],"duplicates":[]}"#,
    r#"{"id":"d","text":"","duplicates":[{"start":0,"end":40,"level":"paragraph","method":"exact","score":1.0,"of":{"id":"a","start":0,"end":40}}]}"#,
];

#[test]
fn records_come_out_in_order_cleaned_and_annotated() {
    let run = textdedup(&["dedup", &data("small.jsonl")], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let got: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(got, SMALL_OUT);
    assert!(run.stderr.contains("4 documents"), "{}", run.stderr);
    assert!(run.stderr.contains("paragraph/exact 3"), "{}", run.stderr);
}

#[test]
fn offsets_point_into_the_original_texts() {
    let input = std::fs::read_to_string(data("small.jsonl")).unwrap();
    let originals = lines(&input);
    let run = textdedup(&["dedup", "--annotate-only", &data("small.jsonl")], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = lines(&run.stdout);
    let text_of = |id: &serde_json::Value| {
        originals
            .iter()
            .find(|r| &r["id"] == id)
            .map(|r| r["text"].as_str().unwrap().to_owned())
    };
    let mut checked = 0;
    for (record, original) in out.iter().zip(&originals) {
        // --annotate-only leaves the text as it was.
        assert_eq!(record["text"], original["text"]);
        let text = original["text"].as_str().unwrap();
        for dup in record["duplicates"].as_array().unwrap() {
            let span = |v: &serde_json::Value| {
                v["start"].as_u64().unwrap() as usize..v["end"].as_u64().unwrap() as usize
            };
            let of = &dup["of"];
            let of_text = text_of(&of["id"]).unwrap_or_else(|| text.to_owned());
            assert_eq!(&text[span(dup)], &of_text[span(of)]);
            checked += 1;
        }
    }
    assert_eq!(checked, 3);
}

#[test]
fn gzip_zstd_and_stdin_give_the_same_output() {
    let plain = textdedup(&["dedup", &data("small.jsonl")], None);
    let gz = textdedup(&["dedup", &data("small.jsonl.gz")], None);
    let zst = textdedup(&["dedup", &data("small.jsonl.zst")], None);
    let input = std::fs::read(data("small.jsonl")).unwrap();
    let stdin = textdedup(&["dedup"], Some(&input));
    let dash = textdedup(&["dedup", "-"], Some(&input));
    for run in [&gz, &zst, &stdin, &dash] {
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(run.stdout, plain.stdout);
    }
}

/// `cat a.zst b.zst` and pzstd (a skippable frame first, one frame per
/// block) write several frames: every one is read.
#[test]
fn every_zstd_frame_is_read() {
    let dir = scratch("frames");
    let frame = std::fs::read(data("small.jsonl.zst")).unwrap();
    let plain = std::fs::read(data("small.jsonl")).unwrap();
    let skippable = [0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, b'p', b'z', b's'];
    let twice = dir.join("twice.jsonl.zst");
    std::fs::write(
        &twice,
        [&skippable[..], &frame, &skippable, &frame].concat(),
    )
    .unwrap();
    let run = textdedup(&["dedup", path(&twice)], None);
    let expected = textdedup(&["dedup"], Some(&[&plain[..], &plain].concat()));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(lines(&run.stdout).len(), 2 * SMALL_OUT.len());
    assert_eq!(run.stdout, expected.stdout);
}

/// An input that cannot be opened or read stops the run (exit 2), but the
/// records read before it are written first.
#[test]
fn records_before_a_failed_input_are_written() {
    let dir = scratch("failed-input");
    let missing = dir.join("missing.jsonl");
    let run = textdedup(&["dedup", &data("small.jsonl"), path(&missing)], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("missing.jsonl"), "{}", run.stderr);
    assert_eq!(lines(&run.stdout).len(), SMALL_OUT.len());
    // A zstd stream cut short: every complete line before the cut is kept.
    let frame = std::fs::read(data("small.jsonl.zst")).unwrap();
    let plain = std::fs::read_to_string(data("small.jsonl")).unwrap();
    let cut = [&frame[..], &frame[..frame.len() - 3]].concat();
    let run = textdedup(&["dedup", "-"], Some(&cut));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        lines(&run.stdout).len() >= plain.lines().count(),
        "{}",
        run.stdout
    );
}

#[test]
fn output_file_and_gzip_output() {
    let dir = scratch("output");
    let out = dir.join("out.jsonl");
    let gz = dir.join("out.jsonl.gz");
    let plain = textdedup(&["dedup", &data("small.jsonl")], None);
    let run = textdedup(&["dedup", &data("small.jsonl"), "-o", path(&out)], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), plain.stdout);
    let run = textdedup(&["dedup", &data("small.jsonl"), "-o", path(&gz)], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&gz).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    assert_eq!(text, plain.stdout);
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn passthrough_keeps_every_line_and_says_what_is_wrong() {
    let input = std::fs::read(data("broken.jsonl")).unwrap();
    let n_in = input.split(|&b| b == b'\n').count() - 1;
    let run = textdedup(
        &["dedup", "--on-error", "passthrough", &data("broken.jsonl")],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = lines(&run.stdout);
    assert_eq!(out.len(), n_in);
    let errors: Vec<&str> = out.iter().filter_map(|r| r["error"].as_str()).collect();
    // Line 8 is a good record whose own `error` field is left as it was.
    assert_eq!(errors.len(), 10, "{errors:#?}");
    let source = data("broken.jsonl");
    for (line, what) in [
        (2, "malformed JSON"),
        (3, "empty line"),
        (4, "not a string but a number"),
        (5, "no \"text\" field"),
        (6, "invalid UTF-8"),
        (7, "malformed JSON"),
        (9, "not a string but null"),
        (10, "empty line"),
        (11, "malformed JSON"),
    ] {
        let e = out[line - 1]["error"].as_str().unwrap();
        assert!(e.starts_with(&format!("{source}:{line}: ")), "{e}");
        assert!(e.contains(what), "line {line}: {e}");
    }
    // Objects are copied with their fields; other lines are kept as `raw`.
    assert_eq!(out[3]["text"], 42);
    assert_eq!(out[4]["body"], "no text field");
    assert_eq!(out[6]["raw"], "[1, 2, 3]");
    assert_eq!(
        out[5]["raw"],
        "{\"id\": 5, \"text\": \"bad \u{fffd}\u{fffd} bytes\"}"
    );
    assert_eq!(out[7]["error"], "stale");
    assert_eq!(out[7]["duplicates"][0]["of"]["id"], 1);
    assert!(run.stderr.contains("9 bad"), "{}", run.stderr);
}

#[test]
fn skip_leaves_bad_records_out_and_counts_them() {
    let dir = scratch("skip");
    let stats = dir.join("stats.json");
    let run = textdedup(
        &[
            "dedup",
            "--on-error",
            "skip",
            "--stats",
            path(&stats),
            &data("broken.jsonl"),
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ids: Vec<u64> = lines(&run.stdout)
        .iter()
        .map(|r| r["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [1, 6]);
    let stats: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&stats).unwrap()).unwrap();
    assert_eq!(stats["lines"], 11);
    assert_eq!(stats["documents"], 2);
    assert_eq!(stats["errors"]["malformed_json"], 3);
    assert_eq!(stats["errors"]["empty_line"], 2);
    assert_eq!(stats["errors"]["invalid_utf8"], 1);
    assert_eq!(stats["errors"]["missing_text"], 1);
    assert_eq!(stats["errors"]["text_not_string"], 2);
    assert_eq!(stats["duplicates"]["paragraph"]["exact"], 1);
}

#[test]
fn fail_stops_at_the_first_bad_line_with_exit_1() {
    let run = textdedup(&["dedup", &data("broken.jsonl")], None);
    assert_eq!(run.code, 1);
    let want = format!("{}:2: malformed JSON", data("broken.jsonl"));
    assert!(run.stderr.contains(&want), "{}", run.stderr);
    // The records before it are written.
    assert_eq!(lines(&run.stdout).len(), 1);
    // Also when several workers have batches in flight around the bad line:
    // every record before it, and none after it.
    let corpus = generated_corpus(300);
    let good: Vec<&str> = corpus.lines().collect();
    let file = scratch("fail-threads").join("corpus.jsonl");
    let bad_at = 211;
    let mut text = good[..bad_at].join("\n");
    text.push_str("\n{\"id\": broken\n");
    text.push_str(&good[bad_at..].join("\n"));
    std::fs::write(&file, text).unwrap();
    let whole = textdedup(&["dedup", "--batch-size", "1", path(&file)], None);
    // Which worker meets the bad line first depends on timing: many runs.
    for (threads, batch) in [("1", "3"), ("2", "1"), ("2", "2"), ("2", "3"), ("2", "5")]
        .into_iter()
        .chain([("3", "1"), ("4", "2"), ("4", "3"), ("4", "7"), ("8", "1")])
    {
        let args = ["dedup", "--threads", threads, "--batch-size", batch];
        let run = textdedup(&[&args[..], &[path(&file)]].concat(), None);
        let what = format!("{threads} threads, batches of {batch}");
        assert_eq!(run.code, 1, "{what}: {}", run.stderr);
        assert!(run.stderr.contains(":212: "), "{what}: {}", run.stderr);
        assert_eq!(lines(&run.stdout).len(), bad_at, "{what}");
        assert_eq!(run.stdout, whole.stdout, "{what}");
    }
}

/// A panic (a bug) in any stage of any batch stops the run with exit 2 and
/// an internal error; every record before that batch is written, none after
/// it, and no worker is left waiting. Debug builds only: the fault is
/// injected through `TEXTDEDUP_FAULT`, which release builds ignore.
#[test]
fn a_panicking_stage_stops_the_run_cleanly() {
    if !cfg!(debug_assertions) {
        return;
    }
    let file = scratch("fault").join("corpus.jsonl");
    std::fs::write(&file, generated_corpus(120)).unwrap();
    let whole = textdedup(&["dedup", "--batch-size", "5", path(&file)], None);
    assert_eq!(whole.code, 0, "{}", whole.stderr);
    let before: String = whole.stdout.split_inclusive('\n').take(4 * 5).collect();
    for stage in ["read", "prepare", "index", "render"] {
        for threads in ["1", "2", "4"] {
            let out = Command::new(env!("CARGO_BIN_EXE_textdedup"))
                .args([
                    "dedup",
                    "--batch-size",
                    "5",
                    "--threads",
                    threads,
                    path(&file),
                ])
                .env("TEXTDEDUP_FAULT", format!("{stage}:4"))
                .output()
                .unwrap();
            let what = format!("{stage}, {threads} threads");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{what}: {stderr}");
            assert!(stderr.contains("internal error"), "{what}: {stderr}");
            assert_eq!(String::from_utf8_lossy(&out.stdout), before, "{what}");
        }
    }
}

#[test]
fn an_empty_file_is_an_error_unless_told_otherwise() {
    let run = textdedup(&["dedup", &data("empty.jsonl")], None);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("empty.jsonl: empty input"),
        "{}",
        run.stderr
    );
    let run = textdedup(
        &["dedup", "--on-error", "passthrough", &data("empty.jsonl")],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("empty_file 1"), "{}", run.stderr);
    // Several inputs: an empty one in the middle is reported by name.
    let run = textdedup(
        &[
            "dedup",
            "--on-error",
            "skip",
            &data("small.jsonl"),
            &data("empty.jsonl"),
            &data("small.jsonl"),
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 8);
}

#[test]
fn a_100_mb_document_is_refused_by_name() {
    let dir = scratch("huge");
    let file = dir.join("huge.jsonl");
    let mut big = Vec::with_capacity(101 << 20);
    big.extend_from_slice(br#"{"id": "small", "text": "A normal record first."}"#);
    big.extend_from_slice(b"\n{\"id\": \"huge\", \"text\": \"");
    while big.len() < 100 << 20 {
        big.extend_from_slice(b"All work and no play makes a dull corpus. ");
    }
    big.extend_from_slice(b"\"}\n");
    std::fs::write(&file, &big).unwrap();
    drop(big);
    let run = textdedup(&["dedup", path(&file)], None);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("huge.jsonl:2: record of 10485")
            && run.stderr.contains("--max-record-bytes"),
        "{}",
        run.stderr
    );
    let run = textdedup(&["dedup", "--on-error", "skip", path(&file)], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 1);
    assert!(run.stderr.contains("too_large 1"), "{}", run.stderr);
}

#[test]
fn exit_codes_say_usage_or_io() {
    let missing = textdedup(&["dedup", "/nonexistent/in.jsonl"], None);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("/nonexistent/in.jsonl"),
        "{}",
        missing.stderr
    );
    let unwritable = textdedup(
        &[
            "dedup",
            &data("small.jsonl"),
            "-o",
            "/nonexistent/out.jsonl",
        ],
        None,
    );
    assert_eq!(unwritable.code, 2, "{}", unwritable.stderr);
    // A write that fails during the run (the device is full) stops it with
    // the output's name, from one thread or several. The output is larger
    // than the writer's buffer, so the run's own writes fail.
    if Path::new("/dev/full").exists() {
        let corpus = scratch("full").join("corpus.jsonl");
        std::fs::write(&corpus, generated_corpus(500)).unwrap();
        for threads in ["1", "3"] {
            let args = ["dedup", "--threads", threads, "--batch-size", "7"];
            let full = textdedup(
                &[&args[..], &[path(&corpus), "-o", "/dev/full"]].concat(),
                None,
            );
            assert_eq!(full.code, 2, "{}", full.stderr);
            assert!(full.stderr.contains("/dev/full"), "{}", full.stderr);
            if threads != "1" {
                // Several workers may have read it all before the first write.
                continue;
            }
            // It stops there: the summary counts fewer than all 500 records.
            let done: u64 = full
                .stderr
                .split_once("textdedup: ")
                .and_then(|(_, rest)| rest.split_once(" documents"))
                .and_then(|(n, _)| n.parse().ok())
                .unwrap_or_else(|| panic!("no summary: {}", full.stderr));
            assert!(done < 500, "{}", full.stderr);
        }
    }
    for (args, says) in [
        (
            vec!["dedup", "--method", "simhash", "--threshold", "0.5"],
            "threshold",
        ),
        (
            vec!["dedup", "--method", "minhash", "--bloom-bytes", "1M"],
            "--method exact or containment",
        ),
        (vec!["dedup", "--threshold", "0.8"], "--threshold"),
        (vec!["dedup", "--check-only"], "--index-in"),
        (vec!["dedup", "--level", "chapter"], "chapter"),
        (vec!["dedup", "--threads", "0"], "--threads"),
        (
            vec!["dedup", "--bloom-bytes", "1M", "--html", "x"],
            "--html",
        ),
        (vec!["dedup", "--span-sentences", "0"], "span_sentences"),
    ] {
        let run = textdedup(&args, Some(b""));
        assert_eq!(run.code, 1, "{args:?}");
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
    }
    assert_eq!(textdedup(&["dedup", "--no-such-flag"], None).code, 1);
    assert_eq!(textdedup(&["--version"], None).code, 0);
    let help = textdedup(&["dedup", "--help"], None);
    assert_eq!(help.code, 0);
    for flag in [
        "--level",
        "--on-error",
        "--index-in",
        "--bloom-bytes",
        "--dry-run",
    ] {
        assert!(help.stdout.contains(flag), "{flag}");
    }
}

/// A corpus with repeats within and across documents, string and numeric
/// ids, escapes and non-ASCII text.
fn generated_corpus(docs: usize) -> String {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    let mut out = String::new();
    for d in 0..docs {
        let paragraphs: Vec<String> = (0..1 + next(8))
            .map(|_| {
                let p = next(400);
                match p % 3 {
                    0 => format!("Paragraph {p} says \"quoted\" things about café."),
                    1 => format!("Item {p}\tincludes a tab and ümlauts over here."),
                    _ => format!("Plain paragraph number {p} of the generated text."),
                }
            })
            .collect();
        let record = serde_json::json!({"text": paragraphs.join("\n"), "n": d});
        let mut record = record.as_object().unwrap().clone();
        if d % 3 != 0 {
            record.insert("id".into(), format!("doc-{d}").into());
        }
        out.push_str(&serde_json::Value::Object(record).to_string());
        out.push('\n');
    }
    out
}

fn assert_deterministic(file: &Path) {
    let f = path(file);
    let one = textdedup(&["dedup", "--threads", "1", "--batch-size", "1", f], None);
    assert_eq!(one.code, 0, "{}", one.stderr);
    assert!(one.stdout.contains("\"of\""), "the corpus has duplicates");
    for (threads, batch) in [
        ("1", "1000"),
        ("2", "1"),
        ("2", "7"),
        ("2", "2048"),
        ("4", "333"),
    ] {
        let run = textdedup(
            &["dedup", "--threads", threads, "--batch-size", batch, f],
            None,
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stdout == one.stdout,
            "--threads {threads} --batch-size {batch} differs from --threads 1 --batch-size 1"
        );
    }
}

#[test]
fn output_is_byte_identical_for_any_threads_and_batch_size() {
    let dir = scratch("determinism");
    let file = dir.join("generated.jsonl");
    std::fs::write(&file, generated_corpus(3000)).unwrap();
    assert_deterministic(&file);
}

#[test]
fn output_is_byte_identical_on_a_real_corpus_sample() {
    let corpus =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/corpora/news_web_en.jsonl.gz");
    let Ok(file) = std::fs::File::open(&corpus) else {
        eprintln!("skipped: {} is absent", corpus.display());
        return;
    };
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .take(8 << 20)
        .read_to_string(&mut text)
        .unwrap();
    let sample: String = text.lines().take(4000).map(|l| format!("{l}\n")).collect();
    let dir = scratch("real");
    let file = dir.join("sample.jsonl");
    std::fs::write(&file, sample).unwrap();
    assert_deterministic(&file);
}

/// A generated corpus of 600 records written as three files of 200.
fn three_shards(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let corpus = generated_corpus(600);
    let all: Vec<&str> = corpus.lines().collect();
    let write = |name: &str, part: &[&str]| {
        let p = dir.join(name);
        std::fs::write(&p, part.join("\n") + "\n").unwrap();
        p
    };
    (
        write("a.jsonl", &all[..200]),
        write("b.jsonl", &all[200..400]),
        write("c.jsonl", &all[400..]),
    )
}

#[test]
fn a_saved_index_is_checked_against_and_grown() {
    let dir = scratch("index");
    let (a, b, c) = three_shards(&dir);
    let (ia, iab) = (dir.join("a.idx"), dir.join("ab.idx"));
    let one_pass = textdedup(&["dedup", path(&a), path(&b), path(&c)], None);
    assert_eq!(one_pass.code, 0, "{}", one_pass.stderr);
    let run = textdedup(&["dedup", path(&a), "--index-out", path(&ia)], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = textdedup(
        &[
            "dedup",
            path(&b),
            "--index-in",
            path(&ia),
            "--index-out",
            path(&iab),
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let check = textdedup(
        &["dedup", path(&c), "--index-in", path(&iab), "--check-only"],
        None,
    );
    assert_eq!(check.code, 0, "{}", check.stderr);
    // Documents without an id are named by line number, which restarts with
    // every run; compare the records with ids.
    let with_ids = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| l.contains("\"id\":\"doc-"))
            .map(str::to_owned)
            .collect()
    };
    let c_lines = check.stdout.lines().count();
    let tail: Vec<&str> = one_pass.stdout.lines().skip(400).collect();
    assert_eq!(c_lines, tail.len());
    let check_c = with_ids(&check.stdout);
    let pass_c = with_ids(&tail.join("\n"));
    // Within C, --check-only does not add C's own documents, so compare the
    // duplicates that point outside C.
    let outside = |l: &String| {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        v["duplicates"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| {
                d["of"]["id"]
                    .as_str()
                    .and_then(|s| s.strip_prefix("doc-"))
                    .and_then(|n| n.parse::<usize>().ok())
                    .is_some_and(|n| n < 400)
            })
            .cloned()
            .collect::<Vec<_>>()
    };
    let got: Vec<_> = check_c.iter().map(outside).collect();
    let want: Vec<_> = pass_c.iter().map(outside).collect();
    assert_eq!(got, want);
    assert!(got.iter().any(|d| !d.is_empty()));
    // The saved index refuses other settings, saying which.
    let run = textdedup(
        &[
            "dedup",
            path(&c),
            "--index-in",
            path(&iab),
            "--preset",
            "c4",
        ],
        None,
    );
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("--preset"), "{}", run.stderr);
    let run = textdedup(&["dedup", path(&c), "--index-in", path(&a)], None);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("not a textdedup index"),
        "{}",
        run.stderr
    );
}

#[test]
fn bloom_mode_finds_the_same_duplicates_without_naming_other_documents() {
    let dir = scratch("bloom");
    let file = dir.join("generated.jsonl");
    std::fs::write(&file, generated_corpus(1000)).unwrap();
    let exact = textdedup(&["dedup", path(&file)], None);
    let bloom = textdedup(&["dedup", "--bloom-bytes", "4M", path(&file)], None);
    assert_eq!(bloom.code, 0, "{}", bloom.stderr);
    assert!(
        bloom.stderr.contains("false positive rate"),
        "{}",
        bloom.stderr
    );
    let (exact, bloom) = (lines(&exact.stdout), lines(&bloom.stdout));
    assert_eq!(exact.len(), bloom.len());
    let mut nulls = 0;
    for (e, b) in exact.iter().zip(&bloom) {
        assert_eq!(e["text"], b["text"]);
        let (ed, bd) = (
            e["duplicates"].as_array().unwrap(),
            b["duplicates"].as_array().unwrap(),
        );
        assert_eq!(ed.len(), bd.len());
        for (x, y) in ed.iter().zip(bd) {
            assert_eq!((&x["start"], &x["end"]), (&y["start"], &y["end"]));
            if y["of"].is_null() {
                nulls += 1;
                assert_ne!(x["of"]["id"], e.get("id").cloned().unwrap_or_default());
            } else {
                assert_eq!(x["of"], y["of"]);
            }
        }
    }
    assert!(nulls > 100);
}

#[test]
fn dry_run_prints_an_estimate_and_writes_nothing() {
    let run = textdedup(&["dedup", "--dry-run", &data("small.jsonl")], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("exact index"), "{}", run.stderr);
    assert!(run.stderr.contains("--bloom-bytes"), "{}", run.stderr);
}

#[test]
fn a_symlinked_output_is_written_through_not_replaced() {
    let dir = scratch("symlink");
    let target = dir.join("target.jsonl");
    let link = dir.join("link.jsonl");
    std::fs::write(&target, "").unwrap();
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let run = textdedup(&["dedup", &data("small.jsonl"), "-o", path(&link)], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap().lines().count(), 4);
}

#[test]
fn shard_indexes_merged_on_the_command_line_equal_one_pass() {
    let dir = scratch("shards");
    let (a, b, c) = three_shards(&dir);
    let (ia, ib, iab) = (dir.join("a.idx"), dir.join("b.idx"), dir.join("ab.idx"));
    // Shards indexed independently (B does not see A).
    for (input, index) in [(&a, &ia), (&b, &ib)] {
        let run = textdedup(&["dedup", path(input), "--index-out", path(index)], None);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    let one_pass = textdedup(
        &["dedup", path(&a), path(&b), "--index-out", path(&iab)],
        None,
    );
    assert_eq!(one_pass.code, 0, "{}", one_pass.stderr);
    let merged = textdedup(
        &[
            "dedup",
            path(&c),
            "--check-only",
            "--index-in",
            path(&ia),
            "--index-in",
            path(&ib),
        ],
        None,
    );
    let single = textdedup(
        &["dedup", path(&c), "--check-only", "--index-in", path(&iab)],
        None,
    );
    assert_eq!(merged.code, 0, "{}", merged.stderr);
    assert_eq!(single.code, 0, "{}", single.stderr);
    // Records without ids are named by line numbers, which restart per run:
    // compare only duplicates of records with ids.
    let named = |s: &str| -> Vec<serde_json::Value> {
        lines(s)
            .into_iter()
            .map(|mut r| {
                let dups = r["duplicates"].as_array_mut().unwrap();
                dups.retain(|d| d["of"]["id"].is_string());
                r
            })
            .collect()
    };
    let (got, want) = (named(&merged.stdout), named(&single.stdout));
    assert_eq!(got, want);
    assert!(
        got.iter()
            .any(|r| !r["duplicates"].as_array().unwrap().is_empty())
    );
}

#[test]
fn a_truncated_compressed_file_is_bad_input_naming_the_file() {
    let dir = scratch("truncated");
    for name in ["small.jsonl.gz", "small.jsonl.zst"] {
        let bytes = std::fs::read(data(name)).unwrap();
        let cut = dir.join(name);
        std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).unwrap();
        let run = textdedup(&["dedup", path(&cut)], None);
        assert_eq!(run.code, 1, "{name}: {}", run.stderr);
        assert!(run.stderr.contains(path(&cut)), "{}", run.stderr);
    }
}

#[test]
fn near_duplicate_documents_with_minhash() {
    let original = "the committee approved the new budget for the city library on monday after a long debate about opening hours and staff pay";
    let edited = "the committee approved the new budget for the city library on monday after a long debate about opening hours and staff wages";
    let other = "a completely different story about football results from the weekend and the league table after twelve rounds of play";
    let input = format!(
        "{}\n{}\n{}\n",
        serde_json::json!({"id": "orig", "text": original}),
        serde_json::json!({"id": "other", "text": other}),
        serde_json::json!({"id": "copy", "text": edited}),
    );
    let run = textdedup(
        &[
            "dedup",
            "--level",
            "document",
            "--method",
            "minhash",
            "--annotate-only",
        ],
        Some(input.as_bytes()),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = lines(&run.stdout);
    assert_eq!(out.len(), 3);
    assert_eq!(out[0]["duplicates"], serde_json::json!([]));
    assert_eq!(out[1]["duplicates"], serde_json::json!([]));
    let dup = &out[2]["duplicates"][0];
    assert_eq!(dup["method"], "minhash");
    assert_eq!(dup["level"], "document");
    assert_eq!(dup["of"]["id"], "orig");
    let score = dup["score"].as_f64().unwrap();
    assert!((0.8..1.0).contains(&score), "score {score}");
    // --annotate-only leaves the text as it was.
    assert_eq!(out[2]["text"], edited);
}

#[test]
fn html_page_shows_each_duplicate_and_what_it_repeats() {
    let dir = scratch("html");
    let page_path = dir.join("page.html");
    let run = textdedup(
        &["dedup", &data("small.jsonl"), "--html", path(&page_path)],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = std::fs::read_to_string(&page_path).unwrap();
    assert_eq!(
        page.matches("<section>").count(),
        4,
        "one section per record"
    );
    // Record 2 repeats record "a" and itself; record "d" repeats "a".
    assert_eq!(page.matches("<mark ").count(), 3);
    assert_eq!(page.matches(r#"data-of-doc="a""#).count(), 2);
    assert!(page.contains(r#"data-start="29" data-end="63""#), "{page}");
    let refused = textdedup(
        &["dedup", "--bloom-bytes", "1M", "--html", path(&page_path)],
        Some(b""),
    );
    assert_eq!(refused.code, 1);
    assert!(refused.stderr.contains("--html"), "{}", refused.stderr);
}

#[test]
fn a_saved_minhash_index_finds_near_duplicates_later() {
    let dir = scratch("minhash-index");
    let index = dir.join("shard.idx");
    let original = "the committee approved the new budget for the city library after a long debate about opening hours staff pay and the heating of the old building in winter";
    let edited = "the committee approved the new budget for the city library after a long debate about opening hours staff pay and the heating of the old building in spring";
    let first = format!("{}\n", serde_json::json!({"id": "orig", "text": original}));
    let settings = ["--level", "document", "--method", "minhash"];
    let mut args = vec!["dedup"];
    args.extend(settings);
    args.extend(["--index-out", path(&index)]);
    assert_eq!(textdedup(&args, Some(first.as_bytes())).code, 0);
    let second = format!("{}\n", serde_json::json!({"id": "copy", "text": edited}));
    let mut args = vec!["dedup"];
    args.extend(settings);
    args.extend(["--index-in", path(&index), "--check-only"]);
    let run = textdedup(&args, Some(second.as_bytes()));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = lines(&run.stdout);
    assert_eq!(out[0]["duplicates"][0]["method"], "minhash");
    assert_eq!(out[0]["duplicates"][0]["of"]["id"], "orig");
    // The index remembers its method: loading it for exact matching is refused.
    let refused = textdedup(
        &["dedup", "--level", "document", "--index-in", path(&index)],
        Some(second.as_bytes()),
    );
    assert_eq!(refused.code, 1);
    assert!(refused.stderr.contains("--method"), "{}", refused.stderr);
}

#[test]
fn a_saved_bloom_filter_is_checked_against_and_refused_when_it_does_not_fit() {
    let dir = scratch("bloom-saved");
    let (a, b, c) = three_shards(&dir);
    let filter = dir.join("ab.bloom");
    let both = dir.join("ab.jsonl");
    let mut joined = std::fs::read_to_string(&a).unwrap();
    joined.push_str(&std::fs::read_to_string(&b).unwrap());
    std::fs::write(&both, joined).unwrap();
    let bloom = ["--bloom-bytes", "1M"];
    let run = |args: &[&str]| textdedup(&[&["dedup"][..], &bloom, args].concat(), None);
    let built = run(&[path(&both), "--index-out", path(&filter), "-o", "/dev/null"]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    // Checking C against the saved filter finds what checking it against a
    // saved index of A and B finds.
    let checked = run(&["--index-in", path(&filter), "--check-only", path(&c)]);
    assert_eq!(checked.code, 0, "{}", checked.stderr);
    let index = dir.join("ab.idx");
    let saved = textdedup(&["dedup", path(&both), "--index-out", path(&index)], None);
    assert_eq!(saved.code, 0, "{}", saved.stderr);
    let against_index = textdedup(
        &[
            "dedup",
            "--index-in",
            path(&index),
            "--check-only",
            path(&c),
        ],
        None,
    );
    let checked = lines(&checked.stdout);
    let expected = lines(&against_index.stdout);
    assert_eq!(checked.len(), expected.len());
    let spans = |r: &serde_json::Value| -> Vec<(u64, u64)> {
        r["duplicates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| (d["start"].as_u64().unwrap(), d["end"].as_u64().unwrap()))
            .collect()
    };
    for (b, e) in checked.iter().zip(&expected) {
        assert_eq!(b["text"], e["text"]);
        assert_eq!(spans(b), spans(e));
    }
    assert!(checked.iter().any(|r| !spans(r).is_empty()));
    // Two filters of shards merge: the union sees both.
    let (fa, fb) = (dir.join("a.bloom"), dir.join("b.bloom"));
    for (shard, out) in [(&a, &fa), (&b, &fb)] {
        let saved = run(&[path(shard), "--index-out", path(out), "-o", "/dev/null"]);
        assert_eq!(saved.code, 0, "{}", saved.stderr);
    }
    let merged = run(&[
        "--index-in",
        path(&fa),
        "--index-in",
        path(&fb),
        "--check-only",
        path(&c),
    ]);
    assert_eq!(lines(&merged.stdout), checked);
    // Refusals, each saying what to do.
    let mut damaged = std::fs::read(&filter).unwrap();
    let mid = damaged.len() / 2;
    damaged[mid] ^= 0x10;
    let bad = dir.join("damaged.bloom");
    std::fs::write(&bad, &damaged).unwrap();
    for (args, says) in [
        (vec!["--index-in", path(&bad)], "corrupted"),
        (
            vec!["--index-in", path(&index)],
            "index file, not a Bloom filter",
        ),
        (
            vec!["--index-in", path(&filter), "--preset", "c4"],
            "--preset",
        ),
        (
            vec!["--index-in", path(&filter), "--bloom-hashes", "5"],
            "--bloom-hashes",
        ),
    ] {
        let refused = run(&[&args[..], &[path(&c)]].concat());
        assert_eq!(refused.code, 1, "{args:?}");
        assert!(
            refused.stderr.contains(says),
            "{args:?}: {}",
            refused.stderr
        );
    }
    let no_bloom = textdedup(&["dedup", "--index-in", path(&filter), path(&c)], None);
    assert_eq!(no_bloom.code, 1);
    assert!(
        no_bloom.stderr.contains("--bloom-bytes"),
        "{}",
        no_bloom.stderr
    );
    let other_size = textdedup(
        &[
            "dedup",
            "--bloom-bytes",
            "2M",
            "--index-in",
            path(&filter),
            path(&c),
        ],
        None,
    );
    assert_eq!(other_size.code, 1);
    assert!(
        other_size.stderr.contains("--bloom-bytes"),
        "{}",
        other_size.stderr
    );
}

#[test]
fn bloom_containment_agrees_with_the_index_when_the_filter_is_large() {
    let dir = scratch("bloom-containment");
    let file = dir.join("generated.jsonl");
    std::fs::write(&file, generated_corpus(600)).unwrap();
    let args = ["dedup", "--method", "containment", "--threshold", "0.6"];
    let exact = textdedup(&[&args[..], &[path(&file)]].concat(), None);
    let bloom = textdedup(
        &[&args[..], &["--bloom-bytes", "8M", path(&file)]].concat(),
        None,
    );
    assert_eq!(bloom.code, 0, "{}", bloom.stderr);
    let (exact, bloom) = (lines(&exact.stdout), lines(&bloom.stdout));
    let mut containment = 0;
    for (e, b) in exact.iter().zip(&bloom) {
        assert_eq!(e["text"], b["text"]);
        let (ed, bd) = (
            e["duplicates"].as_array().unwrap(),
            b["duplicates"].as_array().unwrap(),
        );
        assert_eq!(ed.len(), bd.len());
        for (x, y) in ed.iter().zip(bd) {
            for field in ["start", "end", "level", "method", "score"] {
                assert_eq!(x[field], y[field], "{field}");
            }
            containment += usize::from(y["method"] == "containment");
        }
    }
    assert!(containment > 0, "the corpus should have near-duplicates");
}
