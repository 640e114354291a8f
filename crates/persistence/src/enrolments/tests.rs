//! Service tests of bulk enrolment on a real database (SQLite, or PostgreSQL with
//! `HELP_TEST_DATABASE_URL`). Long because each test builds the people and cohorts it
//! needs in full, so that it reads on its own; they share only the helpers at the top.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use chrono::Duration;
use help_lms_domain::cohorts::CohortPatch;
use help_lms_domain::enrolment::{RejectReason, RowInput, RowStatus, check_rows};
use help_lms_domain::values::{Country, Email, Language, PersonName, Profession, Role, UserStatus};

use super::*;
use crate::accounts::{self, NewUser};
use crate::cohorts::{self, Cohort};
use crate::error::Conflict;
use crate::fixtures;
use crate::test_support::TestDb;

fn rows(emails: &[&str]) -> Vec<RowInput> {
    emails
        .iter()
        .enumerate()
        .map(|(i, e)| RowInput {
            row: i + 1,
            email: (*e).to_owned(),
            given_name: "Claire".into(),
            family_name: format!("Martin {i}"),
            profession: "judge".into(),
            country: "FR".into(),
            language: String::new(),
        })
        .collect()
}

async fn enrol(
    db: &Db,
    cohort: &Cohort,
    emails: &[&str],
    dry_run: bool,
    idempotency: Option<(&str, &str)>,
) -> Result<BulkAnswer, StoreError> {
    let (valid, rejected) = check_rows(rows(emails), cohort.language, &[cohort.language]);
    bulk_enrol(
        db,
        BulkRequest {
            cohort,
            valid,
            rejected,
            dry_run,
            activation_ttl: Duration::days(30),
            compose: &crate::fixtures::PlainMail,
            mail_new_accounts: false,
            reactivate: false,
            idempotency: idempotency.map(|(k, h)| (k.to_owned(), h.to_owned())),
        },
    )
    .await
}

fn fresh(answer: BulkAnswer) -> BulkOutcome {
    match answer {
        BulkAnswer::Fresh(o) => o,
        other => panic!("expected a fresh outcome, got {other:?}"),
    }
}

fn results(o: &BulkOutcome) -> Vec<(RowStatus, Option<RejectReason>)> {
    o.rows.iter().map(|r| (r.result, r.reason)).collect()
}

async fn seats_taken(db: &Db, cohort: &Cohort) -> u64 {
    cohorts::active_count(&db.conn, cohort.id).await.unwrap()
}

#[tokio::test]
async fn new_people_get_accounts_and_known_people_are_enrolled_once() {
    let t = TestDb::new().await;
    let (nti, cohort) = fixtures::cohort(&t.db, 10).await;
    let known = accounts::insert(
        &t.db.conn,
        NewUser {
            email: Email::parse("known@tribunal.example").unwrap(),
            name: PersonName::parse("Known Judge").unwrap(),
            profession: Profession::Judge,
            country: Country::Be,
            language: Language::Fr,
            institution_id: Some(nti.institution_id),
            role: Role::Learner,
            status: UserStatus::Active,
            password_hash: None,
        },
    )
    .await
    .unwrap();
    // Someone with an account the institution does not manage.
    let elsewhere = accounts::insert(
        &t.db.conn,
        NewUser {
            email: Email::parse("elsewhere@tribunal.example").unwrap(),
            name: PersonName::parse("Self Registered").unwrap(),
            profession: Profession::Lawyer,
            country: Country::Be,
            language: Language::Fr,
            institution_id: None,
            role: Role::Learner,
            status: UserStatus::Active,
            password_hash: None,
        },
    )
    .await
    .unwrap();

    let first = fresh(
        enrol(
            &t.db,
            &cohort,
            &[
                "New@Tribunal.example",
                "known@tribunal.example",
                "bad",
                "elsewhere@tribunal.example",
            ],
            false,
            None,
        )
        .await
        .unwrap(),
    );
    assert_eq!(
        results(&first),
        [
            (RowStatus::Created, None),
            (RowStatus::Enrolled, None),
            (RowStatus::Rejected, Some(RejectReason::InvalidEmail)),
            (RowStatus::Created, None),
        ]
    );
    // A new address and an account elsewhere answer alike: no account named, a token each.
    for r in [&first.rows[0], &first.rows[3]] {
        assert_eq!(r.user_id, None);
        assert!(r.enrolment_id.is_some() && r.activation_token.is_some());
    }
    assert_eq!(first.rows[0].email, "new@tribunal.example");
    assert!(first.rows[0].activation_token.is_some());
    assert_eq!(first.rows[1].user_id, Some(known.id));
    assert!(first.rows[1].activation_token.is_none());
    assert_eq!(
        (
            first.summary.created,
            first.summary.enrolled,
            first.summary.rejected
        ),
        (2, 1, 1)
    );
    // The new account belongs to the cohort's institution; the one elsewhere is only asked.
    let new_enrolment = super::find(&t.db.conn, first.rows[0].enrolment_id.unwrap())
        .await
        .unwrap()
        .unwrap();
    let created = accounts::find(&t.db.conn, new_enrolment.user_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(created.institution_id, Some(nti.institution_id));
    assert_eq!(created.status, UserStatus::Invited);
    let elsewhere_after = accounts::find(&t.db.conn, elsewhere.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(elsewhere_after.institution_id, None);
    assert!(
        super::find(&t.db.conn, first.rows[3].enrolment_id.unwrap())
            .await
            .unwrap()
            .is_none(),
        "no enrolment until they accept"
    );

    let again = fresh(
        enrol(
            &t.db,
            &cohort,
            &[
                "new@tribunal.example",
                "known@tribunal.example",
                "elsewhere@tribunal.example",
            ],
            false,
            None,
        )
        .await
        .unwrap(),
    );
    assert_eq!(
        results(&again),
        [
            (RowStatus::AlreadyEnrolled, None),
            (RowStatus::AlreadyEnrolled, None),
            (RowStatus::AlreadyEnrolled, None)
        ]
    );
    assert_eq!(again.rows[0].enrolment_id, first.rows[0].enrolment_id);
    assert_eq!(again.rows[2].enrolment_id, first.rows[3].enrolment_id);
    // The waiting invitation holds its seat.
    assert_eq!(seats_taken(&t.db, &cohort).await, 3);
}

#[tokio::test]
async fn rows_beyond_the_capacity_are_refused() {
    let t = TestDb::new().await;
    let (_, cohort) = fixtures::cohort(&t.db, 2).await;
    let o = fresh(
        enrol(
            &t.db,
            &cohort,
            &["a@x.example", "b@x.example", "c@x.example"],
            false,
            None,
        )
        .await
        .unwrap(),
    );
    assert_eq!(
        results(&o),
        [
            (RowStatus::Created, None),
            (RowStatus::Created, None),
            (RowStatus::Rejected, Some(RejectReason::CapacityReached)),
        ]
    );
    assert_eq!(seats_taken(&t.db, &cohort).await, 2);
}

#[tokio::test]
async fn a_dry_run_reports_what_would_happen_and_writes_nothing() {
    let t = TestDb::new().await;
    let (_, cohort) = fixtures::cohort(&t.db, 1).await;
    let dry = fresh(
        enrol(
            &t.db,
            &cohort,
            &["a@x.example", "b@x.example"],
            true,
            Some(("k", "h")),
        )
        .await
        .unwrap(),
    );
    assert!(dry.dry_run);
    assert_eq!(
        results(&dry),
        [
            (RowStatus::Created, None),
            (RowStatus::Rejected, Some(RejectReason::CapacityReached)),
        ]
    );
    assert_eq!(seats_taken(&t.db, &cohort).await, 0);
    let user = users::Entity::find()
        .filter(users::Column::Email.eq("a@x.example"))
        .one(&t.db.conn)
        .await
        .unwrap();
    assert!(user.is_none(), "the dry run created an account");
    // Nor did it store an answer under its key: the real run does the work.
    let real = fresh(
        enrol(
            &t.db,
            &cohort,
            &["a@x.example", "b@x.example"],
            false,
            Some(("k", "h")),
        )
        .await
        .unwrap(),
    );
    assert!(!real.dry_run);
    assert_eq!(results(&real), results(&dry));
    assert_eq!(seats_taken(&t.db, &cohort).await, 1);
}

#[tokio::test]
async fn a_retry_with_the_same_key_gets_the_first_outcome_and_changes_nothing() {
    let t = TestDb::new().await;
    let (_, cohort) = fixtures::cohort(&t.db, 10).await;
    let first = fresh(
        enrol(
            &t.db,
            &cohort,
            &["a@x.example"],
            false,
            Some(("batch-1", "hash-1")),
        )
        .await
        .unwrap(),
    );
    let retry = enrol(
        &t.db,
        &cohort,
        &["a@x.example"],
        false,
        Some(("batch-1", "hash-1")),
    )
    .await
    .unwrap();
    let BulkAnswer::Replay(replayed) = retry else {
        panic!("expected a replay, got {retry:?}")
    };
    // The very same outcome, not a second run; the stored answer holds no token or email.
    assert!(first.rows[0].activation_token.is_some());
    assert_eq!(replayed, first.for_storage());
    assert_eq!(replayed.rows[0].email, "");
    assert_eq!(replayed.rows[0].result, RowStatus::Created);
    let other = enrol(
        &t.db,
        &cohort,
        &["b@x.example"],
        false,
        Some(("batch-1", "hash-2")),
    )
    .await
    .unwrap();
    assert!(matches!(other, BulkAnswer::KeyMismatch), "{other:?}");
    assert_eq!(seats_taken(&t.db, &cohort).await, 1);
}

#[tokio::test]
async fn disabled_accounts_and_other_cohorts_learners_are_refused() {
    let t = TestDb::new().await;
    let (nti, cohort) = fixtures::cohort(&t.db, 10).await;
    let other = cohorts::create(
        &t.db,
        nti.institution_id,
        fixtures::COURSE,
        fixtures::draft(10, vec![]),
    )
    .await
    .unwrap();
    fresh(
        enrol(&t.db, &other, &["busy@x.example"], false, None)
            .await
            .unwrap(),
    );
    accounts::insert(
        &t.db.conn,
        NewUser {
            email: Email::parse("off@x.example").unwrap(),
            name: PersonName::parse("Off").unwrap(),
            profession: Profession::Lawyer,
            country: Country::Fr,
            language: Language::Fr,
            institution_id: Some(nti.institution_id),
            role: Role::Learner,
            status: UserStatus::Disabled,
            password_hash: None,
        },
    )
    .await
    .unwrap();
    let o = fresh(
        enrol(
            &t.db,
            &cohort,
            &["busy@x.example", "off@x.example"],
            false,
            None,
        )
        .await
        .unwrap(),
    );
    assert_eq!(
        results(&o),
        [
            (
                RowStatus::Rejected,
                Some(RejectReason::EnrolledInAnotherCohort)
            ),
            (RowStatus::Rejected, Some(RejectReason::AccountDisabled)),
        ]
    );
}

/// The caller read the cohort while it was open; it was closed before the request got the
/// lock. The service must go by the row, not by the copy.
#[tokio::test]
async fn a_stale_open_copy_does_not_enrol_into_a_closed_cohort() {
    let t = TestDb::new().await;
    let (_, stale) = fixtures::cohort(&t.db, 10).await;
    cohorts::close(&t.db, stale.id).await.unwrap();
    for dry_run in [false, true] {
        let err = enrol(&t.db, &stale, &["a@x.example"], dry_run, None)
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict(Conflict::CohortClosed)),
            "{err:?}"
        );
    }
    assert_eq!(seats_taken(&t.db, &stale).await, 0);
}

/// The caller read the cohort with 10 seats; it was cut to 1 before the request got the
/// lock. Only one seat may be filled.
#[tokio::test]
async fn a_stale_copy_does_not_overfill_a_cohort_whose_capacity_shrank() {
    let t = TestDb::new().await;
    let (_, stale) = fixtures::cohort(&t.db, 10).await;
    cohorts::update(
        &t.db,
        stale.id,
        CohortPatch {
            capacity: Some(1),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let o = fresh(
        enrol(
            &t.db,
            &stale,
            &["a@x.example", "b@x.example", "c@x.example"],
            false,
            None,
        )
        .await
        .unwrap(),
    );
    assert_eq!(
        results(&o),
        [
            (RowStatus::Created, None),
            (RowStatus::Rejected, Some(RejectReason::CapacityReached)),
            (RowStatus::Rejected, Some(RejectReason::CapacityReached)),
        ]
    );
    assert_eq!(seats_taken(&t.db, &stale).await, 1);
}

#[tokio::test]
async fn a_withdrawn_learner_frees_a_seat_and_keeps_the_enrolment() {
    let t = TestDb::new().await;
    let (_, cohort) = fixtures::cohort(&t.db, 1).await;
    let o = fresh(
        enrol(&t.db, &cohort, &["a@x.example"], false, None)
            .await
            .unwrap(),
    );
    let e = withdraw(&t.db, cohort.id, o.rows[0].enrolment_id.unwrap())
        .await
        .unwrap();
    assert_eq!(e.status, EnrolmentStatus::Withdrawn);
    assert_eq!(seats_taken(&t.db, &cohort).await, 0);
    let (roster, total) = roster(
        &t.db,
        cohort.id,
        &Default::default(),
        super::Window {
            limit: 10,
            offset: 0,
        },
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    assert_eq!(total, 1);
    assert_eq!(roster[0].email.as_str(), "a@x.example");
    assert_eq!(roster[0].user_status, UserStatus::Invited);
    let next = fresh(
        enrol(&t.db, &cohort, &["b@x.example"], false, None)
            .await
            .unwrap(),
    );
    assert_eq!(results(&next), [(RowStatus::Created, None)]);
}

/// Answers stored before outcomes were typed (status 200, a body that also carried
/// `ignored_columns`) still replay during their day of life.
#[tokio::test]
async fn an_answer_stored_by_the_previous_build_still_replays() {
    use sea_orm::{ActiveModelTrait, Set};

    use crate::entities::idempotency_keys as ik;

    let t = TestDb::new().await;
    let (_, cohort) = fixtures::cohort(&t.db, 10).await;
    let body = r#"{"dry_run":false,"ignored_columns":["Notes"],"rows":[{"email":"a@x.example","message":"the cohort is full","reason":"capacity_reached","result":"rejected","row":1}],"summary":{"already_enrolled":0,"created":0,"enrolled":0,"rejected":1}}"#;
    ik::ActiveModel {
        key: Set("old".into()),
        request_hash: Set("h".into()),
        status: Set(200),
        body: Set(body.into()),
        created_at: Set(chrono::Utc::now()),
    }
    .insert(&t.db.conn)
    .await
    .unwrap();
    let answer = enrol(&t.db, &cohort, &["a@x.example"], false, Some(("old", "h")))
        .await
        .unwrap();
    let BulkAnswer::Replay(first) = answer else {
        panic!("expected a replay, got {answer:?}")
    };
    assert_eq!(
        results(&first),
        [(RowStatus::Rejected, Some(RejectReason::CapacityReached))]
    );
    assert_eq!(seats_taken(&t.db, &cohort).await, 0);
}
