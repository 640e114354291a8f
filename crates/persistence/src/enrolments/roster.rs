//! A cohort's roster: its enrolments with who each learner is and where they stand,
//! filtered and sorted as a tutor asks (who has not started, who has gone quiet, who failed
//! a quiz or is out of attempts, who completed), one page at a time.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use help_lms_domain::accounts::User;
use help_lms_domain::enrolment::EnrolmentStatus;
use help_lms_domain::progress::Standing;
use help_lms_domain::tutoring::{LearnerFacts, RosterView};
use help_lms_domain::values::{Country, Email, Profession, UserStatus};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use uuid::Uuid;

use super::{Enrolment, to_domain};
use crate::entities::{enrolments as en, users};
use crate::error::StoreError;
use crate::{Db, accounts, learning};

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
    /// Where the learner stands, extra attempts counted.
    #[serde(skip)]
    pub standing: Standing,
}

/// A page of the roster: how many lines and from where.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub limit: u64,
    pub offset: u64,
}

impl Window {
    /// Every line.
    pub const ALL: Window = Window {
        limit: u64::MAX >> 1,
        offset: 0,
    };
}

struct Line {
    row: en::Model,
    status: EnrolmentStatus,
    user: User,
    standing: Option<Standing>,
}

impl Line {
    fn facts(&self) -> LearnerFacts<'_> {
        LearnerFacts {
            enrolment_id: self.row.id,
            name: &self.user.name,
            status: self.status,
            enrolled_at: self.row.enrolled_at,
            last_activity_at: self.row.last_activity_at,
            standing: self.standing.as_ref(),
        }
    }
}

async fn people(db: &Db, rows: &[en::Model]) -> Result<BTreeMap<Uuid, User>, StoreError> {
    let mut people = BTreeMap::new();
    for chunk in rows.chunks(400) {
        let ids: Vec<Uuid> = chunk.iter().map(|e| e.user_id).collect();
        for u in users::Entity::find()
            .filter(users::Column::Id.is_in(ids))
            .all(&db.conn)
            .await?
        {
            people.insert(u.id, accounts::to_domain(u)?);
        }
    }
    Ok(people)
}

async fn standings_of(db: &Db, rows: &[en::Model]) -> Result<HashMap<Uuid, Standing>, StoreError> {
    let pairs: Vec<(Uuid, Uuid)> = rows.iter().map(|e| (e.id, e.course_version_id)).collect();
    learning::standings(&db.conn, &pairs).await
}

/// One page of the roster as `view` asks, and the number of lines on all pages. The plain
/// roster pages in the database; a filtered or sorted one reads the cohort's enrolments
/// (a cohort has at most a few thousand) and, when its rule needs them, their standings.
pub async fn roster(
    db: &Db,
    cohort_id: Uuid,
    view: &RosterView,
    window: Window,
    now: DateTime<Utc>,
) -> Result<(Vec<RosterEntry>, u64), StoreError> {
    let q = en::Entity::find().filter(en::Column::CohortId.eq(cohort_id));
    let (rows, total) = if view.is_plain() {
        let total = q.clone().count(&db.conn).await?;
        let rows = q
            .order_by_asc(en::Column::EnrolledAt)
            .order_by_asc(en::Column::Id)
            .limit(window.limit)
            .offset(window.offset)
            .all(&db.conn)
            .await?;
        (rows, total)
    } else {
        let rows = q.all(&db.conn).await?;
        let mut people = people(db, &rows).await?;
        let mut standings = if view.needs_standing() {
            standings_of(db, &rows).await?
        } else {
            HashMap::new()
        };
        let mut lines = Vec::with_capacity(rows.len());
        for row in rows {
            let user = people.remove(&row.user_id).ok_or_else(no_user)?;
            let standing = standings.remove(&row.id);
            let status = EnrolmentStatus::parse(&row.status)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            lines.push(Line {
                row,
                status,
                user,
                standing,
            });
        }
        let mut picked: Vec<Line> = lines
            .into_iter()
            .filter(|l| view.picks(&l.facts(), now))
            .collect();
        picked.sort_by(|a, b| view.compare(&a.facts(), &b.facts()));
        let total = picked.len() as u64;
        let page: Vec<en::Model> = picked
            .into_iter()
            .skip(usize::try_from(window.offset).unwrap_or(usize::MAX))
            .take(usize::try_from(window.limit).unwrap_or(usize::MAX))
            .map(|l| l.row)
            .collect();
        (page, total)
    };
    Ok((entries(db, rows).await?, total))
}

fn no_user() -> StoreError {
    StoreError::Corrupt("enrolment without user".into())
}

/// The lines of these enrolments, in their order, with who and where each learner is.
async fn entries(db: &Db, rows: Vec<en::Model>) -> Result<Vec<RosterEntry>, StoreError> {
    let people = people(db, &rows).await?;
    let mut standings = standings_of(db, &rows).await?;
    let mut out = Vec::with_capacity(rows.len());
    for e in rows {
        let u = people.get(&e.user_id).ok_or_else(no_user)?;
        out.push(RosterEntry {
            email: u.email.clone(),
            name: u.name.clone(),
            profession: u.profession,
            country: u.country,
            user_status: u.status,
            last_activity_at: e.last_activity_at,
            standing: standings
                .remove(&e.id)
                .ok_or_else(|| StoreError::Corrupt("enrolment without a course version".into()))?,
            enrolment: to_domain(e)?,
        });
    }
    Ok(out)
}
