//! What a standing is computed from: an enrolment's lesson records, its attempts and the
//! extra attempts granted to it, read in one statement for one enrolment or for 400. A
//! standing is read on every learner's page and in every learning write, and on SQLite a
//! request costs what its number of statements costs, more than their work. The attempts
//! come without their responses and results, which a standing never needs.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use help_lms_domain::progress::{
    AttemptRecord, AttemptStatus, LessonRecord, Standing, is_expired, standing_with_grants,
};
use help_lms_domain::reporting::marks;
use sea_orm::{ConnectionTrait, Value};
use uuid::Uuid;

use crate::catalogue::runtime::CourseRuntime;
use crate::error::StoreError;
use crate::raw;

/// Enrolments per statement.
const CHUNK: usize = 400;

/// One enrolment's records.
#[derive(Debug, Clone, Default)]
pub(crate) struct Records {
    pub(crate) lessons: Vec<LessonRecord>,
    pub(crate) attempts: Vec<AttemptRecord>,
    /// Extra attempts granted, per quiz.
    pub(crate) extra: BTreeMap<Uuid, u32>,
    /// The languages of the submitted attempts, per quiz (for the funnel's marks).
    languages: BTreeMap<Uuid, BTreeSet<String>>,
    /// The deadlines of the attempts in progress that have one.
    deadlines: Vec<DateTime<Utc>>,
}

impl Records {
    pub(crate) fn standing(&self, rt: &CourseRuntime) -> Standing {
        standing_with_grants(&rt.modules, &self.lessons, &self.attempts, &self.extra)
    }

    /// The standing, and the funnel's marks of it (`marks::encode`).
    pub(crate) fn marked(&self, rt: &CourseRuntime) -> (Standing, String) {
        let st = self.standing(rt);
        let text = marks::encode(&marks::marks_of(&rt.modules, &st, &self.languages));
        (st, text)
    }

    /// Whether an attempt in progress is past its deadline (and its grace) at `now`.
    pub(crate) fn has_expired(&self, now: DateTime<Utc>) -> bool {
        self.deadlines
            .iter()
            .any(|d| is_expired(AttemptStatus::InProgress, Some(*d), now))
    }
}

/// The records of one enrolment.
pub(crate) async fn records<C: ConnectionTrait>(
    conn: &C,
    enrolment_id: Uuid,
) -> Result<Records, StoreError> {
    Ok(records_of(conn, &[enrolment_id])
        .await?
        .remove(&enrolment_id)
        .unwrap_or_default())
}

/// The records of each of `enrolment_ids` (an enrolment without any has none in the map).
/// Attempts come first in the union: SQLite types a compound query's columns by its first
/// part, and PostgreSQL resolves the later parts' `NULL`s to the attempts' column types.
pub(crate) async fn records_of<C: ConnectionTrait>(
    conn: &C,
    enrolment_ids: &[Uuid],
) -> Result<HashMap<Uuid, Records>, StoreError> {
    let mut out: HashMap<Uuid, Records> = HashMap::new();
    for chunk in enrolment_ids.chunks(CHUNK) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let text = format!(
            "SELECT 1 AS kind, enrolment_id, id, quiz_id, CAST(number AS BIGINT) AS n, \
             status, language, percent, deadline AS at \
             FROM attempts WHERE enrolment_id IN ({marks}) \
             UNION ALL \
             SELECT 0, enrolment_id, lesson_id, NULL, CAST(time_spent_seconds AS BIGINT), \
             NULL, NULL, NULL, completed_at \
             FROM lesson_progress WHERE enrolment_id IN ({marks}) \
             UNION ALL \
             SELECT 2, enrolment_id, NULL, quiz_id, CAST(extra AS BIGINT), \
             NULL, NULL, NULL, NULL \
             FROM attempt_grants WHERE enrolment_id IN ({marks})"
        );
        let values: Vec<Value> = std::iter::repeat_n(chunk, 3)
            .flatten()
            .map(|id| Value::from(*id))
            .collect();
        for row in raw::all(conn, &text, values).await? {
            let kind: i32 = row.try_get("", "kind")?;
            let enrolment: Uuid = row.try_get("", "enrolment_id")?;
            let n: i64 = row.try_get("", "n")?;
            let r = out.entry(enrolment).or_default();
            match kind {
                0 => r.lessons.push(LessonRecord {
                    lesson_id: row.try_get("", "id")?,
                    time_spent_seconds: i32::try_from(n)
                        .map_err(|_| StoreError::Corrupt(format!("time spent {n}")))?,
                    completed_at: row.try_get("", "at")?,
                }),
                1 => {
                    let status: String = row.try_get("", "status")?;
                    let status = AttemptStatus::parse(&status)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    let quiz_id: Uuid = row.try_get("", "quiz_id")?;
                    match status {
                        AttemptStatus::Submitted => {
                            let language: String = row.try_get("", "language")?;
                            r.languages.entry(quiz_id).or_default().insert(language);
                        }
                        AttemptStatus::InProgress => {
                            if let Some(d) = row.try_get::<Option<DateTime<Utc>>>("", "at")? {
                                r.deadlines.push(d);
                            }
                        }
                        _ => {}
                    }
                    r.attempts.push(AttemptRecord {
                        id: row.try_get("", "id")?,
                        quiz_id,
                        number: i32::try_from(n)
                            .map_err(|_| StoreError::Corrupt(format!("attempt number {n}")))?,
                        status,
                        percent: row.try_get("", "percent")?,
                    });
                }
                _ => {
                    let quiz_id: Uuid = row.try_get("", "quiz_id")?;
                    let extra = r.extra.entry(quiz_id).or_default();
                    *extra = extra.saturating_add(u32::try_from(n).unwrap_or(0));
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use chrono::{Duration, Utc};
    use help_lms_domain::progress::AttemptStatus;
    use help_lms_domain::values::Language;
    use sea_orm::{ActiveModelTrait, Set};
    use serde_json::json;
    use uuid::Uuid;

    use super::records_of;
    use crate::entities::{attempt_grants as ag, attempts as at, lesson_progress as lp};
    use crate::learning::tests::fixture;
    use crate::test_support::learner;

    /// Every kind of record comes back to its own enrolment, with the columns a standing
    /// and the marks need, on both databases (the union's columns are typed by its parts).
    #[tokio::test]
    async fn one_read_brings_each_enrolments_lessons_attempts_and_grants() {
        let f = fixture().await;
        let db = &f.t.db;
        let other_user = learner(db, "bo@example.eu").await;
        let other = crate::enrolments::self_enrol(
            db,
            other_user,
            f.course.course_id,
            f.course.version_id,
            Language::Fr,
        )
        .await
        .unwrap();
        let quiet = learner(db, "cy@example.eu").await;
        let quiet = crate::enrolments::self_enrol(
            db,
            quiet,
            f.course.course_id,
            f.course.version_id,
            Language::En,
        )
        .await
        .unwrap();
        let now = Utc::now();
        let lesson = |e: Uuid, l: Uuid, secs: i32, done: bool| lp::ActiveModel {
            enrolment_id: Set(e),
            lesson_id: Set(l),
            status: Set(if done { "completed" } else { "viewed" }.into()),
            time_spent_seconds: Set(secs),
            first_viewed_at: Set(now),
            completed_at: Set(done.then_some(now)),
            updated_at: Set(now),
        };
        for (e, l, secs, done) in [
            (f.enrolment, f.lessons[0], 120, true),
            (f.enrolment, f.lessons[1], 30, false),
            (other.id, f.lessons[1], 7, false),
        ] {
            lesson(e, l, secs, done).insert(&db.conn).await.unwrap();
        }
        let deadline = now + Duration::minutes(20);
        let attempt = |e: Uuid, n: i32, status: AttemptStatus, lang: &str| at::ActiveModel {
            id: Set(Uuid::new_v4()),
            enrolment_id: Set(e),
            quiz_id: Set(f.quiz),
            number: Set(n),
            secret: Set("s".into()),
            seed: Set(1),
            language: Set(lang.into()),
            status: Set(status.as_str().into()),
            started_at: Set(now),
            deadline: Set(Some(deadline)),
            submitted_at: Set(None),
            auto_closed: Set(false),
            responses: Set(json!({})),
            score: Set(None),
            max_score: Set(None),
            percent: Set((status == AttemptStatus::Submitted).then_some(62.5)),
            passed: Set(None),
            result: Set(None),
            outcomes: Set(None),
        };
        let mut ids = Vec::new();
        for (n, status, lang) in [
            (1, AttemptStatus::Submitted, "fr"),
            (2, AttemptStatus::Void, "de"),
            (3, AttemptStatus::InProgress, "en"),
        ] {
            let a = attempt(f.enrolment, n, status, lang)
                .insert(&db.conn)
                .await
                .unwrap();
            ids.push(a.id);
        }
        for extra in [2, 1] {
            ag::ActiveModel {
                id: Set(Uuid::new_v4()),
                enrolment_id: Set(f.enrolment),
                quiz_id: Set(f.quiz),
                extra: Set(extra),
                reason: Set("illness".into()),
                granted_by: Set(other_user),
                granted_at: Set(now),
            }
            .insert(&db.conn)
            .await
            .unwrap();
        }

        let mut got = records_of(&db.conn, &[f.enrolment, other.id, quiet.id])
            .await
            .unwrap();
        assert!(!got.contains_key(&quiet.id), "no records, no entry");
        let mine = got.remove(&f.enrolment).unwrap();
        let mut lessons: Vec<_> = mine
            .lessons
            .iter()
            .map(|l| (l.lesson_id, l.time_spent_seconds, l.completed_at.is_some()))
            .collect();
        lessons.sort();
        let mut want = vec![(f.lessons[0], 120, true), (f.lessons[1], 30, false)];
        want.sort();
        assert_eq!(lessons, want);
        let mut attempts: Vec<_> = mine
            .attempts
            .iter()
            .map(|a| (a.number, a.status, a.percent, a.quiz_id))
            .collect();
        attempts.sort_by_key(|a| a.0);
        assert_eq!(
            attempts,
            vec![
                (1, AttemptStatus::Submitted, Some(62.5), f.quiz),
                (2, AttemptStatus::Void, None, f.quiz),
                (3, AttemptStatus::InProgress, None, f.quiz),
            ]
        );
        assert!(
            ids.iter()
                .all(|id| mine.attempts.iter().any(|a| a.id == *id))
        );
        assert_eq!(mine.extra.get(&f.quiz), Some(&3), "grants add up per quiz");
        // Only submitted attempts give the funnel a language; only open ones a deadline.
        assert_eq!(
            mine.languages
                .get(&f.quiz)
                .map(|s| s.iter().cloned().collect::<Vec<_>>()),
            Some(vec!["fr".to_owned()])
        );
        assert_eq!(mine.deadlines.len(), 1);
        assert!((mine.deadlines[0] - deadline).num_seconds().abs() <= 1);
        assert!(!mine.has_expired(now));
        assert!(mine.has_expired(deadline + Duration::hours(1)));

        let theirs = got.remove(&other.id).unwrap();
        assert_eq!(theirs.lessons.len(), 1);
        assert_eq!(theirs.lessons[0].time_spent_seconds, 7);
        assert!(theirs.attempts.is_empty() && theirs.extra.is_empty());
    }
}
