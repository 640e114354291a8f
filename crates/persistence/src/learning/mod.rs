//! Learning: lesson progress, quiz attempts, completion and certificates. Every write that
//! can complete a module or the course decides that in its own transaction, so completion
//! and the certificate never lag behind the write that caused them; each service returns
//! what happened, computed inside that transaction.

mod attempts;
mod certificates;
mod grants;
mod history;
#[cfg(test)]
mod marks_tests;
mod progress;
mod records;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use help_lms_domain::enrolment::EnrolmentStatus;
use help_lms_domain::progress::{AttemptRecord, AttemptStatus, LessonRecord, Standing};
use help_lms_domain::reporting::days_between;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult,
    QueryFilter, QuerySelect, Set,
};
use uuid::Uuid;

pub use attempts::{
    Attempt, AttemptView, Submitted, attempt, close_expired, save_responses, start_attempt, submit,
};
pub use certificates::{
    Certificate, TutoredRun, certificate_by_code, certificate_of, course_version_text,
    revoke_certificate, revoked_status_indexes, status_indexes_issued,
};
pub use grants::{Grant, GrantAnswer, grant_attempts, grants_of};
pub use history::{AttemptHistory, attempts_of};
pub use progress::{Overview, ProgressOutcome, overview, record_progress};
pub(crate) use records::records_of;

use crate::catalogue::runtime::{CourseRuntime, runtime};
use crate::entities::{attempts as at, enrolments as en, lesson_progress as lp};
use crate::error::{Conflict, StoreError};

async fn enrolment_row<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<en::Model, StoreError> {
    en::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// The enrolment's row, locked until the write transaction `txn` ends (on PostgreSQL; on
/// SQLite writers already take turns): the writes of one enrolment then run one after the
/// other, so each computes its standing (completion, the funnel's marks) from every
/// record committed before it, and none overwrites a newer one with an older. Taken first
/// in each learning write, before any other row, so two of them never wait on each other.
async fn lock_enrolment<C: ConnectionTrait>(txn: &C, id: Uuid) -> Result<en::Model, StoreError> {
    en::Entity::find_by_id(id)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// [`lock_enrolment`] for a learner's write, with its cohort's end date and after-end rule
/// read in the same statement: what [`ensure_learner_may_write`] checks.
async fn lock_for_learner<C: ConnectionTrait>(
    txn: &C,
    id: Uuid,
) -> Result<(en::Model, CohortTerms), StoreError> {
    // PostgreSQL locks the enrolment only: the cohort is the nullable side of the join.
    let lock = match txn.get_database_backend() {
        DbBackend::Postgres => " FOR UPDATE OF enrolments",
        _ => "",
    };
    let row = crate::raw::one(
        txn,
        &format!(
            "SELECT enrolments.*, cohorts.ends_on AS cohort_ends_on, \
             cohorts.after_end AS cohort_after_end \
             FROM enrolments LEFT JOIN cohorts ON cohorts.id = enrolments.cohort_id \
             WHERE enrolments.id = ?{lock}"
        ),
        vec![id.into()],
    )
    .await?
    .ok_or(StoreError::NotFound)?;
    let e = en::Model::from_query_result(&row, "")?;
    let ends_on: Option<NaiveDate> = row.try_get("", "cohort_ends_on")?;
    let after_end: Option<String> = row.try_get("", "cohort_after_end")?;
    Ok((e, CohortTerms(ends_on.zip(after_end))))
}

/// The end date and after-end rule of an enrolment's cohort; none for self-study.
struct CohortTerms(Option<(NaiveDate, String)>);

fn status_of(e: &en::Model) -> Result<EnrolmentStatus, StoreError> {
    EnrolmentStatus::parse(&e.status).map_err(|err| StoreError::Corrupt(err.to_string()))
}

/// Refuses writes to an enrolment that is completed or withdrawn.
fn ensure_active(e: &en::Model) -> Result<(), StoreError> {
    match status_of(e)? {
        EnrolmentStatus::Active => Ok(()),
        other => Err(Conflict::EnrolmentNotActive(other).into()),
    }
}

/// Refuses a learner's write (progress, an attempt, its responses) to an enrolment that is
/// not active, or whose cohort's end date has passed under the `read_only` rule. Checked
/// inside the write's transaction, on what [`lock_for_learner`] read.
fn ensure_learner_may_write(e: &en::Model, terms: &CohortTerms) -> Result<(), StoreError> {
    ensure_active(e)?;
    match &terms.0 {
        Some((ends_on, after_end)) => crate::cohorts::ensure_learning_open(*ends_on, after_end),
        None => Ok(()),
    }
}

/// Records that the learner did something now (for rosters: who has gone quiet).
async fn touch<C: ConnectionTrait>(
    conn: &C,
    enrolment_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    en::ActiveModel {
        id: Set(enrolment_id),
        last_activity_at: Set(Some(now)),
        ..Default::default()
    }
    .update(conn)
    .await?;
    Ok(())
}

/// [`touch`] for a write that changed the standing, in the same statement: the funnel's
/// marks of the new standing are written too, when they differ from what `e` (read in this
/// transaction) holds. `now` is none when the write is not the learner's (an attempt closed
/// at its deadline), which leaves the last activity as it was.
async fn touch_marked<C: ConnectionTrait>(
    conn: &C,
    e: &en::Model,
    now: Option<DateTime<Utc>>,
    marks: String,
) -> Result<(), StoreError> {
    let changed = e.module_marks.as_deref() != Some(marks.as_str());
    if now.is_none() && !changed {
        return Ok(());
    }
    // Not written back through the row's model: the caller needs nothing of it.
    let mut update = en::Entity::update_many().filter(en::Column::Id.eq(e.id));
    if let Some(now) = now {
        update = update.col_expr(en::Column::LastActivityAt, Expr::value(now));
    }
    if changed {
        update = update.col_expr(en::Column::ModuleMarks, Expr::value(marks));
    }
    update.exec(conn).await?;
    Ok(())
}

pub(crate) fn lesson_record(p: &lp::Model) -> LessonRecord {
    LessonRecord {
        lesson_id: p.lesson_id,
        time_spent_seconds: p.time_spent_seconds,
        completed_at: p.completed_at,
    }
}

pub(crate) fn attempt_record(a: &at::Model) -> Result<AttemptRecord, StoreError> {
    Ok(AttemptRecord {
        id: a.id,
        quiz_id: a.quiz_id,
        number: a.number,
        status: attempt_status(a)?,
        percent: a.percent,
    })
}

fn attempt_status(a: &at::Model) -> Result<AttemptStatus, StoreError> {
    AttemptStatus::parse(&a.status).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Closes the enrolment's open attempts without grading them (`void`): a withdrawn or
/// completed enrolment's record is final, and an attempt it left open never counts.
pub(crate) async fn void_open_attempts<C: ConnectionTrait>(
    conn: &C,
    enrolment_id: Uuid,
) -> Result<u64, StoreError> {
    Ok(at::Entity::update_many()
        .col_expr(
            at::Column::Status,
            Expr::value(AttemptStatus::Void.as_str()),
        )
        .filter(at::Column::EnrolmentId.eq(enrolment_id))
        .filter(at::Column::Status.eq(AttemptStatus::InProgress.as_str()))
        .exec(conn)
        .await?
        .rows_affected)
}

/// The enrolment's standing from its lesson records, attempts and grants (one read).
async fn load_standing<C: ConnectionTrait>(
    conn: &C,
    rt: &CourseRuntime,
    enrolment_id: Uuid,
) -> Result<Standing, StoreError> {
    Ok(records::records(conn, enrolment_id).await?.standing(rt))
}

/// [`load_standing`], with the funnel's marks of it (`marks::encode`).
async fn load_marked<C: ConnectionTrait>(
    conn: &C,
    rt: &CourseRuntime,
    enrolment_id: Uuid,
) -> Result<(Standing, String), StoreError> {
    Ok(records::records(conn, enrolment_id).await?.marked(rt))
}

/// Standings of many enrolments at once (rosters, a learner's dashboard), given each one's
/// course version: one query per 400 enrolments, whatever their number of lessons. The
/// runtimes it looks up stay in `courses` for the caller.
pub async fn standings<C: ConnectionTrait>(
    conn: &C,
    enrolments: &[(Uuid, Uuid)],
    courses: &mut Runtimes,
) -> Result<HashMap<Uuid, Standing>, StoreError> {
    let ids: Vec<Uuid> = enrolments.iter().map(|(id, _)| *id).collect();
    let mut records = records::records_of(conn, &ids).await?;
    let mut out = HashMap::with_capacity(enrolments.len());
    for (id, version) in enrolments {
        let rt = courses.get(conn, *version).await?;
        let r = records.remove(id).unwrap_or_default();
        out.insert(*id, r.standing(&rt));
    }
    Ok(out)
}

/// The course runtimes of the versions met so far, each looked up once.
#[derive(Default)]
pub struct Runtimes(HashMap<Uuid, std::sync::Arc<CourseRuntime>>);

impl Runtimes {
    /// The runtime of `version`, from the versions met so far or looked up now.
    pub async fn get<C: ConnectionTrait>(
        &mut self,
        conn: &C,
        version: Uuid,
    ) -> Result<std::sync::Arc<CourseRuntime>, StoreError> {
        if let Some(rt) = self.0.get(&version) {
            return Ok(rt.clone());
        }
        let rt = runtime(conn, version).await?;
        self.0.insert(version, rt.clone());
        Ok(rt)
    }
}

/// After a write, with the standing it left: if every module is now complete, the
/// enrolment completes and its certificate is issued, in the same transaction. Returns
/// the new certificate's code.
async fn settle<C: ConnectionTrait>(
    txn: &C,
    home: &str,
    e: &en::Model,
    rt: &CourseRuntime,
    st: &Standing,
    now: DateTime<Utc>,
) -> Result<Option<String>, StoreError> {
    if !st.complete || status_of(e)? != EnrolmentStatus::Active {
        return Ok(None);
    }
    en::ActiveModel {
        id: Set(e.id),
        status: Set(EnrolmentStatus::Completed.as_str().to_owned()),
        completed_at: Set(Some(now)),
        updated_at: Set(now),
        // For the statistics, in the same transaction as the completion.
        final_score: Set(Some(st.final_score)),
        days_to_complete: Set(Some(days_between(e.enrolled_at, now))),
        ..Default::default()
    }
    .update(txn)
    .await?;
    // The record is final: an attempt still open on a passed quiz never counts.
    void_open_attempts(txn, e.id).await?;
    let code = certificates::issue(txn, e, rt, st.final_score, now).await?;
    use crate::xapi::platform::{Event, record};
    let events = [
        Event::CourseCompleted {
            final_score: st.final_score,
        },
        Event::CertificateIssued { code: &code },
    ];
    record(txn, home, e, rt, &events, now).await?;
    tracing::info!(enrolment_id = %e.id, "course completed; certificate issued");
    Ok(Some(code))
}
