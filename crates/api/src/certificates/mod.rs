//! Certificates: the learner's (JSON or a printable PDF), the public verification that
//! anyone holding a code can run, and revocation by admins.

pub mod dto;
mod pdf;

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use help_lms_domain::values::Reason;
use help_lms_persistence::learning;
use uuid::Uuid;

use self::dto::{CertificateDto, RevokeRequest, Verification};
use crate::auth::{Admin, Authenticated};
use crate::error::{ApiError, problems};
use crate::learning::access;
use crate::state::AppState;

/// Read an enrolment's certificate (JSON or PDF)
///
/// The learner who owns the enrolment, and the staff who follow it (admins; tutors and
/// managers of its cohort). The certificate issued on completion, with its verification
/// code and link (under the platform's configured public address, whatever the request's
/// `Host`); `Accept: application/pdf` gives a printable PDF with both. Changes nothing.
///
/// Problems: `not_found` (404: anyone else, or no certificate yet).
#[utoipa::path(
    tags = ["learner", "tutor", "nti", "admin"],
    operation_id = "get_certificate",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Enrolment id")),
    responses(
        (status = 200, description = "The certificate; `Accept: application/pdf` gives a printable PDF", body = CertificateDto),
        problems::NotFound,
    )
)]
#[get("/enrolments/{id}/certificate", wrap = "crate::headers::no_store()")]
pub async fn get_certificate(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (e, _) = access(&state, &auth.0, *id).await?;
    let c = learning::certificate_of(&state.db.conn, e.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let public_url = &state.config.public_url;
    if crate::negotiate::asks_for(&req, "application/pdf") {
        // From the configured address, never from the request's Host or X-Forwarded-Host.
        let url = public_url.link(&dto::verification_path(&c.code));
        return Ok(HttpResponse::Ok()
            .content_type("application/pdf")
            .insert_header((
                "content-disposition",
                format!("inline; filename=\"help-certificate-{}.pdf\"", c.code),
            ))
            .body(pdf::certificate(&c, &url)));
    }
    Ok(HttpResponse::Ok().json(CertificateDto::new(c, public_url)))
}

/// Verify a certificate by its code
///
/// Anyone holding the code; no token needed. Says whether the certificate is valid or
/// revoked, whose it is, for which course and when it was issued, and nothing more.
///
/// Problems: `not_found` (404: no certificate has this code).
#[utoipa::path(
    tags = ["public"],
    operation_id = "verify_certificate",
    params(("code" = String, Path, description = "The verification code printed on the certificate")),
    responses(
        (status = 200, description = "What verification needs, and nothing more", body = Verification),
        problems::NotFound,
    )
)]
#[get("/certificates/{code}", wrap = "crate::headers::no_store()")]
pub async fn verify_certificate(
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    if code.len() > 64 {
        return Err(ApiError::NotFound);
    }
    let c = learning::certificate_by_code(&state.db.conn, &code)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(Verification::from(c)))
}

/// Revoke a certificate
///
/// Admins only. Marks the certificate revoked with the reason given; verification then
/// answers it as revoked. The enrolment stays completed. Revoking again changes nothing
/// (the first reason stays).
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
    _admin: Admin,
    code: web::Path<String>,
    body: crate::body::Json<RevokeRequest>,
) -> Result<HttpResponse, ApiError> {
    let reason =
        Reason::parse(&body.reason).map_err(|e| ApiError::field("reason", e.code, e.message))?;
    let c = learning::revoke_certificate(&state.db, &code, reason.as_str()).await?;
    tracing::info!(certificate_id = %c.id, "certificate revoked");
    Ok(HttpResponse::Ok().json(CertificateDto::new(c, &state.config.public_url)))
}
