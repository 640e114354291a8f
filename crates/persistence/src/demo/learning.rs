//! What learners do once enrolled: lessons, graded quiz attempts, completion and the
//! certificate, played out up to the day the demo runs.

use chrono::{DateTime, Duration, Utc};
use help_lms_domain::content::{QuestionBody, pick};
use help_lms_domain::enrolment::{EnrolmentSource, EnrolmentStatus};
use help_lms_domain::progress::standing;
use help_lms_domain::quiz::{self, Outcome, QuestionResult, QuizResult};
use help_lms_domain::reporting::{Mode, days_between, marks, month_of};
use help_lms_domain::values::Language;
use uuid::Uuid;

use super::Generator;
use super::batch::Batch;
use super::cohorts::CohortPlan;
use super::courses::{Course, Quiz};
use super::people::Learner;
use super::random::{Rng, round2, sigmoid};
use super::shape::courses_for;
use crate::entities::{attempts, certificates, enrolments, lesson_progress};
use crate::learning::{attempt_record, lesson_record};

/// What happened to one enrolment.
struct Played {
    completed_at: Option<DateTime<Utc>>,
    final_score: Option<f64>,
    last_activity: Option<DateTime<Utc>>,
    /// The funnel's marks of the records written (`marks::encode`).
    marks: Option<String>,
}

impl Generator<'_> {
    /// Enrols the learner and plays out what they did, up to the anchor day.
    pub(super) fn enrol(
        &mut self,
        batch: &mut Batch,
        learner: &Learner,
        course: &Course,
        cohort: Option<&CohortPlan>,
        language: Language,
        at: DateTime<Utc>,
    ) {
        let id = self.rng.id_at(at);
        let tutored = cohort.is_some();
        let outcome = self.play(batch, id, course, cohort, language, at);
        let withdrawn = tutored && outcome.completed_at.is_none() && self.rng.chance(0.25);
        let status = if outcome.completed_at.is_some() {
            EnrolmentStatus::Completed
        } else if withdrawn {
            EnrolmentStatus::Withdrawn
        } else {
            EnrolmentStatus::Active
        };
        let withdrawn_at = withdrawn.then(|| {
            (outcome.last_activity.unwrap_or(at) + Duration::days(7 + self.rng.below(30) as i64))
                .min(self.anchor)
        });
        let updated = withdrawn_at
            .or(outcome.completed_at)
            .or(outcome.last_activity)
            .unwrap_or(at);
        batch.enrolments.push(enrolments::Model {
            id,
            user_id: learner.id,
            course_id: course.id,
            course_version_id: course.version_id,
            cohort_id: cohort.map(|c| c.id),
            source: if tutored {
                EnrolmentSource::Nti
            } else {
                EnrolmentSource::SelfEnrolled
            }
            .as_str()
            .to_owned(),
            status: status.as_str().to_owned(),
            language: language.as_str().to_owned(),
            enrolled_at: at,
            completed_at: outcome.completed_at,
            withdrawn_at,
            updated_at: updated,
            last_activity_at: outcome.last_activity,
            country: Some(learner.country.as_str().to_owned()),
            profession: Some(learner.profession.as_str().to_owned()),
            institution_id: cohort.map(|c| c.institution_id),
            mode: Some(Mode::of(tutored).as_str().to_owned()),
            enrolled_month: Some(month_of(at)),
            final_score: outcome.final_score,
            days_to_complete: outcome.completed_at.map(|c| days_between(at, c)),
            module_marks: outcome.marks,
        });
        if let (Some(done), Some(score)) = (outcome.completed_at, outcome.final_score) {
            self.completed += 1;
            // The certificate's title as the platform issues it.
            let title = pick(&course.title, language, &[Language::En])
                .map(|(_, t)| t.to_owned())
                .unwrap_or_else(|| course.slug.clone());
            let revoked = self.rng.chance(0.003);
            batch.certificates.push(certificates::Model {
                id: self.rng.id_at(done),
                code: self.rng.certificate_code(),
                enrolment_id: id,
                user_id: learner.id,
                course_id: course.id,
                course_version: course.version,
                learner_name: learner.name.clone(),
                course_title: title,
                language: language.as_str().to_owned(),
                issued_at: done,
                final_score: score,
                estimated_hours: course.hours,
                revoked_at: revoked.then(|| (done + Duration::days(30)).min(self.anchor)),
                revoked_reason: revoked.then(|| "issued in error".to_owned()),
                institution_name: None,
                tutor_names: None,
                cohort_starts_on: None,
                cohort_ends_on: None,
                // Given when the batch is written.
                status_index: 0,
                erased_at: None,
            });
        }
    }

    /// Lessons and quizzes in course order until the learner stops, fails a quiz for good,
    /// reaches the end, or time reaches the anchor day. Whether that completes the course,
    /// and with which final score, is decided by the platform's own rule
    /// ([`standing`]) on the rows written.
    fn play(
        &mut self,
        batch: &mut Batch,
        enrolment_id: Uuid,
        course: &Course,
        cohort: Option<&CohortPlan>,
        language: Language,
        at: DateTime<Utc>,
    ) -> Played {
        let anchor = self.anchor;
        let rng = &mut self.rng;
        let items = course.items();
        let aims_to_finish = rng.chance(if cohort.is_some() { 0.74 } else { 0.42 });
        let stop_after = if aims_to_finish {
            items
        } else {
            rng.below(items)
        };
        let days = match cohort {
            Some(c) => (c.ends - at).num_hours() as f64 / 24.0 * rng.range(0.45, 1.05),
            None => (25f64.ln() + 0.9 * rng.normal()).exp().clamp(0.3, 500.0),
        };
        let step = days * 86400.0 / items as f64;
        let mut t = at + Duration::minutes(rng.range(5.0, 2880.0) as i64);
        let mut ability = rng.normal();
        let mut done = 0usize;
        let mut last = None;
        let mut progress = Vec::new();
        let mut attempts = Vec::new();
        'modules: for m in &course.modules {
            for (lesson, minutes) in &m.lessons {
                if done >= stop_after || t > anchor {
                    break 'modules;
                }
                let spent = (f64::from(*minutes) * 60.0 * rng.range(0.5, 1.8)) as i32;
                let viewed_only = done + 1 == stop_after && !aims_to_finish && rng.chance(0.5);
                progress.push(lesson_progress::Model {
                    enrolment_id,
                    lesson_id: *lesson,
                    status: if viewed_only { "viewed" } else { "completed" }.to_owned(),
                    time_spent_seconds: spent,
                    first_viewed_at: t - Duration::seconds(i64::from(spent)),
                    completed_at: (!viewed_only).then_some(t),
                    updated_at: t,
                });
                last = Some(t);
                if viewed_only {
                    break 'modules;
                }
                done += 1;
                t += Duration::seconds((step * rng.range(0.3, 1.7)) as i64);
            }
            if let Some(q) = &m.quiz {
                if done >= stop_after || t > anchor {
                    break 'modules;
                }
                let settings = &q.def.settings;
                let max = if settings.max_attempts == 0 {
                    4
                } else {
                    settings.max_attempts
                };
                let mut percents = Vec::new();
                let mut passed = false;
                for number in 1..=max {
                    if t > anchor {
                        break 'modules;
                    }
                    let result = answer(rng, q, ability, language);
                    let ok = quiz::passed(result.percent, settings.pass_mark);
                    percents.push(result.percent);
                    let submitted = t + Duration::minutes(rng.range(4.0, 25.0) as i64);
                    attempts.push(attempts::Model {
                        id: rng.id_at(t),
                        enrolment_id,
                        quiz_id: q.id,
                        number: number as i32,
                        secret: rng.hex(43),
                        seed: rng.next_u64() as i64,
                        language: language.as_str().to_owned(),
                        status: "submitted".to_owned(),
                        started_at: t,
                        deadline: settings
                            .time_limit_minutes
                            .map(|m| t + Duration::minutes(i64::from(m))),
                        submitted_at: Some(submitted),
                        auto_closed: false,
                        responses: serde_json::json!({}),
                        score: Some(result.score),
                        max_score: Some(result.max_score),
                        percent: Some(result.percent),
                        passed: Some(ok),
                        result: serde_json::to_value(&result).ok(),
                        outcomes: Some(marks::outcome_codes(&result)),
                    });
                    last = Some(submitted);
                    t = submitted;
                    if quiz::aggregate(settings.grading, &percents)
                        .is_some_and(|g| quiz::passed(g, settings.pass_mark))
                    {
                        passed = true;
                        break;
                    }
                    // Learners read up before trying again.
                    ability += 0.5;
                    t += Duration::hours(rng.range(2.0, 72.0) as i64);
                }
                if !passed {
                    break 'modules;
                }
                done += 1;
                t += Duration::seconds((step * rng.range(0.3, 1.7)) as i64);
            }
        }
        // Complete as the platform decides it, and only if that happened before the anchor.
        let lessons: Vec<_> = progress.iter().map(lesson_record).collect();
        // Every status written above is one the platform writes, so none is skipped.
        let tried: Vec<_> = attempts
            .iter()
            .filter_map(|a| attempt_record(a).ok())
            .collect();
        let standing = standing(&course.runtime.modules, &lessons, &tried);
        let complete = standing.complete && last.is_some_and(|l| l <= anchor);
        // What the platform's writes would have left on the enrolment (every attempt here
        // is submitted, in the enrolment's language).
        let marks = (!progress.is_empty() || !attempts.is_empty()).then(|| {
            let languages = attempts
                .iter()
                .map(|a| (a.quiz_id, [a.language.clone()].into()))
                .collect();
            marks::encode(&marks::marks_of(
                &course.runtime.modules,
                &standing,
                &languages,
            ))
        });
        batch.progress.append(&mut progress);
        batch.attempts.append(&mut attempts);
        Played {
            completed_at: if complete { last } else { None },
            final_score: complete.then_some(standing.final_score),
            last_activity: last,
            marks,
        }
    }

    /// A self-study enrolment in another course, some time after the first.
    pub(super) fn second_course(
        &mut self,
        batch: &mut Batch,
        learner: &Learner,
        first: &str,
        after: DateTime<Utc>,
    ) {
        let options: Vec<(&'static str, f64)> = courses_for(learner.profession)
            .iter()
            .copied()
            .filter(|(s, _)| *s != first)
            .collect();
        if options.is_empty() {
            return;
        }
        let slug = self.rng.weighted(&options);
        let at = after + Duration::days(self.rng.range(14.0, 300.0) as i64);
        if at >= self.anchor {
            return;
        }
        if let Some(course) = self.courses.get(slug) {
            let language = course.language_for(learner.language);
            self.enrol(batch, learner, course, None, language, at);
        }
    }
}

/// One graded attempt: each question right with a probability that grows with ability
/// and falls with the question's difficulty (more so in French for one question).
fn answer(rng: &mut Rng, q: &Quiz, ability: f64, language: Language) -> QuizResult {
    let mut questions = Vec::with_capacity(q.def.questions.len());
    let (mut score, mut max_score) = (0.0, 0.0);
    for (qd, (difficulty, french)) in q.def.questions.iter().zip(&q.difficulty) {
        let extra = if language == Language::Fr {
            *french
        } else {
            0.0
        };
        let p = sigmoid(1.5 + 0.9 * ability - difficulty - extra);
        let partial_possible = matches!(
            qd.body,
            QuestionBody::MultipleChoice { .. }
                | QuestionBody::Matching { .. }
                | QuestionBody::Ordering { .. }
        );
        let (outcome, earned) = if rng.chance(0.02) {
            (Outcome::Unanswered, 0.0)
        } else if rng.chance(p) {
            (Outcome::Correct, qd.points)
        } else if partial_possible && rng.chance(0.4) {
            (Outcome::Partial, round2(qd.points * 0.5))
        } else {
            (Outcome::Incorrect, 0.0)
        };
        score += earned;
        max_score += qd.points;
        questions.push(QuestionResult {
            key: qd.key.clone(),
            points: qd.points,
            earned,
            outcome,
        });
    }
    let percent = if max_score > 0.0 {
        round2(score / max_score * 100.0)
    } else {
        0.0
    };
    QuizResult {
        score: round2(score),
        max_score,
        percent,
        questions,
    }
}
