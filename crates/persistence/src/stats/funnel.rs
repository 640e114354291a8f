//! The funnel of one course: per module started and completed, per quiz passes, scores
//! and attempts, per question the outcomes overall and per attempt language.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use help_lms_domain::content::{GradingMethod, Localized, QuestionKind};
use help_lms_domain::quiz::{self, Outcome};
use help_lms_domain::reporting::{Filters, Scope, round};
use help_lms_domain::values::Language;
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Deserialize;
use uuid::Uuid;

use super::{col, count, count_if, restrict};
use crate::catalogue;
use crate::entities::{
    attempts, course_versions, courses, enrolments as en, lesson_progress as lp, lessons,
};
use crate::error::StoreError;

/// How one question went, in one language or in all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QuestionCell {
    /// Enrolments with a submitted attempt (in this language).
    pub learners: u64,
    /// Submitted attempts that contained the question.
    pub attempts: u64,
    pub correct: u64,
    pub partial: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FunnelQuestion {
    pub key: String,
    pub kind: QuestionKind,
    pub all: QuestionCell,
    /// Per attempt language, in language order.
    pub by_language: BTreeMap<String, QuestionCell>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct FunnelQuiz {
    pub title: Localized,
    pub pass_mark: u8,
    /// Enrolments whose grade (by the quiz's grading method) reaches the pass mark.
    pub passed: u64,
    /// Enrolments with at least one submitted attempt.
    pub learners: u64,
    pub attempts: u64,
    /// Mean percent over the submitted attempts, 2 decimals.
    pub average_score: Option<f64>,
    /// Submitted attempts per learner who submitted one, 2 decimals.
    pub average_attempts: Option<f64>,
    pub questions: Vec<FunnelQuestion>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FunnelModule {
    pub key: String,
    pub title: Localized,
    /// Enrolments with any progress in one of its lessons.
    pub started: u64,
    /// Enrolments with every lesson completed and the quiz passed.
    pub completed: u64,
    pub quiz: Option<FunnelQuiz>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Funnel {
    pub course_slug: String,
    /// The course's languages, the original first (for titles).
    pub languages: Vec<Language>,
    /// Enrolments in scope.
    pub enrolled: u64,
    pub completed: u64,
    /// In the order of the current version; modules only older versions had come last.
    pub modules: Vec<FunnelModule>,
}

/// What the funnel reads of `attempts.result`: the outcome of each question.
#[derive(Deserialize)]
struct ResultOutcomes<'a> {
    #[serde(borrow)]
    questions: Vec<QuestionOutcome<'a>>,
}

#[derive(Deserialize)]
struct QuestionOutcome<'a> {
    #[serde(borrow)]
    key: Cow<'a, str>,
    outcome: Outcome,
}

/// The ids of the enrolments within `scope` matching `filters` (and `extra`).
fn scoped_ids(filters: &Filters, scope: &Scope, extra: Option<Expr>) -> SelectStatement {
    let mut q = Query::select();
    q.column((en::Entity, en::Column::Id)).from(en::Entity);
    restrict(&mut q, filters, scope);
    if let Some(e) = extra {
        q.and_where(e);
    }
    q
}

/// One submitted attempt of an enrolment's quiz, as the funnel grades it.
struct Submitted {
    number: i32,
    percent: f64,
    language: String,
}

/// Where a module of some version sits in the funnel, and what completing it takes.
struct ModuleRef {
    slot: usize,
    lessons: usize,
    quiz: Option<Uuid>,
}

/// The funnel of the course `course_id` for the enrolments within `scope` matching
/// `filters` (the course filter is ignored: the course is this one).
pub async fn funnel<C: ConnectionTrait>(
    conn: &C,
    course_id: Uuid,
    filters: &Filters,
    scope: &Scope,
) -> Result<Funnel, StoreError> {
    let course = courses::Entity::find_by_id(course_id)
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut versions = course_versions::Entity::find()
        .filter(course_versions::Column::CourseId.eq(course_id))
        .order_by_desc(course_versions::Column::Version)
        .all(conn)
        .await?;
    // The current version first, then the others newest first.
    if let Some(cur) = course.current_version_id
        && let Some(pos) = versions.iter().position(|v| v.id == cur)
    {
        let v = versions.remove(pos);
        versions.insert(0, v);
    }
    let mut modules: Vec<FunnelModule> = Vec::new();
    let mut slots: HashMap<String, usize> = HashMap::new();
    let mut module_refs: HashMap<Uuid, ModuleRef> = HashMap::new();
    let mut version_modules: HashMap<Uuid, Vec<usize>> = HashMap::new();
    // quiz id -> (slot, grading, pass mark)
    let mut quiz_refs: HashMap<Uuid, (usize, GradingMethod, u8)> = HashMap::new();
    let mut languages = Vec::new();
    for v in &versions {
        let rt = catalogue::runtime::runtime(conn, v.id).await?;
        if languages.is_empty() {
            languages = rt.course.languages.clone();
        }
        for m in &rt.modules {
            let title = m.title.clone();
            let slot = *slots.entry(m.key.clone()).or_insert_with(|| {
                modules.push(FunnelModule {
                    key: m.key.clone(),
                    title,
                    started: 0,
                    completed: 0,
                    quiz: None,
                });
                modules.len() - 1
            });
            if let Some(q) = &m.quiz {
                let fq = modules[slot].quiz.get_or_insert_with(|| FunnelQuiz {
                    title: q.def.title.clone(),
                    pass_mark: q.def.settings.pass_mark,
                    ..Default::default()
                });
                for qd in &q.def.questions {
                    if !fq.questions.iter().any(|x| x.key == qd.key) {
                        fq.questions.push(FunnelQuestion {
                            key: qd.key.clone(),
                            kind: qd.body.kind(),
                            all: QuestionCell::default(),
                            by_language: BTreeMap::new(),
                        });
                    }
                }
                quiz_refs.insert(
                    q.id,
                    (slot, q.def.settings.grading, q.def.settings.pass_mark),
                );
            }
            module_refs.insert(
                m.id,
                ModuleRef {
                    slot,
                    lessons: m.lessons.len(),
                    quiz: m.quiz.as_ref().map(|q| q.id),
                },
            );
            version_modules.entry(v.id).or_default().push(slot);
        }
    }

    let mut this_course = filters.clone();
    this_course.courses = vec![course_id];

    // Enrolments in scope, and the completed ones per version: they started and completed
    // every module of their version.
    let mut q = Query::select();
    q.from(en::Entity)
        .expr_as(col(en::Column::CourseVersionId), Alias::new("version"))
        .expr_as(Expr::col(Asterisk).count(), Alias::new("enrolled"))
        .expr_as(
            count_if(col(en::Column::CompletedAt).is_not_null()),
            Alias::new("completed"),
        );
    restrict(&mut q, &this_course, scope);
    q.add_group_by([col(en::Column::CourseVersionId)]);
    let (mut enrolled, mut completed) = (0, 0);
    for row in conn.query_all(&q).await? {
        let version: Uuid = row.try_get("", "version")?;
        let n = count(&row, "enrolled")?;
        let done = count(&row, "completed")?;
        enrolled += n;
        completed += done;
        for slot in version_modules.get(&version).into_iter().flatten() {
            modules[*slot].started += done;
            modules[*slot].completed += done;
        }
    }

    // Submitted attempts of the enrolments in scope: scores, passes, question outcomes.
    // `IN (subquery)` lets both databases start from the scoped enrolments and reach
    // their attempts through `uq_attempts_number` (enrolment_id, …).
    let mut q = Query::select();
    q.from(attempts::Entity)
        .columns([
            (attempts::Entity, attempts::Column::EnrolmentId),
            (attempts::Entity, attempts::Column::QuizId),
            (attempts::Entity, attempts::Column::Number),
            (attempts::Entity, attempts::Column::Language),
            (attempts::Entity, attempts::Column::Percent),
        ])
        .expr_as(
            Expr::col((attempts::Entity, attempts::Column::Result)).cast_as(Alias::new("TEXT")),
            Alias::new("result"),
        )
        .and_where(Expr::col((attempts::Entity, attempts::Column::Status)).eq("submitted"))
        .and_where(
            Expr::col((attempts::Entity, attempts::Column::EnrolmentId)).in_subquery(scoped_ids(
                &this_course,
                scope,
                None,
            )),
        );
    let mut graded: HashMap<(Uuid, Uuid), Vec<Submitted>> = HashMap::new();
    let mut percent_sums: HashMap<usize, (f64, u64)> = HashMap::new();
    for row in conn.query_all(&q).await? {
        let enrolment: Uuid = row.try_get("", "enrolment_id")?;
        let quiz_id: Uuid = row.try_get("", "quiz_id")?;
        let Some(&(slot, _, _)) = quiz_refs.get(&quiz_id) else {
            continue;
        };
        let Some(fq) = modules[slot].quiz.as_mut() else {
            continue;
        };
        let number: i32 = row.try_get("", "number")?;
        let language: String = row.try_get("", "language")?;
        let percent = row.try_get::<Option<f64>>("", "percent")?.unwrap_or(0.0);
        let sums = percent_sums.entry(slot).or_default();
        sums.0 += percent;
        sums.1 += 1;
        if let Some(text) = row.try_get::<Option<String>>("", "result")? {
            let parsed: ResultOutcomes<'_> = serde_json::from_str(&text)?;
            for o in parsed.questions {
                let Some(question) = fq.questions.iter_mut().find(|x| x.key == o.key) else {
                    continue;
                };
                if !question.by_language.contains_key(&language) {
                    question
                        .by_language
                        .insert(language.clone(), QuestionCell::default());
                }
                let by_language = question.by_language.get_mut(&language);
                for cell in std::iter::once(&mut question.all).chain(by_language) {
                    cell.attempts += 1;
                    match o.outcome {
                        Outcome::Correct => cell.correct += 1,
                        Outcome::Partial => cell.partial += 1,
                        Outcome::Incorrect | Outcome::Unanswered => {}
                    }
                }
            }
        }
        graded
            .entry((enrolment, quiz_id))
            .or_default()
            .push(Submitted {
                number,
                percent,
                language,
            });
    }
    let mut passed: HashSet<(Uuid, Uuid)> = HashSet::new();
    for ((enrolment, quiz_id), mut list) in graded {
        let Some(&(slot, grading, pass_mark)) = quiz_refs.get(&quiz_id) else {
            continue;
        };
        let Some(fq) = modules[slot].quiz.as_mut() else {
            continue;
        };
        list.sort_by_key(|a| a.number);
        let percents: Vec<f64> = list.iter().map(|a| a.percent).collect();
        fq.learners += 1;
        fq.attempts += percents.len() as u64;
        if quiz::aggregate(grading, &percents).is_some_and(|g| quiz::passed(g, pass_mark)) {
            fq.passed += 1;
            passed.insert((enrolment, quiz_id));
        }
        let mut languages: Vec<&str> = list.iter().map(|a| a.language.as_str()).collect();
        languages.sort_unstable();
        languages.dedup();
        for lang in languages {
            for question in &mut fq.questions {
                if let Some(cell) = question.by_language.get_mut(lang) {
                    cell.learners += 1;
                }
            }
        }
    }
    for (slot, (sum, n)) in percent_sums {
        if let Some(fq) = modules[slot].quiz.as_mut() {
            fq.average_score = (n > 0).then(|| round(sum / n as f64, 2));
            fq.average_attempts =
                (fq.learners > 0).then(|| round(fq.attempts as f64 / fq.learners as f64, 2));
            for question in &mut fq.questions {
                question.all.learners = fq.learners;
            }
        }
    }

    // Lesson progress of the enrolments in scope not yet complete (the complete ones
    // were counted above), per enrolment and module.
    let mut q = Query::select();
    q.from(lp::Entity)
        .inner_join(
            lessons::Entity,
            Expr::col((lessons::Entity, lessons::Column::Id))
                .equals((lp::Entity, lp::Column::LessonId)),
        )
        .expr_as(
            Expr::col((lp::Entity, lp::Column::EnrolmentId)),
            Alias::new("enrolment_id"),
        )
        .expr_as(
            Expr::col((lessons::Entity, lessons::Column::ModuleId)),
            Alias::new("module_id"),
        )
        .expr_as(
            count_if(Expr::col((lp::Entity, lp::Column::CompletedAt)).is_not_null()),
            Alias::new("done"),
        )
        .and_where(
            Expr::col((lp::Entity, lp::Column::EnrolmentId)).in_subquery(scoped_ids(
                &this_course,
                scope,
                Some(col(en::Column::CompletedAt).is_null()),
            )),
        );
    q.add_group_by([
        Expr::col((lp::Entity, lp::Column::EnrolmentId)),
        Expr::col((lessons::Entity, lessons::Column::ModuleId)),
    ]);
    for row in conn.query_all(&q).await? {
        let enrolment: Uuid = row.try_get("", "enrolment_id")?;
        let module_id: Uuid = row.try_get("", "module_id")?;
        let Some(m) = module_refs.get(&module_id) else {
            continue;
        };
        let fm = &mut modules[m.slot];
        fm.started += 1;
        let lessons_done = count(&row, "done")? as usize >= m.lessons;
        let quiz_done = m.quiz.is_none_or(|q| passed.contains(&(enrolment, q)));
        if lessons_done && quiz_done {
            fm.completed += 1;
        }
    }

    Ok(Funnel {
        course_slug: course.slug,
        languages,
        enrolled,
        completed,
        modules,
    })
}
