//! A cohort's roster: its enrolments in enrolment order, with who each learner is.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use help_lms_domain::accounts::User;
use help_lms_domain::values::{Country, Email, Profession, UserStatus};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use uuid::Uuid;

use super::{Enrolment, to_domain};
use crate::entities::{enrolments as en, users};
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
        });
    }
    Ok((out, total))
}
