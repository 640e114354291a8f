//! Enrolments: self-enrolment, bulk enrolment of a cohort (one transaction per request,
//! idempotent by email), rosters and withdrawal.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use help_lms_domain::enrolment::{EnrolmentSource, EnrolmentStatus, Rejection, ValidRow};
use help_lms_domain::reporting::{Mode, month_of};
use help_lms_domain::values::{Language, Role, UserStatus};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use uuid::Uuid;

use crate::cohorts::{self, Cohort};
use crate::entities::{enrolments as en, users};
use crate::error::{Conflict, StoreError, is_unique_violation};
use crate::{Db, idempotency, institutions};

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
}

pub fn to_domain(m: en::Model) -> Result<Enrolment, StoreError> {
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
        enrolled_month: Set(Some(month_of(now))),
        final_score: Set(None),
        days_to_complete: Set(None),
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

/// Withdraws an active enrolment of a cohort; the history stays.
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
    txn.commit().await?;
    to_domain(m)
}

/// One line of a cohort's roster.
#[derive(Debug, Clone, Serialize)]
pub struct RosterEntry {
    pub enrolment: Enrolment,
    pub email: String,
    pub name: String,
    pub profession: String,
    pub country: String,
    pub user_status: String,
    pub last_activity_at: Option<DateTime<Utc>>,
}

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
        .paginate_rows(limit, offset, &db.conn)
        .await?;
    let user_ids: Vec<Uuid> = rows.iter().map(|e| e.user_id).collect();
    let people: BTreeMap<Uuid, users::Model> = users::Entity::find()
        .filter(users::Column::Id.is_in(user_ids))
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let mut out = Vec::with_capacity(rows.len());
    for e in rows {
        let u = people
            .get(&e.user_id)
            .ok_or_else(|| StoreError::Corrupt("enrolment without user".into()))?;
        out.push(RosterEntry {
            email: u.email.clone(),
            name: u.name.clone(),
            profession: u.profession.clone(),
            country: u.country.clone(),
            user_status: u.status.clone(),
            last_activity_at: e.last_activity_at,
            enrolment: to_domain(e)?,
        });
    }
    Ok((out, total))
}

/// Offset/limit as sea-orm select helpers.
trait PaginateRows {
    async fn paginate_rows<C: ConnectionTrait>(
        self,
        limit: u64,
        offset: u64,
        conn: &C,
    ) -> Result<Vec<en::Model>, sea_orm::DbErr>;
}

impl PaginateRows for sea_orm::Select<en::Entity> {
    async fn paginate_rows<C: ConnectionTrait>(
        self,
        limit: u64,
        offset: u64,
        conn: &C,
    ) -> Result<Vec<en::Model>, sea_orm::DbErr> {
        use sea_orm::QuerySelect;
        self.limit(limit).offset(offset).all(conn).await
    }
}

/// What happened to one row of a bulk enrolment.
#[derive(Debug, Clone, Serialize)]
pub struct RowResult {
    pub row: usize,
    pub email: String,
    /// created, enrolled, already_enrolled or rejected
    pub result: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enrolment_id: Option<Uuid>,
    /// For new accounts: the single-use token for `POST /auth/activate`, to deliver to them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activation_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BulkSummary {
    pub created: usize,
    pub enrolled: usize,
    pub already_enrolled: usize,
    pub rejected: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct BulkOutcome {
    pub dry_run: bool,
    pub summary: BulkSummary,
    pub rows: Vec<RowResult>,
}

pub struct BulkRequest<'a> {
    pub cohort: &'a Cohort,
    pub valid: Vec<ValidRow>,
    pub rejected: Vec<Rejection>,
    pub dry_run: bool,
    pub activation_ttl: Duration,
    /// (key, request hash) when the caller sent `Idempotency-Key`.
    pub idempotency: Option<(String, String)>,
}

/// The answer to a bulk request: a fresh outcome, or the stored answer of a retry.
pub enum BulkAnswer {
    Fresh(BulkOutcome),
    Replay(u16, String),
    KeyMismatch,
}

const CHUNK: usize = 400;

fn rejected_row(r: &Rejection) -> RowResult {
    RowResult {
        row: r.row,
        email: r.email.clone(),
        result: "rejected",
        user_id: None,
        enrolment_id: None,
        activation_token: None,
        reason: Some(r.reason),
        message: Some(r.message.clone()),
    }
}

/// Enrols the rows into the cohort in one transaction. Existing accounts (matched by email)
/// are enrolled without moving them; new ones are created as invited learners of the
/// cohort's institution. Rows beyond the capacity are refused. A dry run does the same work
/// and rolls it back, so it reports exactly what a real run would do.
pub async fn bulk_enrol(
    db: &Db,
    req: BulkRequest<'_>,
    encode: impl Fn(&BulkOutcome) -> Result<String, StoreError>,
) -> Result<BulkAnswer, StoreError> {
    // Two requests naming the same new email in different cohorts can still collide on the
    // unique email; the loser retries and then sees the winner's rows.
    let mut attempt = 0;
    loop {
        attempt += 1;
        match bulk_enrol_once(db, &req, &encode).await {
            Err(StoreError::Db(e)) if attempt < 3 && is_unique_violation(&e) => continue,
            other => return other,
        }
    }
}

async fn bulk_enrol_once(
    db: &Db,
    req: &BulkRequest<'_>,
    encode: &impl Fn(&BulkOutcome) -> Result<String, StoreError>,
) -> Result<BulkAnswer, StoreError> {
    use sea_orm::QuerySelect;
    let txn = db.begin_write().await?;
    // Requests for one cohort run one after another: the row lock (PostgreSQL; SQLite's
    // write transaction already excludes other writers) keeps seats and emails consistent.
    crate::entities::cohorts::Entity::find_by_id(req.cohort.id)
        .lock_exclusive()
        .one(&txn)
        .await?;
    if let Some((key, hash)) = &req.idempotency
        && !req.dry_run
    {
        match idempotency::lookup(&txn, key, hash).await? {
            Some(idempotency::Stored::Replay(status, body)) => {
                return Ok(BulkAnswer::Replay(status, body));
            }
            Some(idempotency::Stored::Mismatch) => return Ok(BulkAnswer::KeyMismatch),
            None => {}
        }
    }
    let outcome = enrol_rows(&txn, req).await?;
    if req.dry_run {
        txn.rollback().await?;
        return Ok(BulkAnswer::Fresh(outcome));
    }
    if let Some((key, hash)) = &req.idempotency {
        idempotency::store(&txn, key, hash, 200, &encode(&outcome)?).await?;
    }
    txn.commit().await?;
    Ok(BulkAnswer::Fresh(outcome))
}

async fn enrol_rows(
    txn: &DatabaseTransaction,
    req: &BulkRequest<'_>,
) -> Result<BulkOutcome, StoreError> {
    let cohort = req.cohort;
    let emails: Vec<String> = req
        .valid
        .iter()
        .map(|r| r.email.as_str().to_owned())
        .collect();
    let mut existing: BTreeMap<String, users::Model> = BTreeMap::new();
    for chunk in emails.chunks(CHUNK) {
        for u in users::Entity::find()
            .filter(users::Column::Email.is_in(chunk.to_vec()))
            .all(txn)
            .await?
        {
            existing.insert(u.email.clone(), u);
        }
    }
    let existing_ids: Vec<Uuid> = existing.values().map(|u| u.id).collect();
    let mut active: BTreeMap<Uuid, en::Model> = BTreeMap::new();
    for chunk in existing_ids.chunks(CHUNK) {
        for e in en::Entity::find()
            .filter(en::Column::UserId.is_in(chunk.to_vec()))
            .filter(en::Column::CourseId.eq(cohort.course_id))
            .filter(en::Column::Status.eq(EnrolmentStatus::Active.as_str()))
            .all(txn)
            .await?
        {
            active.insert(e.user_id, e);
        }
    }
    let mut seats =
        i64::from(cohort.capacity) - cohorts::active_count(txn, cohort.id).await? as i64;

    let mut results: Vec<RowResult> = req.rejected.iter().map(rejected_row).collect();
    let mut new_users = Vec::new();
    let mut new_enrolments = Vec::new();
    let mut attach = Vec::new();
    let mut created_ids = Vec::new();
    let now = Utc::now();
    for r in &req.valid {
        let mut res = RowResult {
            row: r.row,
            email: r.email.as_str().to_owned(),
            result: "rejected",
            user_id: None,
            enrolment_id: None,
            activation_token: None,
            reason: None,
            message: None,
        };
        let reject = |res: &mut RowResult, reason: &'static str, message: &str| {
            res.reason = Some(reason);
            res.message = Some(message.to_owned());
        };
        match existing.get(r.email.as_str()) {
            Some(u) if u.status == UserStatus::Disabled.as_str() => {
                reject(&mut res, "account_disabled", "this account is disabled");
            }
            Some(u) => match active.get(&u.id) {
                Some(e) if e.cohort_id == Some(cohort.id) => {
                    res.result = "already_enrolled";
                    res.user_id = Some(u.id);
                    res.enrolment_id = Some(e.id);
                }
                Some(_) if seats <= 0 => reject(&mut res, "capacity_reached", "the cohort is full"),
                Some(e) if e.cohort_id.is_none() => {
                    // A self-study enrolment joins the cohort and keeps its progress.
                    seats -= 1;
                    attach.push(e.id);
                    res.result = "enrolled";
                    res.user_id = Some(u.id);
                    res.enrolment_id = Some(e.id);
                }
                Some(_) => reject(
                    &mut res,
                    "enrolled_in_another_cohort",
                    "already enrolled in this course with another cohort",
                ),
                None if seats <= 0 => reject(&mut res, "capacity_reached", "the cohort is full"),
                None => {
                    seats -= 1;
                    let id = Uuid::now_v7();
                    res.result = "enrolled";
                    res.user_id = Some(u.id);
                    res.enrolment_id = Some(id);
                    new_enrolments.push(new_row(
                        id,
                        u.id,
                        Some(cohort),
                        cohort.course_id,
                        cohort.course_version_id,
                        EnrolmentSource::Nti,
                        r.language,
                        Reporting {
                            country: &u.country,
                            profession: &u.profession,
                        },
                    ));
                }
            },
            None if seats <= 0 => reject(&mut res, "capacity_reached", "the cohort is full"),
            None => {
                seats -= 1;
                let user_id = Uuid::now_v7();
                new_users.push(users::ActiveModel {
                    id: Set(user_id),
                    email: Set(r.email.as_str().to_owned()),
                    name: Set(r.name.as_str().to_owned()),
                    profession: Set(r.profession.as_str().to_owned()),
                    country: Set(r.country.as_str().to_owned()),
                    language: Set(r.language.as_str().to_owned()),
                    institution_id: Set(Some(cohort.institution_id)),
                    role: Set(Role::Learner.as_str().to_owned()),
                    status: Set(UserStatus::Invited.as_str().to_owned()),
                    password_hash: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                    last_login_at: Set(None),
                });
                let id = Uuid::now_v7();
                res.result = "created";
                res.user_id = Some(user_id);
                res.enrolment_id = Some(id);
                created_ids.push((results.len(), user_id));
                new_enrolments.push(new_row(
                    id,
                    user_id,
                    Some(cohort),
                    cohort.course_id,
                    cohort.course_version_id,
                    EnrolmentSource::Nti,
                    r.language,
                    Reporting {
                        country: r.country.as_str(),
                        profession: r.profession.as_str(),
                    },
                ));
            }
        }
        results.push(res);
    }

    let ids: Vec<Uuid> = created_ids.iter().map(|(_, id)| *id).collect();
    let (token_rows, tokens) = institutions::activation_rows(&ids, req.activation_ttl)?;
    for ((idx, _), token) in created_ids.iter().zip(tokens) {
        if let Some(r) = results.get_mut(*idx) {
            r.activation_token = Some(token);
        }
    }
    for chunk in new_users.chunks(CHUNK) {
        users::Entity::insert_many(chunk.to_vec()).exec(txn).await?;
    }
    for chunk in token_rows.chunks(CHUNK) {
        crate::entities::activation_tokens::Entity::insert_many(chunk.to_vec())
            .exec(txn)
            .await?;
    }
    for chunk in new_enrolments.chunks(CHUNK) {
        en::Entity::insert_many(chunk.to_vec()).exec(txn).await?;
    }
    for chunk in attach.chunks(CHUNK) {
        en::Entity::update_many()
            .col_expr(
                en::Column::CohortId,
                sea_orm::sea_query::Expr::value(cohort.id),
            )
            .col_expr(
                en::Column::Source,
                sea_orm::sea_query::Expr::value(EnrolmentSource::Nti.as_str()),
            )
            .col_expr(en::Column::UpdatedAt, sea_orm::sea_query::Expr::value(now))
            // The enrolment now counts as tutored, in the cohort's institution.
            .col_expr(
                en::Column::InstitutionId,
                sea_orm::sea_query::Expr::value(cohort.institution_id),
            )
            .col_expr(
                en::Column::Mode,
                sea_orm::sea_query::Expr::value(Mode::Tutored.as_str()),
            )
            .filter(en::Column::Id.is_in(chunk.to_vec()))
            .exec(txn)
            .await?;
    }
    results.sort_by_key(|r| r.row);
    let count = |what: &str| results.iter().filter(|r| r.result == what).count();
    Ok(BulkOutcome {
        dry_run: req.dry_run,
        summary: BulkSummary {
            created: count("created"),
            enrolled: count("enrolled"),
            already_enrolled: count("already_enrolled"),
            rejected: count("rejected"),
        },
        rows: results,
    })
}
