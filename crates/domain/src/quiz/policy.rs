//! Quiz-level rules over several attempts: the quiz grade, passing, and what a learner may
//! see when reviewing an attempt.

use serde::Serialize;

use crate::content::{GradingMethod, ReviewShow, ReviewWhen};

/// The quiz grade from the percents of the submitted attempts, oldest first; `None` before
/// any attempt is submitted. An average is rounded to 2 decimals like a single percent.
pub fn aggregate(method: GradingMethod, percents_in_submission_order: &[f64]) -> Option<f64> {
    let p = percents_in_submission_order;
    match method {
        GradingMethod::Highest => p.iter().copied().reduce(f64::max),
        GradingMethod::Last => p.last().copied(),
        GradingMethod::First => p.first().copied(),
        GradingMethod::Average => (!p.is_empty())
            .then(|| ((p.iter().sum::<f64>() / p.len() as f64) * 100.0).round() / 100.0),
    }
}

/// How many attempts a learner has at a quiz allowing `max_attempts` (0: unlimited, then
/// `None`) once `extra` more were granted to them.
pub fn attempts_allowed(max_attempts: u32, extra: u32) -> Option<u32> {
    (max_attempts > 0).then(|| max_attempts.saturating_add(extra))
}

/// Whether a grade (a percent) reaches the pass mark (a percent).
pub fn passed(grade: f64, pass_mark: u8) -> bool {
    grade >= f64::from(pass_mark)
}

/// What the review of a submitted attempt may show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Visibility {
    /// The attempt's score and percent.
    pub score: bool,
    /// Which questions were right, partly right or wrong.
    pub correctness: bool,
    /// The correct answers (and explanations).
    pub correct_answers: bool,
}

/// What a learner may see of a submitted attempt. The score is always shown (a learner
/// must know whether they passed); correctness and correct answers follow `show`:
/// - `never`: neither;
/// - `immediately`: as `show` allows;
/// - `after_last_attempt`: as `show` allows once no attempt remains (`max_attempts > 0` and
///   all used) or the quiz is passed, so answers cannot be carried into a later attempt.
///   `max_attempts` is what the learner is allowed, extra attempts granted included
///   ([`attempts_allowed`]), so a grant closes the review again until it is used.
pub fn review_visibility(
    show: ReviewShow,
    when: ReviewWhen,
    attempts_submitted: u32,
    max_attempts: u32,
    quiz_passed: bool,
) -> Visibility {
    let open = match when {
        ReviewWhen::Never => false,
        ReviewWhen::Immediately => true,
        ReviewWhen::AfterLastAttempt => {
            (max_attempts > 0 && attempts_submitted >= max_attempts) || quiz_passed
        }
    };
    let (correctness, correct_answers) = match show {
        ReviewShow::ScoreOnly => (false, false),
        ReviewShow::Correctness => (true, false),
        ReviewShow::CorrectAnswers => (true, true),
    };
    Visibility {
        score: true,
        correctness: open && correctness,
        correct_answers: open && correct_answers,
    }
}
