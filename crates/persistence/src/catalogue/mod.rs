//! The catalogue: importing course content as immutable versions, and reading it back.
//! A version never changes once written, so enrolments can follow the one they started.

mod import;
pub mod runtime;

pub use import::{ImportAction, ImportOutcome, import, set_status};

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, Utc};
use help_lms_domain::content::{CourseStatus, Localized, QuestionDef, QuizSettings, Reference};
use help_lms_domain::values::Language;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use uuid::Uuid;

use crate::entities::{course_versions as cv, courses, lessons, modules, quizzes};
use crate::error::StoreError;

fn json<T: Serialize>(v: &T) -> Result<serde_json::Value, StoreError> {
    Ok(serde_json::to_value(v)?)
}

fn from_json<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> Result<T, StoreError> {
    Ok(serde_json::from_value(v)?)
}

/// Imports every course in one transaction: all of them or none.
pub async fn is_empty<C: ConnectionTrait>(conn: &C) -> Result<bool, StoreError> {
    Ok(courses::Entity::find().one(conn).await?.is_none())
}

/// A course version as listed in the catalogue.
#[derive(Debug, Clone)]
pub struct CourseSummary {
    pub course_id: Uuid,
    pub version_id: Uuid,
    pub slug: String,
    pub version: i32,
    pub status: CourseStatus,
    pub languages: Vec<Language>,
    pub topics: Vec<String>,
    pub estimated_hours: f64,
    pub title: Localized,
    pub summary: Localized,
    pub updated_at: DateTime<Utc>,
}

fn summary_of(c: &courses::Model, v: cv::Model) -> Result<CourseSummary, StoreError> {
    Ok(CourseSummary {
        course_id: c.id,
        version_id: v.id,
        slug: c.slug.clone(),
        version: v.version,
        status: CourseStatus::parse(&v.status).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        languages: from_json(v.languages)?,
        topics: from_json(v.topics)?,
        estimated_hours: v.estimated_hours,
        title: from_json(v.title)?,
        summary: from_json(v.summary)?,
        updated_at: c.updated_at,
    })
}

/// Every course with its current version, in slug order. Drafts-only courses have none.
pub async fn list_current<C: ConnectionTrait>(conn: &C) -> Result<Vec<CourseSummary>, StoreError> {
    let rows = courses::Entity::find()
        .order_by_asc(courses::Column::Slug)
        .all(conn)
        .await?;
    let ids: Vec<Uuid> = rows.iter().filter_map(|c| c.current_version_id).collect();
    let mut versions: BTreeMap<Uuid, cv::Model> = cv::Entity::find()
        .filter(cv::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|v| (v.id, v))
        .collect();
    let mut out = Vec::new();
    for c in &rows {
        if let Some(v) = c.current_version_id.and_then(|id| versions.remove(&id)) {
            out.push(summary_of(c, v)?);
        }
    }
    Ok(out)
}

/// The current version of one course.
pub async fn current_version<C: ConnectionTrait>(
    conn: &C,
    slug: &str,
) -> Result<Option<CourseSummary>, StoreError> {
    let Some(c) = courses::Entity::find()
        .filter(courses::Column::Slug.eq(slug))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let Some(vid) = c.current_version_id else {
        return Ok(None);
    };
    let Some(v) = cv::Entity::find_by_id(vid).one(conn).await? else {
        return Ok(None);
    };
    Ok(Some(summary_of(&c, v)?))
}

/// One version of a course by id.
pub async fn version_by_id<C: ConnectionTrait>(
    conn: &C,
    version_id: Uuid,
) -> Result<Option<CourseSummary>, StoreError> {
    let Some(v) = cv::Entity::find_by_id(version_id).one(conn).await? else {
        return Ok(None);
    };
    let Some(c) = courses::Entity::find_by_id(v.course_id).one(conn).await? else {
        return Ok(None);
    };
    Ok(Some(summary_of(&c, v)?))
}

#[derive(Debug, Clone)]
pub struct LessonOutline {
    pub id: Uuid,
    pub key: String,
    pub title: Localized,
    pub minutes: i32,
}

#[derive(Debug, Clone)]
pub struct QuizOutline {
    pub id: Uuid,
    pub title: Localized,
    pub settings: QuizSettings,
    pub question_count: usize,
    pub total_points: f64,
}

#[derive(Debug, Clone)]
pub struct ModuleOutline {
    pub id: Uuid,
    pub key: String,
    pub title: Localized,
    pub summary: Localized,
    pub lessons: Vec<LessonOutline>,
    pub quiz: Option<QuizOutline>,
}

pub(crate) fn settings_of(q: &quizzes::Model) -> Result<QuizSettings, StoreError> {
    use help_lms_domain::content::{GradingMethod, ReviewShow, ReviewWhen};
    let corrupt = |e: help_lms_domain::validation::ValueError| StoreError::Corrupt(e.to_string());
    Ok(QuizSettings {
        pass_mark: q.pass_mark.clamp(0, 100) as u8,
        max_attempts: q.max_attempts.max(0) as u32,
        time_limit_minutes: q.time_limit_minutes.map(|t| t.max(1) as u32),
        grading: GradingMethod::parse(&q.grading).map_err(corrupt)?,
        shuffle_questions: q.shuffle_questions,
        shuffle_options: q.shuffle_options,
        review: ReviewShow::parse(&q.review).map_err(corrupt)?,
        review_when: ReviewWhen::parse(&q.review_when).map_err(corrupt)?,
    })
}

/// The modules, lessons and quiz settings of one version, in order.
///
/// A version never changes once imported (a changed course becomes a new version), so its
/// outline is read once per process and kept: building it reads every lesson and quiz of
/// the version, bodies included, which a course page must not pay on every request.
pub async fn outline<C: ConnectionTrait>(
    conn: &C,
    version_id: Uuid,
) -> Result<Vec<ModuleOutline>, StoreError> {
    type Outlines = Mutex<HashMap<Uuid, Arc<Vec<ModuleOutline>>>>;
    static OUTLINES: OnceLock<Outlines> = OnceLock::new();
    let cache = OUTLINES.get_or_init(Default::default);
    if let Some(o) = cache.lock().ok().and_then(|c| c.get(&version_id).cloned()) {
        return Ok(o.as_ref().clone());
    }
    let o = Arc::new(load_outline(conn, version_id).await?);
    if let Ok(mut c) = cache.lock() {
        c.insert(version_id, o.clone());
    }
    Ok(o.as_ref().clone())
}

/// The rows of one version's structure: its modules and lessons in order, and its quizzes.
pub(crate) struct VersionRows {
    pub modules: Vec<modules::Model>,
    pub lessons: Vec<lessons::Model>,
    pub quizzes: Vec<quizzes::Model>,
}

pub(crate) async fn version_rows<C: ConnectionTrait>(
    conn: &C,
    version_id: Uuid,
) -> Result<VersionRows, StoreError> {
    Ok(VersionRows {
        modules: modules::Entity::find()
            .filter(modules::Column::CourseVersionId.eq(version_id))
            .order_by_asc(modules::Column::Position)
            .all(conn)
            .await?,
        lessons: lessons::Entity::find()
            .filter(lessons::Column::CourseVersionId.eq(version_id))
            .order_by_asc(lessons::Column::Position)
            .all(conn)
            .await?,
        quizzes: quizzes::Entity::find()
            .filter(quizzes::Column::CourseVersionId.eq(version_id))
            .all(conn)
            .await?,
    })
}

async fn load_outline<C: ConnectionTrait>(
    conn: &C,
    version_id: Uuid,
) -> Result<Vec<ModuleOutline>, StoreError> {
    let VersionRows {
        modules: mods,
        lessons: less,
        quizzes,
    } = version_rows(conn, version_id).await?;
    let mut out = Vec::new();
    for m in mods {
        let lessons = less
            .iter()
            .filter(|l| l.module_id == m.id)
            .map(|l| {
                Ok(LessonOutline {
                    id: l.id,
                    key: l.key.clone(),
                    title: from_json(l.title.clone())?,
                    minutes: l.minutes,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let quiz = match quizzes.iter().find(|q| q.module_id == m.id) {
            Some(q) => {
                let questions: Vec<QuestionDef> = from_json(q.questions.clone())?;
                Some(QuizOutline {
                    id: q.id,
                    title: from_json(q.title.clone())?,
                    settings: settings_of(q)?,
                    question_count: questions.len(),
                    total_points: questions.iter().map(|q| q.points).sum(),
                })
            }
            None => None,
        };
        out.push(ModuleOutline {
            id: m.id,
            key: m.key,
            title: from_json(m.title)?,
            summary: from_json(m.summary)?,
            lessons,
            quiz,
        });
    }
    Ok(out)
}

#[derive(Debug, Clone)]
pub struct LessonContent {
    pub id: Uuid,
    pub key: String,
    pub course_version_id: Uuid,
    pub module_id: Uuid,
    pub position: i32,
    pub title: Localized,
    pub minutes: i32,
    pub references: Vec<Reference>,
    pub body_md: Localized,
    pub body_html: Localized,
}

/// A lesson of any version of the course `course_id`, by id.
pub async fn lesson<C: ConnectionTrait>(
    conn: &C,
    course_id: Uuid,
    lesson_id: Uuid,
) -> Result<Option<LessonContent>, StoreError> {
    let Some(l) = lessons::Entity::find_by_id(lesson_id).one(conn).await? else {
        return Ok(None);
    };
    let Some(v) = cv::Entity::find_by_id(l.course_version_id)
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    if v.course_id != course_id {
        return Ok(None);
    }
    Ok(Some(LessonContent {
        id: l.id,
        key: l.key,
        course_version_id: l.course_version_id,
        module_id: l.module_id,
        position: l.position,
        title: from_json(l.title)?,
        minutes: l.minutes,
        references: from_json(l.references)?,
        body_md: from_json(l.body_md)?,
        body_html: from_json(l.body_html)?,
    }))
}

/// A lesson of the given version by its content key.
pub async fn lesson_id_by_key<C: ConnectionTrait>(
    conn: &C,
    version_id: Uuid,
    key: &str,
) -> Result<Option<Uuid>, StoreError> {
    Ok(lessons::Entity::find()
        .filter(lessons::Column::CourseVersionId.eq(version_id))
        .filter(lessons::Column::Key.eq(key))
        .one(conn)
        .await?
        .map(|l| l.id))
}
