//! Deciding whether a UAX #29 sentence break after a period is false.
//!
//! UAX #29 already keeps "U.S. officials", "3.5" and "etc. and" whole: it
//! never breaks before a lower-case word after a period. What it gets wrong
//! is a period before a capital: "Mr. Fox", "J. R. R. Tolkien", "U.S.
//! Senate". These lists fix the common English cases.

/// Words whose period never ends a sentence (titles, Latin), compared
/// case-sensitively without the final period.
const NEVER_FINAL: &[&str] = &[
    "Adm", "Capt", "Cmdr", "Col", "Dr", "Gen", "Gov", "Hon", "Lt", "Maj", "Messrs", "Mr", "Mrs",
    "Ms", "Mssrs", "Prof", "Rep", "Rev", "Sen", "Sgt", "Supt", "cf", "e.g", "i.e", "viz", "vs",
];

/// Words whose period may end a sentence: the break stays only when the
/// next word commonly starts one ("... bought Acme Inc. The deal ...").
const MAYBE_FINAL: &[&str] = &[
    "Ave", "Blvd", "Bros", "Co", "Corp", "Inc", "Jr", "Ltd", "Mt", "Pty", "Rd", "Sr", "St", "al",
    "approx", "dept", "est", "etc", "plc",
];

/// Words whose period does not end a sentence before a number.
const BEFORE_NUMBER: &[&str] = &[
    "Apr", "Art", "Aug", "Ch", "Dec", "Feb", "Fig", "Jan", "Jul", "Jun", "Mar", "No", "Nos", "Nov",
    "Oct", "Sec", "Sep", "Sept", "Vol", "fig", "no", "p", "pp", "vol",
];

/// Capitalized words that often open an English sentence. After an
/// ambiguous period ("U.S.", "Inc.", an initial) one of these keeps the break.
const STARTERS: &[&str] = &[
    "A",
    "After",
    "All",
    "Also",
    "Although",
    "An",
    "And",
    "As",
    "At",
    "Before",
    "But",
    "By",
    "Despite",
    "During",
    "Earlier",
    "For",
    "From",
    "He",
    "Her",
    "Here",
    "His",
    "How",
    "However",
    "I",
    "If",
    "In",
    "It",
    "Its",
    "Last",
    "Later",
    "Meanwhile",
    "Most",
    "My",
    "No",
    "Now",
    "On",
    "One",
    "Our",
    "She",
    "Since",
    "So",
    "Some",
    "That",
    "The",
    "Their",
    "Then",
    "There",
    "These",
    "They",
    "This",
    "Those",
    "Thus",
    "To",
    "Under",
    "We",
    "What",
    "When",
    "Where",
    "While",
    "Who",
    "Why",
    "With",
    "Yet",
    "You",
];

/// Whether a sentence break between `before` and `after` should be removed.
/// Both are trimmed, non-empty pieces of one paragraph.
pub(crate) fn joins(before: &str, after: &str) -> bool {
    let next = after.trim_start_matches(is_opening);
    let Some(first) = next.chars().next() else {
        return false;
    };
    // A sentence does not start in lower case; UAX #29 breaks there only
    // after "?" or "!" ('"Why?" she asked.') or at a line break.
    if first.is_lowercase() {
        return true;
    }
    let Some(word) = before.strip_suffix('.').map(last_word) else {
        return false;
    };
    if word.is_empty() || word.ends_with('.') {
        // "..." or "?." is punctuation, not an abbreviation.
        return false;
    }
    if NEVER_FINAL.contains(&word) {
        return true;
    }
    if first.is_numeric() && BEFORE_NUMBER.contains(&word) {
        return true;
    }
    let ambiguous = is_initial(word)
        || is_dotted(word)
        || MAYBE_FINAL.contains(&word)
        || BEFORE_NUMBER.contains(&word);
    ambiguous && !STARTERS.contains(&first_word(next))
}

/// The word before the final period: back to white space or an opening
/// bracket or quote.
fn last_word(text: &str) -> &str {
    let start = text
        .char_indices()
        .rev()
        .find(|&(_, c)| c.is_whitespace() || is_opening(c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    &text[start..]
}

fn first_word(text: &str) -> &str {
    let end = text
        .find(|c: char| !c.is_alphanumeric())
        .unwrap_or(text.len());
    &text[..end]
}

fn is_opening(c: char) -> bool {
    matches!(
        c,
        '(' | '[' | '{' | '"' | '\'' | '“' | '‘' | '«' | '„' | '‹' | '「' | '『' | '（'
    )
}

/// A single capital letter: an initial, as in "J. R. R. Tolkien".
fn is_initial(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(char::is_uppercase) && chars.next().is_none()
}

/// Letters with inner periods: "U.S", "U.K", "a.m", "Ph.D".
fn is_dotted(word: &str) -> bool {
    word.contains('.')
        && word.split('.').all(|part| {
            (1..=2).contains(&part.chars().count()) && part.chars().all(char::is_alphabetic)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_always_join() {
        assert!(joins("Mr.", "Fox left."));
        assert!(joins("He met Dr.", "The Who."));
        assert!(joins("Toys, e.g.", "Lego."));
    }

    #[test]
    fn ambiguous_words_look_at_the_next_word() {
        assert!(joins("The U.S.", "Senate voted."));
        assert!(!joins("It sued the U.S.", "The case is open."));
        assert!(joins("J.", "R. R. Tolkien wrote."));
        assert!(!joins("He chose plan B.", "Then he left."));
        assert!(joins("It closed on Jan.", "5, 2024."));
    }

    #[test]
    fn real_ends_stay() {
        assert!(!joins("He left.", "Then she came."));
        assert!(!joins("Wait...", "What?"));
        assert!(!joins("It rose 3%.", "Oil fell."));
        assert!(!joins("Why?", "Nobody knows."));
        assert!(joins("\"Why?\"", "she asked."));
    }
}
