//! Checking a learner's responses. Responses are JSON keyed by question key; options and
//! items are named by their per-attempt ids (see `ids`). Anything that names a question or
//! option not in the attempt, or has the wrong shape, is refused with every problem listed:
//! a malformed response must be a 400 for the client, never a silent zero for the learner.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::content::{QuestionBody, QuestionDef, QuizDef};
use crate::validation::ValidationErrors;

use super::ids::{IdTable, ROLE_ITEM, ROLE_LEFT, ROLE_OPTION, ROLE_RIGHT};

/// The longest accepted short-text answer, in characters.
pub const MAX_TEXT_CHARS: usize = 500;

/// A valid response, with ids resolved to content indices.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Answer {
    SingleChoice(usize),
    /// Distinct option indices.
    MultipleChoice(Vec<usize>),
    TrueFalse(bool),
    /// (left pair index, right pair index); each side at most once.
    Matching(Vec<(usize, usize)>),
    /// Item indices in the order given; a permutation of all items.
    Ordering(Vec<usize>),
    ShortText(String),
    Numeric(f64),
}

/// `responses` without the answers to short-text questions, the only free text a learner
/// writes into an attempt (every other answer names options, items, a truth value or a
/// number): what erasure keeps of an attempt.
pub fn without_free_text(quiz: &QuizDef, responses: &Map<String, Value>) -> Map<String, Value> {
    let free: BTreeSet<&str> = quiz
        .questions
        .iter()
        .filter(|q| matches!(q.body, QuestionBody::ShortText { .. }))
        .map(|q| q.key.as_str())
        .collect();
    responses
        .iter()
        .filter(|(k, _)| !free.contains(k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Checks `responses` against the questions of `quiz` as delivered for this attempt.
/// `null` or an absent key means unanswered and is always valid.
pub fn validate_responses(
    quiz: &QuizDef,
    attempt_secret: &str,
    responses: &Map<String, Value>,
) -> Result<(), ValidationErrors> {
    parse_responses(quiz, attempt_secret, responses).map(|_| ())
}

/// The answer to each question, in content order (`None` when unanswered), or every problem.
pub(super) fn parse_responses(
    quiz: &QuizDef,
    secret: &str,
    responses: &Map<String, Value>,
) -> Result<Vec<Option<Answer>>, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let mut answers = Vec::with_capacity(quiz.questions.len());
    for q in &quiz.questions {
        let answer = match responses.get(&q.key) {
            None | Some(Value::Null) => None,
            Some(v) => parse_answer(q, secret, v, &mut Problems::new(&mut errors, &q.key)),
        };
        answers.push(answer);
    }
    let known: BTreeSet<&str> = quiz.questions.iter().map(|q| q.key.as_str()).collect();
    let unknown: BTreeSet<&String> = responses
        .keys()
        .filter(|k| !known.contains(k.as_str()))
        .collect();
    for k in unknown {
        errors.push(
            format!("responses.{k}"),
            "unknown_question",
            "this quiz has no such question",
        );
    }
    if errors.is_empty() {
        Ok(answers)
    } else {
        Err(errors)
    }
}

/// The errors of one question; each code is reported at most once per question.
struct Problems<'a> {
    errors: &'a mut ValidationErrors,
    field: String,
    seen: BTreeSet<&'static str>,
}

impl<'a> Problems<'a> {
    fn new(errors: &'a mut ValidationErrors, key: &str) -> Self {
        Self {
            errors,
            field: format!("responses.{key}"),
            seen: BTreeSet::new(),
        }
    }

    fn push(&mut self, code: &'static str, message: impl Into<String>) {
        if self.seen.insert(code) {
            self.errors.push(self.field.clone(), code, message);
        }
    }

    fn any(&self) -> bool {
        !self.seen.is_empty()
    }

    fn wrong_type<T>(&mut self, expected: &str) -> Option<T> {
        self.push("wrong_type", format!("expected {expected}"));
        None
    }
}

fn table<'a>(
    secret: &str,
    q: &QuestionDef,
    role: &str,
    keys: impl Iterator<Item = &'a str>,
) -> IdTable {
    IdTable::new(secret, &q.key, role, keys)
}

/// Ids of a list (array of strings) resolved against `ids`: unknown and repeated ids are
/// reported; the result holds each known id once, in the order given.
fn id_list(values: &[Value], ids: &IdTable, p: &mut Problems<'_>) -> Option<Vec<usize>> {
    let mut out = Vec::with_capacity(values.len());
    for v in values {
        let Value::String(id) = v else {
            return p.wrong_type("an array of ids (strings)");
        };
        match ids.find(id) {
            None => p.push(
                "unknown_option",
                "names an option that is not in this question",
            ),
            Some(i) if out.contains(&i) => {
                p.push("duplicate_option", "names the same option more than once");
            }
            Some(i) => out.push(i),
        }
    }
    Some(out)
}

fn parse_answer(q: &QuestionDef, secret: &str, v: &Value, p: &mut Problems<'_>) -> Option<Answer> {
    match &q.body {
        QuestionBody::SingleChoice { options } => {
            let Value::String(id) = v else {
                return p.wrong_type("an option id (a string)");
            };
            let ids = table(
                secret,
                q,
                ROLE_OPTION,
                options.iter().map(|o| o.key.as_str()),
            );
            match ids.find(id) {
                Some(i) => Some(Answer::SingleChoice(i)),
                None => {
                    p.push(
                        "unknown_option",
                        "names an option that is not in this question",
                    );
                    None
                }
            }
        }
        QuestionBody::MultipleChoice { options } => {
            let Value::Array(values) = v else {
                return p.wrong_type("an array of option ids");
            };
            let ids = table(
                secret,
                q,
                ROLE_OPTION,
                options.iter().map(|o| o.key.as_str()),
            );
            let chosen = id_list(values, &ids, p)?;
            (!p.any()).then_some(Answer::MultipleChoice(chosen))
        }
        QuestionBody::TrueFalse { .. } => match v {
            Value::Bool(b) => Some(Answer::TrueFalse(*b)),
            _ => p.wrong_type("true or false"),
        },
        QuestionBody::Matching { pairs } => {
            let Value::Object(map) = v else {
                return p.wrong_type("an object mapping left ids to right ids");
            };
            let left = table(secret, q, ROLE_LEFT, pairs.iter().map(|x| x.key.as_str()));
            let right = table(secret, q, ROLE_RIGHT, pairs.iter().map(|x| x.key.as_str()));
            let mut matched = Vec::with_capacity(map.len());
            let mut used_right = BTreeSet::new();
            for (l, r) in map {
                let li = left.find(l);
                if li.is_none() {
                    p.push(
                        "unknown_option",
                        "names an item that is not in this question",
                    );
                }
                let ri = match r {
                    Value::Null => continue, // an explicitly unmatched item
                    Value::String(r) => right.find(r),
                    _ => return p.wrong_type("right ids (strings) as the object's values"),
                };
                let Some(ri) = ri else {
                    p.push(
                        "unknown_option",
                        "names an item that is not in this question",
                    );
                    continue;
                };
                if !used_right.insert(ri) {
                    p.push("duplicate_option", "matches the same item more than once");
                    continue;
                }
                if let Some(li) = li {
                    matched.push((li, ri));
                }
            }
            (!p.any()).then_some(Answer::Matching(matched))
        }
        QuestionBody::Ordering { items } => {
            let Value::Array(values) = v else {
                return p.wrong_type("an array of all item ids, in order");
            };
            let ids = table(secret, q, ROLE_ITEM, items.iter().map(|x| x.key.as_str()));
            let order = id_list(values, &ids, p)?;
            if order.len() != items.len() {
                p.push(
                    "not_a_permutation",
                    format!("must list each of the {} items exactly once", items.len()),
                );
            }
            (!p.any()).then_some(Answer::Ordering(order))
        }
        QuestionBody::ShortText { .. } => {
            let Value::String(s) = v else {
                return p.wrong_type("a text (a string)");
            };
            if s.chars().count() > MAX_TEXT_CHARS {
                p.push(
                    "too_long",
                    format!("must be at most {MAX_TEXT_CHARS} characters"),
                );
                return None;
            }
            Some(Answer::ShortText(s.clone()))
        }
        QuestionBody::Numeric { .. } => {
            let Value::Number(n) = v else {
                return p.wrong_type("a number");
            };
            match n.as_f64() {
                Some(x) if x.is_finite() => Some(Answer::Numeric(x)),
                _ => {
                    p.push("not_finite", "must be a finite number");
                    None
                }
            }
        }
    }
}
