//! A learner's own enrolments: self-enrolment in a published course, and the list with
//! where each stands.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use help_lms_domain::values::Language;
use help_lms_persistence::enrolments::{self, Enrolment};
use help_lms_persistence::{accounts, learning};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Person;
use crate::catalogue::dto::text;
use crate::catalogue::routes::published;
use crate::error::{ApiError, problems};
use crate::language;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolmentDto {
    pub id: Uuid,
    pub user_id: Uuid,
    pub course_id: Uuid,
    /// The course version this enrolment follows.
    pub course_version_id: Uuid,
    pub cohort_id: Option<Uuid>,
    /// self, nti or admin
    #[schema(value_type = help_lms_domain::enrolment::EnrolmentSource)]
    pub source: String,
    /// active, completed or withdrawn
    #[schema(value_type = help_lms_domain::enrolment::EnrolmentStatus)]
    pub status: String,
    #[schema(value_type = help_lms_domain::values::Language)]
    pub language: String,
    pub enrolled_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
}

impl From<Enrolment> for EnrolmentDto {
    fn from(e: Enrolment) -> Self {
        EnrolmentDto {
            id: e.id,
            user_id: e.user_id,
            course_id: e.course_id,
            course_version_id: e.course_version_id,
            cohort_id: e.cohort_id,
            source: e.source.to_string(),
            status: e.status.to_string(),
            language: e.language.to_string(),
            enrolled_at: e.enrolled_at,
            completed_at: e.completed_at,
            withdrawn_at: e.withdrawn_at,
        }
    }
}

/// One of your enrolments, with the course it is in and where you stand.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyEnrolmentDto {
    #[serde(flatten)]
    pub enrolment: EnrolmentDto,
    /// The course's slug.
    pub course: String,
    /// The course's title in the enrolment's language.
    pub title: String,
    /// Lessons completed and quizzes passed, out of all, in percent.
    pub percent: f64,
    /// What to do next; absent once everything is done.
    pub next: Option<crate::learning::dto::NextStep>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfEnrolment {
    /// The slug of a published course.
    #[schema(value_type = help_lms_domain::values::Slug)]
    pub course: String,
    /// One of the course's languages; default: the learner's language if the course has it,
    /// else English, else the course's original language.
    #[schema(value_type = Option<help_lms_domain::values::Language>)]
    pub language: Option<String>,
}

/// Enrol yourself in a published course (self-study)
///
/// Any signed-in person, not an API client. Creates an active self-study enrolment on the
/// course's current version, in the language asked for, else the account's language, else
/// `Accept-Language`, else English, else the course's original language.
///
/// Problems: `people_only` (403) for an API client, `not_found` (404: no such published
/// course), `already_enrolled` (409: an active enrolment in the course exists),
/// `validation_failed` (422: an unknown language, or `language_not_available`).
#[utoipa::path(
    tags = ["learner"],
    operation_id = "self_enrol",
    security(("bearer" = [])),
    request_body(content = SelfEnrolment, example = json!({"course": "international-cooperation-pre-trial-detention", "language": "fr"})),
    responses(
        (status = 201, description = "Enrolled (self-study)", body = EnrolmentDto),
        problems::Forbidden,
        problems::NotFound,
        problems::Conflict,
        problems::Unprocessable,
    )
)]
#[post("/enrolments", wrap = "crate::headers::no_store()")]
pub async fn self_enrol(
    state: web::Data<AppState>,
    person: Person,
    req: HttpRequest,
    body: crate::body::Json<SelfEnrolment>,
) -> Result<HttpResponse, ApiError> {
    let course = published(&state, body.course.trim()).await?;
    let user = accounts::find(&state.db.conn, person.0.user_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let lang = match body.language.as_deref() {
        Some(l) => {
            let l =
                Language::parse(l).map_err(|e| ApiError::field("language", e.code, e.message))?;
            if !course.languages.contains(&l) {
                return Err(ApiError::field(
                    "language",
                    "language_not_available",
                    "the course is not offered in this language",
                ));
            }
            l
        }
        None => {
            let mut prefs = vec![user.language];
            prefs.extend(language::requested(&req, None)?);
            language::choose(&prefs, &course.languages)
        }
    };
    let e = enrolments::self_enrol(
        &state.db,
        user.id,
        course.course_id,
        course.version_id,
        lang,
    )
    .await?;
    tracing::info!(enrolment_id = %e.id, "self-enrolment");
    let object = crate::audit::Object::new("enrolment", e.id, person.0.institution_id);
    crate::audit::record(
        &state,
        Some(&person.0),
        crate::audit::Action::SelfEnrolled,
        object,
        None,
    )
    .await;
    Ok(HttpResponse::Created().json(EnrolmentDto::from(e)))
}

/// List your own enrolments
///
/// Any signed-in person: every enrolment of the account, active, completed or withdrawn,
/// self-study or in a cohort, newest first, each with its course's slug and title (in the
/// enrolment's language), the percent done and the next step. Changes nothing.
///
/// Problems: none of its own.
#[utoipa::path(
    tags = ["learner"],
    operation_id = "my_enrolments",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your enrolments, newest first", body = Vec<MyEnrolmentDto>),
        problems::Unauthorized,
        problems::Forbidden,
    )
)]
#[get("/me/enrolments", wrap = "crate::headers::no_store()")]
pub async fn my_enrolments(
    state: web::Data<AppState>,
    person: Person,
) -> Result<HttpResponse, ApiError> {
    let list = enrolments::for_user(&state.db, person.0.user_id).await?;
    let pairs: Vec<(Uuid, Uuid)> = list.iter().map(|e| (e.id, e.course_version_id)).collect();
    let mut courses = learning::Runtimes::default();
    let standings = learning::standings(&state.db.conn, &pairs, &mut courses).await?;
    let mut out = Vec::with_capacity(list.len());
    for e in list {
        let rt = courses.get(&state.db.conn, e.course_version_id).await?;
        let course = rt.course.slug.clone();
        let title = text(&rt.course.title, e.language, &rt.course.languages);
        let st = standings.get(&e.id);
        out.push(MyEnrolmentDto {
            course,
            title,
            percent: st.map_or(0.0, |s| s.percent),
            next: st.and_then(|s| crate::learning::view::next_step(s.next)),
            enrolment: e.into(),
        });
    }
    Ok(HttpResponse::Ok().json(out))
}
