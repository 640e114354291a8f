//! A cohort's roster: its enrolments with who each learner is and where they stand,
//! filtered and sorted as a tutor asks (who has not started, who has gone quiet, who failed
//! a quiz or is out of attempts, who completed), one page at a time. The plain roster holds
//! the invitations to join not yet accepted too, in the order everything was sent, showing
//! only what the institution sent;
//! a filtered or sorted one shows only people who have accepted (activated the account made
//! for them, or accepted an invitation), so that a pending line never tells which it is.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use help_lms_domain::accounts::User;
use help_lms_domain::enrolment::{EnrolmentStatus, InvitationStatus};
use help_lms_domain::progress::Standing;
use help_lms_domain::tutoring::{LearnerFacts, RosterView};
use help_lms_domain::values::{Country, Email, Profession, UserStatus};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use uuid::Uuid;

use super::{Enrolment, to_domain};
use crate::catalogue::runtime::runtime;
use crate::cohorts::{self, invitations};
use crate::entities::{cohort_invitations, enrolments as en, users};
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
    /// For an invitation not accepted (pending, declined or expired): its state. Its
    /// `enrolment` then carries the invitation's id (the enrolment's once accepted), the
    /// cohort's course and the language sent, and no account (`user_id` is nil).
    pub invitation: Option<InvitationStatus>,
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
    learning::standings(&db.conn, &pairs, &mut learning::Runtimes::default()).await
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
    lines(db, cohort_id, view, window, now, true).await
}

/// The roster's lines of people who have accepted only (what a gradebook grades), in
/// enrolment order.
pub async fn accepted(
    db: &Db,
    cohort_id: Uuid,
    window: Window,
    now: DateTime<Utc>,
) -> Result<(Vec<RosterEntry>, u64), StoreError> {
    lines(db, cohort_id, &RosterView::default(), window, now, false).await
}

async fn lines(
    db: &Db,
    cohort_id: Uuid,
    view: &RosterView,
    window: Window,
    now: DateTime<Utc>,
    pending: bool,
) -> Result<(Vec<RosterEntry>, u64), StoreError> {
    let q = en::Entity::find().filter(en::Column::CohortId.eq(cohort_id));
    if pending && view.is_plain() {
        let waiting = invitations::unanswered_in(&db.conn, cohort_id).await?;
        if !waiting.is_empty() {
            return with_invitations(db, cohort_id, q, waiting, window).await;
        }
    }
    let (rows, total) = if pending && view.is_plain() {
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
        // Only people who have accepted: a pending line must not say which kind it is.
        people.retain(|_, u| u.status != UserStatus::Invited);
        let rows: Vec<en::Model> = rows
            .into_iter()
            .filter(|r| people.contains_key(&r.user_id))
            .collect();
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
        return Ok((entries(db, page).await?, total));
    };
    Ok((entries(db, rows).await?, total))
}

/// The plain roster of a cohort with invitations not accepted: enrolments and invitations
/// together in the order they were made (so a line's place says nothing of its kind), one
/// page of them.
async fn with_invitations(
    db: &Db,
    cohort_id: Uuid,
    q: sea_orm::Select<en::Entity>,
    waiting: Vec<cohort_invitations::Model>,
    window: Window,
) -> Result<(Vec<RosterEntry>, u64), StoreError> {
    enum Item {
        Enrolled(en::Model),
        Sent(cohort_invitations::Model),
    }
    let key = |i: &Item| match i {
        Item::Enrolled(e) => (e.enrolled_at, e.id),
        Item::Sent(s) => (s.created_at, s.id),
    };
    let mut items: Vec<Item> = q
        .all(&db.conn)
        .await?
        .into_iter()
        .map(Item::Enrolled)
        .chain(waiting.into_iter().map(Item::Sent))
        .collect();
    items.sort_by_key(key);
    let total = u64::try_from(items.len()).unwrap_or(u64::MAX);
    let page: Vec<Item> = items
        .into_iter()
        .skip(usize::try_from(window.offset).unwrap_or(usize::MAX))
        .take(usize::try_from(window.limit).unwrap_or(usize::MAX))
        .collect();
    let rows: Vec<en::Model> = page
        .iter()
        .filter_map(|i| match i {
            Item::Enrolled(e) => Some(e.clone()),
            Item::Sent(_) => None,
        })
        .collect();
    let mut enrolled = entries(db, rows).await?.into_iter();
    let cohort = cohorts::find(&db.conn, cohort_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let rt = runtime(&db.conn, cohort.course_version_id).await?;
    let nothing_yet = help_lms_domain::progress::standing(&rt.modules, &[], &[]);
    let mut out = Vec::with_capacity(page.len());
    for item in &page {
        match item {
            Item::Enrolled(_) => out.extend(enrolled.next()),
            Item::Sent(i) => out.push(sent_entry(i, &cohort, &nothing_yet)?),
        }
    }
    Ok((out, total))
}

/// An invitation's roster line: what the institution sent, and nothing of the account.
fn sent_entry(
    i: &cohort_invitations::Model,
    cohort: &cohorts::Cohort,
    nothing_yet: &Standing,
) -> Result<RosterEntry, StoreError> {
    let corrupt = |e: help_lms_domain::validation::ValueError| StoreError::Corrupt(e.to_string());
    Ok(RosterEntry {
        enrolment: invitations::as_enrolment(i, cohort)?,
        email: Email::parse(&i.email).map_err(corrupt)?,
        name: i.name.clone(),
        profession: Profession::parse(&i.profession).map_err(corrupt)?,
        country: Country::parse(&i.country).map_err(corrupt)?,
        user_status: UserStatus::Invited,
        last_activity_at: None,
        standing: nothing_yet.clone(),
        invitation: Some(invitations::status_of(i)?),
    })
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
            invitation: None,
        });
    }
    Ok(out)
}
