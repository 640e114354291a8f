//! Folding of short-text answers, so that a learner is not marked wrong for how they
//! typed a correct answer: case, spacing, diacritics and typographic variants of
//! punctuation do not count (`  GÄFGEN  v.  germany` matches `Gäfgen v. Germany`).

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Folds a text for comparison: lowercase; typographic apostrophes, quotes and dashes
/// replaced by their ASCII forms; a few letters that do not decompose (ß, æ, œ, ø, ł, đ, ħ,
/// ı, final ς) spelled the way people type them without the key; Unicode NFKD with
/// combining marks (diacritics) dropped; whitespace trimmed and collapsed to single spaces.
pub fn fold_text(s: &str) -> String {
    let mut mapped = String::with_capacity(s.len());
    // Punctuation is mapped before NFKD, which would otherwise split e.g. ″ into two ′.
    for c in s.to_lowercase().chars() {
        match c {
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{02BC}'
            | '\u{02B9}' | '\u{00B4}' | '\u{0060}' => mapped.push('\''),
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
            | '\u{00BB}' | '\u{2039}' | '\u{203A}' => mapped.push('"'),
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
            | '\u{2212}' | '\u{FE63}' | '\u{FF0D}' => mapped.push('-'),
            '\u{00AD}' => {} // soft hyphen: invisible, never meant as a character
            'ß' => mapped.push_str("ss"),
            'æ' => mapped.push_str("ae"),
            'œ' => mapped.push_str("oe"),
            'ø' => mapped.push('o'),
            'ł' => mapped.push('l'),
            'đ' => mapped.push('d'),
            'ħ' => mapped.push('h'),
            'ı' => mapped.push('i'),
            'ς' => mapped.push('σ'),
            other => mapped.push(other),
        }
    }
    let stripped: String = mapped.nfkd().filter(|c| !is_combining_mark(*c)).collect();
    stripped.split_whitespace().collect::<Vec<_>>().join(" ")
}
