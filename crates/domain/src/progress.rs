//! Where a learner stands in a course: lesson and attempt states, the completion rule
//! (a module is complete when every lesson is completed and its quiz passed; the course
//! when every module is), the resume point, the final score, and the rules a progress
//! report or a late submission must meet.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::ValidationErrors;
use crate::content::{Localized, QuizDef};
use crate::quiz;
use crate::values::string_enum;

/// Seconds after the deadline during which a submission is still accepted (network and
/// clock slack between the learner's browser and the server).
pub const GRACE_SECONDS: i64 = 30;

/// Most time one lesson can record, to keep garbage out of the statistics.
pub const MAX_LESSON_SECONDS: i32 = 24 * 3600;

string_enum!(
    /// How far a learner got with one lesson.
    LessonStatus, "lesson status" {
    NotStarted => "not_started",
    Viewed => "viewed",
    Completed => "completed",
});

string_enum!(
    /// What a learner reports about a lesson: seen, or finished.
    LessonReport, "lesson report" {
    Viewed => "viewed",
    Completed => "completed",
});

string_enum!(
    /// Whether an attempt still takes answers, and whether it counts: a `void` attempt was
    /// left open when its enrolment was withdrawn or completed, was closed ungraded, and
    /// counts nowhere (grades, attempt limits, statistics).
    AttemptStatus, "attempt status" {
    InProgress => "in_progress",
    Submitted => "submitted",
    Void => "void",
});

/// One lesson of a course version, as learning needs it.
#[derive(Debug, Clone)]
pub struct LessonPlan {
    pub id: Uuid,
    pub key: String,
    pub title: Localized,
}

/// One quiz of a course version.
#[derive(Debug, Clone)]
pub struct QuizPlan {
    pub id: Uuid,
    pub module_id: Uuid,
    pub def: QuizDef,
}

/// One module of a course version: its lessons in order and at most one quiz.
#[derive(Debug, Clone)]
pub struct ModulePlan {
    pub id: Uuid,
    pub key: String,
    pub title: Localized,
    pub lessons: Vec<LessonPlan>,
    pub quiz: Option<QuizPlan>,
}

/// What is recorded of one lesson of one enrolment.
#[derive(Debug, Clone)]
pub struct LessonRecord {
    pub lesson_id: Uuid,
    pub time_spent_seconds: i32,
    pub completed_at: Option<DateTime<Utc>>,
}

/// What the standing needs of one attempt.
#[derive(Debug, Clone)]
pub struct AttemptRecord {
    pub id: Uuid,
    pub quiz_id: Uuid,
    pub number: i32,
    pub status: AttemptStatus,
    pub percent: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LessonState {
    pub status: LessonStatus,
    pub time_spent_seconds: i32,
    pub completed_at: Option<DateTime<Utc>>,
}

impl LessonState {
    pub const NOT_STARTED: LessonState = LessonState {
        status: LessonStatus::NotStarted,
        time_spent_seconds: 0,
        completed_at: None,
    };
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuizState {
    pub attempts_submitted: u32,
    /// The quiz's attempts plus those granted; None when unlimited.
    pub attempts_allowed: Option<u32>,
    /// Attempts granted beyond the quiz's own.
    pub extra_attempts: u32,
    /// None when unlimited.
    pub attempts_left: Option<u32>,
    /// The grade by the quiz's grading method, in percent.
    pub grade: Option<f64>,
    pub passed: bool,
    pub in_progress_attempt: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ModuleState {
    pub module_id: Uuid,
    pub completed: bool,
}

/// Where to resume: the first lesson not completed or quiz not passed, in course order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Lesson(Uuid),
    Quiz(Uuid),
}

/// Where an enrolment stands, computed from its lesson records and attempts.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    pub lessons: BTreeMap<Uuid, LessonState>,
    pub quizzes: BTreeMap<Uuid, QuizState>,
    pub modules: Vec<ModuleState>,
    /// Lessons completed and quizzes passed, out of all, in percent (2 decimals).
    pub percent: f64,
    pub time_spent_seconds: i64,
    pub next: Option<Next>,
    pub complete: bool,
    /// The mean of the quiz grades (2 decimals); 100 for a course without quizzes.
    pub final_score: f64,
}

impl Standing {
    pub fn lesson(&self, id: Uuid) -> &LessonState {
        self.lessons.get(&id).unwrap_or(&LessonState::NOT_STARTED)
    }

    pub fn modules_completed(&self) -> usize {
        self.modules.iter().filter(|m| m.completed).count()
    }

    pub fn module_completed(&self, id: Uuid) -> bool {
        self.modules
            .iter()
            .any(|m| m.module_id == id && m.completed)
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The standing of one enrolment in a course of `modules`.
pub fn standing(
    modules: &[ModulePlan],
    lessons: &[LessonRecord],
    attempts: &[AttemptRecord],
) -> Standing {
    standing_with_grants(modules, lessons, attempts, &BTreeMap::new())
}

/// The standing of one enrolment, with the extra attempts granted to it per quiz.
pub fn standing_with_grants(
    modules: &[ModulePlan],
    lessons: &[LessonRecord],
    attempts: &[AttemptRecord],
    extra_attempts: &BTreeMap<Uuid, u32>,
) -> Standing {
    let by_lesson: BTreeMap<Uuid, &LessonRecord> =
        lessons.iter().map(|p| (p.lesson_id, p)).collect();
    let mut lesson_states = BTreeMap::new();
    let mut quizzes = BTreeMap::new();
    let mut module_states = Vec::new();
    let (mut done_items, mut all_items) = (0usize, 0usize);
    let mut next = None;
    let mut grades = Vec::new();
    for m in modules {
        let mut module_done = true;
        for l in &m.lessons {
            let st = match by_lesson.get(&l.id) {
                Some(p) => LessonState {
                    status: if p.completed_at.is_some() {
                        LessonStatus::Completed
                    } else {
                        LessonStatus::Viewed
                    },
                    time_spent_seconds: p.time_spent_seconds,
                    completed_at: p.completed_at,
                },
                None => LessonState::NOT_STARTED,
            };
            all_items += 1;
            if st.completed_at.is_some() {
                done_items += 1;
            } else {
                module_done = false;
                next = next.or(Some(Next::Lesson(l.id)));
            }
            lesson_states.insert(l.id, st);
        }
        if let Some(q) = &m.quiz {
            let mut submitted: Vec<&AttemptRecord> = attempts
                .iter()
                .filter(|a| a.quiz_id == q.id && a.status == AttemptStatus::Submitted)
                .collect();
            submitted.sort_by_key(|a| a.number);
            let percents: Vec<f64> = submitted.iter().filter_map(|a| a.percent).collect();
            let grade = quiz::aggregate(q.def.settings.grading, &percents);
            let passed = grade.is_some_and(|g| quiz::passed(g, q.def.settings.pass_mark));
            let extra = extra_attempts.get(&q.id).copied().unwrap_or(0);
            let allowed = quiz::attempts_allowed(q.def.settings.max_attempts, extra);
            let n = submitted.len() as u32;
            all_items += 1;
            if passed {
                done_items += 1;
            } else {
                module_done = false;
                next = next.or(Some(Next::Quiz(q.id)));
            }
            if let Some(g) = grade {
                grades.push(g);
            }
            quizzes.insert(
                q.id,
                QuizState {
                    attempts_submitted: n,
                    attempts_allowed: allowed,
                    extra_attempts: extra,
                    attempts_left: allowed.map(|a| a.saturating_sub(n)),
                    grade,
                    passed,
                    in_progress_attempt: attempts
                        .iter()
                        .find(|a| a.quiz_id == q.id && a.status == AttemptStatus::InProgress)
                        .map(|a| a.id),
                },
            );
        }
        module_states.push(ModuleState {
            module_id: m.id,
            completed: module_done,
        });
    }
    let percent = if all_items == 0 {
        100.0
    } else {
        round2(done_items as f64 / all_items as f64 * 100.0)
    };
    let final_score = if grades.is_empty() {
        100.0
    } else {
        round2(grades.iter().sum::<f64>() / grades.len() as f64)
    };
    Standing {
        complete: module_states.iter().all(|m| m.completed),
        lessons: lesson_states,
        quizzes,
        modules: module_states,
        percent,
        time_spent_seconds: lessons
            .iter()
            .map(|p| i64::from(p.time_spent_seconds))
            .sum(),
        next,
        final_score,
    }
}

/// Whether an attempt is past its deadline and the grace after it: it takes no more
/// answers and is closed with what it saved.
pub fn is_expired(
    status: AttemptStatus,
    deadline: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    status == AttemptStatus::InProgress
        && deadline.is_some_and(|d| now > d + Duration::seconds(GRACE_SECONDS))
}

/// A learner's report on one lesson, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgressReport {
    /// Completed stays completed; `false` records a view.
    pub completed: bool,
    /// The lesson's running total; the largest value seen is kept.
    pub time_spent_seconds: i32,
}

impl ProgressReport {
    /// `status` is `viewed` or `completed`; the time is 0 to [`MAX_LESSON_SECONDS`].
    pub fn parse(status: &str, time_spent_seconds: Option<i64>) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let completed = match LessonReport::parse(status) {
            Ok(LessonReport::Completed) => Some(true),
            Ok(LessonReport::Viewed) => Some(false),
            Err(_) => {
                errors.push("status", "invalid_status", "status is viewed or completed");
                None
            }
        };
        let seconds = time_spent_seconds.unwrap_or(0);
        let seconds = match i32::try_from(seconds) {
            Ok(s) if (0..=MAX_LESSON_SECONDS).contains(&s) => Some(s),
            _ => {
                errors.push(
                    "time_spent_seconds",
                    "out_of_range",
                    format!("0 to {MAX_LESSON_SECONDS} seconds"),
                );
                None
            }
        };
        match (completed, seconds) {
            (Some(completed), Some(time_spent_seconds)) => Ok(ProgressReport {
                completed,
                time_spent_seconds,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests;
