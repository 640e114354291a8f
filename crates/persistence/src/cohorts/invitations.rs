//! Invitations to join a cohort, for people who already have an account that the cohort's
//! institution does not manage (staff or admin accounts, another institution's learners,
//! self-registered learners). Bulk enrolment answers such a row exactly as it answers a new
//! address and writes an invitation instead of an enrolment; the enrolment is made only when
//! the owner, signed in, accepts. Until then the institution sees only what it sent. A waiting
//! invitation holds a seat, so capacity answers the same way too; it waits until answered or
//! withdrawn, as a new account's enrolment waits for its activation.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use help_lms_domain::enrolment::{EnrolmentSource, EnrolmentStatus, InvitationStatus};
use help_lms_domain::reporting::Mode;
use help_lms_domain::values::{Language, Role, UserStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::Serialize;
use uuid::Uuid;

use super::{Cohort, lock};
use crate::enrolments::{self, Enrolment};
use crate::entities::{cohort_invitations as ci, enrolments as en, users};
use crate::error::{Conflict, StoreError};
use crate::sessions::{random_token, token_hash};
use crate::{Db, institutions};

/// What the row of a bulk enrolment held, as the inviting institution sent it.
pub struct Sent<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub profession: &'a str,
    pub country: &'a str,
    pub language: Language,
}

/// A new invitation row and its token (for the owner's mail, or for the caller that
/// delivers links itself).
pub(crate) fn new_row(
    id: Uuid,
    cohort_id: Uuid,
    user_id: Uuid,
    sent: &Sent<'_>,
    now: DateTime<Utc>,
) -> Result<(ci::ActiveModel, String), StoreError> {
    let token = random_token()?;
    Ok((
        ci::ActiveModel {
            id: Set(id),
            cohort_id: Set(cohort_id),
            user_id: Set(user_id),
            email: Set(sent.email.to_owned()),
            name: Set(sent.name.to_owned()),
            profession: Set(sent.profession.to_owned()),
            country: Set(sent.country.to_owned()),
            language: Set(sent.language.as_str().to_owned()),
            token_hash: Set(token_hash(&token)),
            status: Set(InvitationStatus::Pending.as_str().to_owned()),
            created_at: Set(now),
            decided_at: Set(None),
        },
        token,
    ))
}

/// Where an invitation stands.
pub(crate) fn status_of(m: &ci::Model) -> Result<InvitationStatus, StoreError> {
    InvitationStatus::parse(&m.status).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Invitations still waiting for an answer, per cohort: each holds a seat.
pub(crate) async fn waiting_per_cohort<C: ConnectionTrait>(
    conn: &C,
    cohort_ids: &[Uuid],
) -> Result<BTreeMap<Uuid, u64>, StoreError> {
    if cohort_ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    Ok(ci::Entity::find()
        .select_only()
        .column(ci::Column::CohortId)
        .column_as(ci::Column::Id.count(), "n")
        .filter(ci::Column::CohortId.is_in(cohort_ids.to_vec()))
        .filter(ci::Column::Status.eq(InvitationStatus::Pending.as_str()))
        .group_by(ci::Column::CohortId)
        .into_tuple::<(Uuid, i64)>()
        .all(conn)
        .await?
        .into_iter()
        .map(|(id, n)| (id, u64::try_from(n).unwrap_or(0)))
        .collect())
}

/// The invitations of a cohort that were not accepted (an accepted one is an enrolment),
/// oldest first: what its roster shows as sent.
pub(crate) async fn unanswered_in<C: ConnectionTrait>(
    conn: &C,
    cohort_id: Uuid,
) -> Result<Vec<ci::Model>, StoreError> {
    Ok(ci::Entity::find()
        .filter(ci::Column::CohortId.eq(cohort_id))
        .filter(ci::Column::Status.ne(InvitationStatus::Accepted.as_str()))
        .order_by_asc(ci::Column::CreatedAt)
        .order_by_asc(ci::Column::Id)
        .all(conn)
        .await?)
}

/// The invitations of `user_ids` to one cohort, by user.
pub(crate) async fn of_people_in<C: ConnectionTrait>(
    conn: &C,
    cohort_id: Uuid,
    user_ids: &[Uuid],
) -> Result<BTreeMap<Uuid, ci::Model>, StoreError> {
    let mut out = BTreeMap::new();
    for chunk in user_ids.chunks(400) {
        for m in ci::Entity::find()
            .filter(ci::Column::CohortId.eq(cohort_id))
            .filter(ci::Column::UserId.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            out.insert(m.user_id, m);
        }
    }
    Ok(out)
}

/// Whether `token` is that of an invitation still waiting for an answer (a link delivered
/// by the inviting institution leads to the activation page; it shows the join page instead).
pub async fn is_waiting_token<C: ConnectionTrait>(
    conn: &C,
    token: &str,
) -> Result<bool, StoreError> {
    Ok(ci::Entity::find()
        .filter(ci::Column::TokenHash.eq(token_hash(token)))
        .filter(ci::Column::Status.eq(InvitationStatus::Pending.as_str()))
        .one(conn)
        .await?
        .is_some())
}

/// An invitation as its addressee sees it.
#[derive(Debug, Clone, Serialize)]
pub struct Invitation {
    pub id: Uuid,
    pub cohort_id: Uuid,
    pub cohort_name: String,
    pub course_slug: String,
    pub institution: String,
    pub language: Language,
    pub starts_on: chrono::NaiveDate,
    pub ends_on: chrono::NaiveDate,
    pub status: InvitationStatus,
    pub created_at: DateTime<Utc>,
}

async fn view<C: ConnectionTrait>(conn: &C, m: &ci::Model) -> Result<Invitation, StoreError> {
    let cohort = super::find(conn, m.cohort_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let institution = institutions::name_of(conn, Some(cohort.institution_id))
        .await?
        .unwrap_or_default();
    Ok(Invitation {
        id: m.id,
        cohort_id: m.cohort_id,
        cohort_name: cohort.name,
        course_slug: cohort.course_slug,
        institution,
        language: Language::parse(&m.language).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        starts_on: cohort.starts_on,
        ends_on: cohort.ends_on,
        status: status_of(m)?,
        created_at: m.created_at,
    })
}

/// The invitations waiting for the user's answer, newest first.
pub async fn for_user(db: &Db, user_id: Uuid) -> Result<Vec<Invitation>, StoreError> {
    let rows = ci::Entity::find()
        .filter(ci::Column::UserId.eq(user_id))
        .filter(ci::Column::Status.eq(InvitationStatus::Pending.as_str()))
        .order_by_desc(ci::Column::CreatedAt)
        .all(&db.conn)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for m in &rows {
        out.push(view(&db.conn, m).await?);
    }
    Ok(out)
}

/// Which invitation an answer is for: its id (signed in, from the list) or the token of
/// its mail. Either way it must be addressed to the caller; anyone else's is `NotFound`.
#[derive(Debug, Clone, Copy)]
pub enum Which<'a> {
    Id(Uuid),
    Token(&'a str),
}

fn which_query(which: Which<'_>) -> sea_orm::Select<ci::Entity> {
    match which {
        Which::Id(id) => ci::Entity::find_by_id(id),
        Which::Token(t) => ci::Entity::find().filter(ci::Column::TokenHash.eq(token_hash(t))),
    }
}

async fn find_addressed<C: ConnectionTrait>(
    conn: &C,
    user_id: Uuid,
    which: Which<'_>,
) -> Result<ci::Model, StoreError> {
    which_query(which)
        .one(conn)
        .await?
        .filter(|m| m.user_id == user_id)
        .ok_or(StoreError::NotFound)
}

/// The invitation, its row locked until the transaction ends.
async fn addressed_to<C: ConnectionTrait>(
    conn: &C,
    user_id: Uuid,
    which: Which<'_>,
) -> Result<ci::Model, StoreError> {
    which_query(which)
        .lock_exclusive()
        .one(conn)
        .await?
        .filter(|m| m.user_id == user_id)
        .ok_or(StoreError::NotFound)
}

fn still_open(m: &ci::Model) -> Result<(), StoreError> {
    match status_of(m)? {
        InvitationStatus::Pending => Ok(()),
        other => Err(Conflict::InvitationAnswered(other).into()),
    }
}

/// The owner declines: the seat is freed and the institution's roster says `declined`.
pub async fn decline(db: &Db, user_id: Uuid, which: Which<'_>) -> Result<Invitation, StoreError> {
    let txn = db.begin_write().await?;
    let cohort_id = find_addressed(&txn, user_id, which).await?.cohort_id;
    lock(&txn, cohort_id).await?;
    let m = addressed_to(&txn, user_id, which).await?;
    still_open(&m)?;
    settle(&txn, m.id, InvitationStatus::Declined).await?;
    let out = view(
        &txn,
        &ci::Entity::find_by_id(m.id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?,
    )
    .await?;
    txn.commit().await?;
    Ok(out)
}

async fn settle<C: ConnectionTrait>(
    conn: &C,
    id: Uuid,
    status: InvitationStatus,
) -> Result<(), StoreError> {
    ci::Entity::update_many()
        .col_expr(ci::Column::Status, Expr::value(status.as_str()))
        .col_expr(ci::Column::DecidedAt, Expr::value(Utc::now()))
        .filter(ci::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Invitation `id` of the cohort, its row locked until the transaction ends (the cohort's
/// lock is taken first).
pub(super) async fn locked_in<C: ConnectionTrait>(
    conn: &C,
    cohort_id: Uuid,
    id: Uuid,
) -> Result<Option<ci::Model>, StoreError> {
    Ok(ci::Entity::find_by_id(id)
        .lock_exclusive()
        .one(conn)
        .await?
        .filter(|m| m.cohort_id == cohort_id))
}

/// The institution withdraws a waiting invitation (`DELETE` of its enrolment id): the seat is
/// freed and it can no longer be accepted. Answered as the withdrawal of an enrolment whose
/// person has not accepted: the enrolment as the roster shows it; `None` when `id` is no
/// waiting or withdrawn invitation of this cohort. Withdrawing again changes nothing.
pub async fn withdraw(db: &Db, cohort_id: Uuid, id: Uuid) -> Result<Option<Enrolment>, StoreError> {
    let txn = db.begin_write().await?;
    let cohort = lock(&txn, cohort_id).await?;
    let Some(m) = locked_in(&txn, cohort_id, id).await? else {
        txn.rollback().await?;
        return Ok(None);
    };
    match status_of(&m)? {
        InvitationStatus::Pending => settle(&txn, m.id, InvitationStatus::Withdrawn).await?,
        InvitationStatus::Withdrawn => {}
        // An accepted invitation is an enrolment, withdrawn as one; a declined one stays so.
        InvitationStatus::Accepted | InvitationStatus::Declined => {
            txn.rollback().await?;
            return Ok(None);
        }
    }
    let m = ci::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    txn.commit().await?;
    Ok(Some(as_enrolment(&m, &cohort)?))
}

pub use super::invitation_mail::remind;
pub(crate) use super::invitation_mail::request_to_join;

/// Whether `id` is an invitation of this cohort, whatever its state.
pub async fn exists_in<C: ConnectionTrait>(
    conn: &C,
    cohort_id: Uuid,
    id: Uuid,
) -> Result<bool, StoreError> {
    Ok(ci::Entity::find_by_id(id)
        .one(conn)
        .await?
        .is_some_and(|m| m.cohort_id == cohort_id))
}

/// An invitation not accepted, shaped as the enrolment it stands for: the invitation's id,
/// the cohort's course, the language sent, and no account (`user_id` is nil).
pub(crate) fn as_enrolment(m: &ci::Model, cohort: &Cohort) -> Result<Enrolment, StoreError> {
    let withdrawn = status_of(m)? == InvitationStatus::Withdrawn;
    Ok(Enrolment {
        id: m.id,
        user_id: Uuid::nil(),
        course_id: cohort.course_id,
        course_version_id: cohort.course_version_id,
        cohort_id: Some(cohort.id),
        source: EnrolmentSource::Nti,
        status: if withdrawn {
            EnrolmentStatus::Withdrawn
        } else {
            EnrolmentStatus::Active
        },
        language: Language::parse(&m.language).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        enrolled_at: m.created_at,
        completed_at: None,
        withdrawn_at: if withdrawn { m.decided_at } else { None },
        last_activity_at: None,
    })
}

/// The owner accepts: the enrolment is made now, under the cohort's rules as they are now
/// (it must still take enrolments; the seat was held). A self-study enrolment in the course
/// joins the cohort with its progress; one withdrawn earlier comes back; a completed course
/// or an enrolment in another cohort is refused, to the owner only.
pub async fn accept(db: &Db, user_id: Uuid, which: Which<'_>) -> Result<Enrolment, StoreError> {
    let txn = db.begin_write().await?;
    // The cohort's lock first, as bulk enrolment takes it, then the invitation's.
    let cohort_id = find_addressed(&txn, user_id, which).await?.cohort_id;
    let cohort: Cohort = lock(&txn, cohort_id).await?;
    let m = addressed_to(&txn, user_id, which).await?;
    still_open(&m)?;
    cohort.ensure_taking_enrolments()?;
    let user = users::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    if user.role != Role::Learner.as_str() {
        return Err(Conflict::NotALearner.into());
    }
    if user.status == UserStatus::Disabled.as_str() {
        return Err(StoreError::NotFound);
    }
    let language = Language::parse(&m.language).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let mut latest: BTreeMap<&'static str, en::Model> = BTreeMap::new();
    for e in en::Entity::find()
        .filter(en::Column::UserId.eq(user_id))
        .filter(en::Column::CourseId.eq(cohort.course_id))
        .order_by_asc(en::Column::EnrolledAt)
        .all(&txn)
        .await?
    {
        let key = match e.status.as_str() {
            s if s == EnrolmentStatus::Active.as_str() => "active",
            s if s == EnrolmentStatus::Completed.as_str() => "completed",
            _ => "withdrawn",
        };
        latest.insert(key, e);
    }
    let now = Utc::now();
    let joined = |id: Uuid, status: Option<EnrolmentStatus>| {
        let mut am = en::ActiveModel {
            id: Set(id),
            cohort_id: Set(Some(cohort.id)),
            source: Set(EnrolmentSource::Nti.as_str().to_owned()),
            institution_id: Set(Some(cohort.institution_id)),
            mode: Set(Some(Mode::Tutored.as_str().to_owned())),
            updated_at: Set(now),
            ..Default::default()
        };
        if let Some(s) = status {
            am.status = Set(s.as_str().to_owned());
            am.withdrawn_at = Set(None);
        }
        am
    };
    // Only an enrolment of no institution, or of this one, is taken over: another
    // institution's history never comes along.
    let ours = |e: &&en::Model| e.institution_id.is_none_or(|i| i == cohort.institution_id);
    let enrolment_id = if let Some(e) = latest.get("active") {
        if e.cohort_id.is_some() {
            return Err(Conflict::EnrolledInAnotherCohort.into());
        }
        joined(e.id, None).update(&txn).await?;
        e.id
    } else if latest.contains_key("completed") {
        return Err(Conflict::CourseCompleted.into());
    } else if let Some(e) = latest.get("withdrawn").filter(ours) {
        joined(e.id, Some(EnrolmentStatus::Active))
            .update(&txn)
            .await?;
        e.id
    } else {
        enrolments::insert_for_cohort(&txn, m.id, &user, &cohort, language).await?;
        m.id
    };
    settle(&txn, m.id, InvitationStatus::Accepted).await?;
    let out = enrolments::find(&txn, enrolment_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    txn.commit().await?;
    Ok(out)
}
