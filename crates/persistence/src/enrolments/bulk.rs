//! Bulk enrolment of a cohort: many rows in one transaction, idempotent by person and course,
//! with a result per row; checked against the cohort row as it is under its lock.
//!
//! The tenant boundary: a row is answered from what the caller's institution may know. An
//! address with no account, and an address whose account the institution does not manage
//! (staff or admin accounts, another institution's learners, self-registered learners), are
//! both answered `created`; for the second, the owner is mailed an invitation and the
//! enrolment is made only when they accept (`cohorts::invitations`). A row names an account
//! (`user_id`) only once its owner has accepted: activated a new account, or accepted an
//! invitation.
//!
//! Long because every row's outcome is decided in one pass against the same locked cohort
//! (seats, states, the boundary), and that decision reads best as one match; the messages
//! are in `bulk_mail`.

use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use help_lms_domain::enrolment::{
    EnrolmentSource, EnrolmentStatus, InvitationStatus, RejectReason, Rejection, RowStatus,
    ValidRow,
};
use help_lms_domain::reporting::Mode;
use help_lms_domain::values::{Role, UserStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Reporting, bulk_mail, new_row};
use crate::cohorts::invitations;
use crate::cohorts::{self, Cohort};
use crate::entities::{activation_tokens, enrolments as en, users};
use crate::error::{StoreError, is_unique_violation};
use crate::outbox::{self, Compose};
use crate::{Db, idempotency};

/// What happened to one row of a bulk enrolment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowResult {
    pub row: usize,
    pub email: String,
    pub result: RowStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enrolment_id: Option<Uuid>,
    /// For new accounts, in the fresh answer only (never stored, never in a dry run): the
    /// single-use token for `POST /auth/activate`, for callers that deliver it themselves.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activation_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<RejectReason>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Rows per result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkSummary {
    pub created: usize,
    pub enrolled: usize,
    pub already_enrolled: usize,
    /// Answers stored before this count existed read as 0.
    #[serde(default)]
    pub already_completed: usize,
    pub rejected: usize,
}

/// What a bulk request did (or, for a dry run, would do).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkOutcome {
    pub dry_run: bool,
    pub summary: BulkSummary,
    pub rows: Vec<RowResult>,
}

/// Rows to enrol into a cohort, already checked one by one (`check_rows`).
pub struct BulkRequest<'a> {
    /// The caller's copy of the cohort: only its id is trusted; whether it is open and how
    /// many seats it has are read again under the row lock.
    pub cohort: &'a Cohort,
    pub valid: Vec<ValidRow>,
    pub rejected: Vec<Rejection>,
    pub dry_run: bool,
    /// Enrol again, on their old enrolment, people withdrawn from the course earlier
    /// (otherwise their rows are refused as `withdrawn`).
    pub reactivate: bool,
    pub activation_ttl: Duration,
    /// Writes the messages: to each new account when `mail_new_accounts`, and always to the
    /// owners of existing accounts asked to join (only their own mailbox is trusted).
    pub compose: &'a dyn Compose,
    /// False when the caller delivers the activation links of new accounts itself.
    pub mail_new_accounts: bool,
    /// (key, request hash) when the caller sent `Idempotency-Key`.
    pub idempotency: Option<(String, String)>,
}

impl BulkOutcome {
    /// The outcome as an idempotent answer stores it: without activation tokens, and
    /// without emails (a replay comes with the same body, which has them).
    pub fn for_storage(&self) -> BulkOutcome {
        let mut o = self.clone();
        for r in &mut o.rows {
            r.activation_token = None;
            r.email.clear();
        }
        o
    }
}

/// The answer to a bulk request: a fresh outcome, or the first outcome for a retry.
#[derive(Debug)]
pub enum BulkAnswer {
    Fresh(BulkOutcome),
    /// A retry with the same `Idempotency-Key` and request: the first outcome as stored
    /// (`BulkOutcome::for_storage`: no tokens, and the emails left for the caller to fill
    /// from the request).
    Replay(BulkOutcome),
    /// The key was used for a different request.
    KeyMismatch,
}

pub(super) const CHUNK: usize = 400;

fn rejected_row(r: &Rejection) -> RowResult {
    RowResult {
        row: r.row,
        email: r.email.clone(),
        result: RowStatus::Rejected,
        user_id: None,
        enrolment_id: None,
        activation_token: None,
        reason: Some(r.reason),
        message: Some(r.message.clone()),
    }
}

/// Enrols the rows into the cohort in one transaction. Existing accounts (matched by email)
/// are enrolled without moving them; new ones are created as invited learners of the
/// cohort's institution. Rows beyond the capacity are refused; a closed cohort refuses the
/// whole request (`cohort_closed`). A dry run does the same work and rolls it back, so it
/// reports exactly what a real run would do.
pub async fn bulk_enrol(db: &Db, req: BulkRequest<'_>) -> Result<BulkAnswer, StoreError> {
    // Two requests naming the same new email in different cohorts can still collide on the
    // unique email; the loser retries and then sees the winner's rows.
    let mut attempt = 0;
    loop {
        attempt += 1;
        match bulk_enrol_once(db, &req).await {
            Err(StoreError::Db(e)) if attempt < 3 && is_unique_violation(&e) => continue,
            other => return other,
        }
    }
}

async fn bulk_enrol_once(db: &Db, req: &BulkRequest<'_>) -> Result<BulkAnswer, StoreError> {
    let txn = db.begin_write().await?;
    // Requests for one cohort run one after another: the row lock keeps seats and emails
    // consistent, and what is checked below is the cohort as it is now, not the caller's
    // copy, which a close or a smaller capacity may have overtaken.
    let cohort = cohorts::lock(&txn, req.cohort.id).await?;
    if let Some((key, hash)) = &req.idempotency
        && !req.dry_run
    {
        match idempotency::lookup(&txn, key, hash).await? {
            Some(idempotency::Stored::Replay(first)) => return Ok(BulkAnswer::Replay(first)),
            Some(idempotency::Stored::Mismatch) => return Ok(BulkAnswer::KeyMismatch),
            None => {}
        }
    }
    cohort.ensure_taking_enrolments()?;
    let outcome = enrol_rows(&txn, &cohort, req).await?;
    if req.dry_run {
        txn.rollback().await?;
        return Ok(BulkAnswer::Fresh(outcome));
    }
    if let Some((key, hash)) = &req.idempotency {
        // A replay never hands out tokens, and the stored answer holds no address.
        idempotency::store(&txn, key, hash, &outcome.for_storage()).await?;
    }
    txn.commit().await?;
    Ok(BulkAnswer::Fresh(outcome))
}

async fn enrol_rows(
    txn: &DatabaseTransaction,
    cohort: &Cohort,
    req: &BulkRequest<'_>,
) -> Result<BulkOutcome, StoreError> {
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
    // People the institution manages: its own learners. Everyone else with an account is
    // invited, and answered as a new address would be.
    let manages = |u: &users::Model| {
        u.institution_id == Some(cohort.institution_id) && u.role == Role::Learner.as_str()
    };
    let existing_ids: Vec<Uuid> = existing
        .values()
        .filter(|u| manages(u))
        .map(|u| u.id)
        .collect();
    let foreign_ids: Vec<Uuid> = existing
        .values()
        .filter(|u| !manages(u))
        .map(|u| u.id)
        .collect();
    let asked = invitations::of_people_in(txn, cohort.id, &foreign_ids).await?;
    // The enrolments in this cohort of people who accepted its invitation.
    let in_cohort: BTreeMap<Uuid, en::Model> = {
        let mut m = BTreeMap::new();
        for chunk in foreign_ids.chunks(CHUNK) {
            for e in en::Entity::find()
                .filter(en::Column::UserId.is_in(chunk.to_vec()))
                .filter(en::Column::CohortId.eq(cohort.id))
                .all(txn)
                .await?
            {
                m.insert(e.user_id, e);
            }
        }
        m
    };
    // Every enrolment of these people in the course, whatever its state: enrolment is
    // idempotent by person and course, so a completed one is not enrolled again.
    let mut active: BTreeMap<Uuid, en::Model> = BTreeMap::new();
    let mut completed: BTreeMap<Uuid, en::Model> = BTreeMap::new();
    let mut withdrawn: BTreeMap<Uuid, en::Model> = BTreeMap::new();
    for chunk in existing_ids.chunks(CHUNK) {
        for e in en::Entity::find()
            .filter(en::Column::UserId.is_in(chunk.to_vec()))
            .filter(en::Column::CourseId.eq(cohort.course_id))
            .order_by_asc(en::Column::EnrolledAt)
            .all(txn)
            .await?
        {
            // The latest of each state wins.
            let into = if e.status == EnrolmentStatus::Active.as_str() {
                &mut active
            } else if e.status == EnrolmentStatus::Completed.as_str() {
                &mut completed
            } else {
                &mut withdrawn
            };
            into.insert(e.user_id, e);
        }
    }
    // `cohort` was read under the lock, so its count is the seats taken right now.
    let mut seats = i64::from(cohort.capacity) - i64::try_from(cohort.enrolled).unwrap_or(i64::MAX);

    let mut results: Vec<RowResult> = req.rejected.iter().map(rejected_row).collect();
    let mut new_users = Vec::new();
    let mut new_enrolments = Vec::new();
    let mut new_enrolment_ids = Vec::new();
    let mut attach = Vec::new();
    let mut reactivate = Vec::new();
    // (result index, the new account's row) of each account created.
    let mut created: Vec<(usize, &ValidRow, Uuid)> = Vec::new();
    // (result index, the row, the existing account, the invitation to renew if expired).
    let mut invited: Vec<(usize, &ValidRow, &users::Model, Option<Uuid>)> = Vec::new();
    let now = Utc::now();
    for r in &req.valid {
        let mut res = RowResult {
            row: r.row,
            email: r.email.as_str().to_owned(),
            result: RowStatus::Rejected,
            user_id: None,
            enrolment_id: None,
            activation_token: None,
            reason: None,
            message: None,
        };
        let reject = |res: &mut RowResult, reason: RejectReason| {
            res.reason = Some(reason);
            res.message = reason.explained().map(str::to_owned);
        };
        // An account is named only once its owner has activated it.
        let named = |u: &users::Model| (u.status != UserStatus::Invited.as_str()).then_some(u.id);
        match existing.get(r.email.as_str()) {
            Some(u) if u.institution_id == Some(cohort.institution_id) && !manages(u) => {
                // The institution's own tutors and managers: it knows them already.
                reject(&mut res, RejectReason::StaffAccount);
            }
            Some(u) if !manages(u) => match asked.get(&u.id) {
                Some(i) => match (invitations::status_of(i)?, in_cohort.get(&u.id)) {
                    // Accepted: judged by the enrolment, as the institution's own learners are.
                    (InvitationStatus::Accepted, Some(e))
                        if e.status == EnrolmentStatus::Completed.as_str() =>
                    {
                        res.result = RowStatus::AlreadyCompleted;
                        res.user_id = Some(u.id);
                        res.enrolment_id = Some(e.id);
                    }
                    (InvitationStatus::Accepted, Some(e))
                        if e.status == EnrolmentStatus::Withdrawn.as_str() =>
                    {
                        if !req.reactivate {
                            reject(&mut res, RejectReason::Withdrawn);
                        } else if seats <= 0 {
                            reject(&mut res, RejectReason::CapacityReached);
                        } else {
                            seats -= 1;
                            reactivate.push(e.id);
                            res.result = RowStatus::Enrolled;
                            res.user_id = Some(u.id);
                            res.enrolment_id = Some(e.id);
                        }
                    }
                    (InvitationStatus::Accepted, e) => {
                        res.result = RowStatus::AlreadyEnrolled;
                        res.user_id = Some(u.id);
                        res.enrolment_id = e.map(|e| e.id).or(Some(i.id));
                    }
                    (InvitationStatus::Pending | InvitationStatus::Declined, _) => {
                        // As a new address sent again: already there, nothing resent.
                        res.result = RowStatus::AlreadyEnrolled;
                        res.enrolment_id = Some(i.id);
                    }
                    // Withdrawn by the institution before an answer: back only when asked,
                    // as a withdrawn learner is; the owner is asked again.
                    (InvitationStatus::Withdrawn, _) if !req.reactivate => {
                        reject(&mut res, RejectReason::Withdrawn);
                    }
                    (InvitationStatus::Withdrawn, _) if seats <= 0 => {
                        reject(&mut res, RejectReason::CapacityReached);
                    }
                    (InvitationStatus::Withdrawn, _) => {
                        seats -= 1;
                        res.result = RowStatus::Enrolled;
                        res.enrolment_id = Some(i.id);
                        invited.push((results.len(), r, u, Some(i.id)));
                    }
                },
                None if seats <= 0 => reject(&mut res, RejectReason::CapacityReached),
                None => {
                    seats -= 1;
                    let id = Uuid::now_v7();
                    res.result = RowStatus::Created;
                    res.enrolment_id = Some(id);
                    invited.push((results.len(), r, u, None));
                    new_enrolment_ids.push(id);
                }
            },
            Some(u) if u.status == UserStatus::Disabled.as_str() => {
                reject(&mut res, RejectReason::AccountDisabled);
            }
            Some(u) => match active.get(&u.id) {
                Some(e) if e.cohort_id == Some(cohort.id) => {
                    res.result = RowStatus::AlreadyEnrolled;
                    res.user_id = named(u);
                    res.enrolment_id = Some(e.id);
                }
                Some(_) if seats <= 0 => reject(&mut res, RejectReason::CapacityReached),
                Some(e) if e.cohort_id.is_none() => {
                    // A self-study enrolment joins the cohort and keeps its progress.
                    seats -= 1;
                    attach.push(e.id);
                    res.result = RowStatus::Enrolled;
                    res.user_id = named(u);
                    res.enrolment_id = Some(e.id);
                }
                Some(_) => reject(&mut res, RejectReason::EnrolledInAnotherCohort),
                None if completed.contains_key(&u.id) => {
                    // The record is final: reported, never enrolled again, no seat taken.
                    res.result = RowStatus::AlreadyCompleted;
                    if let Some(e) = completed
                        .get(&u.id)
                        .filter(|e| e.cohort_id == Some(cohort.id))
                    {
                        res.user_id = named(u);
                        res.enrolment_id = Some(e.id);
                    }
                }
                None if withdrawn.contains_key(&u.id) && !req.reactivate => {
                    reject(&mut res, RejectReason::Withdrawn);
                }
                None if seats <= 0 => reject(&mut res, RejectReason::CapacityReached),
                None if withdrawn.contains_key(&u.id) => {
                    // Back in this cohort, on the same enrolment: its history and progress stay.
                    seats -= 1;
                    if let Some(e) = withdrawn.get(&u.id) {
                        reactivate.push(e.id);
                        res.enrolment_id = Some(e.id);
                    }
                    res.result = RowStatus::Enrolled;
                    res.user_id = named(u);
                }
                None => {
                    seats -= 1;
                    let id = Uuid::now_v7();
                    new_enrolment_ids.push(id);
                    res.result = RowStatus::Enrolled;
                    res.user_id = named(u);
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
            None if seats <= 0 => reject(&mut res, RejectReason::CapacityReached),
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
                    status_before_disabled: Set(None),
                    sessions_valid_from: Set(None),
                    erased_at: Set(None),
                });
                let id = Uuid::now_v7();
                new_enrolment_ids.push(id);
                // Named once activated: a new address and an invited owner answer alike.
                res.result = RowStatus::Created;
                res.enrolment_id = Some(id);
                created.push((results.len(), r, user_id));
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

    let (token_rows, mut mails) =
        bulk_mail::new_account_mail(txn, cohort, req, &created, &mut results, now).await?;
    mails.extend(bulk_mail::ask_to_join(txn, cohort, req, &invited, &mut results, now).await?);
    for chunk in new_users.chunks(CHUNK) {
        users::Entity::insert_many(chunk.to_vec()).exec(txn).await?;
    }
    for chunk in token_rows.chunks(CHUNK) {
        activation_tokens::Entity::insert_many(chunk.to_vec())
            .exec(txn)
            .await?;
    }
    outbox::enqueue_mail(txn, &mails).await?;
    for chunk in new_enrolments.chunks(CHUNK) {
        en::Entity::insert_many(chunk.to_vec()).exec(txn).await?;
    }
    for chunk in attach.chunks(CHUNK) {
        en::Entity::update_many()
            .col_expr(en::Column::CohortId, Expr::value(cohort.id))
            .col_expr(
                en::Column::Source,
                Expr::value(EnrolmentSource::Nti.as_str()),
            )
            .col_expr(en::Column::UpdatedAt, Expr::value(now))
            // The enrolment now counts as tutored, in the cohort's institution.
            .col_expr(
                en::Column::InstitutionId,
                Expr::value(cohort.institution_id),
            )
            .col_expr(en::Column::Mode, Expr::value(Mode::Tutored.as_str()))
            .filter(en::Column::Id.is_in(chunk.to_vec()))
            .exec(txn)
            .await?;
    }
    for chunk in reactivate.chunks(CHUNK) {
        en::Entity::update_many()
            .col_expr(
                en::Column::Status,
                Expr::value(EnrolmentStatus::Active.as_str()),
            )
            .col_expr(
                en::Column::WithdrawnAt,
                Expr::value(Option::<chrono::DateTime<Utc>>::None),
            )
            .col_expr(en::Column::CohortId, Expr::value(cohort.id))
            .col_expr(
                en::Column::Source,
                Expr::value(EnrolmentSource::Nti.as_str()),
            )
            .col_expr(
                en::Column::InstitutionId,
                Expr::value(cohort.institution_id),
            )
            .col_expr(en::Column::Mode, Expr::value(Mode::Tutored.as_str()))
            .col_expr(en::Column::UpdatedAt, Expr::value(now))
            .filter(en::Column::Id.is_in(chunk.to_vec()))
            .exec(txn)
            .await?;
    }
    results.sort_by_key(|r| r.row);
    if req.dry_run {
        // A dry run creates nothing: it names no account or enrolment that does not exist.
        let new_enrolments: std::collections::BTreeSet<Uuid> =
            new_enrolment_ids.into_iter().collect();
        for r in &mut results {
            if r.result == RowStatus::Created
                || r.enrolment_id
                    .is_some_and(|id| new_enrolments.contains(&id))
            {
                r.enrolment_id = None;
            }
        }
    }
    let count = |what: RowStatus| results.iter().filter(|r| r.result == what).count();
    Ok(BulkOutcome {
        dry_run: req.dry_run,
        summary: BulkSummary {
            created: count(RowStatus::Created),
            enrolled: count(RowStatus::Enrolled),
            already_enrolled: count(RowStatus::AlreadyEnrolled),
            already_completed: count(RowStatus::AlreadyCompleted),
            rejected: count(RowStatus::Rejected),
        },
        rows: results,
    })
}
