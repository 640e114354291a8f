//! Bulk enrolment of a cohort: read the body (JSON or CSV), check the rows, hand them to
//! the service, answer a result per row. A retry with the same `Idempotency-Key` gets the
//! first result.

use std::collections::BTreeMap;

use actix_web::http::header::CONTENT_TYPE;
use actix_web::{HttpRequest, HttpResponse, post, web};
use help_lms_domain::enrolment::check_rows;
use help_lms_persistence::catalogue;
use help_lms_persistence::enrolments::{self, BulkAnswer, BulkRequest};
use help_lms_persistence::idempotency;
use uuid::Uuid;

use super::dto::{BulkQuery, BulkResultDto};
use super::{bulk, managed};
use crate::auth::Authenticated;
use crate::delivery::Delivery;
use crate::error::{ApiError, Code, problems};
use crate::state::AppState;

/// Enrol learners in a cohort in bulk (JSON rows or CSV)
///
/// The institution's managers (people or API clients) and admins. Enrolment is idempotent
/// by person and course: someone enrolled is `already_enrolled`, someone who completed the
/// course `already_completed` (no seat taken), someone withdrawn earlier is refused as
/// `withdrawn` unless `reactivate=true` enrols them again on their old enrolment. Each
/// other valid row enrols an account in the cohort: an existing one (a self-study enrolment in the course joins
/// the cohort) or a new invited one, which the platform emails its invitation (with
/// `delivery=links`: its activation link and token are in the answer instead). Invalid rows
/// are rejected one by one with a reason; the others go through. `dry_run=true` reports the
/// same without writing (and so names no account, enrolment or token it would create); a
/// retry with the same `Idempotency-Key` and body gets the first answer.
///
/// Problems: `managers_only` (403) for the cohort's tutors, `not_found` (404) for anyone
/// else, `cohort_closed` (409), `idempotency_key_reused` (409: the key came with another
/// body), `invalid_json`, `invalid_csv`, `invalid_encoding` (a file not saved as UTF-8) or
/// `invalid_body` (400), `payload_too_large` (413), `unsupported_media_type` (415),
/// `validation_failed` (422: no rows, more than 5,000, rows of the wrong shape, missing CSV
/// columns, a form with no file or more than one, a key over 200 characters).
#[utoipa::path(
    tags = ["nti", "admin"],
    operation_id = "enrol_cohort",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Cohort id"),
        BulkQuery,
        ("Idempotency-Key" = Option<String>, Header, description = "A retry with the same key and body returns the first result"),
    ),
    // `multipart/form-data` is described, not listed: a generated client cannot choose
    // between a JSON list and a form (openapi-python-client's code for the union fails at run
    // time), and integrations send JSON rows.
    request_body(
        description = "A JSON list of rows, or CSV (UTF-8 with or without BOM, comma or semicolon, header: email, given name, family name, profession, country and, optionally, language (empty or absent: the cohort's; otherwise one the course is offered in); the values of the last three case-insensitive, as spreadsheets have them), sent as `text/csv`, as `application/vnd.ms-excel` (what browsers call a .csv file) or as the one file of a `multipart/form-data` form (the part with a file name, or the form's only part; any other part is refused: options go in the query string); at most 5,000 rows. A file in another encoding (Excel's \"CSV (Comma delimited)\" writes Windows-1250 or -1251) is refused with `invalid_encoding`: save it as \"CSV UTF-8\". Row numbers in the answer are spreadsheet lines for CSV (the header is line 1) and places in the list (from 1) for JSON.",
        content(
            (bulk::RowList = "application/json", example = json!([
                {"email": "claire.martin@example.fr", "given_name": "Claire", "family_name": "Martin",
                    "profession": "judge", "country": "FR", "language": "fr"},
                {"email": "ivan.petrov@example.bg", "given_name": "Ivan", "family_name": "Petrov",
                    "profession": "prosecutor", "country": "BG"}
            ])),
            (String = "text/csv", example = "email;given name;family name;profession;country;language\nclaire.martin@example.fr;Claire;Martin;judge;FR;fr\nivan.petrov@example.bg;Ivan;Petrov;prosecutor;BG;\n"),
        )
    ),
    responses(
        (status = 200, description = "A result per row; valid rows went through", body = BulkResultDto),
        problems::BadRequest,
        problems::Forbidden,
        problems::NotFound,
        problems::Conflict,
        problems::PayloadTooLarge,
        problems::UnsupportedMediaType,
        problems::Unprocessable,
    )
)]
#[post("/cohorts/{id}/enrolments", wrap = "crate::headers::no_store()")]
pub async fn enrol_cohort(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    id: web::Path<Uuid>,
    q: web::Query<BulkQuery>,
    body: Result<web::Bytes, actix_web::Error>,
) -> Result<HttpResponse, ApiError> {
    let cohort = managed(&state, &auth.0, *id).await?;
    // A closed cohort is refused before its body is judged; the service checks again under
    // the cohort's lock, where it counts.
    // A retry (Idempotency-Key) goes on: its first answer is replayed even after a close.
    if req.headers().get("idempotency-key").is_none() {
        cohort.ensure_taking_enrolments()?;
    }
    let body = body.map_err(|e| crate::body::read_failure(&e, state.config.body_limit))?;
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let parsed = bulk::read(req.headers(), body.clone()).await?;
    let key = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty());
    if key.is_some_and(|k| k.len() > 200) {
        return Err(ApiError::field(
            "Idempotency-Key",
            "too_long",
            "at most 200 characters",
        ));
    }
    let idempotency = key.map(|k| {
        (
            format!("bulk:{}:{}:{k}", auth.0.user_id, cohort.id),
            // What the query changes is part of the request (an old key hashes as before).
            match q.reactivate {
                false => idempotency::request_hash(&[content_type.as_bytes(), &body]),
                true => idempotency::request_hash(&[content_type.as_bytes(), &body, b"reactivate"]),
            },
        )
    });
    // A replay's stored answer holds no email: it takes them from this (identical) body.
    let replay_rows = idempotency.is_some().then(|| parsed.rows.clone());
    let offered = catalogue::version_by_id(&state.db.conn, cohort.course_version_id)
        .await?
        .map(|c| c.languages)
        .unwrap_or_else(|| vec![cohort.language]);
    let (valid, rejected) = check_rows(parsed.rows, cohort.language, &offered);
    let links = (q.delivery == Delivery::Links).then_some(&state.composer.links);
    let answer = enrolments::bulk_enrol(
        &state.db,
        BulkRequest {
            cohort: &cohort,
            valid,
            rejected,
            dry_run: q.dry_run,
            reactivate: q.reactivate,
            activation_ttl: state.composer.lifetimes.invitation,
            compose: state.composer.as_ref(),
            mail_new_accounts: q.delivery == Delivery::Email,
            idempotency,
        },
    )
    .await?;
    match answer {
        BulkAnswer::Fresh(outcome) => {
            if outcome.summary.created > 0 && !outcome.dry_run {
                state.mail_wake.notify_one();
            }
            tracing::info!(
                cohort_id = %cohort.id,
                dry_run = outcome.dry_run,
                created = outcome.summary.created,
                enrolled = outcome.summary.enrolled,
                rejected = outcome.summary.rejected,
                "bulk enrolment"
            );
            if !outcome.dry_run {
                let object =
                    crate::audit::Object::new("cohort", cohort.id, Some(cohort.institution_id));
                let detail = serde_json::json!({
                    "created": outcome.summary.created,
                    "enrolled": outcome.summary.enrolled,
                    "rejected": outcome.summary.rejected,
                });
                crate::audit::record(
                    &state,
                    Some(&auth.0),
                    crate::audit::Action::CohortEnrolled,
                    object,
                    Some(detail),
                )
                .await;
            }
            Ok(HttpResponse::Ok().json(BulkResultDto::new(outcome, parsed.ignored_columns, links)))
        }
        BulkAnswer::Replay(mut first) => {
            let rows = replay_rows.unwrap_or_default();
            let (valid, rejected) = check_rows(rows, cohort.language, &offered);
            let emails: BTreeMap<usize, String> = valid
                .into_iter()
                .map(|v| (v.row, v.email.as_str().to_owned()))
                .chain(rejected.into_iter().map(|r| (r.row, r.email)))
                .collect();
            for r in &mut first.rows {
                if let Some(e) = emails.get(&r.row) {
                    r.email.clone_from(e);
                }
            }
            Ok(HttpResponse::Ok()
                .insert_header(("idempotent-replayed", "true"))
                .json(BulkResultDto::new(first, parsed.ignored_columns, links)))
        }
        BulkAnswer::KeyMismatch => Err(ApiError::with(
            Code::IdempotencyKeyReused,
            "this Idempotency-Key was used for a different request",
        )),
    }
}
