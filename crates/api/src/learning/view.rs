//! Turning what the learning services return into the learner's language and the review
//! policy: the progress of an enrolment, a progress write's answer, and an attempt.

use help_lms_domain::content::{Localized, pick};
use help_lms_domain::progress::{Next, Standing};
use help_lms_domain::quiz::{self, Outcome, Visibility};
use help_lms_domain::values::Language;
use help_lms_persistence::catalogue::runtime::CourseRuntime;
use help_lms_persistence::learning::{AttemptView, Overview, ProgressOutcome};

use super::Access;
use super::dto::{
    AttemptDto, AttemptResult, EnrolmentProgressDto, LessonProgressDto, ModuleProgressDto,
    NextKind, NextStep, ProgressAck, QuestionReview, QuizProgressDto,
};
use crate::catalogue::dto::text;
use crate::error::ApiError;

pub(crate) fn next_step(n: Option<Next>) -> Option<NextStep> {
    n.map(|n| match n {
        Next::Lesson(id) => NextStep {
            kind: NextKind::Lesson,
            id,
        },
        Next::Quiz(id) => NextStep {
            kind: NextKind::Quiz,
            id,
        },
    })
}

fn lesson_dto(
    st: &Standing,
    l: &help_lms_domain::progress::LessonPlan,
    lang: Language,
    orig: &[Language],
) -> LessonProgressDto {
    let ls = st.lesson(l.id);
    LessonProgressDto {
        id: l.id,
        key: l.key.clone(),
        title: text(&l.title, lang, orig),
        status: ls.status,
        time_spent_seconds: ls.time_spent_seconds,
        completed_at: ls.completed_at,
    }
}

pub(super) fn progress(o: Overview) -> EnrolmentProgressDto {
    let rt: &CourseRuntime = &o.course;
    let st = &o.standing;
    let lang = o.enrolment.language;
    let orig = &rt.course.languages;
    let modules = rt
        .modules
        .iter()
        .map(|m| ModuleProgressDto {
            id: m.id,
            key: m.key.clone(),
            title: text(&m.title, lang, orig),
            completed: st.module_completed(m.id),
            lessons: m
                .lessons
                .iter()
                .map(|l| lesson_dto(st, l, lang, orig))
                .collect(),
            quiz: m.quiz.as_ref().map(|q| {
                let qs = st.quizzes.get(&q.id);
                let s = &q.def.settings;
                QuizProgressDto {
                    id: q.id,
                    title: text(&q.def.title, lang, orig),
                    pass_mark: s.pass_mark,
                    max_attempts: s.max_attempts,
                    time_limit_minutes: s.time_limit_minutes,
                    attempts_submitted: qs.map(|s| s.attempts_submitted).unwrap_or(0),
                    extra_attempts: qs.map(|s| s.extra_attempts).unwrap_or(0),
                    attempts_left: qs.and_then(|s| s.attempts_left),
                    grade: qs.and_then(|s| s.grade),
                    passed: qs.is_some_and(|s| s.passed),
                    in_progress_attempt: qs.and_then(|s| s.in_progress_attempt),
                }
            }),
        })
        .collect();
    EnrolmentProgressDto {
        course: rt.course.slug.clone(),
        course_version: rt.course.version,
        title: text(&rt.course.title, lang, orig),
        percent: st.percent,
        modules_completed: st.modules_completed(),
        time_spent_seconds: st.time_spent_seconds,
        next: next_step(st.next),
        modules,
        certificate_code: o.certificate_code,
        last_activity_at: o.last_activity_at,
        enrolment: o.enrolment.into(),
    }
}

pub(super) fn progress_ack(o: ProgressOutcome) -> ProgressAck {
    let lang = o.enrolment.language;
    ProgressAck {
        lesson: lesson_dto(&o.standing, &o.lesson, lang, &o.course.course.languages),
        enrolment_status: o.enrolment.status,
        percent: o.standing.percent,
        modules_completed: o.standing.modules_completed(),
        next: next_step(o.standing.next),
        certificate_code: o.certificate_code,
    }
}

pub(crate) fn attempt(v: &AttemptView, access: Access) -> Result<AttemptDto, ApiError> {
    let a = &v.attempt;
    let rt = &v.course;
    let q = rt.quiz(a.quiz_id).ok_or(ApiError::NotFound)?;
    let lang = a.language;
    let mut fallbacks = vec![Language::En];
    fallbacks.extend(rt.course.languages.iter().copied());
    let pickt = |t: &Localized| pick(t, lang, &fallbacks).map(|(_, s)| s.to_owned());
    let questions = quiz::deliver(&q.def, &a.secret, a.seed, lang, &fallbacks);
    let result = match &a.result {
        Some(r) if a.status == help_lms_domain::progress::AttemptStatus::Submitted => {
            let s = &q.def.settings;
            let vis = match access {
                Access::Staff => Visibility {
                    score: true,
                    correctness: true,
                    correct_answers: true,
                },
                Access::Owner => quiz::review_visibility(
                    s.review,
                    s.review_when,
                    v.quiz.attempts_submitted,
                    v.quiz.attempts_allowed.unwrap_or(0),
                    v.quiz.passed,
                ),
            };
            let reviews = r
                .questions
                .iter()
                .map(|qr| {
                    let def = q.def.questions.iter().find(|d| d.key == qr.key);
                    let answers =
                        |f: &dyn Fn(&help_lms_domain::content::QuestionDef) -> Option<String>| {
                            if vis.correct_answers {
                                def.and_then(f)
                            } else {
                                None
                            }
                        };
                    QuestionReview {
                        key: qr.key.clone(),
                        points: qr.points,
                        earned: vis.correctness.then_some(qr.earned),
                        outcome: vis.correctness.then_some(qr.outcome),
                        correct_response: if vis.correct_answers {
                            def.map(|d| quiz::correct_response(d, &a.secret, lang, &fallbacks))
                        } else {
                            None
                        },
                        feedback: answers(&|d| {
                            pickt(if qr.outcome == Outcome::Correct {
                                &d.feedback_correct
                            } else {
                                &d.feedback_incorrect
                            })
                        }),
                        explanation: answers(&|d| pickt(&d.explanation)),
                    }
                })
                .collect();
            Some(AttemptResult {
                score: r.score,
                max_score: r.max_score,
                percent: r.percent,
                passed: a.passed.unwrap_or(false),
                visibility: vis,
                questions: reviews,
            })
        }
        _ => None,
    };
    Ok(AttemptDto {
        id: a.id,
        enrolment_id: a.enrolment_id,
        quiz_id: a.quiz_id,
        number: a.number,
        status: a.status,
        language: a.language,
        started_at: a.started_at,
        deadline: a.deadline,
        submitted_at: a.submitted_at,
        auto_closed: a.auto_closed,
        questions,
        responses: a.responses.clone(),
        result,
    })
}
