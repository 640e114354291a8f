//! Service tests of the funnel's marks (SQLite, or PostgreSQL with
//! `HELP_TEST_DATABASE_URL`): what each learning write leaves on the enrolment and the
//! attempt, that the start-up backfill computes the same, and that concurrent writes of one
//! enrolment never leave older marks or a missed completion.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use help_lms_domain::values::Language;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::tests::{answer, fixture, report};
use super::*;
use crate::test_support::learner;
use crate::{Db, enrolments};

/// The marks on the enrolment row, as the funnel reads them.
async fn marks_of(db: &Db, enrolment: Uuid) -> Option<String> {
    crate::entities::enrolments::Entity::find_by_id(enrolment)
        .one(&db.conn)
        .await
        .unwrap()
        .unwrap()
        .module_marks
}

#[tokio::test]
async fn each_write_leaves_the_funnels_marks_its_records_give_and_a_backfill_finds_the_same() {
    use help_lms_domain::reporting::{Filters, Scope};

    let f = fixture().await;
    let db = &f.t.db;
    let other = learner(db, "ben@example.eu").await;
    let b = enrolments::self_enrol(
        db,
        other,
        f.course.course_id,
        f.course.version_id,
        Language::Fr,
    )
    .await
    .unwrap()
    .id;
    assert_eq!(marks_of(db, f.enrolment).await, None);

    // A views a lesson: the module is started.
    record_progress(db, f.enrolment, f.lessons[0], report(false, 30))
        .await
        .unwrap();
    assert_eq!(marks_of(db, f.enrolment).await.as_deref(), Some("1"));
    // B fails an attempt (in French): attempted, not passed, not started.
    let (a, _) = start_attempt(db, b, f.quiz).await.unwrap();
    submit(db, a.attempt.id, Some(answer(&a, false)))
        .await
        .unwrap();
    assert_eq!(marks_of(db, b).await.as_deref(), Some("4:fr"));
    // … then passes and completes both lessons, which completes the module and the course.
    let (a, _) = start_attempt(db, b, f.quiz).await.unwrap();
    submit(db, a.attempt.id, Some(answer(&a, true)))
        .await
        .unwrap();
    assert_eq!(marks_of(db, b).await.as_deref(), Some("c:fr"));
    for lesson in f.lessons {
        record_progress(db, b, lesson, report(true, 60))
            .await
            .unwrap();
    }
    assert_eq!(marks_of(db, b).await.as_deref(), Some("f:fr"));
    let outcomes: Vec<Option<String>> = at::Entity::find()
        .filter(at::Column::EnrolmentId.eq(b))
        .all(&db.conn)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.outcomes)
        .collect();
    assert_eq!(outcomes.len(), 2);
    assert!(outcomes.contains(&Some("i".to_owned())), "{outcomes:?}");
    assert!(outcomes.contains(&Some("c".to_owned())), "{outcomes:?}");

    let (all, everyone) = (Filters::default(), Scope::All);
    let funnel = || crate::stats::funnel(&db.conn, f.course.course_id, &all, &everyone);
    let written = funnel().await.unwrap();
    let m = &written.modules[0];
    assert_eq!((written.enrolled, written.completed), (2, 1));
    assert_eq!((m.started, m.completed), (2, 1));
    let q = m.quiz.as_ref().unwrap();
    assert_eq!((q.learners, q.passed, q.attempts), (1, 1, 2));
    let cell = &q.questions[0].by_language["fr"];
    assert_eq!((cell.learners, cell.attempts, cell.correct), (1, 2, 1));

    // Rows from before the marks existed: the backfill computes what the writes left.
    let before = (marks_of(db, f.enrolment).await, marks_of(db, b).await);
    crate::entities::enrolments::Entity::update_many()
        .col_expr(
            crate::entities::enrolments::Column::ModuleMarks,
            sea_orm::sea_query::Expr::value(Option::<String>::None),
        )
        .exec(&db.conn)
        .await
        .unwrap();
    at::Entity::update_many()
        .col_expr(
            at::Column::Outcomes,
            sea_orm::sea_query::Expr::value(Option::<String>::None),
        )
        .exec(&db.conn)
        .await
        .unwrap();
    let filled = crate::stats::backfill_marks(db).await.unwrap();
    assert_eq!((filled.enrolments, filled.attempts), (2, 2));
    assert_eq!(
        (marks_of(db, f.enrolment).await, marks_of(db, b).await),
        before
    );
    assert_eq!(funnel().await.unwrap(), written);
    // Once filled in, nothing is left to do.
    assert_eq!(
        crate::stats::backfill_marks(db).await.unwrap(),
        crate::stats::Backfilled::default()
    );
}

#[tokio::test]
async fn concurrent_writes_that_together_complete_the_course_complete_it_and_mark_it_so() {
    // Each write locks the enrolment first, so the second to commit sees the first's
    // record: on PostgreSQL without it, both could read one lesson done and neither
    // complete the course (nor mark the module completed).
    for round in 0..5 {
        let f = fixture().await;
        let db = &f.t.db;
        let (a, _) = start_attempt(db, f.enrolment, f.quiz).await.unwrap();
        submit(db, a.attempt.id, Some(answer(&a, true)))
            .await
            .unwrap();
        let (one, two) = tokio::join!(
            record_progress(db, f.enrolment, f.lessons[0], report(true, 60)),
            record_progress(db, f.enrolment, f.lessons[1], report(true, 60)),
        );
        let certificates = [one.unwrap(), two.unwrap()]
            .iter()
            .filter(|o| o.certificate_code.is_some())
            .count();
        assert_eq!(certificates, 1, "round {round}");
        let e = crate::entities::enrolments::Entity::find_by_id(f.enrolment)
            .one(&db.conn)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(e.status, "completed", "round {round}");
        assert_eq!(e.module_marks.as_deref(), Some("f:en"), "round {round}");
    }
}
