//! Cohorts: a tutored run of one course, in one language, by one institution. Creating and
//! changing one checks the domain's rules against the rows as they are, in one transaction.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use help_lms_domain::accounts::CohortScope;
use help_lms_domain::cohorts::{
    CohortChange, CohortDraft, CohortPatch, Context, Current, NewCohort,
};
use help_lms_domain::content::CourseStatus;
use help_lms_domain::enrolment::{AfterEnd, CohortState, CohortStatus, EnrolmentStatus};
use help_lms_domain::values::{Language, Role, UserStatus};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use uuid::Uuid;

use crate::entities::{cohort_tutors as ct, cohorts, courses, enrolments, users};
use crate::error::{Conflict, StoreError};
use crate::{Db, catalogue, institutions};

mod invitation_mail;
pub mod invitations;

#[cfg(test)]
mod tests;

#[derive(Debug, Clone, Serialize)]
pub struct Cohort {
    pub id: Uuid,
    pub institution_id: Uuid,
    pub course_id: Uuid,
    pub course_slug: String,
    pub course_version_id: Uuid,
    pub language: Language,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub capacity: i32,
    pub status: CohortStatus,
    pub after_end: AfterEnd,
    pub tutor_ids: Vec<Uuid>,
    /// Seats taken when the cohort was read: enrolments not withdrawn, and invitations
    /// still waiting for an answer.
    pub enrolled: u64,
    pub created_at: DateTime<Utc>,
}

impl Cohort {
    /// Where the cohort stands today (UTC).
    pub fn state(&self) -> CohortState {
        CohortState::of(self.status, self.ends_on, Utc::now().date_naive())
    }

    /// Refuses an enrolment unless the cohort is open today.
    pub fn ensure_taking_enrolments(&self) -> Result<(), StoreError> {
        match self.state() {
            CohortState::Open => Ok(()),
            CohortState::Closed => Err(Conflict::CohortClosed.into()),
            CohortState::Ended => Err(Conflict::CohortEnded(self.ends_on).into()),
        }
    }
}

async fn assemble<C: ConnectionTrait>(
    conn: &C,
    rows: Vec<cohorts::Model>,
) -> Result<Vec<Cohort>, StoreError> {
    let ids: Vec<Uuid> = rows.iter().map(|c| c.id).collect();
    let ids_for_invitations = ids.clone();
    let course_ids: Vec<Uuid> = rows.iter().map(|c| c.course_id).collect();
    let mut tutors: BTreeMap<Uuid, Vec<Uuid>> = BTreeMap::new();
    for t in ct::Entity::find()
        .filter(ct::Column::CohortId.is_in(ids.clone()))
        .all(conn)
        .await?
    {
        tutors.entry(t.cohort_id).or_default().push(t.user_id);
    }
    let slugs: BTreeMap<Uuid, String> = courses::Entity::find()
        .filter(courses::Column::Id.is_in(course_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.id, c.slug))
        .collect();
    let seats: BTreeMap<Uuid, i64> = enrolments::Entity::find()
        .select_only()
        .column(enrolments::Column::CohortId)
        .column_as(enrolments::Column::Id.count(), "n")
        .filter(enrolments::Column::CohortId.is_in(ids))
        .filter(enrolments::Column::Status.ne(EnrolmentStatus::Withdrawn.as_str()))
        .group_by(enrolments::Column::CohortId)
        .into_tuple::<(Option<Uuid>, i64)>()
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|(id, n)| Some((id?, n)))
        .collect();
    let waiting = invitations::waiting_per_cohort(conn, &ids_for_invitations).await?;
    rows.into_iter()
        .map(|c| {
            let corrupt =
                |e: help_lms_domain::validation::ValueError| StoreError::Corrupt(e.to_string());
            let mut tutor_ids = tutors.remove(&c.id).unwrap_or_default();
            tutor_ids.sort();
            Ok(Cohort {
                id: c.id,
                institution_id: c.institution_id,
                course_id: c.course_id,
                course_slug: slugs.get(&c.course_id).cloned().unwrap_or_default(),
                course_version_id: c.course_version_id,
                language: Language::parse(&c.language).map_err(corrupt)?,
                name: c.name,
                starts_on: c.starts_on,
                ends_on: c.ends_on,
                capacity: c.capacity,
                status: CohortStatus::parse(&c.status).map_err(corrupt)?,
                after_end: AfterEnd::parse(&c.after_end).map_err(corrupt)?,
                tutor_ids,
                enrolled: seats
                    .get(&c.id)
                    .map_or(0, |n| u64::try_from(*n).unwrap_or(0))
                    + waiting.get(&c.id).copied().unwrap_or(0),
                created_at: c.created_at,
            })
        })
        .collect()
}

async fn set_tutors<C: ConnectionTrait>(
    conn: &C,
    cohort_id: Uuid,
    tutor_ids: &[Uuid],
) -> Result<(), StoreError> {
    ct::Entity::delete_many()
        .filter(ct::Column::CohortId.eq(cohort_id))
        .exec(conn)
        .await?;
    if !tutor_ids.is_empty() {
        let rows = tutor_ids.iter().map(|u| ct::ActiveModel {
            cohort_id: Set(cohort_id),
            user_id: Set(*u),
        });
        ct::Entity::insert_many(rows).exec(conn).await?;
    }
    Ok(())
}

/// Those of `ids` that are tutors of the institution and not disabled.
async fn tutors_among<C: ConnectionTrait>(
    conn: &C,
    institution_id: Uuid,
    ids: &[Uuid],
) -> Result<BTreeSet<Uuid>, StoreError> {
    if ids.is_empty() {
        return Ok(BTreeSet::new());
    }
    Ok(users::Entity::find()
        .filter(users::Column::Id.is_in(ids.to_vec()))
        .filter(users::Column::InstitutionId.eq(institution_id))
        .filter(users::Column::Role.eq(Role::Tutor.as_str()))
        .filter(users::Column::Status.ne(UserStatus::Disabled.as_str()))
        .all(conn)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect())
}

/// Creates a cohort of a published course for an institution. `NotFound` when the
/// institution does not exist; `Validation` with every wrong field otherwise.
pub async fn create(
    db: &Db,
    institution_id: Uuid,
    course_slug: &str,
    draft: CohortDraft,
) -> Result<Cohort, StoreError> {
    institutions::find(db, institution_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let course = catalogue::current_version(&db.conn, course_slug.trim())
        .await?
        .filter(|c| c.status == CourseStatus::Published);
    let txn = db.begin_write().await?;
    let tutors = tutors_among(&txn, institution_id, &draft.tutor_ids).await?;
    let new = NewCohort::check(
        draft,
        Context {
            course_languages: course.as_ref().map(|c| c.languages.as_slice()),
            tutors: &tutors,
        },
    )?;
    // The rules refuse a draft without a course, so this only guards the types.
    let course = course.ok_or(StoreError::NotFound)?;
    let now = Utc::now();
    let id = Uuid::now_v7();
    let m = cohorts::ActiveModel {
        id: Set(id),
        institution_id: Set(institution_id),
        course_id: Set(course.course_id),
        course_version_id: Set(course.version_id),
        language: Set(new.language.as_str().to_owned()),
        name: Set(new.name.into_string()),
        starts_on: Set(new.starts_on),
        ends_on: Set(new.ends_on),
        capacity: Set(new.capacity),
        status: Set(CohortStatus::Open.as_str().to_owned()),
        after_end: Set(new.after_end.as_str().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    set_tutors(&txn, id, &new.tutor_ids).await?;
    let out = assemble(&txn, vec![m])
        .await?
        .pop()
        .ok_or(StoreError::NotFound)?;
    txn.commit().await?;
    Ok(out)
}

pub async fn find<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<Option<Cohort>, StoreError> {
    let Some(m) = cohorts::Entity::find_by_id(id).one(conn).await? else {
        return Ok(None);
    };
    Ok(assemble(conn, vec![m]).await?.pop())
}

/// The cohort as it is now, its row locked until the transaction ends (PostgreSQL; on
/// SQLite the write transaction already excludes other writers). Every change to a
/// cohort's seats takes this lock first, so checks made on what it returns hold.
pub(crate) async fn lock<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<Cohort, StoreError> {
    let m = cohorts::Entity::find_by_id(id)
        .lock_exclusive()
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    assemble(conn, vec![m])
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

/// Cohorts, newest first; restricted to an institution and/or a tutor.
pub async fn list(
    db: &Db,
    institution: Option<Uuid>,
    tutor: Option<Uuid>,
) -> Result<Vec<Cohort>, StoreError> {
    let rows = scoped(db, institution, tutor).await?.all(&db.conn).await?;
    assemble(&db.conn, rows).await
}

async fn scoped(
    db: &Db,
    institution: Option<Uuid>,
    tutor: Option<Uuid>,
) -> Result<sea_orm::Select<cohorts::Entity>, StoreError> {
    let mut q = cohorts::Entity::find()
        .order_by_desc(cohorts::Column::CreatedAt)
        .order_by_desc(cohorts::Column::Id);
    if let Some(i) = institution {
        q = q.filter(cohorts::Column::InstitutionId.eq(i));
    }
    if let Some(t) = tutor {
        let ids: Vec<Uuid> = ct::Entity::find()
            .filter(ct::Column::UserId.eq(t))
            .select_only()
            .column(ct::Column::CohortId)
            .into_tuple()
            .all(&db.conn)
            .await?;
        q = q.filter(cohorts::Column::Id.is_in(ids));
    }
    Ok(q)
}

/// One page of the cohorts in a scope, newest first, optionally of one course (by slug);
/// with the number of cohorts on all pages.
pub async fn page(
    db: &Db,
    scope: CohortScope,
    course_slug: Option<&str>,
    limit: u64,
    offset: u64,
) -> Result<(Vec<Cohort>, u64), StoreError> {
    let mut q = scoped(db, scope.institution, scope.tutor).await?;
    if let Some(slug) = course_slug {
        let ids: Vec<Uuid> = courses::Entity::find()
            .filter(courses::Column::Slug.eq(slug))
            .select_only()
            .column(courses::Column::Id)
            .into_tuple()
            .all(&db.conn)
            .await?;
        q = q.filter(cohorts::Column::CourseId.is_in(ids));
    }
    let total = q.clone().count(&db.conn).await?;
    let rows = q.limit(limit).offset(offset).all(&db.conn).await?;
    Ok((assemble(&db.conn, rows).await?, total))
}

/// Changes a cohort. The change is checked against the cohort as it is inside the
/// transaction, its row locked: a capacity below the seats taken is refused even when
/// enrolments arrive while the change is being made.
pub async fn update(db: &Db, id: Uuid, patch: CohortPatch) -> Result<Cohort, StoreError> {
    let txn = db.begin_write().await?;
    let current = lock(&txn, id).await?;
    let tutors = match &patch.tutor_ids {
        Some(t) => tutors_among(&txn, current.institution_id, t).await?,
        None => BTreeSet::new(),
    };
    let change = CohortChange::check(
        patch,
        Current {
            starts_on: current.starts_on,
            ends_on: current.ends_on,
            // Counted under the lock: no enrolment can slip in before the change commits.
            enrolled: current.enrolled,
        },
        &tutors,
    )?;
    let mut am = cohorts::ActiveModel {
        id: Set(id),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    if let Some(v) = change.name {
        am.name = Set(v.into_string());
    }
    if let Some(v) = change.starts_on {
        am.starts_on = Set(v);
    }
    if let Some(v) = change.ends_on {
        am.ends_on = Set(v);
    }
    if let Some(v) = change.capacity {
        am.capacity = Set(v);
    }
    if let Some(v) = change.after_end {
        am.after_end = Set(v.as_str().to_owned());
    }
    am.update(&txn).await?;
    if let Some(t) = change.tutor_ids {
        set_tutors(&txn, id, &t).await?;
    }
    let out = find(&txn, id).await?.ok_or(StoreError::NotFound)?;
    txn.commit().await?;
    Ok(out)
}

/// Closes a cohort to further enrolments; its learners keep their enrolments.
pub async fn close(db: &Db, id: Uuid) -> Result<Cohort, StoreError> {
    set_status(db, id, CohortStatus::Closed).await
}

/// Opens a closed cohort to enrolments again. A cohort past its end date stays `ended`
/// until its end date is moved.
pub async fn reopen(db: &Db, id: Uuid) -> Result<Cohort, StoreError> {
    set_status(db, id, CohortStatus::Open).await
}

async fn set_status(db: &Db, id: Uuid, status: CohortStatus) -> Result<Cohort, StoreError> {
    let txn = db.begin_write().await?;
    lock(&txn, id).await?;
    cohorts::ActiveModel {
        id: Set(id),
        status: Set(status.as_str().to_owned()),
        updated_at: Set(Utc::now()),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    let out = find(&txn, id).await?.ok_or(StoreError::NotFound)?;
    txn.commit().await?;
    Ok(out)
}

/// Seats taken in a cohort (what its capacity counts): enrolments not withdrawn, and
/// invitations waiting for an answer.
pub async fn active_count<C: ConnectionTrait>(
    conn: &C,
    cohort_id: Uuid,
) -> Result<u64, StoreError> {
    let enrolled = enrolments::Entity::find()
        .filter(enrolments::Column::CohortId.eq(cohort_id))
        .filter(enrolments::Column::Status.ne(EnrolmentStatus::Withdrawn.as_str()))
        .count(conn)
        .await?;
    let waiting = invitations::waiting_per_cohort(conn, &[cohort_id]).await?;
    Ok(enrolled + waiting.get(&cohort_id).copied().unwrap_or(0))
}

/// Refuses learning writes (progress, quiz attempts) in a cohort past its end date whose
/// rule is `read_only`, given the cohort's end date and rule as stored.
pub(crate) fn ensure_learning_open(ends_on: NaiveDate, after_end: &str) -> Result<(), StoreError> {
    let after_end = AfterEnd::parse(after_end).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    if help_lms_domain::enrolment::learning_open(ends_on, after_end, Utc::now().date_naive()) {
        Ok(())
    } else {
        Err(Conflict::CohortEnded(ends_on).into())
    }
}
