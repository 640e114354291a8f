//! The completions as CSV, for `Accept: text/csv`.

use actix_web::HttpRequest;
use help_lms_domain::reporting::Dimension;

use super::dto::CompletionsDto;
use crate::error::ApiError;

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

pub(super) fn to_csv(dto: &CompletionsDto, group_by: &[Dimension]) -> Result<String, ApiError> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(csv_header(group_by))
        .map_err(ApiError::internal)?;
    let s = |v: &Option<Option<String>>| v.clone().flatten().unwrap_or_default();
    let n = |v: Option<u64>| v.map(|x| x.to_string()).unwrap_or_default();
    let f = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
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
            n(r.enrolled),
            n(r.active),
            n(r.completed),
            f(r.completion_rate),
            n(r.withdrawn),
            f(r.average_final_score),
            f(r.median_days_to_complete),
            n(r.certificates_issued),
            r.suppressed.to_string(),
        ]);
        w.write_record(&rec).map_err(ApiError::internal)?;
    }
    let bytes = w.into_inner().map_err(ApiError::internal)?;
    String::from_utf8(bytes).map_err(ApiError::internal)
}

pub(super) fn wants_csv(req: &HttpRequest) -> bool {
    crate::negotiate::asks_for(req, "text/csv")
}
