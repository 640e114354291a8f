//! The institutions themselves: create (admins), list and read.

use actix_web::{HttpResponse, get, post, web};
use help_lms_persistence::institutions;
use uuid::Uuid;

use super::dto::{InstitutionDto, NewInstitution};
use super::visible_institution;
use crate::auth::{Admin, Authenticated};
use crate::error::{ApiError, problems};
use crate::state::AppState;

/// Create a national training institution
///
/// Admins only. Creates the institution; its managers, tutors and API clients are added
/// afterwards (`POST /institutions/{id}/users`, `POST /institutions/{id}/clients`).
///
/// Problems: `admin_only` (403), `validation_failed` (422: name, country or kind).
#[utoipa::path(
    tags = ["admin"],
    operation_id = "create_institution",
    security(("bearer" = [])),
    request_body(content = NewInstitution, example = json!({"name": "Institutul Național al Magistraturii", "country": "RO", "kind": "judicial_training"})),
    responses(
        (status = 201, description = "Created", body = InstitutionDto),
        problems::Forbidden,
        problems::Unprocessable,
    )
)]
#[post("/institutions")]
pub async fn create_institution(
    state: web::Data<AppState>,
    _admin: Admin,
    body: crate::body::Json<NewInstitution>,
) -> Result<HttpResponse, ApiError> {
    let (name, country, kind) = body.parse()?;
    let inst = institutions::create(&state.db, &name, country, kind).await?;
    tracing::info!(institution_id = %inst.id, "institution created");
    Ok(HttpResponse::Created().json(InstitutionDto::from(inst)))
}

/// List the institutions you may see
///
/// Admins get every institution; tutors and managers (and API clients) get their own.
/// Changes nothing.
///
/// Problems: `staff_only` (403) for learners and for staff of no institution.
#[utoipa::path(
    tags = ["tutor", "nti", "admin"],
    operation_id = "list_institutions",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every institution for admins; one's own for its staff", body = Vec<InstitutionDto>),
        problems::Forbidden,
    )
)]
#[get("/institutions")]
pub async fn list_institutions(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    let only = auth.0.institution_scope()?;
    let list = institutions::list(&state.db, only).await?;
    Ok(HttpResponse::Ok().json(
        list.into_iter()
            .map(InstitutionDto::from)
            .collect::<Vec<_>>(),
    ))
}

/// Read an institution
///
/// Admins read any institution; any account of an institution (tutors, managers, API
/// clients, and learners it enrolled) reads its own. Changes nothing.
///
/// Problems: `not_found` (404) for an institution that is not yours.
#[utoipa::path(
    tags = ["learner", "tutor", "nti", "admin"],
    operation_id = "get_institution",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Institution id")),
    responses(
        (status = 200, description = "The institution", body = InstitutionDto),
        problems::NotFound,
    )
)]
#[get("/institutions/{id}")]
pub async fn get_institution(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(InstitutionDto::from(
        visible_institution(&state, &auth.0, *id).await?,
    )))
}
