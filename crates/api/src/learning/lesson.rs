//! A lesson as the learner reads it inside an enrolment: from the enrolment's course version,
//! in the enrolment's language unless the request names another (`lang`).

use actix_web::http::header::CONTENT_LANGUAGE;
use actix_web::{HttpResponse, get, web};
use help_lms_persistence::catalogue;
use uuid::Uuid;

use super::access;
use crate::auth::Authenticated;
use crate::catalogue::dto::LessonDto;
use crate::catalogue::routes::LangQuery;
use crate::error::{ApiError, problems};
use crate::language;
use crate::state::AppState;

/// Read a lesson of your enrolment, in its language
///
/// Whoever may read the enrolment (its learner; admins; the tutors and managers of its
/// cohort). The lesson, by id or by key, of the course version the enrolment follows, as
/// Markdown and sanitised HTML, in the enrolment's language unless `lang` asks for another
/// (then as `GET /courses/{slug}/lessons/{lesson}` chooses); `Content-Language` says which.
/// Changes nothing.
///
/// Problems: `not_found` (404: anyone else, or no such lesson in the enrolment's version),
/// `validation_failed` (422: an unknown `lang`).
#[utoipa::path(
    tags = ["learner", "tutor"],
    operation_id = "get_enrolment_lesson",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Enrolment id"),
        ("lesson" = String, Path, description = "The lesson id or its key"),
        LangQuery,
    ),
    responses(
        (status = 200, description = "The lesson in the enrolment's language", body = LessonDto, headers(
            ("Content-Language" = String, description = "The language served"),
        )),
        problems::NotFound,
        problems::Unprocessable,
    )
)]
#[get(
    "/enrolments/{id}/lessons/{lesson}",
    wrap = "crate::headers::no_store()"
)]
pub async fn get_enrolment_lesson(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(Uuid, String)>,
    q: web::Query<LangQuery>,
) -> Result<HttpResponse, ApiError> {
    let (id, lesson) = path.into_inner();
    let asked = match q.lang.as_deref() {
        Some(l) => Some(language::requested_param(l)?),
        None => None,
    };
    let (e, _) = access(&state, &auth.0, id).await?;
    let version = catalogue::version_by_id(&state.db.conn, e.course_version_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let lesson_id = match Uuid::parse_str(&lesson) {
        Ok(id) => id,
        Err(_) => catalogue::lesson_id_by_key(&state.db.conn, version.version_id, &lesson)
            .await?
            .ok_or(ApiError::NotFound)?,
    };
    let content = catalogue::lesson(&state.db.conn, version.course_id, lesson_id)
        .await?
        .filter(|c| c.course_version_id == version.version_id)
        .ok_or(ApiError::NotFound)?;
    let prefs = vec![asked.unwrap_or(e.language)];
    let lang = language::choose(&prefs, &version.languages);
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_LANGUAGE, lang.as_str()))
        .json(LessonDto::new(&content, &version, lang)))
}
