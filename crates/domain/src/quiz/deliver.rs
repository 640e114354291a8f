//! What a learner is shown of a quiz: prompts and option texts under opaque ids, in a
//! per-attempt order, and nothing that reveals or hints at the answer key.

use serde::Serialize;

use crate::content::{Localized, QuestionBody, QuestionDef, QuestionKind, QuizDef, pick};
use crate::values::Language;

use super::ids::{ROLE_ITEM, ROLE_LEFT, ROLE_OPTION, ROLE_RIGHT, item_id};
use super::shuffle::{non_identity_permutation, permutation};

/// Salt of the question order; it cannot collide with a question key (a slug).
const QUESTION_ORDER_SALT: &str = "#questions";

/// One question as delivered. Lists that do not apply to the kind are empty and omitted.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveredQuestion {
    pub key: String,
    pub kind: QuestionKind,
    pub points: f64,
    pub prompt: String,
    /// Choice options (single and multiple choice).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<DeliveredItem>,
    /// Matching: the items to match…
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub left: Vec<DeliveredItem>,
    /// …and what they are matched with, in an order unrelated to `left`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub right: Vec<DeliveredItem>,
    /// Ordering: the items to put in order, never shown in the correct order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<DeliveredItem>,
    /// Numeric: the unit of the expected number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// An option or item: an opaque per-attempt id and its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveredItem {
    pub id: String,
    pub text: String,
}

fn text_in(text: &Localized, lang: Language, fallbacks: &[Language]) -> String {
    pick(text, lang, fallbacks)
        .map(|(_, t)| t.to_owned())
        .unwrap_or_default()
}

/// Salt of one list of one question, so every list of an attempt has its own order.
fn salt(question_key: &str, list: &str) -> String {
    format!("{question_key}#{list}")
}

/// The questions of `quiz` as one attempt shows them.
///
/// Order: questions are shuffled when `shuffle_questions`, choice options and the left side
/// of matching when `shuffle_options`. Two lists are always shuffled because their content
/// order is (or reveals) the answer: ordering items, never delivered in the correct order
/// (an identity draw is rotated by one), and the right side of matching, never delivered
/// aligned row by row with the left side (likewise rotated).
pub fn deliver(
    quiz: &QuizDef,
    attempt_secret: &str,
    seed: u64,
    lang: Language,
    fallbacks: &[Language],
) -> Vec<DeliveredQuestion> {
    let n = quiz.questions.len();
    let order: Vec<usize> = if quiz.settings.shuffle_questions {
        permutation(seed, QUESTION_ORDER_SALT, n)
    } else {
        (0..n).collect()
    };
    order
        .into_iter()
        .filter_map(|i| quiz.questions.get(i))
        .map(|q| {
            deliver_question(
                q,
                attempt_secret,
                seed,
                quiz.settings.shuffle_options,
                lang,
                fallbacks,
            )
        })
        .collect()
}

fn deliver_question(
    q: &QuestionDef,
    secret: &str,
    seed: u64,
    shuffle_options: bool,
    lang: Language,
    fallbacks: &[Language],
) -> DeliveredQuestion {
    let mut d = DeliveredQuestion {
        key: q.key.clone(),
        kind: q.body.kind(),
        points: q.points,
        prompt: text_in(&q.prompt, lang, fallbacks),
        options: Vec::new(),
        left: Vec::new(),
        right: Vec::new(),
        items: Vec::new(),
        unit: None,
    };
    let item = |role: &str, key: &str, text: &Localized| DeliveredItem {
        id: item_id(secret, &q.key, role, key),
        text: text_in(text, lang, fallbacks),
    };
    match &q.body {
        QuestionBody::SingleChoice { options } | QuestionBody::MultipleChoice { options } => {
            let order = maybe_shuffled(
                shuffle_options,
                seed,
                &salt(&q.key, "options"),
                options.len(),
            );
            d.options = order
                .iter()
                .filter_map(|&i| options.get(i))
                .map(|o| item(ROLE_OPTION, &o.key, &o.text))
                .collect();
        }
        QuestionBody::Matching { pairs } => {
            let n = pairs.len();
            let left_order = maybe_shuffled(shuffle_options, seed, &salt(&q.key, "left"), n);
            let mut right_order = permutation(seed, &salt(&q.key, "right"), n);
            if n >= 2 && right_order == left_order {
                right_order.rotate_left(1);
            }
            d.left = left_order
                .iter()
                .filter_map(|&i| pairs.get(i))
                .map(|p| item(ROLE_LEFT, &p.key, &p.left))
                .collect();
            d.right = right_order
                .iter()
                .filter_map(|&i| pairs.get(i))
                .map(|p| item(ROLE_RIGHT, &p.key, &p.right))
                .collect();
        }
        QuestionBody::Ordering { items } => {
            let order = non_identity_permutation(seed, &salt(&q.key, "items"), items.len());
            d.items = order
                .iter()
                .filter_map(|&i| items.get(i))
                .map(|it| item(ROLE_ITEM, &it.key, &it.text))
                .collect();
        }
        QuestionBody::Numeric { unit, .. } => {
            d.unit = unit.as_ref().map(|u| text_in(u, lang, fallbacks));
        }
        QuestionBody::TrueFalse { .. } | QuestionBody::ShortText { .. } => {}
    }
    d
}

fn maybe_shuffled(shuffle: bool, seed: u64, salt: &str, n: usize) -> Vec<usize> {
    if shuffle {
        permutation(seed, salt, n)
    } else {
        (0..n).collect()
    }
}
