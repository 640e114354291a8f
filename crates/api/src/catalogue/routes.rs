//! `GET /courses`, `GET /courses/{slug}`, `GET /courses/{slug}/lessons/{lesson}`.

use actix_web::{HttpRequest, HttpResponse, get, web};
use help_lms_domain::content::CourseStatus;
use help_lms_domain::values::Language;
use help_lms_persistence::catalogue;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::{CourseCard, CourseOutline, LessonDto, ModuleDto};
use super::published::Lesson;
use crate::error::{ApiError, problems};
use crate::http_cache::{self, NotModified, Rendered, Revalidate};
use crate::language;
use crate::pagination::{Page, PageParams};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CourseListQuery {
    /// Only courses available in this language.
    #[param(value_type = Option<help_lms_domain::values::Language>)]
    pub language: Option<String>,
    /// Only courses with this topic.
    pub topic: Option<String>,
    /// Language to present titles in; overrides `Accept-Language`.
    #[param(value_type = Option<help_lms_domain::values::Language>)]
    pub lang: Option<String>,
    /// Items per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// Items to skip (default 0).
    #[param(value_type = Option<u64>, maximum = 4294967295_u64)]
    pub offset: Option<u32>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LangQuery {
    /// Language to serve; overrides `Accept-Language`. Falls back to English, then to the
    /// course's original language; `Content-Language` says which was served.
    #[param(value_type = Option<help_lms_domain::values::Language>)]
    pub lang: Option<String>,
}

/// List the published courses
///
/// Anyone; no token needed. Filters by available language and topic, presents each course
/// in the language asked for (`lang`, else `Accept-Language`, else English, else the
/// course's original language). Changes nothing; answers carry an `ETag` for revalidation.
///
/// Problems: `validation_failed` (422: an unknown `language` or `lang`, or an unknown query
/// parameter).
#[utoipa::path(
    tags = ["public", "learner", "nti"],
    operation_id = "list_courses",
    params(CourseListQuery, Revalidate),
    responses(
        (status = 200, description = "Published courses, in slug order", body = Page<CourseCard>, headers(
            ("ETag" = String, description = "Strong entity tag of this answer; send it in `If-None-Match` to revalidate"),
            ("Cache-Control" = String, description = "`public, no-cache`: may be stored, but revalidated before each use"),
            ("Vary" = String, description = "`Accept-Language`"),
            ("Content-Language" = String, description = "The languages served"),
        )),
        NotModified,
        problems::Unprocessable,
    )
)]
#[get("/courses")]
pub async fn list_courses(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<CourseListQuery>,
) -> Result<HttpResponse, ApiError> {
    let prefs = language::requested(&req, q.lang.as_deref())?;
    let filter_lang = q
        .language
        .as_deref()
        .map(|l| Language::parse(l).map_err(|e| ApiError::field("language", e.code, e.message)))
        .transpose()?;
    let params = PageParams {
        limit: q.limit,
        offset: q.offset,
    }
    .checked()?;
    let snapshot = state.published.current(&state.db).await?;
    let listed: Vec<(&catalogue::CourseSummary, Language)> = snapshot
        .courses()
        .iter()
        .filter(|c| c.status == CourseStatus::Published)
        .filter(|c| filter_lang.is_none_or(|l| c.languages.contains(&l)))
        .filter(|c| {
            q.topic
                .as_deref()
                .is_none_or(|t| c.topics.iter().any(|x| x == t))
        })
        .map(|c| (c, language::choose(&prefs, &c.languages)))
        .collect();
    // The answer follows from the courses listed, the language each is shown in and the page.
    let mut key = format!("list|{}|{}", params.limit(), params.offset());
    for (c, lang) in &listed {
        key.push_str(&format!("|{}:{lang}", c.version_id));
    }
    let rendered = match snapshot.answer(&key) {
        Some(r) => r,
        None => {
            let cards: Vec<CourseCard> = listed
                .iter()
                .map(|(c, lang)| CourseCard::new(c, *lang))
                .collect();
            let page = Page::of(cards, params);
            let mut served: Vec<String> = page.items.iter().map(|c| c.language.clone()).collect();
            served.sort();
            served.dedup();
            snapshot.keep_answer(key, Rendered::json(&served, &page)?)
        }
    };
    Ok(http_cache::answer(&req, &rendered))
}

pub(crate) async fn published(
    state: &AppState,
    slug: &str,
) -> Result<catalogue::CourseSummary, ApiError> {
    match catalogue::current_version(&state.db.conn, slug).await? {
        Some(c) if c.status == CourseStatus::Published => Ok(c),
        _ => Err(ApiError::NotFound),
    }
}

/// Read a published course's outline
///
/// Anyone; no token needed. The current version's modules, lessons and quiz settings in
/// the language chosen as for the list. Changes nothing; answers carry an `ETag`.
///
/// Problems: `not_found` (404: no such course, or not published), `validation_failed`
/// (422: an unknown `lang`).
#[utoipa::path(
    tags = ["public", "learner", "nti"],
    operation_id = "get_course",
    params(("slug" = String, Path, description = "The course slug"), LangQuery, Revalidate),
    responses(
        (status = 200, description = "The course outline: modules, lessons, quiz settings", body = CourseOutline, headers(
            ("ETag" = String, description = "Strong entity tag of this answer; send it in `If-None-Match` to revalidate"),
            ("Cache-Control" = String, description = "`public, no-cache`: may be stored, but revalidated before each use"),
            ("Vary" = String, description = "`Accept-Language`"),
            ("Content-Language" = String, description = "The language served"),
        )),
        NotModified,
        problems::NotFound,
    )
)]
#[get("/courses/{slug}")]
pub async fn get_course(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    q: web::Query<LangQuery>,
) -> Result<HttpResponse, ApiError> {
    let prefs = language::requested(&req, q.lang.as_deref())?;
    let snapshot = state.published.current(&state.db).await?;
    let course = snapshot.published(&slug).ok_or(ApiError::NotFound)?;
    let lang = language::choose(&prefs, &course.languages);
    let key = format!("outline|{}|{lang}", course.version_id);
    let rendered = match snapshot.answer(&key) {
        Some(r) => r,
        None => {
            let modules = catalogue::outline(&state.db.conn, course.version_id).await?;
            let outline = CourseOutline {
                course: CourseCard::new(course, lang),
                total_minutes: modules
                    .iter()
                    .flat_map(|m| &m.lessons)
                    .map(|l| i64::from(l.minutes))
                    .sum(),
                modules: modules
                    .iter()
                    .map(|m| ModuleDto::new(m, lang, &course.languages))
                    .collect(),
            };
            snapshot.keep_answer(key, Rendered::json(&[lang.to_string()], &outline)?)
        }
    };
    Ok(http_cache::answer(&req, &rendered))
}

/// Read a lesson of a published course
///
/// Anyone; no token needed. The lesson by id (of any version of the course, so enrolments
/// on an older version keep working) or by key (current version), as Markdown and as
/// sanitised HTML, in the language chosen as for the list. Changes nothing; progress is
/// recorded separately.
///
/// Problems: `not_found` (404: no such course, not published, or no such lesson in it),
/// `validation_failed` (422: an unknown `lang`).
#[utoipa::path(
    tags = ["public", "learner"],
    operation_id = "get_lesson",
    params(
        ("slug" = String, Path, description = "The course slug"),
        ("lesson" = String, Path, description = "The lesson id (any version of the course) or its key (current version)"),
        LangQuery,
        Revalidate,
    ),
    responses(
        (status = 200, description = "The lesson, as Markdown and as sanitised HTML", body = LessonDto, headers(
            ("ETag" = String, description = "Strong entity tag of this answer; send it in `If-None-Match` to revalidate"),
            ("Cache-Control" = String, description = "`public, no-cache`: may be stored, but revalidated before each use"),
            ("Vary" = String, description = "`Accept-Language`"),
            ("Content-Language" = String, description = "The language served"),
        )),
        NotModified,
        problems::NotFound,
    )
)]
#[get("/courses/{slug}/lessons/{lesson}")]
pub async fn get_lesson(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    q: web::Query<LangQuery>,
) -> Result<HttpResponse, ApiError> {
    let (slug, lesson) = path.into_inner();
    let prefs = language::requested(&req, q.lang.as_deref())?;
    let snapshot = state.published.current(&state.db).await?;
    let current = snapshot.published(&slug).ok_or(ApiError::NotFound)?;
    let found = match snapshot.lesson(current.course_id, &lesson) {
        Some(found) => found,
        None => {
            let found = find_lesson(&state, current, &lesson).await?;
            snapshot.keep_lesson(current.course_id, lesson.clone(), found)
        }
    };
    let lang = language::choose(&prefs, &found.version.languages);
    let key = format!("lesson|{}|{lang}", found.content.id);
    let rendered = match snapshot.answer(&key) {
        Some(r) => r,
        None => snapshot.keep_answer(
            key,
            Rendered::json(
                &[lang.to_string()],
                &LessonDto::new(&found.content, &found.version, lang),
            )?,
        ),
    };
    Ok(http_cache::answer(&req, &rendered))
}

/// A lesson of the course by id (of any of its versions) or by key (of the current one),
/// with its version's metadata.
async fn find_lesson(
    state: &AppState,
    current: &catalogue::CourseSummary,
    lesson: &str,
) -> Result<Lesson, ApiError> {
    let lesson_id = match Uuid::parse_str(lesson) {
        Ok(id) => id,
        Err(_) => catalogue::lesson_id_by_key(&state.db.conn, current.version_id, lesson)
            .await?
            .ok_or(ApiError::NotFound)?,
    };
    let content = catalogue::lesson(&state.db.conn, current.course_id, lesson_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    // An enrolment may follow an older version: answer with that version's metadata.
    let version = if content.course_version_id == current.version_id {
        current.clone()
    } else {
        catalogue::version_by_id(&state.db.conn, content.course_version_id)
            .await?
            .ok_or(ApiError::NotFound)?
    };
    Ok(Lesson { content, version })
}
