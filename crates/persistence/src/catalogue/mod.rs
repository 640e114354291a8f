//! The catalogue: importing course content as immutable versions, and reading it back.
//! A version never changes once written, so enrolments can follow the one they started.

pub mod runtime;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, Utc};
use help_lms_domain::content::{
    CourseDef, CourseStatus, Localized, QuestionDef, QuizSettings, Reference,
};
use help_lms_domain::markdown::render_safe_html;
use help_lms_domain::values::Language;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use uuid::Uuid;

use crate::Db;
use crate::entities::{course_versions as cv, courses, lessons, modules, quizzes};
use crate::error::{Conflict, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportAction {
    Created,
    NewVersion,
    Unchanged,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportOutcome {
    pub slug: String,
    pub version: i32,
    pub status: CourseStatus,
    pub action: ImportAction,
}

fn json<T: Serialize>(v: &T) -> Result<serde_json::Value, StoreError> {
    Ok(serde_json::to_value(v)?)
}

fn from_json<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> Result<T, StoreError> {
    Ok(serde_json::from_value(v)?)
}

/// Imports every course in one transaction: all of them or none.
pub async fn import(db: &Db, defs: &[CourseDef]) -> Result<Vec<ImportOutcome>, StoreError> {
    let txn = db.begin_write().await?;
    let mut out = Vec::new();
    for def in defs {
        out.push(import_one(&txn, def).await?);
    }
    txn.commit().await?;
    Ok(out)
}

async fn import_one<C: ConnectionTrait>(
    conn: &C,
    def: &CourseDef,
) -> Result<ImportOutcome, StoreError> {
    let now = Utc::now();
    let course = courses::Entity::find()
        .filter(courses::Column::Slug.eq(&def.slug))
        .one(conn)
        .await?;
    let (course_id, created) = match course {
        Some(c) => (c.id, false),
        None => {
            let id = Uuid::now_v7();
            courses::ActiveModel {
                id: Set(id),
                slug: Set(def.slug.clone()),
                current_version_id: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(conn)
            .await?;
            (id, true)
        }
    };
    let latest = cv::Entity::find()
        .filter(cv::Column::CourseId.eq(course_id))
        .order_by_desc(cv::Column::Version)
        .one(conn)
        .await?;
    if let Some(l) = &latest
        && l.content_hash == def.content_hash
    {
        return Ok(ImportOutcome {
            slug: def.slug.clone(),
            version: l.version,
            status: CourseStatus::parse(&l.status)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            action: ImportAction::Unchanged,
        });
    }
    let version = latest.map(|l| l.version + 1).unwrap_or(1);
    let version_id = Uuid::now_v7();
    cv::ActiveModel {
        id: Set(version_id),
        course_id: Set(course_id),
        version: Set(version),
        content_hash: Set(def.content_hash.clone()),
        status: Set(def.status.as_str().to_owned()),
        languages: Set(json(&def.languages)?),
        topics: Set(json(&def.topics)?),
        estimated_hours: Set(def.estimated_hours),
        title: Set(json(&def.title)?),
        summary: Set(json(&def.summary)?),
        created_at: Set(now),
    }
    .insert(conn)
    .await?;

    let mut module_rows = Vec::new();
    let mut lesson_rows = Vec::new();
    let mut quiz_rows = Vec::new();
    for (mpos, m) in def.modules.iter().enumerate() {
        let module_id = Uuid::now_v7();
        module_rows.push(modules::ActiveModel {
            id: Set(module_id),
            course_version_id: Set(version_id),
            position: Set(mpos as i32),
            key: Set(m.key.clone()),
            title: Set(json(&m.title)?),
            summary: Set(json(&m.summary)?),
        });
        for (lpos, l) in m.lessons.iter().enumerate() {
            let html: Localized = l
                .body
                .iter()
                .map(|(lang, md)| (*lang, render_safe_html(md)))
                .collect();
            lesson_rows.push(lessons::ActiveModel {
                id: Set(Uuid::now_v7()),
                module_id: Set(module_id),
                course_version_id: Set(version_id),
                position: Set(lpos as i32),
                key: Set(l.key.clone()),
                title: Set(json(&l.title)?),
                minutes: Set(l.minutes as i32),
                references: Set(json(&l.references)?),
                body_md: Set(json(&l.body)?),
                body_html: Set(json(&html)?),
            });
        }
        if let Some(q) = &m.quiz {
            let s = &q.settings;
            quiz_rows.push(quizzes::ActiveModel {
                id: Set(Uuid::now_v7()),
                module_id: Set(module_id),
                course_version_id: Set(version_id),
                title: Set(json(&q.title)?),
                pass_mark: Set(i32::from(s.pass_mark)),
                max_attempts: Set(s.max_attempts as i32),
                time_limit_minutes: Set(s.time_limit_minutes.map(|t| t as i32)),
                grading: Set(s.grading.as_str().to_owned()),
                shuffle_questions: Set(s.shuffle_questions),
                shuffle_options: Set(s.shuffle_options),
                review: Set(s.review.as_str().to_owned()),
                review_when: Set(s.review_when.as_str().to_owned()),
                questions: Set(json(&q.questions)?),
            });
        }
    }
    modules::Entity::insert_many(module_rows).exec(conn).await?;
    // Chunked so a long course stays under SQLite's bound-parameter limit.
    for chunk in lesson_rows.chunks(50) {
        lessons::Entity::insert_many(chunk.to_vec())
            .exec(conn)
            .await?;
    }
    if !quiz_rows.is_empty() {
        quizzes::Entity::insert_many(quiz_rows).exec(conn).await?;
    }
    if def.status != CourseStatus::Draft {
        set_current(conn, course_id, version_id).await?;
    }
    Ok(ImportOutcome {
        slug: def.slug.clone(),
        version,
        status: def.status,
        action: if created {
            ImportAction::Created
        } else {
            ImportAction::NewVersion
        },
    })
}

async fn set_current<C: ConnectionTrait>(
    conn: &C,
    course_id: Uuid,
    version_id: Uuid,
) -> Result<(), StoreError> {
    courses::ActiveModel {
        id: Set(course_id),
        current_version_id: Set(Some(version_id)),
        updated_at: Set(Utc::now()),
        ..Default::default()
    }
    .update(conn)
    .await?;
    Ok(())
}

/// Whether the catalogue holds no course at all (first start).
pub async fn is_empty(db: &Db) -> Result<bool, StoreError> {
    Ok(courses::Entity::find().one(&db.conn).await?.is_none())
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
pub async fn list_current(db: &Db) -> Result<Vec<CourseSummary>, StoreError> {
    let rows = courses::Entity::find()
        .order_by_asc(courses::Column::Slug)
        .all(&db.conn)
        .await?;
    let ids: Vec<Uuid> = rows.iter().filter_map(|c| c.current_version_id).collect();
    let mut versions: BTreeMap<Uuid, cv::Model> = cv::Entity::find()
        .filter(cv::Column::Id.is_in(ids))
        .all(&db.conn)
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
pub async fn current_version(db: &Db, slug: &str) -> Result<Option<CourseSummary>, StoreError> {
    let Some(c) = courses::Entity::find()
        .filter(courses::Column::Slug.eq(slug))
        .one(&db.conn)
        .await?
    else {
        return Ok(None);
    };
    let Some(vid) = c.current_version_id else {
        return Ok(None);
    };
    let Some(v) = cv::Entity::find_by_id(vid).one(&db.conn).await? else {
        return Ok(None);
    };
    Ok(Some(summary_of(&c, v)?))
}

/// One version of a course by id.
pub async fn version_by_id(db: &Db, version_id: Uuid) -> Result<Option<CourseSummary>, StoreError> {
    version_by_id_on(&db.conn, version_id).await
}

pub async fn version_by_id_on<C: ConnectionTrait>(
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
pub async fn outline(db: &Db, version_id: Uuid) -> Result<Vec<ModuleOutline>, StoreError> {
    type Outlines = Mutex<HashMap<Uuid, Arc<Vec<ModuleOutline>>>>;
    static OUTLINES: OnceLock<Outlines> = OnceLock::new();
    let cache = OUTLINES.get_or_init(Default::default);
    if let Some(o) = cache.lock().ok().and_then(|c| c.get(&version_id).cloned()) {
        return Ok(o.as_ref().clone());
    }
    let o = Arc::new(load_outline(db, version_id).await?);
    if let Ok(mut c) = cache.lock() {
        c.insert(version_id, o.clone());
    }
    Ok(o.as_ref().clone())
}

async fn load_outline(db: &Db, version_id: Uuid) -> Result<Vec<ModuleOutline>, StoreError> {
    let mods = modules::Entity::find()
        .filter(modules::Column::CourseVersionId.eq(version_id))
        .order_by_asc(modules::Column::Position)
        .all(&db.conn)
        .await?;
    let less = lessons::Entity::find()
        .filter(lessons::Column::CourseVersionId.eq(version_id))
        .order_by_asc(lessons::Column::Position)
        .all(&db.conn)
        .await?;
    let quizzes = quizzes::Entity::find()
        .filter(quizzes::Column::CourseVersionId.eq(version_id))
        .all(&db.conn)
        .await?;
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
pub async fn lesson(
    db: &Db,
    course_id: Uuid,
    lesson_id: Uuid,
) -> Result<Option<LessonContent>, StoreError> {
    let Some(l) = lessons::Entity::find_by_id(lesson_id).one(&db.conn).await? else {
        return Ok(None);
    };
    let Some(v) = cv::Entity::find_by_id(l.course_version_id)
        .one(&db.conn)
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
pub async fn lesson_id_by_key(
    db: &Db,
    version_id: Uuid,
    key: &str,
) -> Result<Option<Uuid>, StoreError> {
    Ok(lessons::Entity::find()
        .filter(lessons::Column::CourseVersionId.eq(version_id))
        .filter(lessons::Column::Key.eq(key))
        .one(&db.conn)
        .await?
        .map(|l| l.id))
}

/// Publishes or archives the newest version of a course and makes it current.
pub async fn set_status(
    db: &Db,
    slug: &str,
    status: CourseStatus,
) -> Result<CourseSummary, StoreError> {
    let txn = db.begin_write().await?;
    let c = courses::Entity::find()
        .filter(courses::Column::Slug.eq(slug))
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let v = cv::Entity::find()
        .filter(cv::Column::CourseId.eq(c.id))
        .order_by_desc(cv::Column::Version)
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    if status == CourseStatus::Draft {
        return Err(Conflict::InvalidTransition.into());
    }
    let updated = cv::ActiveModel {
        id: Set(v.id),
        status: Set(status.as_str().to_owned()),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    set_current(&txn, c.id, v.id).await?;
    txn.commit().await?;
    let c = courses::Entity::find_by_id(c.id)
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    summary_of(&c, updated)
}
