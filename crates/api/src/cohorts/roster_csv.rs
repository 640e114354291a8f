//! The roster as CSV, one line per enrolment, for spreadsheets.

use chrono::{DateTime, Utc};

use super::learners::RosterEntryDto;
use crate::error::ApiError;

/// The roster's columns, in order (the OpenAPI document lists them from here too).
pub const COLUMNS: [&str; 17] = [
    "enrolment_id",
    "user_id",
    "email",
    "name",
    "profession",
    "country",
    "account_status",
    "status",
    "language",
    "enrolled_at",
    "completed_at",
    "withdrawn_at",
    "percent",
    "modules_completed",
    "time_spent_seconds",
    "last_activity_at",
    "quizzes_passed",
];

/// The whole roster, header first.
pub fn write(entries: &[RosterEntryDto]) -> Result<String, ApiError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS).map_err(ApiError::internal)?;
    for e in entries {
        let en = &e.enrolment;
        let opt = |d: &Option<DateTime<Utc>>| d.map(|d| d.to_rfc3339()).unwrap_or_default();
        w.write_record([
            en.id.to_string(),
            en.user_id.map(|u| u.to_string()).unwrap_or_default(),
            e.email.clone(),
            e.name.clone(),
            e.profession.clone(),
            e.country.clone(),
            e.account_status.clone(),
            en.status.as_str().to_owned(),
            en.language.clone(),
            en.enrolled_at.to_rfc3339(),
            opt(&en.completed_at),
            opt(&en.withdrawn_at),
            e.progress.percent.to_string(),
            e.progress.modules_completed.to_string(),
            e.progress.time_spent_seconds.to_string(),
            opt(&e.progress.last_activity_at),
            e.progress
                .quizzes
                .iter()
                .filter(|q| q.passed)
                .count()
                .to_string(),
        ])
        .map_err(ApiError::internal)?;
    }
    let bytes = w.into_inner().map_err(ApiError::internal)?;
    String::from_utf8(bytes).map_err(ApiError::internal)
}
