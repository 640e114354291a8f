//! What the funnel of a course needs to know of one enrolment, kept on the enrolment row
//! by every write that changes its standing: per module of its course version, whether it
//! was started and completed, and whether its quiz was attempted and passed, in which
//! languages. The funnel then groups enrolments by these marks instead of reading every
//! progress record and attempt of the course.
//!
//! The text form is one mark per module in course order, joined by `;`. A mark is one hex
//! digit of flags (1 started, 2 completed, 4 quiz attempted, 8 quiz passed), followed for
//! an attempted quiz by `:` and the attempt languages joined by `,` in code order, as in
//! `f:en,fr;5:en;0`. It is the same for the same standing, so equal marks group together.
//!
//! An attempt's question outcomes are kept as compactly: one letter per question of the
//! quiz in content order (`c` correct, `p` partial, `i` incorrect, `u` unanswered), see
//! [`outcome_codes`].

use std::collections::{BTreeMap, BTreeSet};

use uuid::Uuid;

use crate::progress::{LessonStatus, ModulePlan, Standing};
use crate::quiz::{Outcome, QuizResult};

const STARTED: u8 = 1;
const COMPLETED: u8 = 2;
const ATTEMPTED: u8 = 4;
const PASSED: u8 = 8;

/// One module's mark for one enrolment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModuleMark {
    /// A lesson of the module has a progress record.
    pub started: bool,
    /// Every lesson completed and the quiz, if any, passed.
    pub completed: bool,
    /// The module's quiz has a submitted attempt.
    pub quiz_attempted: bool,
    /// The quiz's grade, by its grading method, reaches the pass mark.
    pub quiz_passed: bool,
    /// The languages of the quiz's submitted attempts, in code order.
    pub languages: Vec<String>,
}

/// The marks of a standing in `modules` (the enrolment's course version), given the
/// languages of its submitted attempts per quiz.
pub fn marks_of(
    modules: &[ModulePlan],
    standing: &Standing,
    attempt_languages: &BTreeMap<Uuid, BTreeSet<String>>,
) -> Vec<ModuleMark> {
    modules
        .iter()
        .map(|m| {
            let quiz = m.quiz.as_ref().and_then(|q| standing.quizzes.get(&q.id));
            ModuleMark {
                started: m
                    .lessons
                    .iter()
                    .any(|l| standing.lesson(l.id).status != LessonStatus::NotStarted),
                completed: standing.module_completed(m.id),
                quiz_attempted: quiz.is_some_and(|q| q.attempts_submitted > 0),
                quiz_passed: quiz.is_some_and(|q| q.passed),
                languages: m
                    .quiz
                    .as_ref()
                    .and_then(|q| attempt_languages.get(&q.id))
                    .map(|l| l.iter().cloned().collect())
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// The text form of `marks` (see the module's documentation).
pub fn encode(marks: &[ModuleMark]) -> String {
    let mut out = String::new();
    for (i, m) in marks.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        let flag = |on: bool, bit: u8| if on { bit } else { 0 };
        let flags = flag(m.started, STARTED)
            | flag(m.completed, COMPLETED)
            | flag(m.quiz_attempted, ATTEMPTED)
            | flag(m.quiz_passed, PASSED);
        out.push(char::from_digit(u32::from(flags), 16).unwrap_or('0'));
        if !m.languages.is_empty() {
            out.push(':');
            out.push_str(&m.languages.join(","));
        }
    }
    out
}

/// Reads the text form back; `None` when it is not one [`encode`] writes. The empty text
/// is a course without modules.
pub fn decode(text: &str) -> Option<Vec<ModuleMark>> {
    if text.is_empty() {
        return Some(Vec::new());
    }
    text.split(';')
        .map(|part| {
            let (flags, languages) = match part.split_once(':') {
                Some((f, l)) => (f, Some(l)),
                None => (part, None),
            };
            let mut chars = flags.chars();
            let flags = chars.next()?.to_digit(16)? as u8;
            if chars.next().is_some() {
                return None;
            }
            let languages: Vec<String> = match languages {
                Some(l) if !l.is_empty() => l.split(',').map(str::to_owned).collect(),
                Some(_) => return None,
                None => Vec::new(),
            };
            if languages.iter().any(String::is_empty) {
                return None;
            }
            Some(ModuleMark {
                started: flags & STARTED != 0,
                completed: flags & COMPLETED != 0,
                quiz_attempted: flags & ATTEMPTED != 0,
                quiz_passed: flags & PASSED != 0,
                languages,
            })
        })
        .collect()
}

/// The letter of an outcome in [`outcome_codes`].
pub fn outcome_code(o: Outcome) -> char {
    match o {
        Outcome::Correct => 'c',
        Outcome::Partial => 'p',
        Outcome::Incorrect => 'i',
        Outcome::Unanswered => 'u',
    }
}

/// The outcome of a letter of [`outcome_codes`].
pub fn outcome_of_code(c: char) -> Option<Outcome> {
    match c {
        'c' => Some(Outcome::Correct),
        'p' => Some(Outcome::Partial),
        'i' => Some(Outcome::Incorrect),
        'u' => Some(Outcome::Unanswered),
        _ => None,
    }
}

/// One letter per graded question, in the order of the result (the quiz's content order).
pub fn outcome_codes(result: &QuizResult) -> String {
    result
        .questions
        .iter()
        .map(|q| outcome_code(q.outcome))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(flags: u8, languages: &[&str]) -> ModuleMark {
        ModuleMark {
            started: flags & STARTED != 0,
            completed: flags & COMPLETED != 0,
            quiz_attempted: flags & ATTEMPTED != 0,
            quiz_passed: flags & PASSED != 0,
            languages: languages.iter().map(|l| (*l).to_owned()).collect(),
        }
    }

    #[test]
    fn marks_read_back_as_written() {
        let marks = vec![mark(15, &["en", "fr"]), mark(5, &["en"]), mark(0, &[])];
        let text = encode(&marks);
        assert_eq!(text, "f:en,fr;5:en;0");
        assert_eq!(decode(&text), Some(marks));
        for flags in 0..16 {
            let one = vec![mark(flags, &[])];
            assert_eq!(decode(&encode(&one)), Some(one), "{flags}");
        }
        assert_eq!(decode(""), Some(Vec::new()));
    }

    #[test]
    fn text_not_written_here_is_refused() {
        for bad in ["g", "ff", "1:", "1:en,", ";1", "1;;2", "x:en", "1:,en"] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn every_outcome_has_its_own_letter() {
        for o in [
            Outcome::Correct,
            Outcome::Partial,
            Outcome::Incorrect,
            Outcome::Unanswered,
        ] {
            assert_eq!(outcome_of_code(outcome_code(o)), Some(o));
        }
        assert_eq!(outcome_of_code('x'), None);
    }
}
