//! `GET /me/export`: everything the platform holds about the signed-in person, as one JSON
//! document they can keep (their right of access, GDPR article 15).

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use help_lms_persistence::accounts::export::{self, AttemptRecord, EnrolmentRecord, LessonRecord};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Person;
use crate::certificates::dto::CertificateDto;
use crate::enrolments::EnrolmentDto;
use crate::error::{ApiError, problems};
use crate::me::UserDto;
use crate::state::AppState;

/// Everything held about one person.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonalDataDto {
    pub exported_at: DateTime<Utc>,
    pub account: UserDto,
    pub last_login_at: Option<DateTime<Utc>>,
    pub enrolments: Vec<EnrolmentDataDto>,
    /// The xAPI statements the platform recorded about the person, as stored.
    #[schema(value_type = Vec<HashMap<String, serde_json::Value>>)]
    pub learning_records: Vec<Value>,
    /// The audit trail's entries about the person: what they did, and what was done to
    /// their account.
    pub audit: Vec<crate::audit::AuditEntryDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolmentDataDto {
    pub enrolment: EnrolmentDto,
    pub course: String,
    pub final_score: Option<f64>,
    pub lessons: Vec<LessonDataDto>,
    pub attempts: Vec<AttemptDataDto>,
    pub certificate: Option<CertificateDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LessonDataDto {
    pub lesson_id: Uuid,
    /// viewed or completed
    #[schema(value_type = help_lms_domain::progress::LessonStatus)]
    pub status: String,
    pub time_spent_seconds: i32,
    pub first_viewed_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptDataDto {
    pub id: Uuid,
    pub quiz_id: Uuid,
    pub number: i32,
    /// in_progress, submitted or void
    #[schema(value_type = help_lms_domain::progress::AttemptStatus)]
    pub status: String,
    #[schema(value_type = help_lms_domain::values::Language)]
    pub language: String,
    pub started_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// The responses as saved or submitted, by question key.
    #[schema(value_type = HashMap<String, serde_json::Value>)]
    pub responses: Value,
    pub score: Option<f64>,
    pub max_score: Option<f64>,
    pub percent: Option<f64>,
    pub passed: Option<bool>,
}

impl From<LessonRecord> for LessonDataDto {
    fn from(l: LessonRecord) -> Self {
        LessonDataDto {
            lesson_id: l.lesson_id,
            status: l.status,
            time_spent_seconds: l.time_spent_seconds,
            first_viewed_at: l.first_viewed_at,
            completed_at: l.completed_at,
        }
    }
}

impl From<AttemptRecord> for AttemptDataDto {
    fn from(a: AttemptRecord) -> Self {
        AttemptDataDto {
            id: a.id,
            quiz_id: a.quiz_id,
            number: a.number,
            status: a.status,
            language: a.language,
            started_at: a.started_at,
            submitted_at: a.submitted_at,
            responses: a.responses,
            score: a.score,
            max_score: a.max_score,
            percent: a.percent,
            passed: a.passed,
        }
    }
}

/// Download everything held about you
///
/// Any signed-in person, about themselves only. One JSON document: the account, every
/// enrolment with its lesson progress, quiz attempts (with the responses) and certificate,
/// the learning record (xAPI) statements recorded about them, and the audit trail's
/// entries about them. Sent as a file
/// (`Content-Disposition: attachment`), never cached. Changes nothing.
///
/// Problems: `people_only` (403) for an API client, which has no account of its own.
#[utoipa::path(
    tags = ["learner", "tutor", "nti", "admin"],
    operation_id = "export_my_data",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Everything held about the signed-in person", body = PersonalDataDto),
        problems::Unauthorized,
        problems::Forbidden,
    )
)]
#[get("/me/export", wrap = "crate::headers::no_store()")]
pub async fn export_my_data(
    state: web::Data<AppState>,
    person: Person,
) -> Result<HttpResponse, ApiError> {
    let data = export::export(&state.db, person.0.user_id).await?;
    let url = &state.config.public_url;
    let enrolment = |e: EnrolmentRecord| EnrolmentDataDto {
        enrolment: e.enrolment.into(),
        course: e.course_slug,
        final_score: e.final_score,
        lessons: e.lessons.into_iter().map(Into::into).collect(),
        attempts: e.attempts.into_iter().map(Into::into).collect(),
        certificate: e.certificate.map(|c| CertificateDto::new(c, url)),
    };
    let now = Utc::now();
    let body = PersonalDataDto {
        exported_at: now,
        account: data.account.into(),
        last_login_at: data.last_login_at,
        enrolments: data.enrolments.into_iter().map(enrolment).collect(),
        learning_records: data.learning_records,
        audit: data.audit.into_iter().map(Into::into).collect(),
    };
    tracing::info!(user_id = %person.0.user_id, "personal data exported");
    let object = crate::audit::Object::new("user", person.0.user_id, person.0.institution_id);
    crate::audit::record(
        &state,
        Some(&person.0),
        crate::audit::Action::DataExported,
        object,
        None,
    )
    .await;
    Ok(HttpResponse::Ok()
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"help-lms-my-data-{}.json\"",
                now.format("%Y-%m-%d")
            ),
        ))
        .json(body))
}
