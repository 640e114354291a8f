//! Lesson progress: recording a learner's report on a lesson, and the overview of an
//! enrolment (its course, standing and certificate).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use help_lms_domain::enrolment::EnrolmentStatus;
use help_lms_domain::progress::{LessonPlan, LessonStatus, ProgressReport, Standing};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use uuid::Uuid;

use super::records::records;
use super::{
    certificate_of, close_expired, enrolment_row, ensure_learner_may_write, load_marked,
    load_standing, lock_for_learner, settle, status_of, touch_marked,
};
use crate::Db;
use crate::catalogue::runtime::{CourseRuntime, runtime};
use crate::enrolments::{Enrolment, to_domain};
use crate::entities::lesson_progress as lp;
use crate::error::StoreError;

/// What a progress write did, computed in its transaction.
#[derive(Debug, Clone)]
pub struct ProgressOutcome {
    pub lesson: LessonPlan,
    pub course: Arc<CourseRuntime>,
    pub enrolment: Enrolment,
    /// The standing the write left, this lesson's state included.
    pub standing: Standing,
    /// Set when this write completed the course.
    pub certificate_code: Option<String>,
}

/// Records that a lesson was viewed or completed. Repeats change nothing: the first
/// completion time stays, and `time_spent_seconds` is the lesson's running total (the
/// largest value seen is kept, so a retried or repeated write never double-counts). A
/// completed enrolment records nothing and answers its standing as it is (a learner
/// rereading a finished course); a withdrawn one is refused.
pub async fn record_progress(
    db: &Db,
    enrolment_id: Uuid,
    lesson_id: Uuid,
    report: ProgressReport,
) -> Result<ProgressOutcome, StoreError> {
    let txn = db.begin_write().await?;
    let (e, terms) = lock_for_learner(&txn, enrolment_id).await?;
    let completed = status_of(&e)? == EnrolmentStatus::Completed;
    if !completed {
        ensure_learner_may_write(&e, &terms)?;
    }
    let rt = runtime(&txn, e.course_version_id).await?;
    let lesson = rt.lesson(lesson_id).ok_or(StoreError::NotFound)?.clone();
    if completed {
        // A completed enrolment's record is final: the write is answered, not recorded.
        let standing = load_standing(&txn, &rt, e.id).await?;
        txn.commit().await?;
        return Ok(ProgressOutcome {
            lesson,
            course: rt,
            enrolment: to_domain(e)?,
            standing,
            certificate_code: None,
        });
    }
    let now = Utc::now();
    let (opened, completed_now) = write_lesson(&txn, enrolment_id, lesson_id, report, now).await?;
    let (standing, marks) = load_marked(&txn, &rt, e.id).await?;
    touch_marked(&txn, &e, Some(now), marks).await?;
    use crate::xapi::platform::{Event, record};
    let mut events = Vec::new();
    if opened {
        events.push(Event::LessonOpened(&lesson));
    }
    if completed_now {
        events.push(Event::LessonCompleted(&lesson));
    }
    record(&txn, db.public_url(), &e, &rt, &events, now).await?;
    let certificate_code = settle(&txn, db.public_url(), &e, &rt, &standing, now).await?;
    txn.commit().await?;
    let mut enrolment = to_domain(e)?;
    if certificate_code.is_some() {
        enrolment.status = EnrolmentStatus::Completed;
        enrolment.completed_at = Some(now);
    }
    Ok(ProgressOutcome {
        lesson,
        course: rt,
        enrolment,
        standing,
        certificate_code,
    })
}

/// Writes the report; answers whether it opened the lesson (its first write) and whether
/// it completed it.
async fn write_lesson<C: ConnectionTrait>(
    txn: &C,
    enrolment_id: Uuid,
    lesson_id: Uuid,
    report: ProgressReport,
    now: DateTime<Utc>,
) -> Result<(bool, bool), StoreError> {
    let status = |completed: bool| {
        if completed {
            LessonStatus::Completed
        } else {
            LessonStatus::Viewed
        }
        .as_str()
        .to_owned()
    };
    match lp::Entity::find_by_id((enrolment_id, lesson_id))
        .one(txn)
        .await?
    {
        None => {
            lp::ActiveModel {
                enrolment_id: Set(enrolment_id),
                lesson_id: Set(lesson_id),
                status: Set(status(report.completed)),
                time_spent_seconds: Set(report.time_spent_seconds),
                first_viewed_at: Set(now),
                completed_at: Set(report.completed.then_some(now)),
                updated_at: Set(now),
            }
            .insert(txn)
            .await?;
            Ok((true, report.completed))
        }
        Some(p) => {
            let mut am = lp::ActiveModel {
                enrolment_id: Set(enrolment_id),
                lesson_id: Set(lesson_id),
                updated_at: Set(now),
                ..Default::default()
            };
            if report.time_spent_seconds > p.time_spent_seconds {
                am.time_spent_seconds = Set(report.time_spent_seconds);
            }
            let completes = report.completed && p.completed_at.is_none();
            if completes {
                am.status = Set(status(true));
                am.completed_at = Set(Some(now));
            }
            am.update(txn).await?;
            Ok((false, completes))
        }
    }
}

/// An enrolment as its learner and their tutors see it.
#[derive(Debug, Clone)]
pub struct Overview {
    pub enrolment: Enrolment,
    pub last_activity_at: Option<DateTime<Utc>>,
    pub course: Arc<CourseRuntime>,
    pub standing: Standing,
    pub certificate_code: Option<String>,
}

/// The enrolment's course, standing and certificate, after closing any attempt whose
/// deadline has passed (so the standing counts it). `e` is the enrolment as the caller has
/// just read it (to decide who may see it); it is read again only if an attempt closes.
pub async fn overview(db: &Db, e: Enrolment) -> Result<Overview, StoreError> {
    let mut held = records(&db.conn, e.id).await?;
    let e = if held.has_expired(Utc::now()) {
        close_expired(db, e.id).await?;
        held = records(&db.conn, e.id).await?;
        to_domain(enrolment_row(&db.conn, e.id).await?)?
    } else {
        e
    };
    let rt = runtime(&db.conn, e.course_version_id).await?;
    let standing = held.standing(&rt);
    let certificate_code = match e.status {
        EnrolmentStatus::Active => None,
        _ => certificate_of(&db.conn, e.id).await?.map(|c| c.code),
    };
    Ok(Overview {
        last_activity_at: e.last_activity_at,
        enrolment: e,
        course: rt,
        standing,
        certificate_code,
    })
}
