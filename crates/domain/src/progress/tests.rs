//! Table tests of the standing: completion, the resume point, grades, attempts and reports.

use chrono::TimeZone;

use super::*;
use crate::content::{GradingMethod, QuizSettings, ReviewShow, ReviewWhen};

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn quiz(
    n: u128,
    module: u128,
    pass_mark: u8,
    max_attempts: u32,
    grading: GradingMethod,
) -> QuizPlan {
    QuizPlan {
        id: id(n),
        module_id: id(module),
        def: QuizDef {
            title: Localized::new(),
            settings: QuizSettings {
                pass_mark,
                max_attempts,
                time_limit_minutes: None,
                grading,
                shuffle_questions: false,
                shuffle_options: false,
                review: ReviewShow::CorrectAnswers,
                review_when: ReviewWhen::Immediately,
            },
            questions: Vec::new(),
        },
    }
}

fn module(n: u128, lessons: &[u128], quiz: Option<QuizPlan>) -> ModulePlan {
    ModulePlan {
        id: id(n),
        key: format!("m{n}"),
        title: Localized::new(),
        lessons: lessons
            .iter()
            .map(|l| LessonPlan {
                id: id(*l),
                key: format!("l{l}"),
                title: Localized::new(),
            })
            .collect(),
        quiz,
    }
}

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, minute, 0).unwrap()
}

fn done(lesson: u128, seconds: i32) -> LessonRecord {
    LessonRecord {
        lesson_id: id(lesson),
        time_spent_seconds: seconds,
        completed_at: Some(at(0)),
    }
}

fn viewed(lesson: u128, seconds: i32) -> LessonRecord {
    LessonRecord {
        lesson_id: id(lesson),
        time_spent_seconds: seconds,
        completed_at: None,
    }
}

fn submitted(attempt: u128, quiz: u128, number: i32, percent: f64) -> AttemptRecord {
    AttemptRecord {
        id: id(attempt),
        quiz_id: id(quiz),
        number,
        status: AttemptStatus::Submitted,
        percent: Some(percent),
    }
}

/// Two modules: lessons 11, 12 and quiz 19 (pass mark 70, 2 attempts, highest); lesson 21.
fn course() -> Vec<ModulePlan> {
    vec![
        module(
            1,
            &[11, 12],
            Some(quiz(19, 1, 70, 2, GradingMethod::Highest)),
        ),
        module(2, &[21], None),
    ]
}

#[test]
fn nothing_done_resumes_at_the_first_lesson() {
    let s = standing(&course(), &[], &[]);
    assert_eq!(s.percent, 0.0);
    assert_eq!(s.next, Some(Next::Lesson(id(11))));
    assert!(!s.complete);
    assert_eq!(s.lesson(id(12)), &LessonState::NOT_STARTED);
    assert_eq!(s.quizzes[&id(19)].attempts_left, Some(2));
    assert_eq!(s.final_score, 100.0);
}

/// Lessons, attempts, then the expected percent, resume point, completion, modules
/// completed and final score.
type Case = (
    Vec<LessonRecord>,
    Vec<AttemptRecord>,
    f64,
    Option<Next>,
    bool,
    usize,
    f64,
);

#[test]
fn the_standing_follows_lessons_and_quiz_grades() {
    // (lessons, attempts) -> (percent, next, complete, modules completed, final score)
    let cases: Vec<Case> = vec![
        (
            vec![viewed(11, 30)],
            vec![],
            0.0,
            Some(Next::Lesson(id(11))),
            false,
            0,
            100.0,
        ),
        (
            vec![done(11, 30), done(12, 40)],
            vec![],
            50.0,
            Some(Next::Quiz(id(19))),
            false,
            0,
            100.0,
        ),
        // A failed quiz keeps the module open; the grade still counts in the final score.
        (
            vec![done(11, 1), done(12, 1), done(21, 1)],
            vec![submitted(1, 19, 1, 60.0)],
            75.0,
            Some(Next::Quiz(id(19))),
            false,
            1,
            60.0,
        ),
        // Highest of two attempts passes.
        (
            vec![done(11, 1), done(12, 1), done(21, 1)],
            vec![submitted(1, 19, 1, 60.0), submitted(2, 19, 2, 80.0)],
            100.0,
            None,
            true,
            2,
            80.0,
        ),
        // Lessons of module 2 done, module 1's quiz passed, but lesson 12 only viewed.
        (
            vec![done(11, 1), viewed(12, 5), done(21, 1)],
            vec![submitted(1, 19, 1, 90.0)],
            75.0,
            Some(Next::Lesson(id(12))),
            false,
            1,
            90.0,
        ),
    ];
    for (i, (lessons, attempts, percent, next, complete, modules, score)) in
        cases.into_iter().enumerate()
    {
        let s = standing(&course(), &lessons, &attempts);
        assert_eq!(s.percent, percent, "case {i}");
        assert_eq!(s.next, next, "case {i}");
        assert_eq!(s.complete, complete, "case {i}");
        assert_eq!(s.modules_completed(), modules, "case {i}");
        assert_eq!(s.final_score, score, "case {i}");
    }
}

#[test]
fn attempts_in_progress_and_limits_are_reported() {
    let open = AttemptRecord {
        id: id(7),
        quiz_id: id(19),
        number: 2,
        status: AttemptStatus::InProgress,
        percent: None,
    };
    let s = standing(&course(), &[], &[submitted(1, 19, 1, 50.0), open]);
    let q = &s.quizzes[&id(19)];
    assert_eq!(q.attempts_submitted, 1);
    assert_eq!(q.attempts_left, Some(1));
    assert_eq!(q.grade, Some(50.0));
    assert!(!q.passed);
    assert_eq!(q.in_progress_attempt, Some(id(7)));
}

#[test]
fn last_attempt_grading_uses_submission_order_not_row_order() {
    let c = vec![module(
        1,
        &[],
        Some(quiz(19, 1, 70, 0, GradingMethod::Last)),
    )];
    let s = standing(
        &c,
        &[],
        &[submitted(2, 19, 2, 40.0), submitted(1, 19, 1, 90.0)],
    );
    assert_eq!(s.quizzes[&id(19)].grade, Some(40.0));
    assert_eq!(s.quizzes[&id(19)].attempts_left, None);
    assert!(!s.complete);
}

#[test]
fn time_spent_adds_up_over_lessons() {
    let s = standing(&course(), &[viewed(11, 30), done(12, 45)], &[]);
    assert_eq!(s.time_spent_seconds, 75);
    assert_eq!(s.lesson(id(12)).status, LessonStatus::Completed);
}

#[test]
fn a_course_without_items_is_complete() {
    let s = standing(&[], &[], &[]);
    assert!(s.complete);
    assert_eq!(s.percent, 100.0);
}

#[test]
fn attempts_expire_after_the_grace() {
    let deadline = at(30);
    let grace = Duration::seconds(GRACE_SECONDS);
    assert!(!is_expired(
        AttemptStatus::InProgress,
        Some(deadline),
        deadline + grace
    ));
    assert!(is_expired(
        AttemptStatus::InProgress,
        Some(deadline),
        deadline + grace + Duration::seconds(1)
    ));
    assert!(!is_expired(
        AttemptStatus::Submitted,
        Some(deadline),
        at(59)
    ));
    assert!(!is_expired(AttemptStatus::InProgress, None, at(59)));
}

#[test]
fn progress_reports_are_checked() {
    assert_eq!(
        ProgressReport::parse("completed", Some(90)).unwrap(),
        ProgressReport {
            completed: true,
            time_spent_seconds: 90
        }
    );
    assert_eq!(
        ProgressReport::parse("viewed", None)
            .unwrap()
            .time_spent_seconds,
        0
    );
    let e = ProgressReport::parse("finished", Some(-1)).unwrap_err();
    let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["status", "time_spent_seconds"]);
    assert!(ProgressReport::parse("not_started", None).is_err());
    assert!(ProgressReport::parse("viewed", Some(i64::from(MAX_LESSON_SECONDS) + 1)).is_err());
    assert!(ProgressReport::parse("viewed", Some(i64::from(MAX_LESSON_SECONDS))).is_ok());
}

#[test]
fn granted_attempts_raise_the_limit_of_their_quiz_only() {
    let attempts = [submitted(1, 19, 1, 10.0), submitted(2, 19, 2, 20.0)];
    let none = standing(&course(), &[], &attempts);
    assert_eq!(none.quizzes[&id(19)].attempts_left, Some(0));
    let extra = std::collections::BTreeMap::from([(id(19), 3), (id(99), 5)]);
    let s = standing_with_grants(&course(), &[], &attempts, &extra);
    let q = &s.quizzes[&id(19)];
    assert_eq!(q.attempts_allowed, Some(5));
    assert_eq!(q.extra_attempts, 3);
    assert_eq!(q.attempts_left, Some(3));
    assert_eq!(q.grade, Some(20.0));
}

#[test]
fn a_void_attempt_counts_for_nothing() {
    let void = AttemptRecord {
        status: AttemptStatus::Void,
        percent: None,
        ..submitted(2, 19, 2, 0.0)
    };
    let s = standing(&course(), &[], &[submitted(1, 19, 1, 90.0), void]);
    let q = &s.quizzes[&id(19)];
    assert_eq!((q.attempts_submitted, q.attempts_left), (1, Some(1)));
    assert_eq!(q.grade, Some(90.0));
    assert_eq!(q.in_progress_attempt, None);
}
