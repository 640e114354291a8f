//! The roster filters and sorts, and grant requests, case by case.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use uuid::Uuid;

use super::*;
use crate::progress::QuizState;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, 1, 12, 0, 0).unwrap()
}

fn quiz(grade: Option<f64>, passed: bool, left: Option<u32>) -> QuizState {
    QuizState {
        attempts_submitted: u32::from(grade.is_some()),
        attempts_allowed: left.map(|l| l + u32::from(grade.is_some())),
        extra_attempts: 0,
        attempts_left: left,
        grade,
        passed,
        in_progress_attempt: None,
    }
}

fn standing(percent: f64, quizzes: Vec<QuizState>) -> Standing {
    Standing {
        lessons: BTreeMap::new(),
        quizzes: quizzes
            .into_iter()
            .enumerate()
            .map(|(i, q)| (Uuid::from_u128(100 + i as u128), q))
            .collect(),
        modules: Vec::new(),
        percent,
        time_spent_seconds: 0,
        next: None,
        complete: false,
        final_score: 0.0,
    }
}

fn facts<'a>(
    n: u128,
    name: &'a str,
    status: EnrolmentStatus,
    idle_days: Option<i64>,
    st: &'a Standing,
) -> LearnerFacts<'a> {
    LearnerFacts {
        enrolment_id: Uuid::from_u128(n),
        name,
        status,
        enrolled_at: now() - Duration::days(60) + Duration::minutes(n as i64),
        last_activity_at: idle_days.map(|d| now() - Duration::days(d)),
        standing: Some(st),
    }
}

fn view(filters: &[RosterFilter], inactive: Option<u32>) -> RosterView {
    RosterView {
        filters: filters.to_vec(),
        inactive_days: inactive,
        ..Default::default()
    }
}

#[test]
fn each_filter_picks_its_learners_and_only_active_ones_are_behind() {
    use EnrolmentStatus::*;
    let fresh = standing(0.0, vec![quiz(None, false, Some(2))]);
    let failed = standing(50.0, vec![quiz(Some(40.0), false, Some(1))]);
    let stuck = standing(50.0, vec![quiz(Some(40.0), false, Some(0))]);
    let passed = standing(100.0, vec![quiz(Some(90.0), true, Some(0))]);
    let cases = [
        (facts(1, "a", Active, None, &fresh), "not started"),
        (facts(2, "b", Active, Some(2), &failed), "failed"),
        (facts(3, "c", Active, Some(20), &stuck), "stuck"),
        (facts(4, "d", Completed, Some(1), &passed), "completed"),
        (facts(5, "e", Withdrawn, None, &stuck), "withdrawn"),
    ];
    let picked = |v: RosterView| -> Vec<&str> {
        cases
            .iter()
            .filter(|(f, _)| v.picks(f, now()))
            .map(|(_, n)| *n)
            .collect()
    };
    assert_eq!(
        picked(view(&[RosterFilter::NotStarted], None)),
        ["not started"]
    );
    assert_eq!(
        picked(view(&[RosterFilter::FailedQuiz], None)),
        ["failed", "stuck"]
    );
    assert_eq!(
        picked(view(&[RosterFilter::OutOfAttempts], None)),
        ["stuck"]
    );
    assert_eq!(
        picked(view(&[RosterFilter::Completed], None)),
        ["completed"]
    );
    // Inactive for 10 days: the one idle 20 days, and the one enrolled 60 days ago who
    // never did anything.
    assert_eq!(picked(view(&[], Some(10))), ["not started", "stuck"]);
    // Filters combine.
    assert_eq!(
        picked(view(&[RosterFilter::FailedQuiz], Some(10))),
        ["stuck"]
    );
    assert_eq!(picked(view(&[], None)).len(), 5);
}

#[test]
fn sorts_break_ties_in_enrolment_order() {
    use EnrolmentStatus::Active;
    let low = standing(10.0, vec![]);
    let high = standing(80.0, vec![]);
    let mut people = [
        facts(1, "Zoë", Active, Some(1), &high),
        facts(2, "adam", Active, None, &low),
        facts(3, "Ana", Active, Some(5), &low),
    ];
    let order = |people: &mut [LearnerFacts<'_>], sort, order| -> Vec<u128> {
        let v = RosterView {
            sort,
            order,
            ..Default::default()
        };
        people.sort_by(|a, b| v.compare(a, b));
        people.iter().map(|p| p.enrolment_id.as_u128()).collect()
    };
    assert_eq!(
        order(&mut people, RosterSort::Name, SortOrder::Asc),
        [2, 3, 1]
    );
    assert_eq!(
        order(&mut people, RosterSort::Progress, SortOrder::Desc),
        [1, 2, 3]
    );
    assert_eq!(
        order(&mut people, RosterSort::LastActivity, SortOrder::Asc),
        [2, 3, 1]
    );
    assert_eq!(
        order(&mut people, RosterSort::Enrolled, SortOrder::Asc),
        [1, 2, 3]
    );
}

#[test]
fn a_roster_query_names_each_wrong_value() {
    let err = RosterView::parse(Some("failed_quiz,lazy"), Some("0"), Some("age"), Some("up"))
        .unwrap_err();
    let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["filter", "inactive_days", "sort", "order"]);
    let ok = RosterView::parse(
        Some("completed, not_started,completed"),
        Some("7"),
        None,
        None,
    )
    .unwrap();
    assert_eq!(
        ok.filters,
        [RosterFilter::Completed, RosterFilter::NotStarted]
    );
    assert!(!ok.needs_standing() && !ok.is_plain());
    assert!(
        RosterView::parse(None, None, None, None)
            .unwrap()
            .is_plain()
    );
    let err = RosterView::parse(None, Some("a week"), None, None).unwrap_err();
    assert_eq!(err.0[0].field, "inactive_days");
    // A blank filter is a mistake, not "everyone".
    for blank in ["", " ", "completed,,not_started"] {
        let err = RosterView::parse(Some(blank), None, None, None).unwrap_err();
        assert_eq!(
            (err.0[0].field.as_str(), err.0[0].code),
            ("filter", "blank"),
            "{blank:?}"
        );
    }
}

#[test]
fn a_grant_gives_one_to_ten_attempts_for_a_reason() {
    let q = Uuid::from_u128(7);
    assert_eq!(
        AttemptGrantDraft::parse(q, 2, " ill ")
            .unwrap()
            .reason
            .as_str(),
        "ill"
    );
    for extra in [0, 11, -1] {
        let err = AttemptGrantDraft::parse(q, extra, "ill").unwrap_err();
        assert_eq!(err.0[0].field, "extra");
    }
    let err = AttemptGrantDraft::parse(q, 0, "  ").unwrap_err();
    let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["extra", "reason"]);
}
