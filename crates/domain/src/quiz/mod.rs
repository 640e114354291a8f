//! Quizzes at run time, pure: delivering a quiz to one attempt (deterministic order,
//! opaque ids, no answer key), checking and grading the responses, combining attempts into
//! a grade, and deciding what a review may show. Callers keep per attempt only a seed and
//! a secret; everything here can be recomputed from them and the course content.

mod deliver;
pub(crate) mod fold;
mod grade;
mod ids;
mod policy;
mod responses;
mod shuffle;

pub use deliver::{DeliveredItem, DeliveredQuestion, deliver};
pub use fold::fold_text;
pub use grade::{Outcome, QuestionResult, QuizResult, correct_response, grade};
pub use ids::{ROLE_ITEM, ROLE_LEFT, ROLE_OPTION, ROLE_RIGHT, item_id};
pub use policy::{Visibility, aggregate, attempts_allowed, passed, review_visibility};
pub use responses::{MAX_TEXT_CHARS, validate_responses, without_free_text};
pub use shuffle::{SplitMix64, permutation};

#[cfg(test)]
mod tests;
