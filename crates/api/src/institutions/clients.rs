//! An institution's API clients (OAuth2 client credentials for its own systems): create,
//! list, revoke.

use actix_web::{HttpResponse, delete, get, post, web};
use help_lms_domain::ValidationErrors;
use help_lms_domain::values::Title;
use help_lms_persistence::institutions;
use uuid::Uuid;

use super::dto::{ApiClientDto, NewApiClient, NewApiClientDto};
use super::managed_institution;
use crate::auth::{Authenticated, Person};
use crate::error::{ApiError, problems};
use crate::state::AppState;

/// Create an API client for an institution
///
/// The institution's managers and admins, signed in as people (an API client cannot make
/// another). Creates OAuth 2.0 client credentials for the institution's own systems; the
/// secret is in this answer only. Its tokens (`POST /auth/token`) act as the manager.
///
/// Problems: `people_only` (403) for an API client, `managers_only` (403) for the
/// institution's other accounts, `not_found` (404) for another institution,
/// `validation_failed` (422: the name).
#[utoipa::path(
    tags = ["nti", "admin"],
    operation_id = "create_api_client",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Institution id")),
    request_body(content = NewApiClient, example = json!({"name": "INM training records system"})),
    responses(
        (status = 201, description = "The client and its secret (shown once)", body = NewApiClientDto),
        problems::Forbidden,
        problems::NotFound,
        problems::Unprocessable,
    )
)]
#[post("/institutions/{id}/clients", wrap = "crate::headers::no_store()")]
pub async fn create_client(
    state: web::Data<AppState>,
    person: Person,
    id: web::Path<Uuid>,
    body: crate::body::Json<NewApiClient>,
) -> Result<HttpResponse, ApiError> {
    let inst = managed_institution(&state, &person.0, *id).await?;
    let name = Title::parse(&body.name)
        .map_err(|e| ValidationErrors::single("name", e.code, e.message))?;
    let (client, secret) =
        institutions::create_client(&state.db, inst.id, &name, person.0.user_id).await?;
    tracing::info!(client_id = %client.id, institution_id = %inst.id, "api client created");
    let object = crate::audit::Object::new("api_client", client.id, Some(inst.id));
    crate::audit::record(
        &state,
        Some(&person.0),
        crate::audit::Action::ApiClientCreated,
        object,
        None,
    )
    .await;
    Ok(HttpResponse::Created().json(NewApiClientDto {
        client: client.into(),
        client_secret: secret,
    }))
}

/// List an institution's API clients
///
/// The institution's managers (people or API clients) and admins. Every client, revoked
/// ones too, without secrets. Changes nothing.
///
/// Problems: `managers_only` (403) for the institution's other accounts, `not_found` (404)
/// for another institution.
#[utoipa::path(
    tags = ["nti", "admin"],
    operation_id = "list_api_clients",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Institution id")),
    responses(
        (status = 200, description = "The institution's clients (no secrets)", body = Vec<ApiClientDto>),
        problems::Forbidden,
        problems::NotFound,
    )
)]
#[get("/institutions/{id}/clients", wrap = "crate::headers::no_store()")]
pub async fn list_clients(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let inst = managed_institution(&state, &auth.0, *id).await?;
    let clients = institutions::list_clients(&state.db, inst.id).await?;
    Ok(HttpResponse::Ok().json(
        clients
            .into_iter()
            .map(ApiClientDto::from)
            .collect::<Vec<_>>(),
    ))
}

/// Revoke an API client
///
/// The institution's managers (people or API clients, including the client itself) and
/// admins. The client can get no new token, and the tokens it holds stop working at once.
///
/// Problems: `managers_only` (403) for the institution's other accounts, `not_found` (404)
/// for another institution, or a client that is not the institution's or already revoked.
#[utoipa::path(
    tags = ["nti", "admin"],
    operation_id = "revoke_api_client",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Institution id"), ("client_id" = Uuid, Path, description = "Client id")),
    responses(
        (status = 204, description = "Revoked: its tokens stop working at once"),
        problems::Forbidden,
        problems::NotFound,
    )
)]
#[delete("/institutions/{id}/clients/{client_id}")]
pub async fn revoke_client(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, client_id) = path.into_inner();
    let inst = managed_institution(&state, &auth.0, id).await?;
    if !institutions::revoke_client(&state.db, inst.id, client_id).await? {
        return Err(ApiError::NotFound);
    }
    tracing::info!(client_id = %client_id, "api client revoked");
    let object = crate::audit::Object::new("api_client", client_id, Some(inst.id));
    crate::audit::record(
        &state,
        Some(&auth.0),
        crate::audit::Action::ApiClientRevoked,
        object,
        None,
    )
    .await;
    Ok(HttpResponse::NoContent().finish())
}
