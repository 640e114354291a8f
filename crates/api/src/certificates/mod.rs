//! Certificates: the learner's (JSON, a printable PDF, or a signed Open Badges 3.0
//! credential), the public verification that anyone holding a code can run (a page for
//! browsers, JSON for clients), the issuer's profile and keys, the revocation status lists
//! verifiers check, and revocation by admins.

pub mod badge;
mod docs;
pub mod dto;
mod page;
mod pdf;
mod revoke;
mod wording;

pub use revoke::revoke_certificate;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::Utc;
use help_lms_domain::values::Language;
use help_lms_persistence::learning::{self, Certificate};
use help_lms_persistence::rate_limit;
use serde_json::Value;
use uuid::Uuid;

use self::dto::{CertificateDto, Verification};
use crate::auth::Authenticated;
use crate::auth::account::{address, limit};
use crate::error::{ApiError, Code, problems};
use crate::learning::access;
use crate::state::AppState;

/// The media type of a Verifiable Credential (VC Data Model 2.0); JSON-LD and plain JSON
/// are served to clients that ask for those instead.
const VC_MEDIA: &str = "application/vc";

/// Read an enrolment's certificate (JSON or PDF)
///
/// The learner who owns the enrolment, and the staff who follow it (admins; tutors and
/// managers of its cohort). The certificate issued on completion, with its verification
/// code and links (under the platform's configured public address, whatever the request's
/// `Host`); `Accept: application/pdf` gives the printable certificate: one A4 landscape
/// PDF/A-2u page in the enrolment's language, with a QR code of the verification address.
/// Changes nothing.
///
/// Problems: `not_found` (404: anyone else, or no certificate yet), `certificate_revoked`
/// (409: a revoked certificate is not printed), `certificate_erased` (409: nor is one whose
/// holder was erased; its JSON says `erased`).
#[utoipa::path(
    tags = ["learner", "tutor", "nti", "admin"],
    operation_id = "get_certificate",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Enrolment id")),
    responses(
        (status = 200, description = "The certificate; `Accept: application/pdf` gives a printable PDF", body = CertificateDto),
        problems::NotFound,
        problems::Conflict,
    )
)]
#[get("/enrolments/{id}/certificate", wrap = "crate::headers::no_store()")]
pub async fn get_certificate(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let c = of_enrolment(&state, &auth, *id).await?;
    let public_url = &state.config.public_url;
    if crate::negotiate::asks_for(&req, "application/pdf") {
        if c.is_revoked() {
            return Err(Code::CertificateRevoked.into());
        }
        if c.is_erased() {
            return Err(Code::CertificateErased.into());
        }
        // From the configured address, never from the request's Host or X-Forwarded-Host.
        let url = public_url.link(&dto::short_path(&c.code));
        let body = pdf::certificate(&c, &url).map_err(ApiError::internal)?;
        return Ok(HttpResponse::Ok()
            .content_type("application/pdf")
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"help-certificate-{}.pdf\"", c.code),
            ))
            .insert_header((header::VARY, "Accept"))
            .body(body));
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::VARY, "Accept"))
        .json(CertificateDto::new(c, public_url)))
}

async fn of_enrolment(
    state: &AppState,
    auth: &Authenticated,
    id: Uuid,
) -> Result<Certificate, ApiError> {
    let (e, _) = access(state, &auth.0, id).await?;
    learning::certificate_of(&state.db.conn, e.id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Download an enrolment's Open Badges credential
///
/// The learner who owns the enrolment, and the staff who follow it. The certificate as an
/// Open Badges 3.0 `OpenBadgeCredential` (W3C Verifiable Credentials 2.0), signed by the
/// platform's issuer key with an `eddsa-rdfc-2022` Data Integrity proof, as an attachment to
/// keep or put in a wallet. Its `credentialStatus` points at the public revocation list, so
/// a verifier learns of a revocation later. Changes nothing.
///
/// Problems: `not_found` (404: anyone else, or no certificate yet), `certificate_erased`
/// (409: the holder was erased; no credential names them any more).
#[utoipa::path(
    tags = ["learner", "tutor", "nti", "admin"],
    operation_id = "download_credential",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Enrolment id")),
    responses(
        (status = 200, description = "The signed credential (JSON-LD)", content(
            (docs::CredentialDoc = "application/vc"),
            (docs::CredentialDoc = "application/ld+json"),
            (docs::CredentialDoc = "application/json"),
        )),
        problems::NotFound,
        problems::Conflict,
    )
)]
#[get(
    "/enrolments/{id}/certificate/credential",
    wrap = "crate::headers::no_store()"
)]
pub async fn download_credential(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let c = of_enrolment(&state, &auth, *id).await?;
    if c.is_erased() {
        return Err(Code::CertificateErased.into());
    }
    let disposition = format!("attachment; filename=\"help-credential-{}.json\"", c.code);
    let signed = signed_credential(&state, &c).await?;
    Ok(credential_answer(&req)
        .insert_header((header::CONTENT_DISPOSITION, disposition))
        .json(signed))
}

/// An answer for a credential, in the media type the client asked for.
fn credential_answer(req: &HttpRequest) -> actix_web::HttpResponseBuilder {
    answer_in(
        req,
        &["application/vc", "application/ld+json", "application/json"],
        VC_MEDIA,
    )
}

/// A 200 in the first of `asked` that the client's `Accept` names, else in `default`.
fn answer_in(
    req: &HttpRequest,
    asked: &[&'static str],
    default: &'static str,
) -> actix_web::HttpResponseBuilder {
    let media = asked
        .iter()
        .copied()
        .find(|m| crate::negotiate::asks_for(req, m))
        .unwrap_or(default);
    let mut res = HttpResponse::Ok();
    res.content_type(media)
        .insert_header((header::VARY, "Accept"));
    res
}

async fn signed_credential(state: &AppState, c: &Certificate) -> Result<Value, ApiError> {
    let summary =
        learning::course_version_text(&state.db.conn, c.course_id, c.course_version, c.language)
            .await?
            .map(|(_, summary)| summary)
            .unwrap_or_default();
    let base = &state.config.public_url;
    badge::sign(
        badge::credential(c, &summary, base),
        &state.issuer,
        base,
        c.issued_at,
    )
    .map_err(ApiError::internal)
}

/// A public lookup by code: rate limited per client address, and an over-long code is
/// simply not found.
async fn by_code(state: &AppState, req: &HttpRequest, code: &str) -> Result<Certificate, ApiError> {
    limit(
        state,
        &rate_limit::key("verify-ip", &address(state, req)),
        state.config.limits.verify_per_address,
    )
    .await?;
    if code.len() > 64 {
        return Err(ApiError::NotFound);
    }
    learning::certificate_by_code(&state.db.conn, code)
        .await?
        .ok_or(ApiError::NotFound)
}

async fn verification(
    state: &AppState,
    req: &HttpRequest,
    code: &str,
) -> Result<HttpResponse, ApiError> {
    let c = by_code(state, req, code).await?;
    let v = Verification::new(c, &state.config.public_url);
    if crate::negotiate::prefers(req, "text/html", "application/json") {
        return Ok(page::verification(&v));
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::VARY, "Accept"))
        .json(v))
}

/// Verify a certificate by its code
///
/// Anyone holding the code; no token needed. Says whether the certificate is valid,
/// revoked (and when) or erased (its holder's data removed at their request), whose it is, for which course, when and by whom it was issued, and
/// where its signed credential is; nothing more. A browser (`Accept: text/html` preferred
/// to JSON) gets the same as an accessible page in the certificate's language. Lookups are
/// rate limited per client address.
///
/// Problems: `not_found` (404: no certificate has this code), `too_many_requests` (429).
#[utoipa::path(
    tags = ["public"],
    operation_id = "verify_certificate",
    params(("code" = String, Path, description = "The verification code printed on the certificate")),
    responses(
        (status = 200, description = "What verification needs, and nothing more; a page for browsers", content(
            (Verification = "application/json"),
            (String = "text/html"),
        )),
        problems::NotFound,
        problems::TooManyRequests,
    )
)]
#[get("/certificates/{code}")]
pub async fn verify_certificate(
    state: web::Data<AppState>,
    req: HttpRequest,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    verification(&state, &req, &code).await
}

/// Verify a certificate at its short address
///
/// The address a certificate prints and its QR code holds (`{HELP_PUBLIC_URL}/verify/{code}`):
/// the same answer as `GET /api/v1/certificates/{code}`, a page for browsers and JSON for
/// clients.
///
/// Problems: `not_found` (404: no certificate has this code), `too_many_requests` (429).
#[utoipa::path(
    tags = ["public"],
    operation_id = "verify_certificate_short",
    params(("code" = String, Path, description = "The verification code printed on the certificate")),
    responses(
        (status = 200, description = "What verification needs, and nothing more; a page for browsers", content(
            (Verification = "application/json"),
            (String = "text/html"),
        )),
        problems::NotFound,
        problems::TooManyRequests,
    )
)]
#[get("/verify/{code}")]
pub async fn verify_short(
    state: web::Data<AppState>,
    req: HttpRequest,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    verification(&state, &req, &code).await
}

/// Read a certificate's Open Badges credential by its code
///
/// Anyone holding the code; no token needed. The certificate as a signed Open Badges 3.0
/// credential, as the learner downloads it; the verification page links here. A revoked
/// certificate's credential is still served: its `credentialStatus` entry says it is
/// revoked. Rate limited with the verification.
///
/// Problems: `not_found` (404: no certificate has this code), `certificate_erased` (409:
/// the holder was erased; no credential names them any more), `too_many_requests` (429).
#[utoipa::path(
    tags = ["public"],
    operation_id = "get_credential",
    params(("code" = String, Path, description = "The verification code printed on the certificate")),
    responses(
        (status = 200, description = "The signed credential (JSON-LD)", content(
            (docs::CredentialDoc = "application/vc"),
            (docs::CredentialDoc = "application/ld+json"),
            (docs::CredentialDoc = "application/json"),
        )),
        problems::NotFound,
        problems::Conflict,
        problems::TooManyRequests,
    )
)]
#[get("/certificates/{code}/credential", wrap = "crate::headers::no_store()")]
pub async fn get_credential(
    state: web::Data<AppState>,
    req: HttpRequest,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let c = by_code(&state, &req, &code).await?;
    if c.is_erased() {
        return Err(Code::CertificateErased.into());
    }
    let signed = signed_credential(&state, &c).await?;
    Ok(credential_answer(&req).json(signed))
}

/// Read the issuer's profile and keys
///
/// Anyone. The Open Badges `Profile` of the platform as an issuer, which is also the
/// controller document of its signing keys: every published Ed25519 key as a `Multikey`
/// verification method (the current one first, then earlier ones, so that credentials
/// signed before a key rotation still verify), each listed under `assertionMethod`.
///
/// Problems: none.
#[utoipa::path(
    tags = ["public"],
    operation_id = "get_issuer",
    responses(
        (status = 200, description = "The issuer's profile (JSON-LD)", content(
            (docs::IssuerDoc = "application/json"),
            (docs::IssuerDoc = "application/ld+json"),
        )),
    )
)]
#[get("/issuer")]
pub async fn get_issuer(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let profile = badge::issuer_profile(&state.config.public_url, &state.issuer);
    json_ld(&req, &profile)
}

/// Read the issuer's public keys as a JWKS
///
/// Anyone. The same keys as the issuer's profile, as a JSON Web Key Set (`OKP`, `Ed25519`),
/// each `kid` being the key's verification method id.
///
/// Problems: none.
#[utoipa::path(
    tags = ["public"],
    operation_id = "get_issuer_jwks",
    responses((status = 200, description = "The JSON Web Key Set", body = docs::JwksDoc)),
)]
#[get("/issuer/jwks")]
pub async fn get_issuer_jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "max-age=300"))
        .json(badge::jwks(&state.config.public_url, &state.issuer))
}

fn json_ld(req: &HttpRequest, doc: &Value) -> HttpResponse {
    answer_in(req, &["application/ld+json"], "application/json")
        .insert_header((header::CACHE_CONTROL, "max-age=300"))
        .json(doc)
}

/// Read a revocation status list
///
/// Anyone. A W3C `BitstringStatusListCredential`, signed like the certificates'
/// credentials: one bit per certificate, set when it is revoked. Each credential's
/// `credentialStatus` names its list and position. Made afresh on every request, so a
/// revocation shows at once.
///
/// Problems: `not_found` (404: no list with this number is in use).
#[utoipa::path(
    tags = ["public"],
    operation_id = "get_status_list",
    params(("list" = i64, Path, description = "The list's number, from 0", minimum = 0)),
    responses(
        (status = 200, description = "The status list credential (JSON-LD)", content(
            (docs::StatusListDoc = "application/vc"),
            (docs::StatusListDoc = "application/ld+json"),
            (docs::StatusListDoc = "application/json"),
        )),
        problems::NotFound,
    )
)]
#[get("/credentials/status/{list}")]
pub async fn get_status_list(
    state: web::Data<AppState>,
    req: HttpRequest,
    list: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    // Any number past the lists in use, however large, is simply not a list.
    let list: i64 = list.parse().map_err(|_| ApiError::NotFound)?;
    let issued = learning::status_indexes_issued(&state.db.conn).await?;
    let lists = (issued + badge::LIST_SIZE - 1) / badge::LIST_SIZE;
    if list < 0 || list >= lists.max(1) {
        return Err(ApiError::NotFound);
    }
    let start = list * badge::LIST_SIZE;
    let revoked =
        learning::revoked_status_indexes(&state.db.conn, start..start + badge::LIST_SIZE).await?;
    let base = &state.config.public_url;
    let now = Utc::now();
    let doc = badge::status_list_credential(base, list, &revoked, now)
        .and_then(|d| badge::sign(d, &state.issuer, base, now))
        .map_err(ApiError::internal)?;
    Ok(credential_answer(&req)
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .json(doc))
}

/// Read the achievement of a course version
///
/// Anyone. The Open Badges `Achievement` that the certificates of one version of a course
/// are credentials of: its name, description and criteria, in English (or the course's
/// first language). A credential embeds the same achievement in its own language.
///
/// Problems: `not_found` (404: no such course version).
#[utoipa::path(
    tags = ["public"],
    operation_id = "get_achievement",
    params(
        ("course_id" = Uuid, Path, description = "Course id"),
        ("version" = i32, Path, description = "Course version", minimum = 1),
    ),
    responses(
        (status = 200, description = "The achievement (JSON-LD)", content(
            (docs::PublishedAchievementDoc = "application/json"),
            (docs::PublishedAchievementDoc = "application/ld+json"),
        )),
        problems::NotFound,
    )
)]
#[get("/achievements/{course_id}/{version}")]
pub async fn get_achievement(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(Uuid, i32)>,
) -> Result<HttpResponse, ApiError> {
    let (course_id, version) = path.into_inner();
    let (title, summary) =
        learning::course_version_text(&state.db.conn, course_id, version, Language::En)
            .await?
            .ok_or(ApiError::NotFound)?;
    let mut doc = badge::achievement(
        &state.config.public_url,
        course_id,
        version,
        &badge::AchievementText {
            title: &title,
            summary: &summary,
            language: Language::En,
        },
    );
    if let Some(o) = doc.as_object_mut() {
        o.insert(
            "@context".to_owned(),
            serde_json::json!([badge::VC_CONTEXT, badge::OB_CONTEXT]),
        );
    }
    Ok(json_ld(&req, &doc))
}
