//! The wire shapes of certificates: the learner's copy, the public verification, and a
//! revocation.

use chrono::{DateTime, Utc};
use help_lms_domain::values::Language;
use help_lms_persistence::learning::Certificate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::public_url::PublicUrl;

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CertificateStatus {
    Valid,
    Revoked,
}

impl CertificateStatus {
    fn of(c: &Certificate) -> Self {
        if c.is_revoked() {
            CertificateStatus::Revoked
        } else {
            CertificateStatus::Valid
        }
    }
}

/// Where a certificate is verified, under `/api/v1`.
pub fn verification_path(code: &str) -> String {
    format!("/api/v1/certificates/{code}")
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CertificateDto {
    /// Give this to whoever verifies: `GET /api/v1/certificates/{code}`.
    pub code: String,
    pub verification_path: String,
    /// The same, as the absolute link printed on the certificate (from the platform's
    /// configured public address).
    pub verification_url: String,
    pub learner_name: String,
    pub course_title: String,
    pub course_version: i32,
    pub language: Language,
    pub issued_at: DateTime<Utc>,
    pub final_score: f64,
    pub estimated_hours: f64,
    pub status: CertificateStatus,
    pub revoked_reason: Option<String>,
}

impl CertificateDto {
    pub fn new(c: Certificate, public_url: &PublicUrl) -> Self {
        let verification_path = verification_path(&c.code);
        CertificateDto {
            verification_url: public_url.link(&verification_path),
            verification_path,
            status: CertificateStatus::of(&c),
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

#[derive(Debug, Serialize, ToSchema)]
pub struct Verification {
    /// true when the certificate exists and is not revoked.
    pub valid: bool,
    pub status: CertificateStatus,
    pub learner_name: String,
    pub course_title: String,
    pub issued_on: String,
    pub revoked_on: Option<String>,
}

impl From<Certificate> for Verification {
    fn from(c: Certificate) -> Self {
        Verification {
            valid: !c.is_revoked(),
            status: CertificateStatus::of(&c),
            issued_on: c.issued_at.date_naive().to_string(),
            revoked_on: c.revoked_at.map(|d| d.date_naive().to_string()),
            learner_name: c.learner_name,
            course_title: c.course_title,
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
