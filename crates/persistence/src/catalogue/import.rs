//! Importing course content as new immutable versions (all or nothing), and publishing
//! or archiving a course's newest version.

use chrono::Utc;
use help_lms_domain::content::{CourseDef, CourseStatus, Localized};
use help_lms_domain::markdown::render_safe_html;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use uuid::Uuid;

use super::{CourseSummary, json, summary_of};
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
