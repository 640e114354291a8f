//! The gradebook as CSV, one line per learner, for spreadsheets: the learner's columns,
//! then the same quiz columns for each quiz of the course, prefixed by its module's key.

use super::gradebook::GradebookDto;
use crate::spreadsheet::{Cell, Delimiter, Sheet};

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

/// The whole gradebook, header first, through the shared spreadsheet writer.
pub fn write(g: &GradebookDto, delimiter: Delimiter) -> Sheet {
    let mut header: Vec<String> = COLUMNS.iter().map(|c| (*c).to_owned()).collect();
    for q in &g.quizzes {
        header.extend(QUIZ_COLUMNS.iter().map(|c| format!("{}.{c}", q.module_key)));
    }
    let mut sheet = Sheet::new(delimiter, &header);
    for r in &g.items {
        let mut line = vec![
            Cell::id(r.enrolment_id),
            Cell::id(r.user_id),
            Cell::text(&r.email),
            Cell::text(&r.name),
            Cell::text(&r.status.to_string()),
            Cell::number(r.percent),
            Cell::opt_time(r.last_activity_at),
            Cell::opt_time(r.completed_at),
            Cell::opt_time(r.withdrawn_at),
            Cell::number(r.quizzes.iter().filter(|q| q.passed).count()),
        ];
        for col in &g.quizzes {
            match r.quizzes.iter().find(|c| c.quiz_id == col.quiz_id) {
                Some(c) => line.extend([
                    Cell::opt_number(c.grade),
                    Cell::flag(c.passed),
                    Cell::number(c.attempts_used),
                    Cell::opt_number(c.attempts_left),
                    Cell::number(c.extra_attempts),
                ]),
                None => line.extend(QUIZ_COLUMNS.iter().map(|_| Cell::opt_text(None))),
            }
        }
        sheet.row(line);
    }
    sheet
}
