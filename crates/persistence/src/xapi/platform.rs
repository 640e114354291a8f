//! The statements the platform records about its learners, written in the transaction of
//! the learning event they record, so that a statement exists if and only if its event
//! does. The learner is an account on the platform (its public URL and the learner's
//! opaque id, never an email); activities are IRIs under the public URL with their names
//! in the course's languages; the context carries the enrolment as registration, the
//! course version, the cohort and the institution.
//!
//! Verbs are ADL's where one fits (experienced, completed, attempted, answered, passed,
//! failed), the TinCan registry's `earned` for a certificate, and the platform's own for
//! what no registry names (a certificate revoked, an enrolment withdrawn). Free-text
//! responses are not copied into statements; the grading of each question is.

use chrono::{DateTime, Utc};
use help_lms_domain::content::{Localized, QuestionBody};
use help_lms_domain::progress::{LessonPlan, QuizPlan};
use help_lms_domain::quiz::{Outcome, QuizResult};
use sea_orm::ConnectionTrait;
use serde_json::{Map, Value as Json, json};
use uuid::Uuid;

use super::columns::row;
use super::credentials::platform_scope;
use super::statements::{self, NewStatement};
use crate::catalogue::runtime::CourseRuntime;
use crate::entities::enrolments as en;
use crate::error::StoreError;

const ADL: &str = "http://adlnet.gov/expapi/verbs/";

/// A learning event of one enrolment.
pub enum Event<'a> {
    /// The lesson's first progress write.
    LessonOpened(&'a LessonPlan),
    LessonCompleted(&'a LessonPlan),
    AttemptStarted {
        quiz: &'a QuizPlan,
        attempt_id: Uuid,
        number: i32,
    },
    /// An attempt graded: a statement per question, then passed or failed.
    AttemptGraded {
        quiz: &'a QuizPlan,
        attempt_id: Uuid,
        number: i32,
        result: &'a QuizResult,
        passed: bool,
        started_at: DateTime<Utc>,
    },
    CourseCompleted {
        final_score: f64,
    },
    CertificateIssued {
        code: &'a str,
    },
    CertificateRevoked {
        code: &'a str,
    },
    Withdrawn,
}

/// Records the statements of `events` of enrolment `e` inside `txn`.
pub async fn record<C: ConnectionTrait>(
    txn: &C,
    home: &str,
    e: &en::Model,
    rt: &CourseRuntime,
    events: &[Event<'_>],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    let institution = match e.institution_id {
        Some(i) => Some(i),
        None => super::institution_of(txn, e.cohort_id, e.user_id).await?,
    };
    let b = Builder {
        home,
        e,
        rt,
        institution,
        now,
    };
    let mut batch = Vec::new();
    for event in events {
        for statement in b.statements(event) {
            batch.push(b.row(statement)?);
        }
    }
    statements::insert_new(txn, &batch).await?;
    Ok(())
}

struct Builder<'a> {
    home: &'a str,
    e: &'a en::Model,
    rt: &'a CourseRuntime,
    institution: Option<Uuid>,
    now: DateTime<Utc>,
}

fn language_map(text: &Localized) -> Json {
    Json::Object(
        text.iter()
            .map(|(lang, s)| (lang.as_str().to_owned(), Json::String(s.clone())))
            .collect(),
    )
}

fn verb(id: &str, en: &str, fr: &str) -> Json {
    json!({"id": id, "display": {"en": en, "fr": fr}})
}

impl Builder<'_> {
    fn course_iri(&self) -> String {
        format!(
            "{}/xapi/activities/courses/{}",
            self.home, self.rt.course.slug
        )
    }

    fn course(&self) -> Json {
        json!({
            "objectType": "Activity",
            "id": self.course_iri(),
            "definition": {
                "type": "http://adlnet.gov/expapi/activities/course",
                "name": language_map(&self.rt.course.title),
                "description": language_map(&self.rt.course.summary),
            },
        })
    }

    fn lesson(&self, l: &LessonPlan) -> Json {
        json!({
            "objectType": "Activity",
            "id": format!("{}/lessons/{}", self.course_iri(), l.key),
            "definition": {
                "type": "http://adlnet.gov/expapi/activities/lesson",
                "name": language_map(&l.title),
            },
        })
    }

    fn module_key(&self, q: &QuizPlan) -> &str {
        self.rt
            .modules
            .iter()
            .find(|m| m.id == q.module_id)
            .map(|m| m.key.as_str())
            .unwrap_or("module")
    }

    fn quiz_iri(&self, q: &QuizPlan) -> String {
        format!("{}/modules/{}/quiz", self.course_iri(), self.module_key(q))
    }

    fn quiz(&self, q: &QuizPlan) -> Json {
        json!({
            "objectType": "Activity",
            "id": self.quiz_iri(q),
            "definition": {
                "type": "http://adlnet.gov/expapi/activities/assessment",
                "name": language_map(&q.def.title),
            },
        })
    }

    fn question(&self, q: &QuizPlan, key: &str) -> Json {
        let def = q.def.questions.iter().find(|x| x.key == key);
        let interaction = match def.map(|d| &d.body) {
            Some(QuestionBody::SingleChoice { .. } | QuestionBody::MultipleChoice { .. }) => {
                "choice"
            }
            Some(QuestionBody::TrueFalse { .. }) => "true-false",
            Some(QuestionBody::Matching { .. }) => "matching",
            Some(QuestionBody::Ordering { .. }) => "sequencing",
            Some(QuestionBody::ShortText { .. }) => "fill-in",
            Some(QuestionBody::Numeric { .. }) => "numeric",
            None => "other",
        };
        let mut definition = json!({
            "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
            "interactionType": interaction,
            "name": {"en": format!("Question {key}"), "fr": format!("Question {key}")},
        });
        if let Some(d) = def {
            definition["description"] = language_map(&d.prompt);
        }
        json!({
            "objectType": "Activity",
            "id": format!("{}/questions/{key}", self.quiz_iri(q)),
            "definition": definition,
        })
    }

    fn certificate(&self, code: &str) -> Json {
        json!({
            "objectType": "Activity",
            "id": format!("{}/verify/{code}", self.home),
            "definition": {
                "type": format!("{}/xapi/activity-types/certificate", self.home),
                "name": {"en": "HELP course certificate", "fr": "Certificat de cours HELP"},
            },
        })
    }

    fn context(&self, parent: Option<Json>, extra: Map<String, Json>) -> Json {
        let ext = |name: &str| format!("{}/xapi/extensions/{name}", self.home);
        let mut extensions = Map::new();
        extensions.insert(ext("course-version"), json!(self.rt.course.version));
        if let Some(c) = self.e.cohort_id {
            extensions.insert(ext("cohort"), json!(c.to_string()));
        }
        if let Some(i) = self.institution {
            extensions.insert(ext("institution"), json!(i.to_string()));
        }
        for (k, v) in extra {
            extensions.insert(ext(&k), v);
        }
        let mut activities = Map::new();
        let course = json!({
            "objectType": "Activity",
            "id": self.course_iri(),
            "definition": {
                "type": "http://adlnet.gov/expapi/activities/course",
                "name": language_map(&self.rt.course.title),
            },
        });
        activities.insert("grouping".into(), json!([course]));
        if let Some(p) = parent {
            activities.insert("parent".into(), json!([p]));
        }
        json!({
            "registration": self.e.id.to_string(),
            "platform": "help-lms",
            "language": self.e.language,
            "contextActivities": activities,
            "extensions": extensions,
        })
    }

    fn statement(&self, verb: Json, object: Json, result: Option<Json>, context: Json) -> Json {
        let mut s = json!({
            "id": Uuid::new_v4().to_string(),
            "actor": {
                "objectType": "Agent",
                "account": {"homePage": self.home, "name": self.e.user_id.to_string()},
            },
            "verb": verb,
            "object": object,
            "context": context,
            "timestamp": rfc3339(self.now),
        });
        if let Some(r) = result {
            s["result"] = r;
        }
        s
    }

    fn statements(&self, event: &Event<'_>) -> Vec<Json> {
        let attempt_ext = |id: Uuid, number: i32| {
            let mut m = Map::new();
            m.insert("attempt".into(), json!(id.to_string()));
            m.insert("attempt-number".into(), json!(number));
            m
        };
        match event {
            Event::LessonOpened(l) => vec![self.statement(
                verb(&format!("{ADL}experienced"), "experienced", "a consulté"),
                self.lesson(l),
                None,
                self.context(None, Map::new()),
            )],
            Event::LessonCompleted(l) => vec![self.statement(
                verb(&format!("{ADL}completed"), "completed", "a terminé"),
                self.lesson(l),
                Some(json!({"completion": true})),
                self.context(None, Map::new()),
            )],
            Event::AttemptStarted {
                quiz,
                attempt_id,
                number,
            } => vec![self.statement(
                verb(&format!("{ADL}attempted"), "attempted", "a tenté"),
                self.quiz(quiz),
                None,
                self.context(None, attempt_ext(*attempt_id, *number)),
            )],
            Event::AttemptGraded {
                quiz,
                attempt_id,
                number,
                result,
                passed,
                started_at,
            } => {
                let mut out = Vec::with_capacity(result.questions.len() + 1);
                for q in &result.questions {
                    let score = score(q.earned, q.points);
                    out.push(self.statement(
                        verb(&format!("{ADL}answered"), "answered", "a répondu"),
                        self.question(quiz, &q.key),
                        Some(json!({
                            "success": q.outcome == Outcome::Correct,
                            "completion": q.outcome != Outcome::Unanswered,
                            "score": score,
                        })),
                        self.context(Some(self.quiz(quiz)), attempt_ext(*attempt_id, *number)),
                    ));
                }
                let (id, en_word, fr_word) = if *passed {
                    ("passed", "passed", "a réussi")
                } else {
                    ("failed", "failed", "a échoué")
                };
                out.push(self.statement(
                    verb(&format!("{ADL}{id}"), en_word, fr_word),
                    self.quiz(quiz),
                    Some(json!({
                        "success": passed,
                        "completion": true,
                        "score": score(result.score, result.max_score),
                        "duration": duration(self.now - *started_at),
                    })),
                    self.context(None, attempt_ext(*attempt_id, *number)),
                ));
                out
            }
            Event::CourseCompleted { final_score } => vec![self.statement(
                verb(&format!("{ADL}completed"), "completed", "a terminé"),
                self.course(),
                Some(json!({
                    "completion": true,
                    "success": true,
                    "score": {"scaled": (final_score / 100.0).clamp(0.0, 1.0), "raw": final_score, "min": 0, "max": 100},
                })),
                self.context(None, Map::new()),
            )],
            Event::CertificateIssued { code } => vec![self.statement(
                verb("http://id.tincanapi.com/verb/earned", "earned", "a obtenu"),
                self.certificate(code),
                None,
                self.context(None, Map::new()),
            )],
            Event::CertificateRevoked { code } => vec![self.statement(
                verb(
                    &format!("{}/xapi/verbs/certificate-revoked", self.home),
                    "had the certificate revoked",
                    "s'est vu retirer le certificat",
                ),
                self.certificate(code),
                None,
                self.context(None, Map::new()),
            )],
            Event::Withdrawn => vec![self.statement(
                verb(
                    &format!("{}/xapi/verbs/withdrawn", self.home),
                    "was withdrawn from",
                    "a été retiré de",
                ),
                self.course(),
                None,
                self.context(None, Map::new()),
            )],
        }
    }

    /// The stored form: stored, authority and version set as the store sets them.
    fn row(&self, mut s: Json) -> Result<NewStatement, StoreError> {
        let received = s.clone();
        s["stored"] = json!(rfc3339(self.now));
        s["authority"] = json!({
            "objectType": "Agent",
            "name": "help-lms",
            "account": {"homePage": self.home, "name": "help-lms"},
        });
        s["version"] = json!("2.0.0");
        row(
            &s,
            received,
            self.now.timestamp_micros(),
            platform_scope(self.institution),
            Some(self.e.user_id),
        )
    }
}

fn score(earned: f64, max: f64) -> Json {
    let scaled = if max > 0.0 {
        (earned / max).clamp(-1.0, 1.0)
    } else {
        0.0
    };
    json!({"scaled": scaled, "raw": earned, "min": 0, "max": max})
}

/// An ISO 8601 duration to the hundredth of a second.
fn duration(d: chrono::Duration) -> String {
    let centis = (d.num_milliseconds().max(0) + 5) / 10;
    format!("PT{}.{:02}S", centis / 100, centis % 100)
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::duration;

    #[test]
    fn durations_are_iso_8601_to_the_hundredth() {
        assert_eq!(duration(chrono::Duration::milliseconds(83_456)), "PT83.46S");
        assert_eq!(duration(chrono::Duration::milliseconds(-5)), "PT0.00S");
    }
}
