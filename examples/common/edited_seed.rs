//! An edited copy of the seed article, as a syndication pipeline might make
//! it: "U.S." written "US", a word changed in several paragraphs, and a
//! sentence appended to one. Shared by the `near_duplicates` example and its
//! test.

/// (1-based line, text to find, replacement) for each word edit.
pub const WORD_EDITS: [(usize, &str, &str); 5] = [
    (1, "on the world stage", "on the global stage"),
    (5, "Trump's administration", "Trump's government"),
    (6, "strengthen its alliances", "strengthen its partnerships"),
    (
        7,
        "aim to curb China's expansion",
        "aim to limit China's expansion",
    ),
    (
        9,
        "China's trade-driven growth",
        "China's export-driven growth",
    ),
];

/// The 1-based line that gets a sentence appended, and the sentence.
pub const APPENDED: (usize, &str) = (8, " Analysts expect the talks to continue into next year.");

/// The 1-based lines changed by more than normalization can absorb.
pub const EDITED_LINES: [usize; 6] = [1, 5, 6, 7, 8, 9];

/// The edited copy of `article`, line by line.
pub fn edited_copy(article: &str) -> String {
    article
        .split('\n')
        .enumerate()
        .map(|(i, line)| {
            let number = i + 1;
            let mut line = line.replace("U.S.", "US");
            for (at, find, replace) in WORD_EDITS {
                if at == number {
                    line = line.replacen(find, replace, 1);
                }
            }
            if APPENDED.0 == number {
                line.push_str(APPENDED.1);
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}
