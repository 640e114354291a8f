//! Everything held about one person, for their right of access (GDPR article 15): the
//! account, each enrolment with its course, lesson progress, quiz attempts (responses
//! included) and certificate, the learning record statements about them (the ones their
//! erasure would delete), and the audit trail's entries about them. Read in one transaction, so the parts agree with each other.

use chrono::{DateTime, Utc};
use help_lms_domain::accounts::User;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};
use serde_json::Value as Json;
use uuid::Uuid;

use crate::Db;
use crate::enrolments::{Enrolment, to_domain};
use crate::entities::{attempts as at, courses, enrolments as en, lesson_progress as lp};
use crate::error::StoreError;
use crate::learning::{Certificate, certificate_of};

/// One lesson's record.
#[derive(Debug, Clone)]
pub struct LessonRecord {
    pub lesson_id: Uuid,
    pub status: String,
    pub time_spent_seconds: i32,
    pub first_viewed_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

/// One quiz attempt, with what the person answered.
#[derive(Debug, Clone)]
pub struct AttemptRecord {
    pub id: Uuid,
    pub quiz_id: Uuid,
    pub number: i32,
    pub status: String,
    pub language: String,
    pub started_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub responses: Json,
    pub score: Option<f64>,
    pub max_score: Option<f64>,
    pub percent: Option<f64>,
    pub passed: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct EnrolmentRecord {
    pub enrolment: Enrolment,
    pub course_slug: String,
    pub final_score: Option<f64>,
    pub lessons: Vec<LessonRecord>,
    pub attempts: Vec<AttemptRecord>,
    pub certificate: Option<Certificate>,
}

#[derive(Debug, Clone)]
pub struct PersonalData {
    pub account: User,
    pub last_login_at: Option<DateTime<Utc>>,
    pub enrolments: Vec<EnrolmentRecord>,
    /// The statements the platform recorded about them, as stored.
    pub learning_records: Vec<Json>,
    /// The audit trail's entries about them: what they did, and what was done to their
    /// account.
    pub audit: Vec<crate::audit::Entry>,
}

/// Everything held about `user_id`; `NotFound` when there is no such account.
pub async fn export(db: &Db, user_id: Uuid) -> Result<PersonalData, StoreError> {
    let txn = db.conn.begin().await?;
    let row = crate::entities::users::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let last_login_at = row.last_login_at;
    let account = super::to_domain(row)?;
    let rows = en::Entity::find()
        .filter(en::Column::UserId.eq(user_id))
        .order_by_asc(en::Column::EnrolledAt)
        .all(&txn)
        .await?;
    let mut enrolments = Vec::with_capacity(rows.len());
    for e in rows {
        let course_slug = courses::Entity::find_by_id(e.course_id)
            .one(&txn)
            .await?
            .map(|c| c.slug)
            .unwrap_or_default();
        let lessons = lp::Entity::find()
            .filter(lp::Column::EnrolmentId.eq(e.id))
            .order_by_asc(lp::Column::FirstViewedAt)
            .all(&txn)
            .await?
            .into_iter()
            .map(|p| LessonRecord {
                lesson_id: p.lesson_id,
                status: p.status,
                time_spent_seconds: p.time_spent_seconds,
                first_viewed_at: p.first_viewed_at,
                completed_at: p.completed_at,
            })
            .collect();
        let attempts = at::Entity::find()
            .filter(at::Column::EnrolmentId.eq(e.id))
            .order_by_asc(at::Column::StartedAt)
            .all(&txn)
            .await?
            .into_iter()
            .map(|a| AttemptRecord {
                id: a.id,
                quiz_id: a.quiz_id,
                number: a.number,
                status: a.status,
                language: a.language,
                started_at: a.started_at,
                submitted_at: a.submitted_at,
                responses: a.responses,
                score: a.score,
                max_score: a.max_score,
                percent: a.percent,
                passed: a.passed,
            })
            .collect();
        let certificate = certificate_of(&txn, e.id).await?;
        let final_score = e.final_score;
        enrolments.push(EnrolmentRecord {
            enrolment: to_domain(e)?,
            course_slug,
            final_score,
            lessons,
            attempts,
            certificate,
        });
    }
    let keys = crate::xapi::person::person_keys(db.public_url(), user_id, account.email.as_str());
    let learning_records = crate::xapi::person::about_person(&txn, user_id, &keys)
        .await?
        .iter()
        .map(|s| serde_json::from_str(&s.body))
        .collect::<Result<Vec<Json>, _>>()?;
    let audit = crate::audit::about(&txn, user_id).await?;
    txn.commit().await?;
    Ok(PersonalData {
        account,
        last_login_at,
        enrolments,
        learning_records,
        audit,
    })
}
