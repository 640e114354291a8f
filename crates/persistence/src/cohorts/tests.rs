//! Service tests of cohorts on a real database (SQLite, or PostgreSQL with
//! `HELP_TEST_DATABASE_URL`).

#![allow(clippy::expect_used, clippy::unwrap_used)]

use chrono::{Duration, NaiveDate};
use help_lms_domain::ValidationErrors;
use help_lms_domain::enrolment::{RowInput, check_rows};

use super::*;
use crate::enrolments::{self, BulkAnswer, BulkRequest};
use crate::fixtures;
use crate::test_support::TestDb;

fn fields(e: StoreError) -> Vec<(String, &'static str)> {
    match e {
        StoreError::Validation(ValidationErrors(v)) => {
            v.into_iter().map(|f| (f.field, f.code)).collect()
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
}

async fn fill(db: &Db, cohort: &Cohort, n: usize) {
    let rows = (0..n)
        .map(|i| RowInput {
            row: i + 1,
            email: format!("l{i}@x.example"),
            given_name: "L".into(),
            family_name: i.to_string(),
            profession: "judge".into(),
            country: "FR".into(),
            language: String::new(),
        })
        .collect();
    let (valid, rejected) = check_rows(rows, cohort.language, &[cohort.language]);
    let answer = enrolments::bulk_enrol(
        db,
        BulkRequest {
            cohort,
            valid,
            rejected,
            dry_run: false,
            activation_ttl: Duration::days(1),
            compose: &crate::fixtures::PlainMail,
            mail_new_accounts: false,
            reactivate: false,
            idempotency: None,
        },
    )
    .await
    .unwrap();
    assert!(matches!(answer, BulkAnswer::Fresh(o) if o.summary.created == n));
}

fn capacity(cap: i32) -> CohortPatch {
    CohortPatch {
        capacity: Some(cap),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_new_cohort_is_checked_against_the_course_and_the_institution() {
    let t = TestDb::new().await;
    let (nti, c) = fixtures::cohort(&t.db, 20).await;
    assert_eq!(c.course_slug, fixtures::COURSE);
    assert_eq!(c.tutor_ids, [nti.tutor_id]);
    assert_eq!((c.status, c.enrolled), (CohortStatus::Open, 0));

    let mut d = fixtures::draft(20, vec![nti.tutor_id, Uuid::now_v7()]);
    d.language = "de".into();
    let e = create(&t.db, nti.institution_id, fixtures::COURSE, d)
        .await
        .unwrap_err();
    assert_eq!(
        fields(e),
        [
            ("language".to_owned(), "language_not_available"),
            ("tutor_ids.1".to_owned(), "not_a_tutor"),
        ]
    );
    let e = create(
        &t.db,
        nti.institution_id,
        "no-such-course",
        fixtures::draft(5, vec![]),
    )
    .await
    .unwrap_err();
    assert_eq!(fields(e), [("course".to_owned(), "unknown_course")]);
    // Another institution's tutor is not a tutor here.
    let other = fixtures::nti(&t.db).await;
    let e = create(
        &t.db,
        nti.institution_id,
        fixtures::COURSE,
        fixtures::draft(5, vec![other.tutor_id]),
    )
    .await
    .unwrap_err();
    assert_eq!(fields(e), [("tutor_ids.0".to_owned(), "not_a_tutor")]);
    let e = create(
        &t.db,
        Uuid::now_v7(),
        fixtures::COURSE,
        fixtures::draft(5, vec![]),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, StoreError::NotFound), "{e:?}");
}

/// The handler used to count the seats before calling the update, outside its transaction:
/// enrolments arriving in between went unseen. The update itself now refuses.
#[tokio::test]
async fn a_capacity_below_the_seats_taken_is_refused_by_the_update_itself() {
    let t = TestDb::new().await;
    let (_, c) = fixtures::cohort(&t.db, 5).await;
    fill(&t.db, &c, 3).await;
    let e = update(&t.db, c.id, capacity(2)).await.unwrap_err();
    assert_eq!(fields(e), [("capacity".to_owned(), "below_enrolled")]);
    let now = find(&t.db.conn, c.id).await.unwrap().unwrap();
    assert_eq!((now.capacity, now.enrolled), (5, 3));
    let ok = update(&t.db, c.id, capacity(3)).await.unwrap();
    assert_eq!(ok.capacity, 3);
}

#[tokio::test]
async fn a_change_is_checked_against_the_cohort_as_stored() {
    let t = TestDb::new().await;
    let (nti, c) = fixtures::cohort(&t.db, 5).await;
    let day = |s: &str| s.parse::<NaiveDate>().unwrap();
    let e = update(
        &t.db,
        c.id,
        CohortPatch {
            starts_on: Some(day("2027-06-01")),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(fields(e), [("ends_on".to_owned(), "before_start")]);
    let changed = update(
        &t.db,
        c.id,
        CohortPatch {
            name: Some("  Juges, printemps ".into()),
            starts_on: Some(day("2027-06-01")),
            ends_on: Some(day("2027-07-01")),
            tutor_ids: Some(vec![nti.tutor_id, nti.tutor_id]),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(changed.name, "Juges, printemps");
    assert_eq!(changed.tutor_ids, [nti.tutor_id]);
    assert_eq!(changed.starts_on, day("2027-06-01"));
    let e = update(&t.db, Uuid::now_v7(), capacity(3))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound), "{e:?}");
}

#[tokio::test]
async fn listings_follow_the_scope_and_the_course() {
    let t = TestDb::new().await;
    let (nti, first) = fixtures::cohort(&t.db, 5).await;
    let second = create(
        &t.db,
        nti.institution_id,
        fixtures::COURSE,
        fixtures::draft(5, vec![]),
    )
    .await
    .unwrap();
    let other = fixtures::nti(&t.db).await;
    create(
        &t.db,
        other.institution_id,
        fixtures::COURSE,
        fixtures::draft(5, vec![]),
    )
    .await
    .unwrap();
    let ids = |v: Vec<Cohort>| v.into_iter().map(|c| c.id).collect::<Vec<_>>();
    let mine = CohortScope {
        institution: Some(nti.institution_id),
        tutor: None,
    };
    let (page1, total) = page(&t.db, mine, None, 1, 0).await.unwrap();
    assert_eq!((ids(page1), total), (vec![second.id], 2));
    let (tutored, _) = page(
        &t.db,
        CohortScope {
            institution: None,
            tutor: Some(nti.tutor_id),
        },
        None,
        10,
        0,
    )
    .await
    .unwrap();
    assert_eq!(ids(tutored), [first.id]);
    let (none, total) = page(&t.db, mine, Some("no-such-course"), 10, 0)
        .await
        .unwrap();
    assert_eq!((none.len(), total), (0, 0));
    let (all, total) = page(
        &t.db,
        CohortScope {
            institution: None,
            tutor: None,
        },
        Some(fixtures::COURSE),
        10,
        0,
    )
    .await
    .unwrap();
    assert_eq!((all.len(), total), (3, 3));
}

#[tokio::test]
async fn closing_keeps_the_learners() {
    let t = TestDb::new().await;
    let (_, c) = fixtures::cohort(&t.db, 5).await;
    fill(&t.db, &c, 2).await;
    let closed = close(&t.db, c.id).await.unwrap();
    assert_eq!((closed.status, closed.enrolled), (CohortStatus::Closed, 2));
}
