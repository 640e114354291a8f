//! The current courses as the demo walks them: modules in order, lesson lengths, and how
//! hard each quiz question is.

use std::collections::BTreeMap;
use std::sync::Arc;

use help_lms_domain::content::{Localized, QuizDef};
use help_lms_domain::values::Language;
use uuid::Uuid;

use super::DemoError;
use super::random::fnv;
use super::shape::COURSES;
use crate::catalogue::runtime::{CourseRuntime, runtime};
use crate::{Db, catalogue};

pub(super) struct Course {
    pub(super) id: Uuid,
    pub(super) version_id: Uuid,
    pub(super) version: i32,
    pub(super) slug: String,
    pub(super) title: Localized,
    pub(super) languages: Vec<Language>,
    pub(super) hours: f64,
    pub(super) modules: Vec<Module>,
    /// The structure learning decides standings on.
    pub(super) runtime: Arc<CourseRuntime>,
}

pub(super) struct Module {
    /// (lesson id, minutes)
    pub(super) lessons: Vec<(Uuid, u32)>,
    pub(super) quiz: Option<Quiz>,
}

pub(super) struct Quiz {
    pub(super) id: Uuid,
    pub(super) def: QuizDef,
    /// Per question: how hard it is, and how much harder in French.
    pub(super) difficulty: Vec<(f64, f64)>,
}

impl Course {
    /// Lessons and quizzes, each one step of the course.
    pub(super) fn items(&self) -> usize {
        self.modules
            .iter()
            .map(|m| m.lessons.len() + usize::from(m.quiz.is_some()))
            .sum()
    }

    /// The enrolment language: the learner's where offered, else English.
    pub(super) fn language_for(&self, preferred: Language) -> Language {
        if self.languages.contains(&preferred) {
            preferred
        } else if self.languages.contains(&Language::En) {
            Language::En
        } else {
            self.languages.first().copied().unwrap_or(Language::En)
        }
    }
}

/// Deterministic per question; one question per quiz is much harder in French (a
/// translation problem for the funnel to find).
fn difficulty(def: &QuizDef) -> Vec<(f64, f64)> {
    let hard_in_french = def
        .questions
        .iter()
        .map(|x| fnv(&x.key))
        .enumerate()
        .max_by_key(|(_, h)| *h)
        .map(|(i, _)| i);
    def.questions
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let d = (fnv(&x.key) % 1000) as f64 / 1000.0 * 2.2 - 0.6;
            (d, if Some(i) == hard_in_french { 1.4 } else { 0.0 })
        })
        .collect()
}

/// The current version of every course, by slug; the three bundled courses must be there.
pub(super) async fn load_courses(db: &Db) -> Result<BTreeMap<String, Course>, DemoError> {
    let mut out = BTreeMap::new();
    for c in catalogue::list_current(&db.conn).await? {
        let rt = runtime(&db.conn, c.version_id).await?;
        let outline = catalogue::outline(&db.conn, c.version_id).await?;
        let minutes: BTreeMap<Uuid, u32> = outline
            .iter()
            .flat_map(|m| m.lessons.iter())
            .map(|l| (l.id, u32::try_from(l.minutes).unwrap_or(10)))
            .collect();
        let modules = rt
            .modules
            .iter()
            .map(|m| Module {
                lessons: m
                    .lessons
                    .iter()
                    .map(|l| (l.id, minutes.get(&l.id).copied().unwrap_or(10)))
                    .collect(),
                quiz: m.quiz.as_ref().map(|q| Quiz {
                    id: q.id,
                    def: q.def.clone(),
                    difficulty: difficulty(&q.def),
                }),
            })
            .collect();
        out.insert(
            c.slug.clone(),
            Course {
                id: c.course_id,
                version_id: c.version_id,
                version: c.version,
                slug: c.slug.clone(),
                title: c.title.clone(),
                languages: c.languages.clone(),
                hours: c.estimated_hours,
                modules,
                runtime: rt,
            },
        );
    }
    for slug in COURSES {
        if !out.contains_key(slug) {
            return Err(DemoError::MissingCourse(slug));
        }
    }
    Ok(out)
}
