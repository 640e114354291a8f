//! The wire shapes of certificates: the learner's copy, the public verification, and a
//! revocation.

use chrono::{DateTime, NaiveDate, Utc};
use help_lms_domain::values::Language;
use help_lms_persistence::learning::Certificate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::badge;
use crate::public_url::PublicUrl;

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CertificateStatus {
    Valid,
    Revoked,
    /// The holder's personal data was erased at their request (or by retention): the
    /// certificate was earned, but no longer says by whom. Not a revocation.
    Erased,
}

impl CertificateStatus {
    fn of(c: &Certificate) -> Self {
        if c.is_revoked() {
            CertificateStatus::Revoked
        } else if c.is_erased() {
            CertificateStatus::Erased
        } else {
            CertificateStatus::Valid
        }
    }
}

/// Where a certificate is verified, under `/api/v1`.
pub fn verification_path(code: &str) -> String {
    format!("/api/v1/certificates/{code}")
}

/// The short public address a certificate prints (and its QR code holds).
pub fn short_path(code: &str) -> String {
    format!("/verify/{code}")
}

/// Where the certificate's signed Open Badges credential is, for anyone holding the code.
pub fn credential_path(code: &str) -> String {
    format!("/api/v1/certificates/{code}/credential")
}

/// The tutored run a certificate was earned in.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunDto {
    pub institution_name: String,
    /// The run's tutors by name, as printed.
    pub tutors: Vec<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CertificateDto {
    /// Give this to whoever verifies: `GET /verify/{code}` or `GET /api/v1/certificates/{code}`.
    pub code: String,
    /// The verification under `/api/v1` (JSON, or a page for `Accept: text/html`).
    pub verification_path: String,
    /// The short public address printed on the certificate and held by its QR code
    /// (`{HELP_PUBLIC_URL}/verify/{code}`; a page for browsers, JSON for clients).
    pub verification_url: String,
    /// The certificate as a signed Open Badges 3.0 credential (JSON-LD), for wallets and
    /// verifiers; the learner's copy is also at `GET /api/v1/enrolments/{id}/certificate/credential`.
    pub credential_url: String,
    pub learner_name: String,
    pub course_title: String,
    pub course_version: i32,
    pub language: Language,
    pub issued_at: DateTime<Utc>,
    pub final_score: f64,
    pub estimated_hours: f64,
    /// The tutored run, for a certificate earned in a cohort (left out for self-study, and
    /// for certificates issued before certificates recorded it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run: Option<RunDto>,
    pub status: CertificateStatus,
    pub revoked_reason: Option<String>,
}

impl CertificateDto {
    pub fn new(c: Certificate, public_url: &PublicUrl) -> Self {
        CertificateDto {
            verification_url: public_url.link(&short_path(&c.code)),
            verification_path: verification_path(&c.code),
            credential_url: public_url.link(&credential_path(&c.code)),
            status: CertificateStatus::of(&c),
            run: c.run.map(|r| RunDto {
                institution_name: r.institution,
                tutors: r.tutors,
                starts_on: r.starts_on,
                ends_on: r.ends_on,
            }),
            code: c.code,
            learner_name: c.learner_name,
            course_title: c.course_title,
            course_version: c.course_version,
            language: c.language,
            issued_at: c.issued_at,
            final_score: c.final_score,
            estimated_hours: c.estimated_hours,
            revoked_reason: c.revoked_reason,
        }
    }
}

/// Who issued a certificate.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuerDto {
    pub name: String,
    /// The issuer's public profile (an Open Badges `Profile` with its keys).
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Verification {
    /// true when the certificate exists, is not revoked and still names its holder (an
    /// erased certificate vouches for nobody).
    pub valid: bool,
    pub status: CertificateStatus,
    pub code: String,
    pub learner_name: String,
    pub course_title: String,
    /// The language the certificate is in.
    pub language: Language,
    pub issued_on: String,
    pub revoked_on: Option<String>,
    pub issuer: IssuerDto,
    /// The signed Open Badges credential.
    pub credential_url: String,
    #[serde(skip)]
    pub issued_at: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Verification {
    pub fn new(c: Certificate, public_url: &PublicUrl) -> Self {
        Verification {
            valid: !c.is_revoked() && !c.is_erased(),
            status: CertificateStatus::of(&c),
            issued_on: c.issued_at.date_naive().to_string(),
            revoked_on: c.revoked_at.map(|d| d.date_naive().to_string()),
            issued_at: Some(c.issued_at),
            revoked_at: c.revoked_at,
            issuer: IssuerDto {
                name: badge::ISSUER_NAME.to_owned(),
                url: badge::issuer_id(public_url),
            },
            credential_url: public_url.link(&credential_path(&c.code)),
            code: c.code,
            learner_name: c.learner_name,
            course_title: c.course_title,
            language: c.language,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    /// Why; kept with the certificate.
    #[schema(value_type = help_lms_domain::values::Reason)]
    pub reason: String,
}
