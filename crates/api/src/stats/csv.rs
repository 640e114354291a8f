//! The completions as CSV, for `Accept: text/csv` (written by [`crate::spreadsheet`]).

use actix_web::HttpRequest;
use help_lms_domain::reporting::Dimension;

use super::dto::CompletionsDto;
use crate::spreadsheet::{self, Cell, Delimiter, Sheet};

/// The CSV columns for a grouping: the keys (with names after ids), then the figures.
fn csv_header(group_by: &[Dimension]) -> Vec<&'static str> {
    let mut h = Vec::new();
    for d in group_by {
        h.push(d.as_str());
        match d {
            Dimension::Institution => h.push("institution_name"),
            Dimension::Cohort => h.push("cohort_name"),
            _ => {}
        }
    }
    h.extend(FIGURES);
    h
}

/// The figures of every row, after its keys (the OpenAPI document lists them from here too).
pub const FIGURES: [&str; 9] = [
    "enrolled",
    "active",
    "completed",
    "completion_rate",
    "withdrawn",
    "average_final_score",
    "median_days_to_complete",
    "certificates_issued",
    "suppressed",
];

pub(super) fn to_csv(dto: &CompletionsDto, group_by: &[Dimension], delimiter: Delimiter) -> Sheet {
    let mut sheet = Sheet::new(delimiter, &csv_header(group_by));
    let s = |v: &Option<Option<String>>| Cell::opt_text(v.as_ref().and_then(Option::as_deref));
    for r in &dto.rows {
        let mut rec = Vec::new();
        for d in group_by {
            match d {
                Dimension::Course => rec.push(s(&r.course)),
                Dimension::Country => rec.push(s(&r.country)),
                Dimension::Profession => rec.push(s(&r.profession)),
                Dimension::Institution => {
                    rec.push(s(&r.institution));
                    rec.push(s(&r.institution_name));
                }
                Dimension::Cohort => {
                    rec.push(s(&r.cohort));
                    rec.push(s(&r.cohort_name));
                }
                Dimension::Language => rec.push(s(&r.language)),
                Dimension::Mode => rec.push(s(&r.mode)),
                Dimension::Month => rec.push(s(&r.month)),
            }
        }
        rec.extend([
            Cell::opt_number(r.enrolled),
            Cell::opt_number(r.active),
            Cell::opt_number(r.completed),
            Cell::opt_number(r.completion_rate),
            Cell::opt_number(r.withdrawn),
            Cell::opt_number(r.average_final_score),
            Cell::opt_number(r.median_days_to_complete),
            Cell::opt_number(r.certificates_issued),
            Cell::flag(r.suppressed),
        ]);
        sheet.row(rec);
    }
    sheet
}

/// `completions[-<course>]-by-<dimensions>-<date>.csv`: what the file holds, at a glance.
pub(super) fn file_name(course: Option<&str>, group_by: &[Dimension]) -> String {
    let by = group_by
        .iter()
        .map(|d| d.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let by = (!by.is_empty()).then(|| format!("by {by}"));
    let parts: Vec<&str> = ["completions"]
        .into_iter()
        .chain(course.filter(|c| !c.contains(',')))
        .chain(by.as_deref())
        .collect();
    spreadsheet::file_name(&parts, spreadsheet::today())
}

pub(super) fn wants_csv(req: &HttpRequest) -> bool {
    crate::negotiate::asks_for(req, "text/csv")
}
