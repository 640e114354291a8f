//! The funnel of one course: per module started and completed, per quiz passes, scores
//! and attempts, per question the outcomes overall and per attempt language.

use std::collections::{BTreeMap, HashMap};

use help_lms_domain::content::{Localized, QuestionKind};
use help_lms_domain::quiz::Outcome;
use help_lms_domain::reporting::{Filters, Scope, marks, round};
use help_lms_domain::values::Language;
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{col, count, count_if, restrict};
use crate::catalogue;
use crate::entities::{attempts, course_versions, courses, enrolments as en};
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

/// The ids of the enrolments within `scope` matching `filters`.
fn scoped_ids(filters: &Filters, scope: &Scope) -> SelectStatement {
    let mut q = Query::select();
    q.column((en::Entity, en::Column::Id)).from(en::Entity);
    restrict(&mut q, filters, scope);
    q
}

/// A quiz of some version: where it sits in the funnel and its questions in content
/// order, which is the order of an attempt's outcome letters.
struct QuizRef {
    slot: usize,
    keys: Vec<String>,
}

/// The funnel of the course `course_id` for the enrolments within `scope` matching
/// `filters` (the course filter is ignored: the course is this one).
///
/// Two grouped reads, whatever the number of learners: the course's enrolments by version
/// and module marks (`help_lms_domain::reporting::marks`), and its quizzes' graded attempts
/// by language and outcome letters. Each comes back as one row per distinct group, along a
/// covering index.
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
    // Per version, the slot of each of its modules in its order (the order of the marks).
    let mut version_modules: HashMap<Uuid, Vec<usize>> = HashMap::new();
    let mut quiz_refs: HashMap<Uuid, QuizRef> = HashMap::new();
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
                    QuizRef {
                        slot,
                        keys: q.def.questions.iter().map(|x| x.key.clone()).collect(),
                    },
                );
            }
            version_modules.entry(v.id).or_default().push(slot);
        }
    }

    let mut this_course = filters.clone();
    this_course.courses = vec![course_id];

    // The enrolments in scope by version and marks. A completed enrolment started and
    // completed every module of its version; one not complete, the modules its marks say
    // it started, and completed those whose every lesson it completed and quiz it passed.
    // Quiz learners, passes and the learners per attempt language come from the marks of
    // both.
    let mut q = Query::select();
    q.from(en::Entity)
        .expr_as(col(en::Column::CourseVersionId), Alias::new("version"))
        .expr_as(col(en::Column::ModuleMarks), Alias::new("marks"))
        .expr_as(Expr::col(Asterisk).count(), Alias::new("enrolled"))
        .expr_as(
            count_if(col(en::Column::CompletedAt).is_not_null()),
            Alias::new("completed"),
        );
    restrict(&mut q, &this_course, scope);
    q.add_group_by([
        col(en::Column::CourseVersionId),
        col(en::Column::ModuleMarks),
    ]);
    let (mut enrolled, mut completed) = (0, 0);
    // (slot, language) -> learners with a graded attempt in that language
    let mut language_learners: HashMap<(usize, String), u64> = HashMap::new();
    for row in conn.query_all(&q).await? {
        let version: Uuid = row.try_get("", "version")?;
        let n = count(&row, "enrolled")?;
        let done = count(&row, "completed")?;
        enrolled += n;
        completed += done;
        let Some(version_slots) = version_modules.get(&version) else {
            continue;
        };
        for slot in version_slots {
            modules[*slot].started += done;
            modules[*slot].completed += done;
        }
        let Some(text) = row.try_get::<Option<String>>("", "marks")? else {
            // Nothing recorded yet.
            continue;
        };
        let marks = marks::decode(&text)
            .filter(|m| m.len() == version_slots.len())
            .ok_or_else(|| StoreError::Corrupt(format!("module marks {text:?}")))?;
        let open = n.saturating_sub(done);
        for (slot, mark) in version_slots.iter().zip(marks) {
            let fm = &mut modules[*slot];
            if mark.started {
                fm.started += open;
                if mark.completed {
                    fm.completed += open;
                }
            }
            if let Some(fq) = fm.quiz.as_mut()
                && mark.quiz_attempted
            {
                fq.learners += n;
                if mark.quiz_passed {
                    fq.passed += n;
                }
                for lang in mark.languages {
                    *language_learners.entry((*slot, lang)).or_default() += n;
                }
            }
        }
    }

    // The graded attempts of the course's quizzes by language and outcomes: attempts,
    // scores and each question's outcomes. Scoped to the enrolments in scope unless every
    // enrolment of the course is.
    let quiz_ids: Vec<Uuid> = quiz_refs.keys().copied().collect();
    let mut percent_sums: HashMap<usize, (f64, u64)> = HashMap::new();
    if !quiz_ids.is_empty() {
        let mut q = Query::select();
        q.from(attempts::Entity)
            .columns([
                (attempts::Entity, attempts::Column::QuizId),
                (attempts::Entity, attempts::Column::Language),
                (attempts::Entity, attempts::Column::Outcomes),
            ])
            .expr_as(Expr::col(Asterisk).count(), Alias::new("attempts"))
            .expr_as(
                Expr::col((attempts::Entity, attempts::Column::Percent)).sum(),
                Alias::new("percent"),
            )
            .and_where(Expr::col((attempts::Entity, attempts::Column::QuizId)).is_in(quiz_ids))
            .and_where(Expr::col((attempts::Entity, attempts::Column::Status)).eq("submitted"));
        let whole_course = matches!(scope, Scope::All)
            && Filters {
                courses: Vec::new(),
                ..filters.clone()
            } == Filters::default();
        if !whole_course {
            q.and_where(
                Expr::col((attempts::Entity, attempts::Column::EnrolmentId))
                    .in_subquery(scoped_ids(&this_course, scope)),
            );
        }
        q.add_group_by([
            Expr::col((attempts::Entity, attempts::Column::QuizId)),
            Expr::col((attempts::Entity, attempts::Column::Language)),
            Expr::col((attempts::Entity, attempts::Column::Outcomes)),
        ]);
        for row in conn.query_all(&q).await? {
            let quiz_id: Uuid = row.try_get("", "quiz_id")?;
            let Some(qr) = quiz_refs.get(&quiz_id) else {
                continue;
            };
            let Some(fq) = modules[qr.slot].quiz.as_mut() else {
                continue;
            };
            let language: String = row.try_get("", "language")?;
            let n = count(&row, "attempts")?;
            let sums = percent_sums.entry(qr.slot).or_default();
            sums.0 += row.try_get::<Option<f64>>("", "percent")?.unwrap_or(0.0);
            sums.1 += n;
            fq.attempts += n;
            let Some(letters) = row.try_get::<Option<String>>("", "outcomes")? else {
                continue;
            };
            for (key, letter) in qr.keys.iter().zip(letters.chars()) {
                let outcome = marks::outcome_of_code(letter)
                    .ok_or_else(|| StoreError::Corrupt(format!("outcomes {letters:?}")))?;
                let Some(question) = fq.questions.iter_mut().find(|x| &x.key == key) else {
                    continue;
                };
                let by_language = question.by_language.entry(language.clone()).or_default();
                for cell in [&mut question.all, by_language] {
                    cell.attempts += n;
                    match outcome {
                        Outcome::Correct => cell.correct += n,
                        Outcome::Partial => cell.partial += n,
                        Outcome::Incorrect | Outcome::Unanswered => {}
                    }
                }
            }
        }
    }
    for module in &mut modules {
        let Some(fq) = module.quiz.as_mut() else {
            continue;
        };
        fq.average_attempts =
            (fq.learners > 0).then(|| round(fq.attempts as f64 / fq.learners as f64, 2));
        for question in &mut fq.questions {
            question.all.learners = fq.learners;
        }
    }
    for (slot, (sum, n)) in percent_sums {
        if let Some(fq) = modules[slot].quiz.as_mut() {
            fq.average_score = (n > 0).then(|| round(sum / n as f64, 2));
        }
    }
    for ((slot, lang), n) in language_learners {
        if let Some(fq) = modules[slot].quiz.as_mut() {
            for question in &mut fq.questions {
                if let Some(cell) = question.by_language.get_mut(&lang) {
                    cell.learners += n;
                }
            }
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
