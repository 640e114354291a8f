//! The roster as CSV, one line per enrolment, for spreadsheets (written by
//! [`crate::spreadsheet`]).

use super::learners::RosterEntryDto;
use crate::spreadsheet::{Cell, Delimiter, Sheet};

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
pub fn write(entries: &[RosterEntryDto], delimiter: Delimiter) -> Sheet {
    let mut sheet = Sheet::new(delimiter, &COLUMNS);
    for e in entries {
        let en = &e.enrolment;
        sheet.row([
            Cell::id(en.id),
            en.user_id.map_or(Cell::opt_text(None), Cell::id),
            Cell::text(&e.email),
            Cell::text(&e.name),
            Cell::text(&e.profession),
            Cell::text(&e.country),
            Cell::text(&e.account_status),
            Cell::text(en.status.as_str()),
            Cell::text(&en.language),
            Cell::time(en.enrolled_at),
            Cell::opt_time(en.completed_at),
            Cell::opt_time(en.withdrawn_at),
            Cell::number(e.progress.percent),
            Cell::number(e.progress.modules_completed),
            Cell::number(e.progress.time_spent_seconds),
            Cell::opt_time(e.progress.last_activity_at),
            Cell::number(e.progress.quizzes.iter().filter(|q| q.passed).count()),
        ]);
    }
    sheet
}
