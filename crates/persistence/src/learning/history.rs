//! An enrolment's attempts, for its learner and the staff who follow it: every attempt
//! (graded, open, void) in the order they were started, each with the quiz's state its
//! review depends on.

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::attempts::{AttemptView, to_attempt};
use super::{close_expired, enrolment_row, load_standing};
use crate::Db;
use crate::catalogue::runtime::runtime;
use crate::entities::attempts as at;
use crate::error::StoreError;

/// One page of an enrolment's attempts, and how many there are on all pages.
#[derive(Debug, Clone)]
pub struct AttemptHistory {
    pub attempts: Vec<AttemptView>,
    pub total: u64,
}

/// The enrolment's attempts, optionally at one quiz, oldest first. Attempts left open past
/// their deadline are closed first, so the page shows them graded.
pub async fn attempts_of(
    db: &Db,
    enrolment_id: Uuid,
    quiz_id: Option<Uuid>,
    limit: u64,
    offset: u64,
) -> Result<AttemptHistory, StoreError> {
    close_expired(db, enrolment_id).await?;
    let e = enrolment_row(&db.conn, enrolment_id).await?;
    let rt = runtime(&db.conn, e.course_version_id).await?;
    let st = load_standing(&db.conn, &rt, e.id).await?;
    let mut q = at::Entity::find().filter(at::Column::EnrolmentId.eq(enrolment_id));
    if let Some(quiz) = quiz_id {
        q = q.filter(at::Column::QuizId.eq(quiz));
    }
    let total = q.clone().count(&db.conn).await?;
    let rows = q
        .order_by_asc(at::Column::StartedAt)
        .order_by_asc(at::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(&db.conn)
        .await?;
    let mut attempts = Vec::with_capacity(rows.len());
    for m in rows {
        let Some(quiz) = st.quizzes.get(&m.quiz_id).cloned() else {
            continue;
        };
        attempts.push(AttemptView {
            attempt: to_attempt(m)?,
            course: rt.clone(),
            quiz,
        });
    }
    Ok(AttemptHistory { attempts, total })
}
