//! A cohort's roster: its enrolments in enrolment order, with who each learner is, then the
//! invitations to join it not yet accepted, with only what the institution sent.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use help_lms_domain::accounts::User;
use help_lms_domain::enrolment::{EnrolmentSource, EnrolmentStatus, InvitationStatus};
use help_lms_domain::values::{Country, Email, Language, Profession, UserStatus};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use uuid::Uuid;

use super::{Enrolment, to_domain};
use crate::cohorts::{self, invitations};
use crate::entities::{cohort_invitations, enrolments as en, users};
use crate::error::StoreError;
use crate::{Db, accounts};

/// One line of a cohort's roster.
#[derive(Debug, Clone, Serialize)]
pub struct RosterEntry {
    pub enrolment: Enrolment,
    pub email: Email,
    pub name: String,
    pub profession: Profession,
    pub country: Country,
    pub user_status: UserStatus,
    pub last_activity_at: Option<DateTime<Utc>>,
    /// For an invitation not accepted (pending, declined or expired): its state. Its
    /// `enrolment` then carries the invitation's id (the enrolment's once accepted), the
    /// cohort's course and the language sent, and no account (`user_id` is nil).
    pub invitation: Option<InvitationStatus>,
}

/// One page of the roster, and the number of enrolments on all pages.
pub async fn roster(
    db: &Db,
    cohort_id: Uuid,
    limit: u64,
    offset: u64,
) -> Result<(Vec<RosterEntry>, u64), StoreError> {
    let q = en::Entity::find().filter(en::Column::CohortId.eq(cohort_id));
    let total = q.clone().count(&db.conn).await?;
    let rows = q
        .order_by_asc(en::Column::EnrolledAt)
        .order_by_asc(en::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(&db.conn)
        .await?;
    let user_ids: Vec<Uuid> = rows.iter().map(|e| e.user_id).collect();
    let mut people: BTreeMap<Uuid, User> = BTreeMap::new();
    for u in users::Entity::find()
        .filter(users::Column::Id.is_in(user_ids))
        .all(&db.conn)
        .await?
    {
        people.insert(u.id, accounts::to_domain(u)?);
    }
    let mut out = Vec::with_capacity(rows.len());
    let enrolled = rows.len();
    for e in rows {
        let u = people
            .get(&e.user_id)
            .ok_or_else(|| StoreError::Corrupt("enrolment without user".into()))?;
        out.push(RosterEntry {
            email: u.email.clone(),
            name: u.name.clone(),
            profession: u.profession,
            country: u.country,
            user_status: u.status,
            last_activity_at: e.last_activity_at,
            enrolment: to_domain(e)?,
            invitation: None,
        });
    }
    // Then the invitations, after every enrolment, on the pages that reach them.
    let waiting = invitations::unanswered_in(&db.conn, cohort_id).await?;
    let room = usize::try_from(limit)
        .unwrap_or(usize::MAX)
        .saturating_sub(enrolled);
    let skip = usize::try_from(offset.saturating_sub(total)).unwrap_or(usize::MAX);
    if room > 0 && !waiting.is_empty() {
        let cohort = cohorts::find(&db.conn, cohort_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let now = Utc::now();
        for i in waiting.iter().skip(skip).take(room) {
            out.push(sent_entry(i, &cohort, now)?);
        }
    }
    let total = total + u64::try_from(waiting.len()).unwrap_or(0);
    Ok((out, total))
}

/// An invitation's roster line: what the institution sent, and nothing of the account.
fn sent_entry(
    i: &cohort_invitations::Model,
    cohort: &cohorts::Cohort,
    now: DateTime<Utc>,
) -> Result<RosterEntry, StoreError> {
    let corrupt = |e: help_lms_domain::validation::ValueError| StoreError::Corrupt(e.to_string());
    Ok(RosterEntry {
        enrolment: Enrolment {
            id: i.id,
            user_id: Uuid::nil(),
            course_id: cohort.course_id,
            course_version_id: cohort.course_version_id,
            cohort_id: Some(cohort.id),
            source: EnrolmentSource::Nti,
            status: EnrolmentStatus::Active,
            language: Language::parse(&i.language).map_err(corrupt)?,
            enrolled_at: i.created_at,
            completed_at: None,
            withdrawn_at: None,
        },
        email: Email::parse(&i.email).map_err(corrupt)?,
        name: i.name.clone(),
        profession: Profession::parse(&i.profession).map_err(corrupt)?,
        country: Country::parse(&i.country).map_err(corrupt)?,
        user_status: UserStatus::Invited,
        last_activity_at: None,
        invitation: Some(invitations::status_of(i, now)?),
    })
}
