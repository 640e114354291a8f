//! Grading, pure: responses in, points and an outcome per question out. The rules are
//! meant to be explainable to a learner in one sentence per kind (see `grade`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};

use crate::content::{QuestionBody, QuestionDef, QuizDef, pick};
use crate::validation::ValidationErrors;
use crate::values::Language;

use super::fold::fold_text;
use super::ids::{ROLE_ITEM, ROLE_LEFT, ROLE_OPTION, ROLE_RIGHT, item_id};
use super::responses::{Answer, parse_responses};

/// Slack for float noise when comparing a numeric answer with its tolerance.
const NUMERIC_EPSILON: f64 = 1e-9;

/// How a question went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Correct,
    Partial,
    Incorrect,
    Unanswered,
}

/// The grading of one question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionResult {
    pub key: String,
    /// The question's maximum.
    pub points: f64,
    pub earned: f64,
    pub outcome: Outcome,
}

/// The grading of one attempt; questions in content order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuizResult {
    /// Points earned.
    pub score: f64,
    pub max_score: f64,
    /// `score / max_score` as a percentage rounded to 2 decimals; 0 when `max_score` is 0.
    pub percent: f64,
    pub questions: Vec<QuestionResult>,
}

fn round_to(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

/// Grades an attempt after validating its responses (invalid responses are an error, never
/// zero points). Per kind:
/// - single choice, true/false, short text, numeric: all or nothing;
/// - multiple choice: (correct chosen / correct) − (wrong chosen / wrong options), within
///   [0, 1], so choosing everything earns nothing when some options are wrong;
/// - matching: the share of pairs matched rightly;
/// - ordering: the share of items at their correct position;
/// - short text: equal to any accepted answer, in any language, after `fold_text`;
/// - numeric: within the tolerance (plus 1e-9 for float noise).
pub fn grade(
    quiz: &QuizDef,
    attempt_secret: &str,
    responses: &Map<String, Value>,
) -> Result<QuizResult, ValidationErrors> {
    let answers = parse_responses(quiz, attempt_secret, responses)?;
    let mut questions = Vec::with_capacity(quiz.questions.len());
    let (mut score, mut max_score) = (0.0, 0.0);
    for (q, answer) in quiz.questions.iter().zip(&answers) {
        let (earned, outcome) = match answer {
            None => (0.0, Outcome::Unanswered),
            Some(a) => {
                let fraction = fraction(&q.body, a).clamp(0.0, 1.0);
                let outcome = if fraction >= 1.0 {
                    Outcome::Correct
                } else if fraction <= 0.0 {
                    Outcome::Incorrect
                } else {
                    Outcome::Partial
                };
                (round_to(q.points * fraction, 6), outcome)
            }
        };
        score += earned;
        max_score += q.points;
        questions.push(QuestionResult {
            key: q.key.clone(),
            points: q.points,
            earned,
            outcome,
        });
    }
    let percent = if max_score > 0.0 {
        round_to((score / max_score * 100.0).clamp(0.0, 100.0), 2)
    } else {
        0.0
    };
    Ok(QuizResult {
        score: round_to(score, 6),
        max_score: round_to(max_score, 6),
        percent,
        questions,
    })
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

fn all_or_nothing(ok: bool) -> f64 {
    if ok { 1.0 } else { 0.0 }
}

/// The share of the question's points earned by a valid answer (before clamping).
fn fraction(body: &QuestionBody, answer: &Answer) -> f64 {
    match (body, answer) {
        (QuestionBody::SingleChoice { options }, Answer::SingleChoice(i)) => {
            all_or_nothing(options.get(*i).is_some_and(|o| o.correct))
        }
        (QuestionBody::MultipleChoice { options }, Answer::MultipleChoice(chosen)) => {
            let correct = options.iter().filter(|o| o.correct).count();
            let wrong = options.len() - correct;
            let (mut right_chosen, mut wrong_chosen) = (0, 0);
            for o in chosen.iter().filter_map(|&i| options.get(i)) {
                if o.correct {
                    right_chosen += 1;
                } else {
                    wrong_chosen += 1;
                }
            }
            ratio(right_chosen, correct) - ratio(wrong_chosen, wrong)
        }
        (QuestionBody::TrueFalse { answer }, Answer::TrueFalse(given)) => {
            all_or_nothing(answer == given)
        }
        (QuestionBody::Matching { pairs }, Answer::Matching(matched)) => {
            ratio(matched.iter().filter(|(l, r)| l == r).count(), pairs.len())
        }
        (QuestionBody::Ordering { items }, Answer::Ordering(order)) => ratio(
            order
                .iter()
                .enumerate()
                .filter(|(pos, i)| pos == *i)
                .count(),
            items.len(),
        ),
        (QuestionBody::ShortText { accepted }, Answer::ShortText(given)) => {
            let given = fold_text(given);
            all_or_nothing(
                !given.is_empty() && accepted.values().flatten().any(|a| fold_text(a) == given),
            )
        }
        (
            QuestionBody::Numeric {
                value, tolerance, ..
            },
            Answer::Numeric(given),
        ) => all_or_nothing((given - value).abs() <= tolerance.abs() + NUMERIC_EPSILON),
        // parse_responses builds the answer from the same body, so kinds always agree.
        _ => 0.0,
    }
}

/// The correct answer to `q` in the response shape, for reviews after submission: the
/// correct option id (single), the correct option ids in content order (multiple), the
/// boolean, a left id → right id object, the item ids in the correct order, the first
/// accepted text in `lang` (with fallbacks), or the number. `null` if there is none.
pub fn correct_response(
    q: &QuestionDef,
    attempt_secret: &str,
    lang: Language,
    fallbacks: &[Language],
) -> Value {
    let id = |role: &str, key: &str| Value::String(item_id(attempt_secret, &q.key, role, key));
    match &q.body {
        QuestionBody::SingleChoice { options } => options
            .iter()
            .find(|o| o.correct)
            .map_or(Value::Null, |o| id(ROLE_OPTION, &o.key)),
        QuestionBody::MultipleChoice { options } => Value::Array(
            options
                .iter()
                .filter(|o| o.correct)
                .map(|o| id(ROLE_OPTION, &o.key))
                .collect(),
        ),
        QuestionBody::TrueFalse { answer } => Value::Bool(*answer),
        QuestionBody::Matching { pairs } => Value::Object(
            pairs
                .iter()
                .map(|p| {
                    (
                        item_id(attempt_secret, &q.key, ROLE_LEFT, &p.key),
                        id(ROLE_RIGHT, &p.key),
                    )
                })
                .collect(),
        ),
        QuestionBody::Ordering { items } => {
            Value::Array(items.iter().map(|i| id(ROLE_ITEM, &i.key)).collect())
        }
        QuestionBody::ShortText { accepted } => {
            let first: crate::content::Localized = accepted
                .iter()
                .filter_map(|(l, list)| list.first().map(|a| (*l, a.clone())))
                .collect();
            pick(&first, lang, fallbacks).map_or(Value::Null, |(_, t)| Value::String(t.to_owned()))
        }
        QuestionBody::Numeric { value, .. } => {
            Number::from_f64(*value).map_or(Value::Null, Value::Number)
        }
    }
}
