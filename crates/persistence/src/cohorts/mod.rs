//! Cohorts: a tutored run of one course, in one language, by one institution.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use help_lms_domain::enrolment::{CohortStatus, EnrolmentStatus};
use help_lms_domain::values::Language;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use uuid::Uuid;

use crate::Db;
use crate::entities::{cohort_tutors as ct, cohorts, courses, enrolments};
use crate::error::StoreError;

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
    pub tutor_ids: Vec<Uuid>,
    pub created_at: DateTime<Utc>,
}

pub struct NewCohort {
    pub institution_id: Uuid,
    pub course_id: Uuid,
    pub course_version_id: Uuid,
    pub language: Language,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub capacity: i32,
    pub tutor_ids: Vec<Uuid>,
}

async fn assemble<C: ConnectionTrait>(
    conn: &C,
    rows: Vec<cohorts::Model>,
) -> Result<Vec<Cohort>, StoreError> {
    let ids: Vec<Uuid> = rows.iter().map(|c| c.id).collect();
    let course_ids: Vec<Uuid> = rows.iter().map(|c| c.course_id).collect();
    let mut tutors: BTreeMap<Uuid, Vec<Uuid>> = BTreeMap::new();
    for t in ct::Entity::find()
        .filter(ct::Column::CohortId.is_in(ids))
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
                tutor_ids,
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

pub async fn create(db: &Db, new: NewCohort) -> Result<Cohort, StoreError> {
    let txn = db.begin_write().await?;
    let now = Utc::now();
    let id = Uuid::now_v7();
    let m = cohorts::ActiveModel {
        id: Set(id),
        institution_id: Set(new.institution_id),
        course_id: Set(new.course_id),
        course_version_id: Set(new.course_version_id),
        language: Set(new.language.as_str().to_owned()),
        name: Set(new.name),
        starts_on: Set(new.starts_on),
        ends_on: Set(new.ends_on),
        capacity: Set(new.capacity),
        status: Set(CohortStatus::Open.as_str().to_owned()),
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

/// Cohorts, newest first; restricted to an institution and/or a tutor.
pub async fn list(
    db: &Db,
    institution: Option<Uuid>,
    tutor: Option<Uuid>,
) -> Result<Vec<Cohort>, StoreError> {
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
    let rows = q.all(&db.conn).await?;
    assemble(&db.conn, rows).await
}

#[derive(Default)]
pub struct CohortChange {
    pub name: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub capacity: Option<i32>,
    pub tutor_ids: Option<Vec<Uuid>>,
    pub status: Option<CohortStatus>,
}

pub async fn update(db: &Db, id: Uuid, change: CohortChange) -> Result<Cohort, StoreError> {
    let txn = db.begin_write().await?;
    let mut am = cohorts::ActiveModel {
        id: Set(id),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    if let Some(v) = change.name {
        am.name = Set(v);
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
    if let Some(v) = change.status {
        am.status = Set(v.as_str().to_owned());
    }
    am.update(&txn).await?;
    if let Some(t) = change.tutor_ids {
        set_tutors(&txn, id, &t).await?;
    }
    let out = find(&txn, id).await?.ok_or(StoreError::NotFound)?;
    txn.commit().await?;
    Ok(out)
}

/// Active enrolments in a cohort (what its capacity counts).
pub async fn active_count<C: ConnectionTrait>(
    conn: &C,
    cohort_id: Uuid,
) -> Result<u64, StoreError> {
    Ok(enrolments::Entity::find()
        .filter(enrolments::Column::CohortId.eq(cohort_id))
        .filter(enrolments::Column::Status.ne(EnrolmentStatus::Withdrawn.as_str()))
        .count(conn)
        .await?)
}
