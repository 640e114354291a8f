//! Revocation: an admin withdraws a certificate, with the reason, for good.

use actix_web::{HttpResponse, post, web};
use help_lms_domain::values::Reason;
use help_lms_persistence::learning;

use super::dto::{CertificateDto, RevokeRequest};
use crate::auth::Admin;
use crate::error::{ApiError, problems};
use crate::state::AppState;

/// Revoke a certificate
///
/// Admins only. Marks the certificate revoked with the reason given; verification then
/// answers it as revoked, its position in the public status list is set (so that its Open
/// Badges credential no longer verifies), and it is no longer printed. The enrolment stays
/// completed. Revoking again changes nothing (the first reason stays).
///
/// Problems: `admin_only` (403), `not_found` (404: no certificate has this code),
/// `validation_failed` (422: a reason of 1 to 500 characters is required).
#[utoipa::path(
    tags = ["admin"],
    operation_id = "revoke_certificate",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The verification code")),
    request_body(content = RevokeRequest, example = json!({"reason": "Issued in error: the final quiz was graded on a superseded answer key."})),
    responses(
        (status = 200, description = "Revoked (again is harmless)", body = CertificateDto),
        problems::Forbidden,
        problems::NotFound,
        problems::Unprocessable,
    )
)]
#[post("/certificates/{code}/revoke", wrap = "crate::headers::no_store()")]
pub async fn revoke_certificate(
    state: web::Data<AppState>,
    admin: Admin,
    code: web::Path<String>,
    body: crate::body::Json<RevokeRequest>,
) -> Result<HttpResponse, ApiError> {
    let reason =
        Reason::parse(&body.reason).map_err(|e| ApiError::field("reason", e.code, e.message))?;
    let c = learning::revoke_certificate(&state.db, &code, reason.as_str()).await?;
    tracing::info!(certificate_id = %c.id, "certificate revoked");
    let object = crate::audit::Object::new("certificate", c.id, None);
    crate::audit::record(
        &state,
        Some(&admin.0),
        crate::audit::Action::CertificateRevoked,
        object,
        None,
    )
    .await;
    Ok(HttpResponse::Ok().json(CertificateDto::new(c, &state.config.public_url)))
}
