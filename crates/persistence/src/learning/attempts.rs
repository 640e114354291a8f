//! Quiz attempts: starting one (or returning the one in progress), autosaving responses,
//! submitting (graded once, however often it is sent), and closing attempts whose
//! deadline has passed with what they saved.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use help_lms_domain::progress::{AttemptStatus, QuizPlan, QuizState, Standing, is_expired};
use help_lms_domain::quiz::{self, QuizResult};
use help_lms_domain::reporting::marks;
use help_lms_domain::values::Language;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{
    attempt_status, enrolment_row, ensure_active, ensure_learner_may_write, grants, load_marked,
    load_standing, lock_enrolment, lock_for_learner, settle, touch, touch_marked,
    void_open_attempts,
};
use crate::Db;
use crate::catalogue::runtime::{CourseRuntime, runtime};
use crate::entities::attempts as at;
use crate::error::{Conflict, StoreError, is_unique_violation};
use crate::sessions::random_token;

/// One attempt at a quiz.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub id: Uuid,
    pub enrolment_id: Uuid,
    pub quiz_id: Uuid,
    pub number: i32,
    pub status: AttemptStatus,
    pub language: Language,
    pub started_at: DateTime<Utc>,
    /// From the server clock; submissions are accepted until the grace after it.
    pub deadline: Option<DateTime<Utc>>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// Closed by the server at its deadline, graded with what was saved.
    pub auto_closed: bool,
    /// The attempt's own key for the opaque option ids it shows; never sent to clients.
    pub secret: String,
    /// The seed of this attempt's shuffle.
    pub seed: u64,
    pub responses: Map<String, Value>,
    pub result: Option<QuizResult>,
    pub passed: Option<bool>,
}

/// An attempt with what its review needs: the course it belongs to and the quiz's state
/// for this enrolment (attempts used, passed).
#[derive(Debug, Clone)]
pub struct AttemptView {
    pub attempt: Attempt,
    pub course: Arc<CourseRuntime>,
    pub quiz: QuizState,
}

/// What a submission came to.
#[derive(Debug)]
pub enum Submitted {
    /// Graded now, or already graded by an earlier submission (same result either way).
    Graded(Box<AttemptView>),
    /// Arrived after the deadline and grace: the attempt was closed with what it had saved.
    TooLate,
}

pub(super) fn to_attempt(m: at::Model) -> Result<Attempt, StoreError> {
    let corrupt = |e: String| StoreError::Corrupt(e);
    Ok(Attempt {
        status: attempt_status(&m)?,
        language: Language::parse(&m.language).map_err(|e| corrupt(e.to_string()))?,
        result: m.result.map(serde_json::from_value).transpose()?,
        responses: match m.responses {
            Value::Object(map) => map,
            _ => Map::new(),
        },
        id: m.id,
        enrolment_id: m.enrolment_id,
        quiz_id: m.quiz_id,
        number: m.number,
        started_at: m.started_at,
        deadline: m.deadline,
        submitted_at: m.submitted_at,
        auto_closed: m.auto_closed,
        secret: m.secret,
        seed: m.seed as u64,
        passed: m.passed,
    })
}

fn expired(a: &at::Model, now: DateTime<Utc>) -> bool {
    attempt_status(a).is_ok_and(|s| is_expired(s, a.deadline, now))
}

fn saved(a: &at::Model) -> Map<String, Value> {
    a.responses.as_object().cloned().unwrap_or_default()
}

/// Applies a patch of responses: `null` clears an answer.
fn merge(mut into: Map<String, Value>, patch: Map<String, Value>) -> Map<String, Value> {
    for (k, v) in patch {
        if v.is_null() {
            into.remove(&k);
        } else {
            into.insert(k, v);
        }
    }
    into
}

async fn find<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<at::Model, StoreError> {
    at::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

fn view(a: at::Model, rt: Arc<CourseRuntime>, st: &Standing) -> Result<AttemptView, StoreError> {
    let quiz = st
        .quizzes
        .get(&a.quiz_id)
        .cloned()
        .ok_or(StoreError::NotFound)?;
    Ok(AttemptView {
        attempt: to_attempt(a)?,
        course: rt,
        quiz,
    })
}

/// The attempt with its course and quiz state, read on `conn`.
async fn view_on<C: ConnectionTrait>(conn: &C, a: at::Model) -> Result<AttemptView, StoreError> {
    let e = enrolment_row(conn, a.enrolment_id).await?;
    let rt = runtime(conn, e.course_version_id).await?;
    let st = load_standing(conn, &rt, e.id).await?;
    view(a, rt, &st)
}

/// Grades an in-progress attempt with `responses` and closes it. Conditional on the
/// attempt still being open, so of two concurrent submissions exactly one grades it;
/// returns whether this one did. The grading's statements (each question answered, the
/// quiz passed or failed) are recorded with it.
async fn close_attempt<C: ConnectionTrait>(
    txn: &C,
    ctx: (&str, &crate::entities::enrolments::Model, &CourseRuntime),
    a: &at::Model,
    q: &QuizPlan,
    responses: &Map<String, Value>,
    now: DateTime<Utc>,
    auto: bool,
) -> Result<bool, StoreError> {
    let result = quiz::grade(&q.def, &a.secret, responses).map_err(StoreError::Validation)?;
    let passed = quiz::passed(result.percent, q.def.settings.pass_mark);
    let closed = at::Entity::update_many()
        .col_expr(
            at::Column::Status,
            Expr::value(AttemptStatus::Submitted.as_str()),
        )
        .col_expr(at::Column::SubmittedAt, Expr::value(now))
        .col_expr(at::Column::AutoClosed, Expr::value(auto))
        .col_expr(
            at::Column::Responses,
            Expr::value(Value::Object(responses.clone())),
        )
        .col_expr(at::Column::Score, Expr::value(result.score))
        .col_expr(at::Column::MaxScore, Expr::value(result.max_score))
        .col_expr(at::Column::Percent, Expr::value(result.percent))
        .col_expr(at::Column::Passed, Expr::value(passed))
        .col_expr(
            at::Column::Result,
            Expr::value(serde_json::to_value(&result)?),
        )
        .col_expr(
            at::Column::Outcomes,
            Expr::value(marks::outcome_codes(&result)),
        )
        .filter(at::Column::Id.eq(a.id))
        .filter(at::Column::Status.eq(AttemptStatus::InProgress.as_str()))
        .exec(txn)
        .await?
        .rows_affected;
    if closed == 1 {
        let (home, e, rt) = ctx;
        let event = crate::xapi::platform::Event::AttemptGraded {
            quiz: q,
            attempt_id: a.id,
            number: a.number,
            result: &result,
            passed,
            started_at: a.started_at,
        };
        crate::xapi::platform::record(txn, home, e, rt, &[event], now).await?;
    }
    Ok(closed == 1)
}

/// Closes the enrolment's attempts whose deadline (plus grace) has passed, grading what
/// they saved, and settles completion. Runs lazily whenever the enrolment is touched.
pub async fn close_expired(db: &Db, enrolment_id: Uuid) -> Result<(), StoreError> {
    let now = Utc::now();
    let open = at::Entity::find()
        .filter(at::Column::EnrolmentId.eq(enrolment_id))
        .filter(at::Column::Status.eq(AttemptStatus::InProgress.as_str()))
        .all(&db.conn)
        .await?;
    if !open.iter().any(|a| expired(a, now)) {
        return Ok(());
    }
    let txn = db.begin_write().await?;
    let e = lock_enrolment(&txn, enrolment_id).await?;
    if ensure_active(&e).is_err() {
        // A frozen enrolment's open attempt is void, never graded.
        void_open_attempts(&txn, e.id).await?;
        txn.commit().await?;
        return Ok(());
    }
    let rt = runtime(&txn, e.course_version_id).await?;
    for a in open.iter().filter(|a| expired(a, now)) {
        if let Some(q) = rt.quiz(a.quiz_id) {
            close_attempt(&txn, (db.public_url(), &e, &rt), a, q, &saved(a), now, true).await?;
        }
    }
    let (st, marks) = load_marked(&txn, &rt, e.id).await?;
    touch_marked(&txn, &e, None, marks).await?;
    settle(&txn, db.public_url(), &e, &rt, &st, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Starts an attempt, or returns the one in progress (then `false`). Refused past the
/// attempt limit, which counts the extra attempts granted and not the void ones.
pub async fn start_attempt(
    db: &Db,
    enrolment_id: Uuid,
    quiz_id: Uuid,
) -> Result<(AttemptView, bool), StoreError> {
    close_expired(db, enrolment_id).await?;
    let txn = db.begin_write().await?;
    let (e, terms) = lock_for_learner(&txn, enrolment_id).await?;
    ensure_learner_may_write(&e, &terms)?;
    let rt = runtime(&txn, e.course_version_id).await?;
    let q = rt.quiz(quiz_id).ok_or(StoreError::NotFound)?;
    let mine = at::Entity::find()
        .filter(at::Column::EnrolmentId.eq(enrolment_id))
        .filter(at::Column::QuizId.eq(quiz_id))
        .all(&txn)
        .await?;
    if let Some(open) = mine
        .iter()
        .find(|a| a.status == AttemptStatus::InProgress.as_str())
    {
        let v = view_on(&txn, open.clone()).await?;
        txn.commit().await?;
        return Ok((v, false));
    }
    let extra = grants::extra_by_quiz(&txn, &[enrolment_id])
        .await?
        .get(&enrolment_id)
        .and_then(|x| x.get(&quiz_id).copied())
        .unwrap_or(0);
    let counted = mine
        .iter()
        .filter(|a| a.status != AttemptStatus::Void.as_str())
        .count() as u32;
    if let Some(allowed) = quiz::attempts_allowed(q.def.settings.max_attempts, extra)
        && counted >= allowed
    {
        return Err(Conflict::AttemptLimitReached(allowed).into());
    }
    let mut seed_bytes = [0u8; 8];
    getrandom::fill(&mut seed_bytes).map_err(|e| StoreError::Internal(e.to_string()))?;
    let now = Utc::now();
    let model = at::ActiveModel {
        id: Set(Uuid::now_v7()),
        enrolment_id: Set(enrolment_id),
        quiz_id: Set(quiz_id),
        number: Set(mine.len() as i32 + 1),
        secret: Set(random_token()?),
        seed: Set(i64::from_le_bytes(seed_bytes)),
        language: Set(e.language.clone()),
        status: Set(AttemptStatus::InProgress.as_str().to_owned()),
        started_at: Set(now),
        deadline: Set(q
            .def
            .settings
            .time_limit_minutes
            .map(|m| now + Duration::minutes(i64::from(m)))),
        submitted_at: Set(None),
        auto_closed: Set(false),
        responses: Set(serde_json::json!({})),
        score: Set(None),
        max_score: Set(None),
        percent: Set(None),
        passed: Set(None),
        result: Set(None),
        outcomes: Set(None),
    };
    match model.insert(&txn).await {
        Ok(m) => {
            touch(&txn, e.id, now).await?;
            let event = crate::xapi::platform::Event::AttemptStarted {
                quiz: q,
                attempt_id: m.id,
                number: m.number,
            };
            crate::xapi::platform::record(&txn, db.public_url(), &e, &rt, &[event], now).await?;
            let st = load_standing(&txn, &rt, e.id).await?;
            txn.commit().await?;
            Ok((view(m, rt, &st)?, true))
        }
        Err(err) if is_unique_violation(&err) => {
            drop(txn);
            // A concurrent start won: return its attempt.
            let open = at::Entity::find()
                .filter(at::Column::EnrolmentId.eq(enrolment_id))
                .filter(at::Column::QuizId.eq(quiz_id))
                .filter(at::Column::Status.eq(AttemptStatus::InProgress.as_str()))
                .one(&db.conn)
                .await?
                .ok_or(StoreError::Conflict(Conflict::AttemptRaced))?;
            Ok((view_on(&db.conn, open).await?, false))
        }
        Err(err) => Err(err.into()),
    }
}

/// The attempt; one left open past its deadline is closed first.
pub async fn attempt(db: &Db, id: Uuid) -> Result<AttemptView, StoreError> {
    let a = find(&db.conn, id).await?;
    if expired(&a, Utc::now()) {
        close_expired(db, a.enrolment_id).await?;
        return view_on(&db.conn, find(&db.conn, id).await?).await;
    }
    view_on(&db.conn, a).await
}

fn ensure_open(a: &at::Model) -> Result<(), StoreError> {
    if a.status == AttemptStatus::InProgress.as_str() {
        Ok(())
    } else {
        Err(Conflict::AttemptClosed.into())
    }
}

/// Merges responses into an open attempt (autosave). `null` clears an answer.
pub async fn save_responses(
    db: &Db,
    id: Uuid,
    patch: Map<String, Value>,
) -> Result<AttemptView, StoreError> {
    let a = attempt(db, id).await?;
    if a.attempt.status == AttemptStatus::Void {
        ensure_active(&enrolment_row(&db.conn, a.attempt.enrolment_id).await?)?;
    }
    if a.attempt.status != AttemptStatus::InProgress {
        return Err(Conflict::AttemptClosed.into());
    }
    let q = a
        .course
        .quiz(a.attempt.quiz_id)
        .ok_or(StoreError::NotFound)?;
    quiz::validate_responses(&q.def, &a.attempt.secret, &patch).map_err(StoreError::Validation)?;
    let txn = db.begin_write().await?;
    let (e, terms) = lock_for_learner(&txn, a.attempt.enrolment_id).await?;
    let current = find(&txn, id).await?;
    ensure_open(&current)?;
    // A withdrawn or completed enrolment takes no more answers, open attempt or not.
    ensure_learner_may_write(&e, &terms)?;
    let updated = at::ActiveModel {
        id: Set(id),
        responses: Set(Value::Object(merge(saved(&current), patch))),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    touch(&txn, current.enrolment_id, Utc::now()).await?;
    txn.commit().await?;
    Ok(AttemptView {
        attempt: to_attempt(updated)?,
        ..a
    })
}

/// Submits an attempt, optionally with final responses. Submitting twice grades once.
pub async fn submit(
    db: &Db,
    id: Uuid,
    final_responses: Option<Map<String, Value>>,
) -> Result<Submitted, StoreError> {
    let now = Utc::now();
    let a = find(&db.conn, id).await?;
    if a.status == AttemptStatus::Void.as_str() {
        // Closed ungraded by a withdrawal or completion: it takes no submission.
        ensure_active(&enrolment_row(&db.conn, a.enrolment_id).await?)?;
        return Err(Conflict::AttemptClosed.into());
    }
    if a.status != AttemptStatus::InProgress.as_str() {
        // Closed by the server at its deadline: a submission now is a late one.
        return Ok(if a.auto_closed {
            Submitted::TooLate
        } else {
            Submitted::Graded(Box::new(view_on(&db.conn, a).await?))
        });
    }
    if expired(&a, now) {
        close_expired(db, a.enrolment_id).await?;
        return Ok(Submitted::TooLate);
    }
    let e = enrolment_row(&db.conn, a.enrolment_id).await?;
    let rt = runtime(&db.conn, e.course_version_id).await?;
    let q = rt.quiz(a.quiz_id).ok_or(StoreError::NotFound)?;
    if let Some(f) = &final_responses {
        quiz::validate_responses(&q.def, &a.secret, f).map_err(StoreError::Validation)?;
    }
    let txn = db.begin_write().await?;
    let (e, terms) = lock_for_learner(&txn, a.enrolment_id).await?;
    let current = find(&txn, id).await?;
    let mut graded_now = None;
    if current.status == AttemptStatus::InProgress.as_str() {
        // Checked under the write turn, so a withdrawal that came first always wins.
        ensure_learner_may_write(&e, &terms)?;
        let responses = merge(saved(&current), final_responses.unwrap_or_default());
        if close_attempt(
            &txn,
            (db.public_url(), &e, &rt),
            &current,
            q,
            &responses,
            now,
            false,
        )
        .await?
        {
            // The grading changed the attempt only: `e` is still the enrolment's row.
            let (st, marks) = load_marked(&txn, &rt, e.id).await?;
            touch_marked(&txn, &e, Some(now), marks).await?;
            settle(&txn, db.public_url(), &e, &rt, &st, now).await?;
            graded_now = Some(st);
        }
    }
    let closed = find(&txn, id).await?;
    // The standing that settled completion already counts this grading; read it only when
    // another request graded the attempt first.
    let graded = match graded_now {
        Some(st) => view(closed, rt, &st)?,
        None => view_on(&txn, closed).await?,
    };
    txn.commit().await?;
    Ok(Submitted::Graded(Box::new(graded)))
}
