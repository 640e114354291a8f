//! Learning: lesson progress, quiz attempts, completion and certificates. Every write that
//! can complete a module or the course decides that in its own transaction, so completion
//! and the certificate never lag behind the write that caused them.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};
use help_lms_domain::enrolment::EnrolmentStatus;
use help_lms_domain::quiz::{self, QuizResult};
use help_lms_domain::reporting::days_between;
use help_lms_domain::values::Language;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::Serialize;
use uuid::Uuid;

use crate::Db;
use crate::catalogue::runtime::{CourseRuntime, QuizRuntime, runtime};
use crate::entities::{attempts, certificates, enrolments as en, lesson_progress as lp, users};
use crate::error::{Conflict, StoreError, is_unique_violation};
use crate::sessions::random_token;

/// Seconds after the deadline during which a submission is still accepted (network and
/// clock slack between the learner's browser and the server).
pub const GRACE_SECONDS: i64 = 30;

/// Most time one lesson can record, to keep garbage out of the statistics.
pub const MAX_LESSON_SECONDS: i32 = 24 * 3600;

#[derive(Debug, Clone, Serialize)]
pub struct LessonState {
    /// not_started, viewed or completed
    pub status: &'static str,
    pub time_spent_seconds: i32,
    pub completed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct QuizState {
    pub attempts_submitted: u32,
    /// None when unlimited.
    pub attempts_left: Option<u32>,
    /// The grade by the quiz's grading method, in percent.
    pub grade: Option<f64>,
    pub passed: bool,
    pub in_progress_attempt: Option<Uuid>,
}

#[derive(Debug, Clone)]
pub struct ModuleState {
    pub module_id: Uuid,
    pub completed: bool,
}

/// Where an enrolment stands, computed from its progress rows and attempts.
#[derive(Debug, Clone)]
pub struct Standing {
    pub lessons: BTreeMap<Uuid, LessonState>,
    pub quizzes: BTreeMap<Uuid, QuizState>,
    pub modules: Vec<ModuleState>,
    pub percent: f64,
    pub time_spent_seconds: i64,
    /// The first lesson not completed or quiz not passed, in course order.
    pub next: Option<(&'static str, Uuid)>,
    pub complete: bool,
    pub final_score: f64,
}

pub fn standing(
    rt: &CourseRuntime,
    progress: &[lp::Model],
    attempts: &[attempts::Model],
) -> Standing {
    let by_lesson: BTreeMap<Uuid, &lp::Model> = progress.iter().map(|p| (p.lesson_id, p)).collect();
    let mut lessons = BTreeMap::new();
    let mut quizzes = BTreeMap::new();
    let mut modules = Vec::new();
    let (mut done_items, mut all_items) = (0usize, 0usize);
    let mut next = None;
    let mut grades = Vec::new();
    for m in &rt.modules {
        let mut module_done = true;
        for l in &m.lesson_ids {
            let st = match by_lesson.get(l) {
                Some(p) => LessonState {
                    status: if p.completed_at.is_some() {
                        "completed"
                    } else {
                        "viewed"
                    },
                    time_spent_seconds: p.time_spent_seconds,
                    completed_at: p.completed_at,
                },
                None => LessonState {
                    status: "not_started",
                    time_spent_seconds: 0,
                    completed_at: None,
                },
            };
            all_items += 1;
            if st.completed_at.is_some() {
                done_items += 1;
            } else {
                module_done = false;
                next = next.or(Some(("lesson", *l)));
            }
            lessons.insert(*l, st);
        }
        if let Some(q) = &m.quiz {
            let mut submitted: Vec<&attempts::Model> = attempts
                .iter()
                .filter(|a| a.quiz_id == q.id && a.status == "submitted")
                .collect();
            submitted.sort_by_key(|a| a.number);
            let percents: Vec<f64> = submitted.iter().filter_map(|a| a.percent).collect();
            let grade = quiz::aggregate(q.def.settings.grading, &percents);
            let passed = grade.is_some_and(|g| quiz::passed(g, q.def.settings.pass_mark));
            let max = q.def.settings.max_attempts;
            let n = submitted.len() as u32;
            let state = QuizState {
                attempts_submitted: n,
                attempts_left: (max > 0).then(|| max.saturating_sub(n)),
                grade,
                passed,
                in_progress_attempt: attempts
                    .iter()
                    .find(|a| a.quiz_id == q.id && a.status == "in_progress")
                    .map(|a| a.id),
            };
            all_items += 1;
            if passed {
                done_items += 1;
            } else {
                module_done = false;
                next = next.or(Some(("quiz", q.id)));
            }
            if let Some(g) = grade {
                grades.push(g);
            }
            quizzes.insert(q.id, state);
        }
        modules.push(ModuleState {
            module_id: m.id,
            completed: module_done,
        });
    }
    let percent = if all_items == 0 {
        100.0
    } else {
        ((done_items as f64 / all_items as f64) * 10000.0).round() / 100.0
    };
    let complete = modules.iter().all(|m| m.completed);
    let final_score = if grades.is_empty() {
        100.0
    } else {
        ((grades.iter().sum::<f64>() / grades.len() as f64) * 100.0).round() / 100.0
    };
    Standing {
        lessons,
        quizzes,
        modules,
        percent,
        time_spent_seconds: progress
            .iter()
            .map(|p| i64::from(p.time_spent_seconds))
            .sum(),
        next,
        complete,
        final_score,
    }
}

pub async fn load_standing<C: ConnectionTrait>(
    conn: &C,
    rt: &CourseRuntime,
    enrolment_id: Uuid,
) -> Result<Standing, StoreError> {
    let progress = lp::Entity::find()
        .filter(lp::Column::EnrolmentId.eq(enrolment_id))
        .all(conn)
        .await?;
    let atts = attempts::Entity::find()
        .filter(attempts::Column::EnrolmentId.eq(enrolment_id))
        .all(conn)
        .await?;
    Ok(standing(rt, &progress, &atts))
}

fn not_active(e: &en::Model) -> StoreError {
    let status = EnrolmentStatus::parse(&e.status).unwrap_or(EnrolmentStatus::Withdrawn);
    Conflict::EnrolmentNotActive(status).into()
}

/// After a write: if every module is now complete, the enrolment completes and its
/// certificate is issued, in the same transaction.
async fn settle(
    txn: &DatabaseTransaction,
    e: &en::Model,
    rt: &CourseRuntime,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let st = load_standing(txn, rt, e.id).await?;
    if !st.complete || e.status != EnrolmentStatus::Active.as_str() {
        return Ok(());
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
    let user = users::Entity::find_by_id(e.user_id)
        .one(txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let lang = Language::parse(&e.language).unwrap_or(Language::En);
    let title = help_lms_domain::content::pick(&rt.course.title, lang, &[Language::En])
        .map(|(_, t)| t.to_owned())
        .unwrap_or_else(|| rt.course.slug.clone());
    certificates::ActiveModel {
        id: Set(Uuid::now_v7()),
        code: Set(certificate_code()?),
        enrolment_id: Set(e.id),
        user_id: Set(e.user_id),
        course_id: Set(e.course_id),
        course_version: Set(rt.course.version),
        learner_name: Set(user.name),
        course_title: Set(title),
        language: Set(e.language.clone()),
        issued_at: Set(now),
        final_score: Set(st.final_score),
        estimated_hours: Set(rt.course.estimated_hours),
        revoked_at: Set(None),
        revoked_reason: Set(None),
    }
    .insert(txn)
    .await?;
    tracing::info!(enrolment_id = %e.id, "course completed; certificate issued");
    Ok(())
}

/// 100 random bits in Crockford base32, grouped for reading aloud: `XXXX-XXXX-XXXX-XXXX-XXXX`.
fn certificate_code() -> Result<String, StoreError> {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Internal(e.to_string()))?;
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % 32] as char)
        .collect();
    Ok(chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-"))
}

pub async fn enrolment_row<C: ConnectionTrait>(
    conn: &C,
    id: Uuid,
) -> Result<en::Model, StoreError> {
    en::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Records that a lesson was viewed or completed. Repeats change nothing: the first
/// completion time stays, and `time_spent_seconds` is the lesson's running total (the
/// largest value seen is kept, so a retried or repeated write never double-counts).
pub async fn record_progress(
    db: &Db,
    enrolment_id: Uuid,
    lesson_id: Uuid,
    completed: bool,
    time_spent_seconds: i32,
) -> Result<(), StoreError> {
    let txn = db.begin_write().await?;
    let e = enrolment_row(&txn, enrolment_id).await?;
    if e.status != EnrolmentStatus::Active.as_str() {
        return Err(not_active(&e));
    }
    let rt = runtime(&txn, e.course_version_id).await?;
    if !rt.has_lesson(lesson_id) {
        return Err(StoreError::NotFound);
    }
    let now = Utc::now();
    let existing = lp::Entity::find_by_id((enrolment_id, lesson_id))
        .one(&txn)
        .await?;
    let newly_completed = match existing {
        None => {
            lp::ActiveModel {
                enrolment_id: Set(enrolment_id),
                lesson_id: Set(lesson_id),
                status: Set(if completed { "completed" } else { "viewed" }.to_owned()),
                time_spent_seconds: Set(time_spent_seconds),
                first_viewed_at: Set(now),
                completed_at: Set(completed.then_some(now)),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await?;
            completed
        }
        Some(p) => {
            let mut am = lp::ActiveModel {
                enrolment_id: Set(enrolment_id),
                lesson_id: Set(lesson_id),
                updated_at: Set(now),
                ..Default::default()
            };
            if time_spent_seconds > p.time_spent_seconds {
                am.time_spent_seconds = Set(time_spent_seconds);
            }
            let newly = completed && p.completed_at.is_none();
            if newly {
                am.status = Set("completed".to_owned());
                am.completed_at = Set(Some(now));
            }
            am.update(&txn).await?;
            newly
        }
    };
    en::ActiveModel {
        id: Set(e.id),
        last_activity_at: Set(Some(now)),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    if newly_completed {
        settle(&txn, &e, &rt, now).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Grades an in-progress attempt with what it holds and closes it. Returns the result.
async fn close_attempt(
    txn: &DatabaseTransaction,
    a: &attempts::Model,
    q: &QuizRuntime,
    responses: &serde_json::Map<String, serde_json::Value>,
    now: DateTime<Utc>,
    auto: bool,
) -> Result<Option<QuizResult>, StoreError> {
    let result = quiz::grade(&q.def, &a.secret, responses).map_err(StoreError::Validation)?;
    let passed = quiz::passed(result.percent, q.def.settings.pass_mark);
    // Conditional on the attempt still being open: of two concurrent submissions exactly
    // one grades it.
    let won = attempts::Entity::update_many()
        .col_expr(attempts::Column::Status, Expr::value("submitted"))
        .col_expr(attempts::Column::SubmittedAt, Expr::value(now))
        .col_expr(attempts::Column::AutoClosed, Expr::value(auto))
        .col_expr(
            attempts::Column::Responses,
            Expr::value(serde_json::Value::Object(responses.clone())),
        )
        .col_expr(attempts::Column::Score, Expr::value(result.score))
        .col_expr(attempts::Column::MaxScore, Expr::value(result.max_score))
        .col_expr(attempts::Column::Percent, Expr::value(result.percent))
        .col_expr(attempts::Column::Passed, Expr::value(passed))
        .col_expr(
            attempts::Column::Result,
            Expr::value(serde_json::to_value(&result)?),
        )
        .filter(attempts::Column::Id.eq(a.id))
        .filter(attempts::Column::Status.eq("in_progress"))
        .exec(txn)
        .await?
        .rows_affected
        == 1;
    Ok(won.then_some(result))
}

fn saved(a: &attempts::Model) -> serde_json::Map<String, serde_json::Value> {
    a.responses.as_object().cloned().unwrap_or_default()
}

fn expired(a: &attempts::Model, now: DateTime<Utc>) -> bool {
    a.status == "in_progress"
        && a.deadline
            .is_some_and(|d| now > d + Duration::seconds(GRACE_SECONDS))
}

/// Closes the enrolment's attempts whose deadline (plus grace) has passed, grading what
/// they saved, and settles completion. Runs lazily whenever the enrolment is touched.
pub async fn close_expired(db: &Db, enrolment_id: Uuid) -> Result<(), StoreError> {
    let now = Utc::now();
    let open = attempts::Entity::find()
        .filter(attempts::Column::EnrolmentId.eq(enrolment_id))
        .filter(attempts::Column::Status.eq("in_progress"))
        .all(&db.conn)
        .await?;
    if !open.iter().any(|a| expired(a, now)) {
        return Ok(());
    }
    let txn = db.begin_write().await?;
    let e = enrolment_row(&txn, enrolment_id).await?;
    let rt = runtime(&txn, e.course_version_id).await?;
    for a in open.iter().filter(|a| expired(a, now)) {
        if let Some(q) = rt.quiz(a.quiz_id) {
            close_attempt(&txn, a, q, &saved(a), now, true).await?;
        }
    }
    if e.status == EnrolmentStatus::Active.as_str() {
        settle(&txn, &e, &rt, now).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Starts an attempt, or returns the one in progress. Refused past the attempt limit.
pub async fn start_attempt(
    db: &Db,
    enrolment_id: Uuid,
    quiz_id: Uuid,
) -> Result<(attempts::Model, bool), StoreError> {
    close_expired(db, enrolment_id).await?;
    let txn = db.begin_write().await?;
    let e = enrolment_row(&txn, enrolment_id).await?;
    if e.status != EnrolmentStatus::Active.as_str() {
        return Err(not_active(&e));
    }
    let rt = runtime(&txn, e.course_version_id).await?;
    let q = rt.quiz(quiz_id).ok_or(StoreError::NotFound)?;
    let mine = attempts::Entity::find()
        .filter(attempts::Column::EnrolmentId.eq(enrolment_id))
        .filter(attempts::Column::QuizId.eq(quiz_id))
        .all(&txn)
        .await?;
    if let Some(open) = mine.iter().find(|a| a.status == "in_progress") {
        return Ok((open.clone(), false));
    }
    let max = q.def.settings.max_attempts;
    if max > 0 && mine.len() as u32 >= max {
        return Err(Conflict::AttemptLimitReached(max).into());
    }
    let mut seed_bytes = [0u8; 8];
    getrandom::fill(&mut seed_bytes).map_err(|e| StoreError::Internal(e.to_string()))?;
    let now = Utc::now();
    let model = attempts::ActiveModel {
        id: Set(Uuid::now_v7()),
        enrolment_id: Set(enrolment_id),
        quiz_id: Set(quiz_id),
        number: Set(mine.len() as i32 + 1),
        secret: Set(random_token()?),
        seed: Set(i64::from_le_bytes(seed_bytes)),
        language: Set(e.language.clone()),
        status: Set("in_progress".to_owned()),
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
    };
    match model.insert(&txn).await {
        Ok(m) => {
            en::ActiveModel {
                id: Set(e.id),
                last_activity_at: Set(Some(now)),
                ..Default::default()
            }
            .update(&txn)
            .await?;
            txn.commit().await?;
            Ok((m, true))
        }
        Err(err) if is_unique_violation(&err) => {
            drop(txn);
            // A concurrent start won: return its attempt.
            let open = attempts::Entity::find()
                .filter(attempts::Column::EnrolmentId.eq(enrolment_id))
                .filter(attempts::Column::QuizId.eq(quiz_id))
                .filter(attempts::Column::Status.eq("in_progress"))
                .one(&db.conn)
                .await?
                .ok_or(StoreError::Conflict(Conflict::AttemptRaced))?;
            Ok((open, false))
        }
        Err(err) => Err(err.into()),
    }
}

pub async fn attempt(db: &Db, id: Uuid) -> Result<attempts::Model, StoreError> {
    let a = attempts::Entity::find_by_id(id)
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    if expired(&a, Utc::now()) {
        close_expired(db, a.enrolment_id).await?;
        return attempts::Entity::find_by_id(id)
            .one(&db.conn)
            .await?
            .ok_or(StoreError::NotFound);
    }
    Ok(a)
}

/// Merges responses into an open attempt (autosave). `null` clears an answer.
pub async fn save_responses(
    db: &Db,
    id: Uuid,
    patch: serde_json::Map<String, serde_json::Value>,
) -> Result<attempts::Model, StoreError> {
    let a = attempt(db, id).await?;
    if a.status != "in_progress" {
        return Err(Conflict::AttemptClosed.into());
    }
    let e = enrolment_row(&db.conn, a.enrolment_id).await?;
    let rt = runtime(&db.conn, e.course_version_id).await?;
    let q = rt.quiz(a.quiz_id).ok_or(StoreError::NotFound)?;
    quiz::validate_responses(&q.def, &a.secret, &patch).map_err(StoreError::Validation)?;
    let txn = db.begin_write().await?;
    let current = attempts::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    if current.status != "in_progress" {
        return Err(Conflict::AttemptClosed.into());
    }
    let mut merged = saved(&current);
    for (k, v) in patch {
        if v.is_null() {
            merged.remove(&k);
        } else {
            merged.insert(k, v);
        }
    }
    let updated = attempts::ActiveModel {
        id: Set(id),
        responses: Set(serde_json::Value::Object(merged)),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    en::ActiveModel {
        id: Set(e.id),
        last_activity_at: Set(Some(Utc::now())),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    txn.commit().await?;
    Ok(updated)
}

pub enum Submitted {
    /// Graded now, or already graded by an earlier submission (same result either way).
    Graded(attempts::Model),
    /// Arrived after the deadline and grace: the attempt was closed with what it had saved.
    TooLate(attempts::Model),
}

/// Submits an attempt, optionally with final responses. Submitting twice grades once.
pub async fn submit(
    db: &Db,
    id: Uuid,
    final_responses: Option<serde_json::Map<String, serde_json::Value>>,
) -> Result<Submitted, StoreError> {
    let now = Utc::now();
    let a = attempts::Entity::find_by_id(id)
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    if a.status != "in_progress" {
        // Closed by the server at its deadline: a submission now is a late one.
        return Ok(if a.auto_closed {
            Submitted::TooLate(a)
        } else {
            Submitted::Graded(a)
        });
    }
    if expired(&a, now) {
        close_expired(db, a.enrolment_id).await?;
        let closed = attempts::Entity::find_by_id(id)
            .one(&db.conn)
            .await?
            .ok_or(StoreError::NotFound)?;
        return Ok(Submitted::TooLate(closed));
    }
    let e = enrolment_row(&db.conn, a.enrolment_id).await?;
    let rt = runtime(&db.conn, e.course_version_id).await?;
    let q = rt.quiz(a.quiz_id).ok_or(StoreError::NotFound)?;
    if let Some(f) = &final_responses {
        quiz::validate_responses(&q.def, &a.secret, f).map_err(StoreError::Validation)?;
    }
    let txn = db.begin_write().await?;
    let current = attempts::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    if current.status == "in_progress" {
        let mut responses = saved(&current);
        for (k, v) in final_responses.unwrap_or_default() {
            if v.is_null() {
                responses.remove(&k);
            } else {
                responses.insert(k, v);
            }
        }
        if close_attempt(&txn, &current, q, &responses, now, false)
            .await?
            .is_some()
        {
            let e = enrolment_row(&txn, current.enrolment_id).await?;
            en::ActiveModel {
                id: Set(e.id),
                last_activity_at: Set(Some(now)),
                ..Default::default()
            }
            .update(&txn)
            .await?;
            settle(&txn, &e, &rt, now).await?;
        }
    }
    txn.commit().await?;
    let graded = attempts::Entity::find_by_id(id)
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(Submitted::Graded(graded))
}

/// A certificate as stored.
pub type Certificate = certificates::Model;

pub async fn certificate_of(
    db: &Db,
    enrolment_id: Uuid,
) -> Result<Option<Certificate>, StoreError> {
    Ok(certificates::Entity::find()
        .filter(certificates::Column::EnrolmentId.eq(enrolment_id))
        .one(&db.conn)
        .await?)
}

pub async fn certificate_by_code(db: &Db, code: &str) -> Result<Option<Certificate>, StoreError> {
    Ok(certificates::Entity::find()
        .filter(certificates::Column::Code.eq(code.trim().to_uppercase()))
        .one(&db.conn)
        .await?)
}

pub async fn revoke_certificate(
    db: &Db,
    code: &str,
    reason: &str,
) -> Result<Certificate, StoreError> {
    let c = certificate_by_code(db, code)
        .await?
        .ok_or(StoreError::NotFound)?;
    if c.revoked_at.is_some() {
        return Ok(c);
    }
    Ok(certificates::ActiveModel {
        id: Set(c.id),
        revoked_at: Set(Some(Utc::now())),
        revoked_reason: Set(Some(reason.to_owned())),
        ..Default::default()
    }
    .update(&db.conn)
    .await?)
}

/// The submitted attempts of an enrolment's quiz, in order (for reviews and the roster).
pub async fn attempts_of<C: ConnectionTrait>(
    conn: &C,
    enrolment_id: Uuid,
) -> Result<Vec<attempts::Model>, StoreError> {
    Ok(attempts::Entity::find()
        .filter(attempts::Column::EnrolmentId.eq(enrolment_id))
        .order_by_asc(attempts::Column::QuizId)
        .order_by_asc(attempts::Column::Number)
        .all(conn)
        .await?)
}

/// Standings of many enrolments of one course version at once (rosters), in two queries.
pub async fn standings_for<C: ConnectionTrait>(
    conn: &C,
    rt: &CourseRuntime,
    enrolment_ids: &[Uuid],
) -> Result<HashMap<Uuid, Standing>, StoreError> {
    let mut progress: HashMap<Uuid, Vec<lp::Model>> = HashMap::new();
    let mut atts: HashMap<Uuid, Vec<attempts::Model>> = HashMap::new();
    for chunk in enrolment_ids.chunks(400) {
        for p in lp::Entity::find()
            .filter(lp::Column::EnrolmentId.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            progress.entry(p.enrolment_id).or_default().push(p);
        }
        for a in attempts::Entity::find()
            .filter(attempts::Column::EnrolmentId.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            atts.entry(a.enrolment_id).or_default().push(a);
        }
    }
    Ok(enrolment_ids
        .iter()
        .map(|id| {
            let p = progress.get(id).map(Vec::as_slice).unwrap_or(&[]);
            let a = atts.get(id).map(Vec::as_slice).unwrap_or(&[]);
            (*id, standing(rt, p, a))
        })
        .collect())
}
