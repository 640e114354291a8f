//! The gradebook as CSV, one line per learner, for spreadsheets: the learner's columns,
//! then the same quiz columns for each quiz of the course, prefixed by its module's key.

use chrono::{DateTime, Utc};

use super::gradebook::GradebookDto;
use crate::error::ApiError;

/// The learner's columns, in order (the OpenAPI document lists them from here too).
pub const COLUMNS: [&str; 10] = [
    "enrolment_id",
    "user_id",
    "email",
    "name",
    "status",
    "percent",
    "last_activity_at",
    "completed_at",
    "withdrawn_at",
    "quizzes_passed",
];

/// The columns of each quiz, after the learner's, named `<module key>.<column>`; empty
/// when the learner's course version has no quiz in that module (and `attempts_left` when
/// attempts are unlimited).
pub const QUIZ_COLUMNS: [&str; 5] = [
    "grade",
    "passed",
    "attempts_used",
    "attempts_left",
    "extra_attempts",
];

/// The whole gradebook, header first.
pub fn write(g: &GradebookDto) -> Result<String, ApiError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = COLUMNS.iter().map(|c| (*c).to_owned()).collect();
    for q in &g.quizzes {
        header.extend(QUIZ_COLUMNS.iter().map(|c| format!("{}.{c}", q.module_key)));
    }
    w.write_record(&header).map_err(ApiError::internal)?;
    let opt = |d: &Option<DateTime<Utc>>| d.map(|d| d.to_rfc3339()).unwrap_or_default();
    for r in &g.items {
        let mut line = vec![
            r.enrolment_id.to_string(),
            r.user_id.to_string(),
            r.email.clone(),
            r.name.clone(),
            r.status.to_string(),
            r.percent.to_string(),
            opt(&r.last_activity_at),
            opt(&r.completed_at),
            opt(&r.withdrawn_at),
            r.quizzes.iter().filter(|q| q.passed).count().to_string(),
        ];
        for col in &g.quizzes {
            match r.quizzes.iter().find(|c| c.quiz_id == col.quiz_id) {
                Some(c) => line.extend([
                    c.grade.map(|g| g.to_string()).unwrap_or_default(),
                    c.passed.to_string(),
                    c.attempts_used.to_string(),
                    c.attempts_left.map(|n| n.to_string()).unwrap_or_default(),
                    c.extra_attempts.to_string(),
                ]),
                None => line.extend(QUIZ_COLUMNS.iter().map(|_| String::new())),
            }
        }
        w.write_record(&line).map_err(ApiError::internal)?;
    }
    let bytes = w.into_inner().map_err(ApiError::internal)?;
    String::from_utf8(bytes).map_err(ApiError::internal)
}
