//! The structure of one course version as learning, grading and the funnel need it:
//! modules in order, their lessons and quiz. Versions never change once imported, so each
//! is read once per process and kept.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use help_lms_domain::content::{QuestionDef, QuizDef};
use help_lms_domain::progress::{LessonPlan, ModulePlan, QuizPlan};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::CourseSummary;
use crate::error::StoreError;

/// The structure of one course version, as learning needs it. Versions never change, so
/// it is cached per process.
#[derive(Debug, Clone)]
pub struct CourseRuntime {
    pub course: CourseSummary,
    pub modules: Vec<ModulePlan>,
}

impl CourseRuntime {
    pub fn quiz(&self, quiz_id: Uuid) -> Option<&QuizPlan> {
        self.modules
            .iter()
            .filter_map(|m| m.quiz.as_ref())
            .find(|q| q.id == quiz_id)
    }

    pub fn lesson(&self, lesson_id: Uuid) -> Option<&LessonPlan> {
        self.modules
            .iter()
            .flat_map(|m| &m.lessons)
            .find(|l| l.id == lesson_id)
    }
}

fn cache() -> &'static Mutex<HashMap<Uuid, Arc<CourseRuntime>>> {
    static CACHE: OnceLock<Mutex<HashMap<Uuid, Arc<CourseRuntime>>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

pub async fn runtime<C: ConnectionTrait>(
    conn: &C,
    version_id: Uuid,
) -> Result<Arc<CourseRuntime>, StoreError> {
    if let Some(r) = cache()
        .lock()
        .ok()
        .and_then(|c| c.get(&version_id).cloned())
    {
        return Ok(r);
    }
    let course = super::version_by_id(conn, version_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let super::VersionRows {
        modules: mods,
        lessons: less,
        quizzes: qs,
    } = super::version_rows(conn, version_id).await?;
    let mut out = Vec::new();
    for m in mods {
        let quiz = match qs.iter().find(|q| q.module_id == m.id) {
            Some(q) => {
                let questions: Vec<QuestionDef> = serde_json::from_value(q.questions.clone())?;
                Some(QuizPlan {
                    id: q.id,
                    module_id: m.id,
                    def: QuizDef {
                        title: serde_json::from_value(q.title.clone())?,
                        settings: super::settings_of(q)?,
                        questions,
                    },
                })
            }
            None => None,
        };
        let mut lessons = Vec::new();
        for l in less.iter().filter(|l| l.module_id == m.id) {
            lessons.push(LessonPlan {
                id: l.id,
                key: l.key.clone(),
                title: serde_json::from_value(l.title.clone())?,
            });
        }
        out.push(ModulePlan {
            id: m.id,
            key: m.key,
            title: serde_json::from_value(m.title)?,
            lessons,
            quiz,
        });
    }
    let rt = Arc::new(CourseRuntime {
        course,
        modules: out,
    });
    if let Ok(mut c) = cache().lock() {
        c.insert(version_id, rt.clone());
    }
    Ok(rt)
}
