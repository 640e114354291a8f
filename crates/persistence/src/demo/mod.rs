//! Demo data: a realistic synthetic platform written straight into a fresh database.
//!
//! Into a database that holds the bundled catalogue but no learner yet, it writes training
//! institutions in each of the 27 EU member states with their managers and tutors, tutored
//! cohorts, and learners with professions, countries and languages who enrol in the three
//! HELP courses in cohorts or on their own; then their lesson progress, quiz attempts (graded
//! with per-question outcomes, some questions harder in French), the completions and the
//! certificates. 100,000 learners give about 116,000 enrolments and a million progress
//! records. Whether an enrolment is complete, and its final score, are decided by
//! [`crate::learning::standing`], as for real learners.
//!
//! The platform takes all 46 member states of the Council of Europe; the demo keeps to the
//! EU's 27 as it always has, so that the figures in BENCHMARKS.md stay comparable.
//!
//! Everything comes from one seeded SplitMix64: the same seed gives the same platform,
//! laid out over the three years before the day it runs. Rows go in with multi-row
//! INSERTs of at most 30,000 bound values (under SQLite's 32,766 and PostgreSQL's 65,535),
//! a few thousand learners per transaction. Submitted attempts carry their graded result
//! but no responses. Accounts are invited (no password) unless a password is given.

mod batch;
mod cohorts;
mod courses;
mod learning;
mod people;
mod random;
mod shape;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use help_lms_domain::values::{Country, Language, Role};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter};

use self::batch::{Batch, insert_chunks};
use self::courses::{Course, load_courses};
use self::random::Rng;
use self::shape::{COUNTRIES, SELF_STUDY_PROFESSIONS, courses_for, preferred_language};
use crate::Db;
use crate::entities::{enrolments, users};
use crate::error::StoreError;
use crate::passwords::PasswordHasher;

/// Learners written per transaction.
const LEARNERS_PER_TXN: usize = 4_000;

pub struct DemoOptions {
    pub learners: usize,
    pub seed: u64,
    /// Password of every demo account; none: accounts are invited and cannot sign in.
    pub password: Option<String>,
}

/// What was written (so far, when passed to the progress callback).
#[derive(Debug, Default, Clone)]
pub struct DemoReport {
    pub institutions: usize,
    pub staff: usize,
    pub cohorts: usize,
    pub learners: usize,
    pub enrolments: usize,
    pub completed: usize,
    pub progress: usize,
    pub attempts: usize,
    pub certificates: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("demo data goes into a fresh database; this one already has users or enrolments")]
    NotFresh,
    #[error("demo data needs the bundled course {0}")]
    MissingCourse(&'static str),
    #[error("password: {0}")]
    Password(StoreError),
    #[error(transparent)]
    Database(#[from] DbErr),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The generator's state: the randomness, the courses, the time window, and counters.
struct Generator<'a> {
    rng: Rng,
    courses: &'a BTreeMap<String, Course>,
    /// Midnight (UTC) of the day the demo runs: nothing happens after it.
    anchor: DateTime<Utc>,
    /// Three years before the anchor: the platform opens.
    start: DateTime<Utc>,
    password_hash: Option<String>,
    next_learner: usize,
    completed: usize,
}

impl Generator<'_> {
    /// A moment in the window, more recent ones likelier (the platform grows).
    fn enrolment_time(&mut self) -> DateTime<Utc> {
        let span = (self.anchor - self.start).num_seconds() as f64;
        let x = self.rng.unit().sqrt();
        self.start + Duration::seconds((span * x) as i64)
    }
}

/// Whether the database has no learner, tutor or manager and no enrolment yet (admins
/// are fine).
async fn is_fresh(db: &Db) -> Result<bool, DbErr> {
    let people = users::Entity::find()
        .filter(users::Column::Role.ne(Role::Admin.as_str()))
        .count(&db.conn)
        .await?;
    let enrolled = enrolments::Entity::find().count(&db.conn).await?;
    Ok(people + enrolled == 0)
}

/// Fills a fresh database with the demo platform; the catalogue must already be imported
/// (the three bundled courses). Refuses a database that already has users other than
/// admins, or enrolments. `progress` hears the running totals after each transaction.
pub async fn generate(
    db: &Db,
    hasher: &PasswordHasher,
    opts: DemoOptions,
    mut progress: impl FnMut(&DemoReport),
) -> Result<DemoReport, DemoError> {
    if !is_fresh(db).await? {
        return Err(DemoError::NotFresh);
    }
    let courses = load_courses(db).await?;
    let password_hash = match opts.password {
        Some(p) => Some(hasher.hash(p).await.map_err(DemoError::Password)?),
        None => None,
    };
    let anchor = Utc::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let mut g = Generator {
        rng: Rng::new(opts.seed),
        courses: &courses,
        anchor,
        start: anchor - Duration::days(3 * 365),
        password_hash,
        next_learner: 0,
        completed: 0,
    };
    let mut report = DemoReport::default();

    let places = g.institutions();
    // Tutored cohorts for about 30% of the learners.
    let cohorts = g.cohorts(&places.places, opts.learners * 3 / 10);
    report.institutions = places.institutions.len();
    report.staff = places.staff.len();
    report.cohorts = cohorts.plans.len();
    {
        let txn = db.begin_write().await?;
        insert_chunks(&txn, places.institutions).await?;
        insert_chunks(&txn, places.staff).await?;
        insert_chunks(&txn, cohorts.cohorts).await?;
        insert_chunks(&txn, cohorts.tutors).await?;
        txn.commit().await?;
    }
    progress(&report);

    let mut batch = Batch::default();
    // Cohort learners: enrolled by their institution a few days before the start; some
    // also take another course on their own later.
    for plan in &cohorts.plans {
        let Some(course) = courses.get(plan.course) else {
            continue;
        };
        let preferred = preferred_language(plan.country);
        for _ in 0..plan.size {
            let at = plan.starts - Duration::hours(g.rng.range(1.0, 240.0) as i64);
            let profession = g.rng.weighted(shape::professions_of(plan.kind));
            let learner = g.learner(
                &mut batch,
                plan.country,
                profession,
                preferred,
                Some(plan.institution_id),
                at,
            );
            g.enrol(&mut batch, &learner, course, Some(plan), plan.language, at);
            if g.rng.chance(0.15) {
                g.second_course(&mut batch, &learner, plan.course, at);
            }
            if batch.learners >= LEARNERS_PER_TXN {
                batch.flush(db, &mut report).await?;
                report.completed = g.completed;
                progress(&report);
            }
        }
    }
    // Self-study learners from every country, a few from elsewhere (`other`).
    let mut countries: Vec<((Country, Language), f64)> =
        COUNTRIES.iter().map(|c| ((c.0, c.2), c.1)).collect();
    countries.push(((Country::Other, Language::En), 4.0));
    while g.next_learner < opts.learners {
        let (country, preferred) = g.rng.weighted(&countries);
        let profession = g.rng.weighted(SELF_STUDY_PROFESSIONS);
        let at = g.enrolment_time();
        let learner = g.learner(&mut batch, country, profession, preferred, None, at);
        let slug = g.rng.weighted(courses_for(profession));
        if let Some(course) = courses.get(slug) {
            let language = course.language_for(preferred);
            g.enrol(&mut batch, &learner, course, None, language, at);
        }
        if g.rng.chance(0.25) {
            g.second_course(&mut batch, &learner, slug, at);
        }
        if batch.learners >= LEARNERS_PER_TXN {
            batch.flush(db, &mut report).await?;
            report.completed = g.completed;
            progress(&report);
        }
    }
    batch.flush(db, &mut report).await?;
    report.completed = g.completed;
    progress(&report);
    // Fresh statistics for the query planner (the same statement on both databases).
    db.conn.execute_unprepared("ANALYZE").await?;
    Ok(report)
}
