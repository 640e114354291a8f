//! Certificates: issued when an enrolment completes, with an unguessable code and a
//! snapshot of what they certify; looked up by enrolment or code, and revoked by admins.

use chrono::{DateTime, Utc};
use help_lms_domain::content::pick;
use help_lms_domain::values::Language;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::Db;
use crate::catalogue::runtime::CourseRuntime;
use crate::entities::{certificates, enrolments as en, users};
use crate::error::StoreError;

/// A certificate as issued: a snapshot that later changes to the account or the course
/// never alter.
#[derive(Debug, Clone, PartialEq)]
pub struct Certificate {
    pub id: Uuid,
    /// What a verifier types in: `XXXX-XXXX-XXXX-XXXX-XXXX`.
    pub code: String,
    pub enrolment_id: Uuid,
    pub user_id: Uuid,
    pub course_id: Uuid,
    pub course_version: i32,
    pub learner_name: String,
    pub course_title: String,
    pub language: Language,
    pub issued_at: DateTime<Utc>,
    pub final_score: f64,
    pub estimated_hours: f64,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_reason: Option<String>,
}

impl Certificate {
    pub fn is_revoked(&self) -> bool {
        self.revoked_at.is_some()
    }
}

fn to_certificate(m: certificates::Model) -> Result<Certificate, StoreError> {
    Ok(Certificate {
        language: Language::parse(&m.language).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        id: m.id,
        code: m.code,
        enrolment_id: m.enrolment_id,
        user_id: m.user_id,
        course_id: m.course_id,
        course_version: m.course_version,
        learner_name: m.learner_name,
        course_title: m.course_title,
        issued_at: m.issued_at,
        final_score: m.final_score,
        estimated_hours: m.estimated_hours,
        revoked_at: m.revoked_at,
        revoked_reason: m.revoked_reason,
    })
}

/// 100 random bits in Crockford base32, grouped for reading aloud: `XXXX-XXXX-XXXX-XXXX-XXXX`.
fn new_code() -> Result<String, StoreError> {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Internal(e.to_string()))?;
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % 32] as char)
        .collect();
    Ok(chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-"))
}

/// Issues the certificate of a completed enrolment, inside the completing transaction.
pub(super) async fn issue<C: ConnectionTrait>(
    txn: &C,
    e: &en::Model,
    rt: &CourseRuntime,
    final_score: f64,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    let user = users::Entity::find_by_id(e.user_id)
        .one(txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let lang = Language::parse(&e.language).unwrap_or(Language::En);
    let title = pick(&rt.course.title, lang, &[Language::En])
        .map(|(_, t)| t.to_owned())
        .unwrap_or_else(|| rt.course.slug.clone());
    let code = new_code()?;
    certificates::ActiveModel {
        id: Set(Uuid::now_v7()),
        code: Set(code.clone()),
        enrolment_id: Set(e.id),
        user_id: Set(e.user_id),
        course_id: Set(e.course_id),
        course_version: Set(rt.course.version),
        learner_name: Set(user.name),
        course_title: Set(title),
        language: Set(e.language.clone()),
        issued_at: Set(now),
        final_score: Set(final_score),
        estimated_hours: Set(rt.course.estimated_hours),
        revoked_at: Set(None),
        revoked_reason: Set(None),
    }
    .insert(txn)
    .await?;
    Ok(code)
}

pub async fn certificate_of<C: ConnectionTrait>(
    conn: &C,
    enrolment_id: Uuid,
) -> Result<Option<Certificate>, StoreError> {
    certificates::Entity::find()
        .filter(certificates::Column::EnrolmentId.eq(enrolment_id))
        .one(conn)
        .await?
        .map(to_certificate)
        .transpose()
}

/// The certificate with this code; codes are read case-insensitively, as people type them.
pub async fn certificate_by_code<C: ConnectionTrait>(
    conn: &C,
    code: &str,
) -> Result<Option<Certificate>, StoreError> {
    certificates::Entity::find()
        .filter(certificates::Column::Code.eq(code.trim().to_uppercase()))
        .one(conn)
        .await?
        .map(to_certificate)
        .transpose()
}

/// Revokes a certificate; revoking it again changes nothing (the first reason stays).
pub async fn revoke_certificate(
    db: &Db,
    code: &str,
    reason: &str,
) -> Result<Certificate, StoreError> {
    let txn = db.begin_write().await?;
    let c = certificate_by_code(&txn, code)
        .await?
        .ok_or(StoreError::NotFound)?;
    if c.is_revoked() {
        txn.commit().await?;
        return Ok(c);
    }
    let updated = certificates::ActiveModel {
        id: Set(c.id),
        revoked_at: Set(Some(Utc::now())),
        revoked_reason: Set(Some(reason.to_owned())),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    txn.commit().await?;
    to_certificate(updated)
}
