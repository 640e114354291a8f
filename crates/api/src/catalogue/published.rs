//! Published content from memory. A course version's outline and lessons never change once
//! imported; what changes is which version of a course is current, and its status. So each
//! instance keeps the current catalogue and the answers it rendered from it, and compares that
//! catalogue with the database at most once every `recheck` (`HELP_CONTENT_RECHECK_MS`, one
//! second by default). A publication, an archival or new content made on any instance is
//! therefore served by every other within `recheck` plus one catalogue read, and at once by
//! the instance that made it ([`Published::refresh`]).
//!
//! Nothing here is a source of truth: a catalogue that differs from the one kept drops every
//! answer rendered from it, and a failed read of the catalogue answers an error rather than
//! content that may be out of date. The answers kept are bounded in bytes; past the bound
//! they are dropped and rendered again as asked.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use help_lms_domain::content::CourseStatus;
use help_lms_persistence::Db;
use help_lms_persistence::catalogue::{self, CourseSummary, LessonContent};
use help_lms_persistence::error::StoreError;
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::http_cache::Rendered;

/// The most the rendered answers and lessons kept may weigh, in bytes of their bodies.
const MAX_BYTES: usize = 64 * 1024 * 1024;

/// A lesson as read from the database, with the version it belongs to (possibly not the
/// current one: enrolments keep the version they started).
#[derive(Debug)]
pub struct Lesson {
    pub content: LessonContent,
    pub version: CourseSummary,
}

impl Lesson {
    fn weight(&self) -> usize {
        let text = |l: &help_lms_domain::content::Localized| -> usize {
            l.values().map(String::len).sum()
        };
        text(&self.content.body_md) + text(&self.content.body_html) + 1024
    }
}

#[derive(Default)]
struct Kept {
    answers: HashMap<String, Arc<Rendered>>,
    lessons: HashMap<(Uuid, String), Arc<Lesson>>,
    bytes: usize,
}

impl Kept {
    /// Makes room for `weight` more bytes: past the bound, everything kept goes.
    fn room(&mut self, weight: usize) {
        if self.bytes + weight > MAX_BYTES {
            *self = Kept::default();
        }
        self.bytes += weight;
    }
}

/// The catalogue as read at `checked`, and what was rendered from it.
pub struct Snapshot {
    courses: Arc<Vec<CourseSummary>>,
    checked: Instant,
    kept: Arc<RwLock<Kept>>,
}

impl Snapshot {
    /// Every course with its current version, in slug order.
    pub fn courses(&self) -> &[CourseSummary] {
        &self.courses
    }

    /// The current version of a published course.
    pub fn published(&self, slug: &str) -> Option<&CourseSummary> {
        self.courses
            .iter()
            .find(|c| c.slug == slug && c.status == CourseStatus::Published)
    }

    pub fn answer(&self, key: &str) -> Option<Arc<Rendered>> {
        self.kept.read().ok()?.answers.get(key).cloned()
    }

    pub fn keep_answer(&self, key: String, rendered: Rendered) -> Arc<Rendered> {
        let rendered = Arc::new(rendered);
        if let Ok(mut k) = self.kept.write() {
            k.room(rendered.bytes.len() + key.len());
            k.answers.insert(key, rendered.clone());
        }
        rendered
    }

    pub fn lesson(&self, course_id: Uuid, lesson: &str) -> Option<Arc<Lesson>> {
        self.kept
            .read()
            .ok()?
            .lessons
            .get(&(course_id, lesson.to_owned()))
            .cloned()
    }

    pub fn keep_lesson(&self, course_id: Uuid, lesson: String, found: Lesson) -> Arc<Lesson> {
        let found = Arc::new(found);
        if let Ok(mut k) = self.kept.write() {
            k.room(found.weight());
            k.lessons.insert((course_id, lesson), found.clone());
        }
        found
    }
}

/// What a catalogue read must equal for the answers rendered from the kept one to stand.
fn fingerprint(courses: &[CourseSummary]) -> Vec<(Uuid, Uuid, CourseStatus, DateTime<Utc>)> {
    courses
        .iter()
        .map(|c| (c.course_id, c.version_id, c.status, c.updated_at))
        .collect()
}

/// The published content this instance serves from memory.
pub struct Published {
    snapshot: RwLock<Option<Arc<Snapshot>>>,
    /// Held by the one request that reads the catalogue when it is due.
    checking: Mutex<()>,
    recheck: Duration,
}

impl Published {
    pub fn new(recheck: Duration) -> Published {
        Published {
            snapshot: RwLock::new(None),
            checking: Mutex::new(()),
            recheck,
        }
    }

    fn kept(&self) -> Option<Arc<Snapshot>> {
        self.snapshot.read().ok()?.clone()
    }

    /// The catalogue as read at most `recheck` ago (or, while another request is reading it
    /// again, as read just before).
    pub async fn current(&self, db: &Db) -> Result<Arc<Snapshot>, StoreError> {
        let kept = self.kept();
        if let Some(s) = &kept
            && s.checked.elapsed() < self.recheck
        {
            return Ok(s.clone());
        }
        match (self.checking.try_lock(), kept) {
            (Ok(_reading), _) => self.check(db).await,
            (Err(_), Some(s)) => Ok(s),
            (Err(_), None) => {
                let _reading = self.checking.lock().await;
                match self.kept() {
                    Some(s) => Ok(s),
                    None => self.check(db).await,
                }
            }
        }
    }

    /// After this instance changed the catalogue: reads it now, so that its next answers
    /// show the change. If that read fails, nothing kept is served any more: the next
    /// request reads the catalogue again.
    pub async fn changed(&self, db: &Db) {
        let _reading = self.checking.lock().await;
        if let Err(e) = self.check(db).await {
            tracing::warn!(error = %e, "the catalogue could not be read again after a change");
            if let Ok(mut s) = self.snapshot.write() {
                *s = None;
            }
        }
    }

    async fn check(&self, db: &Db) -> Result<Arc<Snapshot>, StoreError> {
        let started = Instant::now();
        let courses = catalogue::list_current(&db.conn).await?;
        let snapshot = Arc::new(match self.kept() {
            Some(old) if fingerprint(&old.courses) == fingerprint(&courses) => Snapshot {
                courses: old.courses.clone(),
                checked: started,
                kept: old.kept.clone(),
            },
            _ => Snapshot {
                courses: Arc::new(courses),
                checked: started,
                kept: Arc::default(),
            },
        });
        if let Ok(mut s) = self.snapshot.write() {
            *s = Some(snapshot.clone());
        }
        Ok(snapshot)
    }
}

#[cfg(test)]
mod tests {
    use actix_web::web::Bytes;

    use super::*;

    fn snapshot() -> Snapshot {
        Snapshot {
            courses: Arc::default(),
            checked: Instant::now(),
            kept: Arc::default(),
        }
    }

    #[test]
    fn answers_are_kept_until_their_bytes_pass_the_bound_then_dropped() {
        let s = snapshot();
        let big = vec![b'x'; MAX_BYTES / 3];
        for i in 0..3 {
            s.keep_answer(
                format!("k{i}"),
                Rendered {
                    bytes: Bytes::from(big.clone()),
                    etag: String::new(),
                    languages: String::new(),
                },
            );
        }
        // The third did not fit beside the first two: they went, it stayed.
        assert!(s.answer("k0").is_none());
        assert!(s.answer("k1").is_none());
        assert!(s.answer("k2").is_some());
        let kept = s.kept.read().map(|k| k.bytes).unwrap_or(0);
        assert!(kept <= MAX_BYTES && kept >= big.len(), "{kept}");
    }
}
