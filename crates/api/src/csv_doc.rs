//! The answers that are not JSON, in the OpenAPI document: the roster's, the gradebook's and
//! the statistics' CSV with their columns (from the lists the writers use, so the two
//! cannot drift apart) and the certificate's PDF.

use utoipa::openapi::content::ContentBuilder;
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

pub fn document(api: &mut OpenApi) {
    if let Some(op) = operation(api, "/api/v1/cohorts/{id}/enrolments") {
        let header = roster_csv::COLUMNS.join(",");
        also(
            op,
            "text/csv",
            format!(
                "The whole roster (no paging), UTF-8, a header row then one row per enrolment; columns: {}.",
                roster_csv::COLUMNS.join(", ")
            ),
            Some(format!("{header}\n")),
        );
    }
    if let Some(op) = operation(api, "/api/v1/cohorts/{id}/gradebook") {
        also(
            op,
            "text/csv",
            format!(
                "The whole gradebook (no paging), UTF-8, a header row then one row per enrolment; columns: {}, then for each quiz of the course in course order {} prefixed by the quiz's module key and a dot (`m1.grade`). A quiz's cells are empty when the learner's course version has none in that module, `attempts_left` when attempts are unlimited.",
                gradebook_csv::COLUMNS.join(", "),
                gradebook_csv::QUIZ_COLUMNS.join(", ")
            ),
            Some(format!(
                "{},{}\n",
                gradebook_csv::COLUMNS.join(","),
                gradebook_csv::QUIZ_COLUMNS
                    .map(|c| format!("m1.{c}"))
                    .join(",")
            )),
        );
    }
    if let Some(op) = operation(api, "/api/v1/stats/completions") {
        also(
            op,
            "text/csv",
            format!(
                "The same rows, UTF-8, a header row first. Columns: the dimensions of `group_by` in its order (`institution` and `cohort` each followed by `institution_name` and `cohort_name`), then {}. A suppressed row has its figures empty.",
                FIGURES.join(", ")
            ),
            Some(format!(
                "country,{}\nRO,12,4,8,0.6667,0,88.5,41,8,false\n",
                FIGURES.join(",")
            )),
        );
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
