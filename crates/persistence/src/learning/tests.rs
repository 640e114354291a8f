//! Service tests of learning on a real database (SQLite, or PostgreSQL with
//! `HELP_TEST_DATABASE_URL`): what each write leaves behind and what it answers.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use help_lms_domain::enrolment::EnrolmentStatus;
use help_lms_domain::progress::{AttemptStatus, LessonStatus, Next, ProgressReport};
use help_lms_domain::quiz::{self, ROLE_OPTION};
use help_lms_domain::values::Language;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::*;
use crate::catalogue::CourseSummary;
use crate::test_support::{TestDb, learner, tiny_course};
use crate::{Db, enrolments};

/// The overview of an enrolment read just now, as the API reads it before asking.
pub(super) async fn overview_now(db: &Db, id: Uuid) -> Overview {
    let e = enrolments::find(&db.conn, id).await.unwrap().unwrap();
    overview(db, e).await.unwrap()
}

pub(super) struct Fixture {
    pub(super) t: TestDb,
    pub(super) course: CourseSummary,
    pub(super) enrolment: Uuid,
    pub(super) lessons: [Uuid; 2],
    pub(super) quiz: Uuid,
}

pub(super) async fn fixture() -> Fixture {
    let t = TestDb::new().await;
    let course = tiny_course(&t.db).await;
    let user = learner(&t.db, "ana@example.eu").await;
    let e = enrolments::self_enrol(
        &t.db,
        user,
        course.course_id,
        course.version_id,
        Language::En,
    )
    .await
    .unwrap();
    let rt = runtime(&t.db.conn, course.version_id).await.unwrap();
    let m = &rt.modules[0];
    Fixture {
        lessons: [m.lessons[0].id, m.lessons[1].id],
        quiz: m.quiz.as_ref().unwrap().id,
        enrolment: e.id,
        course,
        t,
    }
}

pub(super) fn report(completed: bool, seconds: i32) -> ProgressReport {
    ProgressReport {
        completed,
        time_spent_seconds: seconds,
    }
}

/// The response to the quiz's one question: the right option or the wrong one.
pub(super) fn answer(view: &AttemptView, right: bool) -> Map<String, Value> {
    let q = view.course.quiz(view.attempt.quiz_id).unwrap();
    let value = if right {
        quiz::correct_response(&q.def.questions[0], &view.attempt.secret, Language::En, &[])
    } else {
        Value::String(quiz::item_id(
            &view.attempt.secret,
            "q1",
            ROLE_OPTION,
            "wrong",
        ))
    };
    let mut m = Map::new();
    m.insert("q1".into(), value);
    m
}

async fn submitted_attempts(db: &Db, enrolment: Uuid) -> u64 {
    at::Entity::find()
        .filter(at::Column::EnrolmentId.eq(enrolment))
        .filter(at::Column::Status.eq("submitted"))
        .count(&db.conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_progress_write_answers_with_the_lesson_and_the_standing_it_left() {
    let f = fixture().await;
    let out = record_progress(&f.t.db, f.enrolment, f.lessons[0], report(true, 120))
        .await
        .unwrap();
    assert_eq!(out.lesson.key, "l1");
    assert_eq!(out.lesson.title[&Language::En], "Lesson one");
    assert_eq!(
        out.standing.lesson(f.lessons[0]).status,
        LessonStatus::Completed
    );
    assert_eq!(out.standing.lesson(f.lessons[0]).time_spent_seconds, 120);
    // Two lessons and a quiz: one of three done; resume at the second lesson.
    assert_eq!(out.standing.percent, 33.33);
    assert_eq!(out.standing.next, Some(Next::Lesson(f.lessons[1])));
    assert_eq!(out.enrolment.status, EnrolmentStatus::Active);
    assert_eq!(out.certificate_code, None);
}

#[tokio::test]
async fn repeated_progress_writes_keep_the_largest_time_and_the_first_completion() {
    let f = fixture().await;
    let first = record_progress(&f.t.db, f.enrolment, f.lessons[0], report(true, 300))
        .await
        .unwrap();
    let again = record_progress(&f.t.db, f.enrolment, f.lessons[0], report(false, 200))
        .await
        .unwrap();
    let l = again.standing.lesson(f.lessons[0]);
    assert_eq!(l.time_spent_seconds, 300);
    assert_eq!(l.status, LessonStatus::Completed);
    assert_eq!(
        l.completed_at,
        first.standing.lesson(f.lessons[0]).completed_at
    );
    assert_eq!(again.standing.time_spent_seconds, 300);
}

#[tokio::test]
async fn progress_on_a_lesson_of_another_course_is_not_found() {
    let f = fixture().await;
    let err = record_progress(&f.t.db, f.enrolment, Uuid::now_v7(), report(true, 1))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
}

#[tokio::test]
async fn the_write_that_completes_the_course_issues_the_certificate_in_its_transaction() {
    let f = fixture().await;
    let db = &f.t.db;
    let (a, created) = start_attempt(db, f.enrolment, f.quiz).await.unwrap();
    assert!(created);
    let Submitted::Graded(g) = submit(db, a.attempt.id, Some(answer(&a, true)))
        .await
        .unwrap()
    else {
        panic!("graded in time")
    };
    assert!(g.quiz.passed);
    record_progress(db, f.enrolment, f.lessons[0], report(true, 60))
        .await
        .unwrap();
    let last = record_progress(db, f.enrolment, f.lessons[1], report(true, 60))
        .await
        .unwrap();
    assert!(last.standing.complete);
    assert_eq!(last.enrolment.status, EnrolmentStatus::Completed);
    let code = last
        .certificate_code
        .expect("issued by the completing write");
    let cert = certificate_of(&db.conn, f.enrolment)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(cert.code, code);
    assert_eq!(cert.course_title, "Tiny course");
    assert_eq!(cert.final_score, 100.0);
    // A completed enrolment's record is final: a progress write is answered, not recorded.
    let before = overview_now(db, f.enrolment).await;
    let again = record_progress(db, f.enrolment, f.lessons[0], report(false, 9_000))
        .await
        .unwrap();
    assert_eq!(again.certificate_code, None);
    assert_eq!(again.enrolment.status, EnrolmentStatus::Completed);
    let after = overview_now(db, f.enrolment).await;
    assert_eq!(after.standing, before.standing);
    assert_eq!(after.last_activity_at, before.last_activity_at);
    // And it starts no attempt.
    let err = start_attempt(db, f.enrolment, f.quiz).await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Conflict(Conflict::EnrolmentNotActive(EnrolmentStatus::Completed))
        ),
        "{err:?}"
    );
    assert_eq!(f.course.slug, "tiny-course");
}

#[tokio::test]
async fn concurrent_submissions_grade_an_attempt_once() {
    let f = fixture().await;
    let db = f.t.db.clone();
    let (a, _) = start_attempt(&db, f.enrolment, f.quiz).await.unwrap();
    let responses = answer(&a, false);
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let db = db.clone();
        let responses = responses.clone();
        let id = a.attempt.id;
        tasks.push(tokio::spawn(async move {
            submit(&db, id, Some(responses)).await
        }));
    }
    let mut submitted_at = Vec::new();
    for t in tasks {
        match t.await.unwrap().unwrap() {
            Submitted::Graded(g) => {
                assert_eq!(g.attempt.status, AttemptStatus::Submitted);
                assert_eq!(g.quiz.attempts_submitted, 1);
                submitted_at.push(g.attempt.submitted_at);
            }
            Submitted::TooLate => panic!("submitted in time"),
        }
    }
    submitted_at.dedup();
    assert_eq!(submitted_at.len(), 1, "every answer shows the one grading");
    assert_eq!(submitted_attempts(&db, f.enrolment).await, 1);
}

#[tokio::test]
async fn an_attempt_left_open_past_its_deadline_is_closed_with_what_it_saved() {
    let f = fixture().await;
    let db = &f.t.db;
    let (a, _) = start_attempt(db, f.enrolment, f.quiz).await.unwrap();
    save_responses(db, a.attempt.id, answer(&a, true))
        .await
        .unwrap();
    // The deadline passed, grace included, while nobody touched the attempt.
    at::ActiveModel {
        id: Set(a.attempt.id),
        deadline: Set(Some(chrono::Utc::now() - chrono::Duration::minutes(5))),
        ..Default::default()
    }
    .update(&db.conn)
    .await
    .unwrap();
    let late = submit(db, a.attempt.id, Some(answer(&a, false)))
        .await
        .unwrap();
    assert!(matches!(late, Submitted::TooLate));
    let closed = attempt(db, a.attempt.id).await.unwrap();
    assert_eq!(closed.attempt.status, AttemptStatus::Submitted);
    assert!(closed.attempt.auto_closed);
    // Graded with the saved (right) answer, not the late (wrong) one.
    assert_eq!(closed.attempt.passed, Some(true));
    assert!(closed.quiz.passed);
    // Saving into a closed attempt is refused.
    let err = save_responses(db, a.attempt.id, answer(&a, false))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict(Conflict::AttemptClosed)),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_attempt_limit_holds() {
    let f = fixture().await;
    let db = &f.t.db;
    for _ in 0..2 {
        let (a, created) = start_attempt(db, f.enrolment, f.quiz).await.unwrap();
        assert!(created);
        submit(db, a.attempt.id, Some(answer(&a, false)))
            .await
            .unwrap();
    }
    let err = start_attempt(db, f.enrolment, f.quiz).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict(Conflict::AttemptLimitReached(2))),
        "{err:?}"
    );
    let o = overview_now(db, f.enrolment).await;
    assert_eq!(o.standing.quizzes[&f.quiz].attempts_left, Some(0));
    assert_eq!(o.standing.next, Some(Next::Lesson(f.lessons[0])));
}

fn grant(quiz: Uuid, extra: i64) -> help_lms_domain::tutoring::AttemptGrantDraft {
    help_lms_domain::tutoring::AttemptGrantDraft::parse(quiz, extra, "was ill on the day").unwrap()
}

#[tokio::test]
async fn granted_attempts_raise_the_limit_and_a_retried_grant_counts_once() {
    let f = fixture().await;
    let db = &f.t.db;
    let tutor = learner(db, "tutor@example.eu").await;
    for _ in 0..2 {
        let (a, _) = start_attempt(db, f.enrolment, f.quiz).await.unwrap();
        submit(db, a.attempt.id, Some(answer(&a, false)))
            .await
            .unwrap();
    }
    assert!(start_attempt(db, f.enrolment, f.quiz).await.is_err());
    let key = Some(("k1".to_owned(), "h1".to_owned()));
    let first = grant_attempts(db, f.enrolment, grant(f.quiz, 1), tutor, key.clone())
        .await
        .unwrap();
    let GrantAnswer::Fresh(g) = first else {
        panic!("{first:?}")
    };
    assert_eq!((g.extra, g.granted_by), (1, tutor));
    assert_eq!(g.reason, "was ill on the day");
    // The same key again: the first grant, nothing granted twice.
    let again = grant_attempts(db, f.enrolment, grant(f.quiz, 1), tutor, key)
        .await
        .unwrap();
    assert_eq!(again, GrantAnswer::Replay(g.clone()));
    let other = grant_attempts(
        db,
        f.enrolment,
        grant(f.quiz, 2),
        tutor,
        Some(("k1".to_owned(), "h2".to_owned())),
    )
    .await
    .unwrap();
    assert_eq!(other, GrantAnswer::KeyMismatch);
    assert_eq!(grants_of(&db.conn, f.enrolment).await.unwrap(), vec![g]);
    let o = overview_now(db, f.enrolment).await;
    let q = &o.standing.quizzes[&f.quiz];
    assert_eq!((q.attempts_allowed, q.attempts_left), (Some(3), Some(1)));
    // One more attempt, then the limit holds again.
    let (a, created) = start_attempt(db, f.enrolment, f.quiz).await.unwrap();
    assert!(created);
    assert_eq!(a.attempt.number, 3);
    submit(db, a.attempt.id, Some(answer(&a, false)))
        .await
        .unwrap();
    let err = start_attempt(db, f.enrolment, f.quiz).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict(Conflict::AttemptLimitReached(3))),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_grant_names_a_quiz_of_the_course_and_changes_nothing_when_refused() {
    let f = fixture().await;
    let db = &f.t.db;
    let err = grant_attempts(db, f.enrolment, grant(Uuid::now_v7(), 1), f.enrolment, None)
        .await
        .unwrap_err();
    match err {
        StoreError::Validation(v) => assert_eq!(v.0[0].field, "quiz_id"),
        other => panic!("{other:?}"),
    }
    assert!(grants_of(&db.conn, f.enrolment).await.unwrap().is_empty());
}

#[tokio::test]
async fn an_open_attempt_is_void_once_voided_and_counts_nowhere() {
    let f = fixture().await;
    let db = &f.t.db;
    let (a, _) = start_attempt(db, f.enrolment, f.quiz).await.unwrap();
    save_responses(db, a.attempt.id, answer(&a, true))
        .await
        .unwrap();
    assert_eq!(void_open_attempts(&db.conn, f.enrolment).await.unwrap(), 1);
    let v = attempt(db, a.attempt.id).await.unwrap();
    assert_eq!(v.attempt.status, AttemptStatus::Void);
    assert_eq!(v.attempt.result, None);
    assert_eq!(v.quiz.attempts_submitted, 0);
    assert_eq!(v.quiz.in_progress_attempt, None);
    // The enrolment is still active here: the void attempt takes nothing more, and the
    // next one starts as if it never was, numbered after it.
    let err = submit(db, a.attempt.id, None).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict(Conflict::AttemptClosed)),
        "{err:?}"
    );
    assert_eq!(submitted_attempts(db, f.enrolment).await, 0);
    let (b, created) = start_attempt(db, f.enrolment, f.quiz).await.unwrap();
    assert!(created);
    assert_eq!(b.attempt.number, 2);
    assert_eq!(b.quiz.attempts_left, Some(2));
}
