//! A cohort's gradebook: one row per enrolment with, for each quiz of the cohort's course
//! version, the grade that counts by the quiz's grading method, whether it passes, the
//! attempts used and left (extra attempts counted); void attempts count nowhere. Only people
//! who have accepted their enrolment have a row.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Utc;
use help_lms_domain::progress::QuizState;
use uuid::Uuid;

use super::roster::{RosterEntry, Window, accepted};
use crate::Db;
use crate::catalogue::runtime::{CourseRuntime, runtime};
use crate::cohorts::Cohort;
use crate::error::StoreError;

/// One quiz column of the gradebook: a quiz of the cohort's course version.
#[derive(Debug, Clone)]
pub struct GradebookQuiz {
    pub quiz_id: Uuid,
    /// The key of the quiz's module; it names the quiz across course versions.
    pub module_key: String,
    pub pass_mark: u8,
    /// 0 means unlimited.
    pub max_attempts: u32,
}

/// One learner's row: their roster line and, per quiz column in order, their state
/// (`None` when the version they follow has no quiz in that module).
#[derive(Debug, Clone)]
pub struct GradebookRow {
    pub entry: RosterEntry,
    pub quizzes: Vec<Option<QuizState>>,
}

#[derive(Debug, Clone)]
pub struct Gradebook {
    pub course: Arc<CourseRuntime>,
    pub quizzes: Vec<GradebookQuiz>,
    pub rows: Vec<GradebookRow>,
    /// Rows on all pages.
    pub total: u64,
}

/// One page of the cohort's gradebook, in enrolment order. A learner on another version
/// of the course (who joined from self-study) is matched to the columns by module.
pub async fn gradebook(db: &Db, cohort: &Cohort, window: Window) -> Result<Gradebook, StoreError> {
    let course = runtime(&db.conn, cohort.course_version_id).await?;
    let quizzes: Vec<GradebookQuiz> = course
        .modules
        .iter()
        .filter_map(|m| {
            m.quiz.as_ref().map(|q| GradebookQuiz {
                quiz_id: q.id,
                module_key: m.key.clone(),
                pass_mark: q.def.settings.pass_mark,
                max_attempts: q.def.settings.max_attempts,
            })
        })
        .collect();
    // Only people who have accepted: a line still pending has nothing to grade, and must
    // not say whether its address had an account.
    let (entries, total) = accepted(db, cohort.id, window, Utc::now()).await?;
    // Per course version, the quiz of each module key.
    let mut by_version: HashMap<Uuid, HashMap<String, Uuid>> = HashMap::new();
    let mut rows = Vec::with_capacity(entries.len());
    for entry in entries {
        let version = entry.enrolment.course_version_id;
        if let std::collections::hash_map::Entry::Vacant(slot) = by_version.entry(version) {
            let rt = runtime(&db.conn, version).await?;
            slot.insert(
                rt.modules
                    .iter()
                    .filter_map(|m| m.quiz.as_ref().map(|q| (m.key.clone(), q.id)))
                    .collect(),
            );
        }
        let keys = by_version.get(&version);
        let cells = quizzes
            .iter()
            .map(|col| {
                keys.and_then(|k| k.get(&col.module_key))
                    .and_then(|id| entry.standing.quizzes.get(id))
                    .cloned()
            })
            .collect();
        rows.push(GradebookRow {
            entry,
            quizzes: cells,
        });
    }
    Ok(Gradebook {
        course,
        quizzes,
        rows,
        total,
    })
}
