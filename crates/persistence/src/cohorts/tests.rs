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

/// An account of no institution (a self-registered learner), and its id.
async fn outsider(db: &Db, email: &str) -> Uuid {
    use help_lms_domain::values::{Country, Email, Language, PersonName, Profession, Role};
    crate::accounts::insert(
        &db.conn,
        crate::accounts::NewUser {
            email: Email::parse(email).unwrap(),
            name: PersonName::parse("Out Sider").unwrap(),
            profession: Profession::Lawyer,
            country: Country::It,
            language: Language::En,
            institution_id: None,
            role: Role::Learner,
            status: UserStatus::Active,
            password_hash: None,
        },
    )
    .await
    .unwrap()
    .id
}

/// Lists `email` in the cohort (again), and the row's result.
async fn relist(db: &Db, cohort: &Cohort, email: &str, reactivate: bool) -> enrolments::RowResult {
    let (valid, rejected) = check_rows(
        vec![RowInput {
            row: 2,
            email: email.into(),
            given_name: "Sent".into(),
            family_name: "Again".into(),
            profession: "judge".into(),
            country: "IT".into(),
            language: String::new(),
        }],
        cohort.language,
        &[cohort.language],
    );
    let answer = enrolments::bulk_enrol(
        db,
        BulkRequest {
            cohort,
            valid,
            rejected,
            dry_run: false,
            activation_ttl: Duration::days(30),
            compose: &crate::fixtures::PlainMail,
            mail_new_accounts: false,
            reactivate,
            idempotency: None,
        },
    )
    .await
    .unwrap();
    match answer {
        BulkAnswer::Fresh(mut o) => o.rows.remove(0),
        other => panic!("{other:?}"),
    }
}

/// Lists `email` in the cohort and returns the row's enrolment id (an invitation's, for an
/// account the cohort's institution does not manage).
async fn list_in(db: &Db, cohort: &Cohort, email: &str) -> Uuid {
    let row = relist(db, cohort, email, false).await;
    assert_eq!(row.result, help_lms_domain::enrolment::RowStatus::Created);
    assert_eq!(row.user_id, None);
    row.enrolment_id.unwrap()
}

#[tokio::test]
async fn an_invitation_enrols_only_when_accepted_and_under_the_cohorts_rules_then() {
    use help_lms_domain::enrolment::{EnrolmentStatus, InvitationStatus};
    use invitations::Which;

    let t = TestDb::new().await;
    let (nti, cohort) = fixtures::cohort(&t.db, 5).await;
    let other = create(
        &t.db,
        nti.institution_id,
        fixtures::COURSE,
        fixtures::draft(5, vec![]),
    )
    .await
    .unwrap();

    // Accepted once, the enrolment has the invitation's id; a second answer is refused.
    let ana = outsider(&t.db, "ana@x.example").await;
    let id = list_in(&t.db, &other, "ana@x.example").await;
    assert!(enrolments::find(&t.db.conn, id).await.unwrap().is_none());
    assert_eq!(
        active_count(&t.db.conn, other.id).await.unwrap(),
        1,
        "the seat is held"
    );
    let e = invitations::accept(&t.db, ana, Which::Id(id))
        .await
        .unwrap();
    assert_eq!((e.id, e.cohort_id), (id, Some(other.id)));
    assert!(matches!(
        invitations::accept(&t.db, ana, Which::Id(id)).await,
        Err(StoreError::Conflict(Conflict::InvitationAnswered(
            InvitationStatus::Accepted
        )))
    ));
    assert_eq!(
        active_count(&t.db.conn, other.id).await.unwrap(),
        1,
        "counted once"
    );
    // Invited to a second cohort of the course, she is told she is in another.
    let second = list_in(&t.db, &cohort, "ana@x.example").await;
    assert!(matches!(
        invitations::accept(&t.db, ana, Which::Id(second)).await,
        Err(StoreError::Conflict(Conflict::EnrolledInAnotherCohort))
    ));
    // Nobody else answers someone's invitation.
    let ivo = outsider(&t.db, "ivo@x.example").await;
    assert!(matches!(
        invitations::decline(&t.db, ivo, Which::Id(second)).await,
        Err(StoreError::NotFound)
    ));

    // A withdrawn invitation frees its seat and can no longer be accepted; it comes back,
    // waiting again under the same id, only when the institution asks.
    let late = list_in(&t.db, &cohort, "ivo@x.example").await;
    let before = active_count(&t.db.conn, cohort.id).await.unwrap();
    let w = invitations::withdraw(&t.db, cohort.id, late)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((w.id, w.status), (late, EnrolmentStatus::Withdrawn));
    assert_eq!(
        active_count(&t.db.conn, cohort.id).await.unwrap(),
        before - 1
    );
    assert!(matches!(
        invitations::accept(&t.db, ivo, Which::Id(late)).await,
        Err(StoreError::Conflict(Conflict::InvitationAnswered(
            InvitationStatus::Withdrawn
        )))
    ));
    assert!(
        invitations::withdraw(&t.db, other.id, late)
            .await
            .unwrap()
            .is_none()
    );
    let again = relist(&t.db, &cohort, "ivo@x.example", false).await;
    assert_eq!(
        again.reason,
        Some(help_lms_domain::enrolment::RejectReason::Withdrawn)
    );
    let back = relist(&t.db, &cohort, "ivo@x.example", true).await;
    assert_eq!(
        (
            back.result,
            back.enrolment_id,
            back.activation_token.is_none()
        ),
        (
            help_lms_domain::enrolment::RowStatus::Enrolled,
            Some(late),
            true
        )
    );
    assert_eq!(active_count(&t.db.conn, cohort.id).await.unwrap(), before);
    invitations::accept(&t.db, ivo, Which::Id(late))
        .await
        .unwrap();

    // Once the cohort has ended, accepting is refused; nothing is enrolled.
    let lea = outsider(&t.db, "lea@x.example").await;
    let waiting = list_in(&t.db, &cohort, "lea@x.example").await;
    cohorts::Entity::update_many()
        .col_expr(
            cohorts::Column::StartsOn,
            sea_orm::sea_query::Expr::value(NaiveDate::from_ymd_opt(2025, 1, 6).unwrap()),
        )
        .col_expr(
            cohorts::Column::EndsOn,
            sea_orm::sea_query::Expr::value(NaiveDate::from_ymd_opt(2025, 3, 28).unwrap()),
        )
        .filter(cohorts::Column::Id.eq(cohort.id))
        .exec(&t.db.conn)
        .await
        .unwrap();
    assert!(matches!(
        invitations::accept(&t.db, lea, Which::Id(waiting)).await,
        Err(StoreError::Conflict(Conflict::CohortEnded(_)))
    ));
    assert!(
        enrolments::find(&t.db.conn, waiting)
            .await
            .unwrap()
            .is_none()
    );
}
