//! Certificates: issued when an enrolment completes, with an unguessable code and a
//! snapshot of what they certify; looked up by enrolment or code, and revoked by admins.

use chrono::{DateTime, NaiveDate, Utc};
use help_lms_domain::content::pick;
use help_lms_domain::values::Language;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use crate::Db;
use crate::catalogue::runtime::CourseRuntime;
use crate::counters;
use crate::entities::{
    certificates, cohort_tutors, cohorts, course_versions, enrolments as en, institutions, users,
};
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
    /// The tutored run it was earned in, if any (empty on certificates issued before
    /// certificates printed it).
    pub run: Option<TutoredRun>,
    /// Its position in the revocation status list of its credential.
    pub status_index: i64,
    /// When the holder's account was erased: the name is gone and it verifies as `erased`.
    pub erased_at: Option<DateTime<Utc>>,
}

/// What a certificate of a tutored run prints about the run.
#[derive(Debug, Clone, PartialEq)]
pub struct TutoredRun {
    pub institution: String,
    pub tutors: Vec<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

impl Certificate {
    pub fn is_revoked(&self) -> bool {
        self.revoked_at.is_some()
    }

    pub fn is_erased(&self) -> bool {
        self.erased_at.is_some()
    }
}

fn to_certificate(m: certificates::Model) -> Result<Certificate, StoreError> {
    let run = match (m.institution_name, m.cohort_starts_on, m.cohort_ends_on) {
        (Some(institution), Some(starts_on), Some(ends_on)) => Some(TutoredRun {
            institution,
            tutors: m
                .tutor_names
                .as_deref()
                .unwrap_or("")
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_owned)
                .collect(),
            starts_on,
            ends_on,
        }),
        _ => None,
    };
    Ok(Certificate {
        run,
        status_index: m.status_index,
        erased_at: m.erased_at,
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
    let run = match e.cohort_id {
        Some(cohort_id) => tutored_run(txn, cohort_id).await?,
        None => None,
    };
    let status_index = counters::take(txn, counters::CERTIFICATE_STATUS_INDEX, 1).await?;
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
        institution_name: Set(run.as_ref().map(|r| r.institution.clone())),
        tutor_names: Set(run.as_ref().map(|r| r.tutors.join("\n"))),
        cohort_starts_on: Set(run.as_ref().map(|r| r.starts_on)),
        cohort_ends_on: Set(run.as_ref().map(|r| r.ends_on)),
        status_index: Set(status_index),
        erased_at: Set(None),
    }
    .insert(txn)
    .await?;
    Ok(code)
}

/// The institution, tutors (by name) and dates of a cohort, as a certificate prints them.
async fn tutored_run<C: ConnectionTrait>(
    txn: &C,
    cohort_id: Uuid,
) -> Result<Option<TutoredRun>, StoreError> {
    let Some(cohort) = cohorts::Entity::find_by_id(cohort_id).one(txn).await? else {
        return Ok(None);
    };
    let institution = institutions::Entity::find_by_id(cohort.institution_id)
        .one(txn)
        .await?
        .map(|i| i.name)
        .unwrap_or_default();
    let tutor_ids: Vec<Uuid> = cohort_tutors::Entity::find()
        .filter(cohort_tutors::Column::CohortId.eq(cohort_id))
        .all(txn)
        .await?
        .into_iter()
        .map(|t| t.user_id)
        .collect();
    let mut tutors: Vec<String> = if tutor_ids.is_empty() {
        Vec::new()
    } else {
        users::Entity::find()
            .filter(users::Column::Id.is_in(tutor_ids))
            .all(txn)
            .await?
            .into_iter()
            .map(|u| u.name.lines().collect::<Vec<_>>().join(" "))
            .collect()
    };
    tutors.sort();
    Ok(Some(TutoredRun {
        institution,
        tutors,
        starts_on: cohort.starts_on,
        ends_on: cohort.ends_on,
    }))
}

/// The title and summary of a course version in `language` (else English, else any), for
/// the achievement a credential describes. Versions never change, so neither does this.
pub async fn course_version_text<C: ConnectionTrait>(
    conn: &C,
    course_id: Uuid,
    version: i32,
    language: Language,
) -> Result<Option<(String, String)>, StoreError> {
    let Some(v) = course_versions::Entity::find()
        .filter(course_versions::Column::CourseId.eq(course_id))
        .filter(course_versions::Column::Version.eq(version))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let read = |json: serde_json::Value| -> Result<String, StoreError> {
        let text: help_lms_domain::content::Localized =
            serde_json::from_value(json).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(pick(&text, language, &[Language::En])
            .map(|(_, t)| t.to_owned())
            .unwrap_or_default())
    };
    Ok(Some((read(v.title)?, read(v.summary)?)))
}

/// The positions of the revoked certificates in `range` of the status list, in order.
pub async fn revoked_status_indexes<C: ConnectionTrait>(
    conn: &C,
    range: std::ops::Range<i64>,
) -> Result<Vec<i64>, StoreError> {
    Ok(certificates::Entity::find()
        .select_only()
        .column(certificates::Column::StatusIndex)
        .filter(certificates::Column::StatusIndex.gte(range.start))
        .filter(certificates::Column::StatusIndex.lt(range.end))
        .filter(certificates::Column::RevokedAt.is_not_null())
        .order_by_asc(certificates::Column::StatusIndex)
        .into_tuple::<i64>()
        .all(conn)
        .await?)
}

/// How many status positions have been handed out (every list below this is in use).
pub async fn status_indexes_issued<C: ConnectionTrait>(conn: &C) -> Result<i64, StoreError> {
    Ok(certificates::Entity::find()
        .select_only()
        .column_as(certificates::Column::StatusIndex.max(), "max")
        .into_tuple::<Option<i64>>()
        .one(conn)
        .await?
        .flatten()
        .map_or(0, |m| m + 1))
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
    let now = Utc::now();
    let updated = certificates::ActiveModel {
        id: Set(c.id),
        revoked_at: Set(Some(now)),
        revoked_reason: Set(Some(reason.to_owned())),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    let e = super::enrolment_row(&txn, updated.enrolment_id).await?;
    let rt = crate::catalogue::runtime::runtime(&txn, e.course_version_id).await?;
    let event = crate::xapi::platform::Event::CertificateRevoked { code };
    crate::xapi::platform::record(&txn, db.public_url(), &e, &rt, &[event], now).await?;
    txn.commit().await?;
    to_certificate(updated)
}
