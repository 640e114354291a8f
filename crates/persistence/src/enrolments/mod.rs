//! Enrolments: self-enrolment, withdrawal from a cohort, and (in the submodules) bulk
//! enrolment of a cohort and its roster.

use chrono::{DateTime, Utc};
use help_lms_domain::enrolment::{EnrolmentSource, EnrolmentStatus};
use help_lms_domain::reporting::{self, Mode};
use help_lms_domain::values::Language;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use uuid::Uuid;

use crate::Db;
use crate::cohorts::Cohort;
use crate::entities::{enrolments as en, users};
use crate::error::{Conflict, StoreError, is_unique_violation};

mod bulk;
mod bulk_mail;
mod gradebook;
mod roster;
#[cfg(test)]
mod tests;

pub use bulk::{BulkAnswer, BulkOutcome, BulkRequest, BulkSummary, RowResult, bulk_enrol};
pub use gradebook::{Gradebook, GradebookQuiz, GradebookRow, gradebook};
pub use roster::{RosterEntry, Window, roster};

#[derive(Debug, Clone, Serialize)]
pub struct Enrolment {
    pub id: Uuid,
    pub user_id: Uuid,
    pub course_id: Uuid,
    pub course_version_id: Uuid,
    pub cohort_id: Option<Uuid>,
    pub source: EnrolmentSource,
    pub status: EnrolmentStatus,
    pub language: Language,
    pub enrolled_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// The learner's last recorded activity in it (for rosters: who has gone quiet).
    pub last_activity_at: Option<DateTime<Utc>>,
}

pub(crate) fn to_domain(m: en::Model) -> Result<Enrolment, StoreError> {
    let corrupt = |e: help_lms_domain::validation::ValueError| StoreError::Corrupt(e.to_string());
    Ok(Enrolment {
        id: m.id,
        user_id: m.user_id,
        course_id: m.course_id,
        course_version_id: m.course_version_id,
        cohort_id: m.cohort_id,
        source: EnrolmentSource::parse(&m.source).map_err(corrupt)?,
        status: EnrolmentStatus::parse(&m.status).map_err(corrupt)?,
        language: Language::parse(&m.language).map_err(corrupt)?,
        enrolled_at: m.enrolled_at,
        completed_at: m.completed_at,
        withdrawn_at: m.withdrawn_at,
        last_activity_at: m.last_activity_at,
    })
}

/// The learner's country and profession as the statistics record them on the enrolment.
struct Reporting<'a> {
    country: &'a str,
    profession: &'a str,
}

#[allow(clippy::too_many_arguments)]
fn new_row(
    id: Uuid,
    user_id: Uuid,
    cohort: Option<&Cohort>,
    course_id: Uuid,
    version_id: Uuid,
    source: EnrolmentSource,
    language: Language,
    reporting: Reporting<'_>,
) -> en::ActiveModel {
    let now = Utc::now();
    en::ActiveModel {
        id: Set(id),
        user_id: Set(user_id),
        course_id: Set(course_id),
        course_version_id: Set(version_id),
        cohort_id: Set(cohort.map(|c| c.id)),
        source: Set(source.as_str().to_owned()),
        status: Set(EnrolmentStatus::Active.as_str().to_owned()),
        language: Set(language.as_str().to_owned()),
        enrolled_at: Set(now),
        completed_at: Set(None),
        withdrawn_at: Set(None),
        updated_at: Set(now),
        last_activity_at: Set(None),
        country: Set(Some(reporting.country.to_owned())),
        profession: Set(Some(reporting.profession.to_owned())),
        institution_id: Set(cohort.map(|c| c.institution_id)),
        mode: Set(Some(Mode::of(cohort.is_some()).as_str().to_owned())),
        enrolled_month: Set(Some(reporting::month_of(now))),
        final_score: Set(None),
        days_to_complete: Set(None),
        // Nothing recorded yet: the first progress or graded attempt marks it.
        module_marks: Set(None),
    }
}

/// Enrols an account into a cohort with the given enrolment id (an accepted invitation's),
/// counted in the statistics with the account's country and profession.
pub(crate) async fn insert_for_cohort<C: ConnectionTrait>(
    conn: &C,
    id: Uuid,
    user: &users::Model,
    cohort: &Cohort,
    language: Language,
) -> Result<(), StoreError> {
    match new_row(
        id,
        user.id,
        Some(cohort),
        cohort.course_id,
        cohort.course_version_id,
        EnrolmentSource::Nti,
        language,
        Reporting {
            country: &user.country,
            profession: &user.profession,
        },
    )
    .insert(conn)
    .await
    {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => Err(Conflict::AlreadyEnrolled.into()),
        Err(e) => Err(e.into()),
    }
}

/// A learner enrols themselves; one active enrolment per user and course.
pub async fn self_enrol(
    db: &Db,
    user_id: Uuid,
    course_id: Uuid,
    version_id: Uuid,
    language: Language,
) -> Result<Enrolment, StoreError> {
    let user = users::Entity::find_by_id(user_id)
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    match new_row(
        Uuid::now_v7(),
        user_id,
        None,
        course_id,
        version_id,
        EnrolmentSource::SelfEnrolled,
        language,
        Reporting {
            country: &user.country,
            profession: &user.profession,
        },
    )
    .insert(&db.conn)
    .await
    {
        Ok(m) => to_domain(m),
        Err(e) if is_unique_violation(&e) => Err(Conflict::AlreadyEnrolled.into()),
        Err(e) => Err(e.into()),
    }
}

pub async fn find<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<Option<Enrolment>, StoreError> {
    en::Entity::find_by_id(id)
        .one(conn)
        .await?
        .map(to_domain)
        .transpose()
}

pub async fn for_user(db: &Db, user_id: Uuid) -> Result<Vec<Enrolment>, StoreError> {
    en::Entity::find()
        .filter(en::Column::UserId.eq(user_id))
        .order_by_desc(en::Column::EnrolledAt)
        .order_by_desc(en::Column::Id)
        .all(&db.conn)
        .await?
        .into_iter()
        .map(to_domain)
        .collect()
}

/// Withdraws an active enrolment of a cohort; the history stays, and an attempt left open
/// is closed ungraded (void).
pub async fn withdraw(
    db: &Db,
    cohort_id: Uuid,
    enrolment_id: Uuid,
) -> Result<Enrolment, StoreError> {
    let txn = db.begin_write().await?;
    let e = en::Entity::find_by_id(enrolment_id)
        .one(&txn)
        .await?
        .filter(|e| e.cohort_id == Some(cohort_id))
        .ok_or(StoreError::NotFound)?;
    if e.status == EnrolmentStatus::Withdrawn.as_str() {
        txn.commit().await?;
        return to_domain(e);
    }
    let now = Utc::now();
    let m = en::ActiveModel {
        id: Set(e.id),
        status: Set(EnrolmentStatus::Withdrawn.as_str().to_owned()),
        withdrawn_at: Set(Some(now)),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    crate::learning::void_open_attempts(&txn, e.id).await?;
    let rt = crate::catalogue::runtime::runtime(&txn, e.course_version_id).await?;
    let event = crate::xapi::platform::Event::Withdrawn;
    crate::xapi::platform::record(&txn, db.public_url(), &e, &rt, &[event], now).await?;
    txn.commit().await?;
    to_domain(m)
}
