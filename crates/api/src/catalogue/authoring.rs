//! Authoring for admins: upload a course in the file format of `content/FORMAT.md`, then
//! publish or archive it. Each changed upload becomes a new immutable version.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, post, put, web};
use help_lms_domain::ValidationErrors;
use help_lms_domain::content::{CourseSource, CourseStatus, parse_course};
use help_lms_domain::values::is_slug;
use help_lms_persistence::catalogue::{self, ImportAction};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Admin;
use crate::error::{ApiError, problems};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContentUpload {
    /// The course directory: relative path (`course.toml`, `lessons/x.en.md`,
    /// `quizzes/m.toml`) to file text.
    pub files: BTreeMap<String, String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    pub slug: String,
    pub version: i32,
    /// draft, published or archived
    #[schema(value_type = help_lms_domain::content::CourseStatus)]
    pub status: String,
    /// created, new_version or unchanged
    pub action: String,
}

/// Upload a course's content files
///
/// Admins only. Checks the files as `content/FORMAT.md` describes. Changed files become a
/// new version (the first creates the course); enrolments keep the version they follow.
/// A version takes the status in its `course.toml`: published or archived, it is current at
/// once; a draft waits for publishing. Files identical to the newest version change nothing.
///
/// Problems: `admin_only` (403), `validation_failed` (422: an invalid slug or file path, or
/// every content error by file and line).
#[utoipa::path(
    tags = ["admin"],
    operation_id = "upload_course_content",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The course slug; must match `slug` in course.toml")),
    request_body = ContentUpload,
    responses(
        (status = 200, description = "Unchanged, or a new version of an existing course", body = ImportResult),
        (status = 201, description = "A new course", body = ImportResult),
        problems::Forbidden,
        problems::Unprocessable,
    )
)]
#[put("/courses/{slug}/content")]
pub async fn upload_content(
    state: web::Data<AppState>,
    _admin: Admin,
    slug: web::Path<String>,
    body: crate::body::Json<ContentUpload>,
) -> Result<HttpResponse, ApiError> {
    let slug = slug.into_inner();
    if !is_slug(&slug) {
        return Err(ApiError::field(
            "slug",
            "invalid_slug",
            "a slug is lowercase words joined by hyphens",
        ));
    }
    let mut errors = ValidationErrors::new();
    for path in body.files.keys() {
        let ok = !path.is_empty()
            && !path.starts_with('/')
            && !path.contains('\\')
            && path
                .split('/')
                .all(|seg| !seg.is_empty() && seg != "." && seg != "..");
        if !ok {
            errors.push(
                format!("files.{path}"),
                "invalid_path",
                "paths are relative, with '/' and no '..'",
            );
        }
    }
    errors.into_result()?;
    let source = CourseSource {
        dir_name: slug.clone(),
        files: body.into_inner().files,
    };
    let def = parse_course(&source).map_err(|errs| {
        let mut v = ValidationErrors::new();
        for e in errs {
            let field = match e.line {
                Some(l) => format!(
                    "files.{}:{l}",
                    e.file.strip_prefix(&format!("{slug}/")).unwrap_or(&e.file)
                ),
                None => format!(
                    "files.{}",
                    e.file.strip_prefix(&format!("{slug}/")).unwrap_or(&e.file)
                ),
            };
            v.push(field, "invalid_content", e.message);
        }
        ApiError::Validation(v)
    })?;
    let outcome = catalogue::import(&state.db, std::slice::from_ref(&def)).await?;
    state.published.changed(&state.db).await;
    let o = outcome
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::internal("import returned nothing"))?;
    tracing::info!(slug = %o.slug, version = o.version, action = ?o.action, "course content uploaded");
    let result = ImportResult {
        slug: o.slug,
        version: o.version,
        status: o.status.to_string(),
        action: match o.action {
            ImportAction::Created => "created",
            ImportAction::NewVersion => "new_version",
            ImportAction::Unchanged => "unchanged",
        }
        .to_owned(),
    };
    Ok(if o.action == ImportAction::Created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    }
    .json(result))
}

async fn transition(
    state: &AppState,
    slug: &str,
    to: CourseStatus,
) -> Result<HttpResponse, ApiError> {
    let c = catalogue::set_status(&state.db, slug, to).await?;
    state.published.changed(&state.db).await;
    tracing::info!(slug = %c.slug, version = c.version, status = %c.status, "course status changed");
    Ok(HttpResponse::Ok().json(ImportResult {
        slug: c.slug,
        version: c.version,
        status: c.status.to_string(),
        action: "unchanged".to_owned(),
    }))
}

/// Publish a course's newest version
///
/// Admins only. Makes the newest version published and current: it is listed, new
/// enrolments and cohorts follow it. Also re-publishes an archived course.
///
/// Problems: `admin_only` (403), `not_found` (404: no course with this slug).
#[utoipa::path(
    tags = ["admin"],
    operation_id = "publish_course",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The course slug")),
    responses(
        (status = 200, description = "The newest version is published and current", body = ImportResult),
        problems::Forbidden,
        problems::NotFound,
    )
)]
#[post("/courses/{slug}/publish")]
pub async fn publish(
    state: web::Data<AppState>,
    _admin: Admin,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    transition(&state, &slug, CourseStatus::Published).await
}

/// Archive a course
///
/// Admins only. Archives the newest version and makes it current: the course is no longer
/// listed or readable in the catalogue, and takes no new enrolments or cohorts. Existing
/// enrolments, progress and certificates are kept.
///
/// Problems: `admin_only` (403), `not_found` (404: no course with this slug).
#[utoipa::path(
    tags = ["admin"],
    operation_id = "archive_course",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The course slug")),
    responses(
        (status = 200, description = "The course is archived: no longer listed", body = ImportResult),
        problems::Forbidden,
        problems::NotFound,
    )
)]
#[post("/courses/{slug}/archive")]
pub async fn archive(
    state: web::Data<AppState>,
    _admin: Admin,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    transition(&state, &slug, CourseStatus::Archived).await
}
