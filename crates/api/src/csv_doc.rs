//! The answers that are not JSON, in the OpenAPI document: the roster's, the gradebook's and
//! the statistics' CSV with their columns (from the lists the writers use, so the two cannot
//! drift apart), their form and `Content-Disposition`, and the certificate's PDF.

use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{OpenApi, RefOr};

use crate::cohorts::{gradebook_csv, roster_csv};
use crate::stats::csv::FIGURES;

fn operation<'a>(api: &'a mut OpenApi, path: &str) -> Option<&'a mut Operation> {
    api.paths.paths.get_mut(path)?.get.as_mut()
}

/// Adds `media` as another content of the operation's 200 answer.
fn also(op: &mut Operation, media: &str, description: String, example: Option<String>) {
    let Some(RefOr::T(ok)) = op.responses.responses.get_mut("200") else {
        return;
    };
    let format =
        (media == "application/pdf").then_some(SchemaFormat::KnownFormat(KnownFormat::Binary));
    let schema = ObjectBuilder::new()
        .schema_type(Type::String)
        .format(format)
        .description(Some(description));
    let content = ContentBuilder::new()
        .schema(Some(schema))
        .example(example.map(serde_json::Value::String))
        .build();
    ok.content.insert(media.to_owned(), RefOr::T(content));
}

/// What every CSV answer is, after its own columns (see [`crate::spreadsheet`]).
const CSV_FORM: &str = "UTF-8 with a byte order mark, CRLF line ends, comma-separated or, with `delimiter=semicolon`, semicolon-separated (for Excel in most European locales); timestamps in UTC to the second (`2026-12-01T17:05:09Z`). A text cell that begins with `=`, `+`, `-`, `@`, Tab or CR is written with `'` before it and in double quotes, so that no spreadsheet runs it as a formula; numbers, ids, booleans and timestamps are written as they are. Sent as an attachment (`Content-Disposition`) with a file name that says what it holds and the day.";

/// The `Content-Disposition` of the CSV answers, on their 200.
fn disposition(op: &mut Operation, example: &str) {
    let Some(RefOr::T(ok)) = op.responses.responses.get_mut("200") else {
        return;
    };
    let header = HeaderBuilder::new()
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
        .description(Some(format!(
            "With `text/csv` only: `attachment` and the file name, with `filename*` (RFC 6266, UTF-8) when the name is not ASCII, e.g. `{example}`."
        )))
        .build();
    ok.headers
        .insert("Content-Disposition".to_owned(), RefOr::T(header));
}

fn csv_example(header: &str, rows: &[&str]) -> String {
    let mut out = format!("\u{feff}{header}\r\n");
    for r in rows {
        out.push_str(r);
        out.push_str("\r\n");
    }
    out
}

pub fn document(api: &mut OpenApi) {
    if let Some(op) = operation(api, "/api/v1/cohorts/{id}/enrolments") {
        also(
            op,
            "text/csv",
            format!(
                "The whole roster (no paging), a header row then one row per enrolment; columns: {}. {CSV_FORM}",
                roster_csv::COLUMNS.join(", ")
            ),
            Some(csv_example(&roster_csv::COLUMNS.join(","), &[])),
        );
        disposition(
            op,
            "attachment; filename=\"roster-Judecatori-2027-2026-12-01.csv\"; filename*=UTF-8''roster-Judec%C4%83tori-2027-2026-12-01.csv",
        );
    }
    if let Some(op) = operation(api, "/api/v1/cohorts/{id}/gradebook") {
        let header = format!(
            "{},{}",
            gradebook_csv::COLUMNS.join(","),
            gradebook_csv::QUIZ_COLUMNS
                .map(|c| format!("m1.{c}"))
                .join(",")
        );
        also(
            op,
            "text/csv",
            format!(
                "The whole gradebook (no paging), a header row then one row per enrolment; columns: {}, then for each quiz of the course in course order {} prefixed by the quiz's module key and a dot (`m1.grade`). A quiz's cells are empty when the learner's course version has none in that module, `attempts_left` when attempts are unlimited. {CSV_FORM}",
                gradebook_csv::COLUMNS.join(", "),
                gradebook_csv::QUIZ_COLUMNS.join(", ")
            ),
            Some(csv_example(&header, &[])),
        );
        disposition(
            op,
            "attachment; filename=\"gradebook-Judecatori-2027-2026-12-01.csv\"; filename*=UTF-8''gradebook-Judec%C4%83tori-2027-2026-12-01.csv",
        );
    }
    if let Some(op) = operation(api, "/api/v1/stats/completions") {
        also(
            op,
            "text/csv",
            format!(
                "The same rows, a header row first. Columns: the dimensions of `group_by` in its order (`institution` and `cohort` each followed by `institution_name` and `cohort_name`), then {}. A suppressed row has its figures empty. {CSV_FORM}",
                FIGURES.join(", ")
            ),
            Some(csv_example(
                &format!("country,{}", FIGURES.join(",")),
                &["RO,12,4,8,0.6667,0,88.5,41,8,false"],
            )),
        );
        disposition(
            op,
            "attachment; filename=\"completions-by-country-2026-12-01.csv\"",
        );
    }
    if let Some(op) = operation(api, "/api/v1/audit") {
        also(
            op,
            "text/csv",
            format!(
                "Every matching event (no paging), newest first, a header row first; columns: {}. {CSV_FORM}",
                crate::audit::COLUMNS.join(", ")
            ),
            Some(csv_example(&crate::audit::COLUMNS.join(","), &[])),
        );
        disposition(op, "attachment; filename=\"audit-2026-12-01.csv\"");
    }
    if let Some(op) = operation(api, "/api/v1/enrolments/{id}/certificate") {
        also(
            op,
            "application/pdf",
            "A printable certificate, one A4 landscape page.".to_owned(),
            None,
        );
    }
}
