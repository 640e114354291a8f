//! The content rules that keep assessment honest and sourced, beyond the file format: a
//! case is cited with its application number, and while a quiz keeps its answers for the
//! review, the feedback on a wrong answer does not state them. Also the share of scenario
//! questions per quiz, which `help-lms content validate` reports.

use super::{Citation, FileCheck, QuestionBody, QuestionDef, QuizDef};
use crate::quiz::fold::fold_text;

/// A case is cited with its application number (`23755/07`, or a CJEU case number such as
/// `C-404/15`) in every language.
pub(super) fn case_citation(fc: &mut FileCheck<'_>, line: usize, what: &str, c: &Citation) {
    for text in c.texts() {
        if !has_case_number(text) {
            fc.err(
                Some(line),
                format!("{what}: the case citation \"{text}\" has no application number (such as 23755/07)"),
            );
        }
    }
}

/// Digits, a slash, then two digits: `23755/07`, `C-404/15`.
fn has_case_number(s: &str) -> bool {
    let b = s.as_bytes();
    (1..b.len()).any(|i| {
        b[i] == b'/'
            && b[i - 1].is_ascii_digit()
            && b.get(i + 1).is_some_and(u8::is_ascii_digit)
            && b.get(i + 2).is_some_and(u8::is_ascii_digit)
    })
}

/// The texts that are the question's correct answer in `lang`, as a learner would see them.
fn answers(q: &QuestionDef, lang: crate::values::Language) -> Vec<String> {
    match &q.body {
        QuestionBody::SingleChoice { options } | QuestionBody::MultipleChoice { options } => {
            options
                .iter()
                .filter(|o| o.correct)
                .filter_map(|o| o.text.get(&lang).cloned())
                .collect()
        }
        QuestionBody::ShortText { accepted } => accepted.get(&lang).cloned().unwrap_or_default(),
        QuestionBody::Numeric { value, .. } => {
            let text = if value.fract() == 0.0 {
                format!("{value:.0}")
            } else {
                value.to_string()
            };
            let comma = text.replace('.', ",");
            if comma == text {
                vec![text]
            } else {
                vec![text, comma]
            }
        }
        QuestionBody::Matching { pairs } => pairs
            .iter()
            .filter_map(|p| p.right.get(&lang).cloned())
            .collect(),
        QuestionBody::TrueFalse { .. } | QuestionBody::Ordering { .. } => Vec::new(),
    }
}

/// Whether `needle` occurs in `hay` as whole words (folded texts).
fn contains_words(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    hay.match_indices(needle).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + needle.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// In a quiz whose review waits (after passing or the last attempt), the feedback on a wrong
/// answer must not state the correct one: it says what to reconsider instead.
pub(super) fn feedback_keeps_the_answer(fc: &mut FileCheck<'_>, line: usize, q: &QuestionDef) {
    for (lang, feedback) in &q.feedback_incorrect {
        let hay = fold_text(feedback);
        let mut told = std::collections::BTreeSet::new();
        for answer in answers(q, *lang) {
            let folded = fold_text(&answer);
            if contains_words(&hay, &folded) && told.insert(folded) {
                fc.err(
                    Some(line),
                    format!(
                        "question '{}': feedback_incorrect ({lang}) states the answer \"{answer}\", which the review keeps until the quiz is passed or no attempt is left; say what to reconsider instead",
                        q.key
                    ),
                );
            }
        }
    }
}

/// How many of a quiz's questions set a scenario, and how many it has.
pub fn scenario_share(quiz: &QuizDef) -> (usize, usize) {
    let scenarios = quiz.questions.iter().filter(|q| q.scenario).count();
    (scenarios, quiz.questions.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_numbers_are_recognised() {
        assert!(has_case_number(
            "Buzadji v. the Republic of Moldova [GC], no. 23755/07"
        ));
        assert!(has_case_number(
            "Aranyosi and Căldăraru, C-404/15 and C-659/15 PPU"
        ));
        assert!(!has_case_number(
            "Brogan and Others v. the United Kingdom, 1988"
        ));
        assert!(!has_case_number("Rec(2006)13, rule 3/1"));
    }

    #[test]
    fn answers_are_found_only_as_whole_words() {
        let f = |s: &str| fold_text(s);
        assert!(contains_words(&f("The answer is Article 7."), &f("7")));
        assert!(!contains_words(&f("Look again at Article 17."), &f("7")));
        assert!(contains_words(
            &f("It is the RISK of absconding"),
            &f("risk of absconding")
        ));
        assert!(!contains_words(
            &f("risks of absconding"),
            &f("risk of absconding")
        ));
    }
}
