//! `help-lms demo-data`: a realistic synthetic platform for development and benchmarks.
//!
//! Into a fresh database (the bundled catalogue is imported first, as on first start) it
//! writes training institutions in every EU member state with their managers and tutors,
//! tutored cohorts, and learners with professions, countries and languages who enrol in
//! the three HELP courses in cohorts or on their own; then their lesson progress, quiz
//! attempts (graded with per-question outcomes, some questions harder in French), the
//! completions and the certificates. 100,000 learners give about 116,000 enrolments and a
//! million progress records.
//!
//! Everything comes from one seeded SplitMix64: the same seed gives the same platform,
//! laid out over the three years before the day it runs. Rows go in with multi-row
//! INSERTs of at most 30,000 bound values (under SQLite's 32,766 and PostgreSQL's 65,535),
//! a few thousand learners per transaction. Submitted attempts carry their graded result
//! but no responses. Accounts are invited (no password) unless `--password` is given.

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use help_lms_domain::content::{Localized, QuestionBody, QuizDef, pick};
use help_lms_domain::enrolment::{CohortStatus, EnrolmentSource, EnrolmentStatus, InstitutionKind};
use help_lms_domain::quiz::{self, Outcome, QuestionResult, QuizResult, SplitMix64};
use help_lms_domain::reporting::{Mode, days_between, month_of};
use help_lms_domain::values::{Country, Language, Profession, Role, UserStatus};
use help_lms_persistence::entities::{
    attempts, certificates, cohort_tutors, cohorts, enrolments, institutions, lesson_progress,
    users,
};
use help_lms_persistence::passwords::PasswordHasher;
use help_lms_persistence::{Db, catalogue};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, PaginatorTrait, Set};
use uuid::Uuid;

use crate::startup::{StartError, seed_catalogue};

/// Bound values per INSERT: under SQLite's limit (32,766) and PostgreSQL's (65,535).
const MAX_PARAMS: usize = 30_000;
/// Learners written per transaction.
const LEARNERS_PER_TXN: usize = 4_000;

pub struct DemoOptions {
    pub learners: usize,
    pub seed: u64,
    /// Password of every demo account; none: accounts are invited and cannot sign in.
    pub password: Option<String>,
}

#[derive(Debug, Default)]
pub struct DemoSummary {
    pub institutions: usize,
    pub staff: usize,
    pub cohorts: usize,
    pub learners: usize,
    pub enrolments: usize,
    pub completed: usize,
    pub progress: usize,
    pub attempts: usize,
    pub certificates: usize,
    pub seconds: f64,
}

impl std::fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} institutions, {} staff, {} cohorts, {} learners, {} enrolments ({} completed), \
             {} progress records, {} quiz attempts, {} certificates in {:.1} s",
            self.institutions,
            self.staff,
            self.cohorts,
            self.learners,
            self.enrolments,
            self.completed,
            self.progress,
            self.attempts,
            self.certificates,
            self.seconds
        )
    }
}

// ----------------------------------------------------------------------------------------
// Randomness

struct Rng(SplitMix64);

impl Rng {
    fn unit(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
    fn below(&mut self, n: usize) -> usize {
        self.0.below(n as u64) as usize
    }
    fn normal(&mut self) -> f64 {
        let u1 = self.unit().max(1e-12);
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
    fn weighted<T: Copy>(&mut self, items: &[(T, f64)]) -> T {
        let total: f64 = items.iter().map(|(_, w)| w).sum();
        let mut x = self.unit() * total;
        for (t, w) in items {
            if x < *w {
                return *t;
            }
            x -= w;
        }
        items[items.len() - 1].0
    }
    /// A UUID v7 for a row created at `t`, random bits from the generator.
    fn id_at(&mut self, t: DateTime<Utc>) -> Uuid {
        let mut bytes = [0u8; 10];
        bytes[..8].copy_from_slice(&self.0.next_u64().to_le_bytes());
        bytes[8..].copy_from_slice(&self.0.next_u64().to_le_bytes()[..2]);
        let ms = u64::try_from(t.timestamp_millis()).unwrap_or(0);
        uuid::Builder::from_unix_timestamp_millis(ms, &bytes).into_uuid()
    }
    fn hex(&mut self, n: usize) -> String {
        (0..n.div_ceil(16))
            .map(|_| format!("{:016x}", self.0.next_u64()))
            .collect::<String>()[..n]
            .to_owned()
    }
    fn certificate_code(&mut self) -> String {
        const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        let chars: Vec<char> = (0..20).map(|_| ALPHABET[self.below(32)] as char).collect();
        chars
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("-")
    }
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

// ----------------------------------------------------------------------------------------
// The shape of the platform

/// Member states: weight (about their population, in millions), the language their
/// learners prefer, and how many training institutions take part.
const COUNTRIES: &[(Country, f64, Language, usize)] = &[
    (Country::De, 84.0, Language::De, 4),
    (Country::Fr, 68.0, Language::Fr, 4),
    (Country::It, 59.0, Language::It, 4),
    (Country::Es, 48.0, Language::Es, 4),
    (Country::Pl, 37.0, Language::Pl, 4),
    (Country::Ro, 19.0, Language::Ro, 3),
    (Country::Nl, 18.0, Language::Nl, 3),
    (Country::Be, 12.0, Language::Fr, 3),
    (Country::Cz, 11.0, Language::Cs, 3),
    (Country::Se, 10.0, Language::Sv, 3),
    (Country::Gr, 10.0, Language::El, 3),
    (Country::Pt, 10.0, Language::Pt, 3),
    (Country::Hu, 10.0, Language::Hu, 3),
    (Country::At, 9.0, Language::De, 3),
    (Country::Bg, 6.5, Language::Bg, 2),
    (Country::Dk, 6.0, Language::Da, 2),
    (Country::Fi, 5.5, Language::Fi, 2),
    (Country::Sk, 5.4, Language::Sk, 2),
    (Country::Ie, 5.2, Language::En, 2),
    (Country::Hr, 3.9, Language::Hr, 2),
    (Country::Lt, 2.9, Language::Lt, 2),
    (Country::Si, 2.1, Language::Sl, 2),
    (Country::Lv, 1.9, Language::Lv, 2),
    (Country::Ee, 1.4, Language::Et, 2),
    (Country::Cy, 0.9, Language::El, 2),
    (Country::Lu, 0.7, Language::Fr, 2),
    (Country::Mt, 0.5, Language::Mt, 2),
];

const KINDS: [InstitutionKind; 4] = [
    InstitutionKind::JudicialTraining,
    InstitutionKind::PrisonProbationTraining,
    InstitutionKind::ProsecutionTraining,
    InstitutionKind::BarAssociation,
];

const PRETRIAL: &str = "international-cooperation-pre-trial-detention";
const EVIDENCE: &str = "evidence-counter-terrorism";
const PRISON: &str = "radicalisation-prevention-prison-probation";

fn kind_name(k: InstitutionKind) -> &'static str {
    match k {
        InstitutionKind::JudicialTraining => "Judicial Training Institute",
        InstitutionKind::ProsecutionTraining => "Prosecutors' Academy",
        InstitutionKind::PrisonProbationTraining => "Prison and Probation Academy",
        InstitutionKind::BarAssociation => "Bar Association Training Centre",
        _ => "Training Centre",
    }
}

fn professions_of(k: InstitutionKind) -> &'static [(Profession, f64)] {
    match k {
        InstitutionKind::JudicialTraining => {
            &[(Profession::Judge, 0.75), (Profession::CourtStaff, 0.25)]
        }
        InstitutionKind::ProsecutionTraining => {
            &[(Profession::Prosecutor, 0.9), (Profession::Other, 0.1)]
        }
        InstitutionKind::PrisonProbationTraining => &[
            (Profession::PrisonStaff, 0.65),
            (Profession::ProbationStaff, 0.35),
        ],
        _ => &[(Profession::Lawyer, 1.0)],
    }
}

const SELF_STUDY_PROFESSIONS: &[(Profession, f64)] = &[
    (Profession::Judge, 18.0),
    (Profession::Prosecutor, 12.0),
    (Profession::Lawyer, 30.0),
    (Profession::PrisonStaff, 8.0),
    (Profession::ProbationStaff, 5.0),
    (Profession::CourtStaff, 12.0),
    (Profession::LawEnforcement, 10.0),
    (Profession::Other, 5.0),
];

fn courses_for(p: Profession) -> &'static [(&'static str, f64)] {
    match p {
        Profession::PrisonStaff | Profession::ProbationStaff => {
            &[(PRISON, 0.8), (PRETRIAL, 0.15), (EVIDENCE, 0.05)]
        }
        Profession::LawEnforcement => &[(EVIDENCE, 0.6), (PRETRIAL, 0.25), (PRISON, 0.15)],
        Profession::Lawyer => &[(PRETRIAL, 0.6), (EVIDENCE, 0.35), (PRISON, 0.05)],
        _ => &[(PRETRIAL, 0.5), (EVIDENCE, 0.4), (PRISON, 0.1)],
    }
}

fn courses_of(k: InstitutionKind) -> &'static [(&'static str, f64)] {
    match k {
        InstitutionKind::PrisonProbationTraining => &[(PRISON, 0.85), (PRETRIAL, 0.15)],
        InstitutionKind::ProsecutionTraining => &[(EVIDENCE, 0.55), (PRETRIAL, 0.45)],
        InstitutionKind::BarAssociation => &[(PRETRIAL, 0.6), (EVIDENCE, 0.4)],
        _ => &[(PRETRIAL, 0.5), (EVIDENCE, 0.4), (PRISON, 0.1)],
    }
}

/// The courses as the generator walks them.
struct Course {
    id: Uuid,
    version_id: Uuid,
    version: i32,
    slug: String,
    title: Localized,
    languages: Vec<Language>,
    hours: f64,
    modules: Vec<Module>,
}

struct Module {
    /// (lesson id, minutes)
    lessons: Vec<(Uuid, u32)>,
    quiz: Option<Quiz>,
}

struct Quiz {
    id: Uuid,
    def: QuizDef,
    /// Per question: how hard it is, and how much harder in French.
    difficulty: Vec<(f64, f64)>,
}

impl Course {
    fn items(&self) -> usize {
        self.modules
            .iter()
            .map(|m| m.lessons.len() + usize::from(m.quiz.is_some()))
            .sum()
    }

    /// The enrolment language: French for French-speaking learners where offered.
    fn language_for(&self, preferred: Language) -> Language {
        if self.languages.contains(&preferred) {
            preferred
        } else if self.languages.contains(&Language::En) {
            Language::En
        } else {
            self.languages.first().copied().unwrap_or(Language::En)
        }
    }
}

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

async fn load_courses(db: &Db) -> Result<BTreeMap<String, Course>, StartError> {
    let mut out = BTreeMap::new();
    for c in catalogue::list_current(db).await? {
        let rt = catalogue::runtime::runtime(&db.conn, c.version_id).await?;
        let outline = catalogue::outline(db, c.version_id).await?;
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
                quiz: m.quiz.as_ref().map(|q| {
                    // Deterministic per question; one question per quiz is much harder in
                    // French (a translation problem for the funnel to find).
                    let hard_in_french = q
                        .def
                        .questions
                        .iter()
                        .map(|x| fnv(&x.key))
                        .enumerate()
                        .max_by_key(|(_, h)| *h)
                        .map(|(i, _)| i);
                    Quiz {
                        id: q.id,
                        def: q.def.clone(),
                        difficulty: q
                            .def
                            .questions
                            .iter()
                            .enumerate()
                            .map(|(i, x)| {
                                let d = (fnv(&x.key) % 1000) as f64 / 1000.0 * 2.2 - 0.6;
                                (d, if Some(i) == hard_in_french { 1.4 } else { 0.0 })
                            })
                            .collect(),
                    }
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
            },
        );
    }
    for slug in [PRETRIAL, EVIDENCE, PRISON] {
        if !out.contains_key(slug) {
            return Err(StartError::Other(format!(
                "demo data needs the bundled course {slug}"
            )));
        }
    }
    Ok(out)
}

// ----------------------------------------------------------------------------------------
// Rows to write

#[derive(Default)]
struct Batch {
    users: Vec<users::ActiveModel>,
    enrolments: Vec<enrolments::ActiveModel>,
    progress: Vec<lesson_progress::ActiveModel>,
    attempts: Vec<attempts::ActiveModel>,
    certificates: Vec<certificates::ActiveModel>,
    learners: usize,
}

async fn insert_chunks<E, A, C>(conn: &C, rows: Vec<A>, columns: usize) -> Result<(), StartError>
where
    E: EntityTrait,
    A: ActiveModelTrait<Entity = E> + Clone + Send,
    C: ConnectionTrait,
{
    let per = (MAX_PARAMS / columns).max(1);
    let mut rows = rows;
    while !rows.is_empty() {
        let rest = rows.split_off(per.min(rows.len()));
        E::insert_many(std::mem::replace(&mut rows, rest))
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

impl Batch {
    async fn flush(&mut self, db: &Db, summary: &mut DemoSummary) -> Result<(), StartError> {
        let b = std::mem::take(self);
        summary.learners += b.learners;
        summary.enrolments += b.enrolments.len();
        summary.progress += b.progress.len();
        summary.attempts += b.attempts.len();
        summary.certificates += b.certificates.len();
        let txn = db.begin_write().await?;
        insert_chunks(&txn, b.users, 13).await?;
        insert_chunks(&txn, b.enrolments, 20).await?;
        insert_chunks(&txn, b.progress, 7).await?;
        insert_chunks(&txn, b.attempts, 19).await?;
        insert_chunks(&txn, b.certificates, 14).await?;
        txn.commit().await?;
        Ok(())
    }
}

struct Learner {
    id: Uuid,
    name: String,
    country: Country,
    profession: Profession,
    language: Language,
}

/// A training institution that runs cohorts, with its two tutors.
#[derive(Clone, Copy)]
struct Place {
    institution_id: Uuid,
    country: Country,
    kind: InstitutionKind,
    tutors: [Uuid; 2],
}

struct CohortPlan {
    id: Uuid,
    institution_id: Uuid,
    country: Country,
    kind: InstitutionKind,
    course: &'static str,
    language: Language,
    starts: DateTime<Utc>,
    ends: DateTime<Utc>,
    size: usize,
}

/// What happened to one enrolment.
struct Played {
    completed_at: Option<DateTime<Utc>>,
    final_score: Option<f64>,
    last_activity: Option<DateTime<Utc>>,
}

struct Generator<'a> {
    rng: Rng,
    courses: &'a BTreeMap<String, Course>,
    anchor: DateTime<Utc>,
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

    #[allow(clippy::too_many_arguments)]
    fn user(
        &mut self,
        email: String,
        name: String,
        profession: Profession,
        country: Country,
        language: Language,
        institution_id: Option<Uuid>,
        role: Role,
        at: DateTime<Utc>,
    ) -> (Uuid, users::ActiveModel) {
        let id = self.rng.id_at(at);
        let (status, hash) = match &self.password_hash {
            Some(h) => (UserStatus::Active, Some(h.clone())),
            None => (UserStatus::Invited, None),
        };
        (
            id,
            users::ActiveModel {
                id: Set(id),
                email: Set(email),
                name: Set(name),
                profession: Set(profession.as_str().to_owned()),
                country: Set(country.as_str().to_owned()),
                language: Set(language.as_str().to_owned()),
                institution_id: Set(institution_id),
                role: Set(role.as_str().to_owned()),
                status: Set(status.as_str().to_owned()),
                password_hash: Set(hash),
                created_at: Set(at),
                updated_at: Set(at),
                last_login_at: Set(None),
            },
        )
    }

    fn learner(
        &mut self,
        batch: &mut Batch,
        country: Country,
        profession: Profession,
        language: Language,
        institution_id: Option<Uuid>,
        at: DateTime<Utc>,
    ) -> Learner {
        let n = self.next_learner;
        self.next_learner += 1;
        let name = format!("Demo Learner {n}");
        let email = format!(
            "learner{n:06}@{}.demo.help-lms.example",
            country.as_str().to_lowercase()
        );
        let (id, row) = self.user(
            email,
            name.clone(),
            profession,
            country,
            language,
            institution_id,
            Role::Learner,
            at - Duration::days(1),
        );
        batch.users.push(row);
        batch.learners += 1;
        Learner {
            id,
            name,
            country,
            profession,
            language,
        }
    }

    /// Enrols the learner and plays out what they did, up to the anchor day.
    #[allow(clippy::too_many_arguments)]
    fn enrol(
        &mut self,
        batch: &mut Batch,
        learner: &Learner,
        course: &Course,
        cohort: Option<&CohortPlan>,
        language: Language,
        at: DateTime<Utc>,
    ) {
        let id = self.rng.id_at(at);
        let tutored = cohort.is_some();
        let outcome = self.play(batch, id, course, cohort, language, at);
        let withdrawn = tutored && outcome.completed_at.is_none() && self.rng.chance(0.25);
        let status = if outcome.completed_at.is_some() {
            EnrolmentStatus::Completed
        } else if withdrawn {
            EnrolmentStatus::Withdrawn
        } else {
            EnrolmentStatus::Active
        };
        let withdrawn_at = withdrawn.then(|| {
            (outcome.last_activity.unwrap_or(at) + Duration::days(7 + self.rng.below(30) as i64))
                .min(self.anchor)
        });
        let updated = withdrawn_at
            .or(outcome.completed_at)
            .or(outcome.last_activity)
            .unwrap_or(at);
        batch.enrolments.push(enrolments::ActiveModel {
            id: Set(id),
            user_id: Set(learner.id),
            course_id: Set(course.id),
            course_version_id: Set(course.version_id),
            cohort_id: Set(cohort.map(|c| c.id)),
            source: Set(if tutored {
                EnrolmentSource::Nti
            } else {
                EnrolmentSource::SelfEnrolled
            }
            .as_str()
            .to_owned()),
            status: Set(status.as_str().to_owned()),
            language: Set(language.as_str().to_owned()),
            enrolled_at: Set(at),
            completed_at: Set(outcome.completed_at),
            withdrawn_at: Set(withdrawn_at),
            updated_at: Set(updated),
            last_activity_at: Set(outcome.last_activity),
            country: Set(Some(learner.country.as_str().to_owned())),
            profession: Set(Some(learner.profession.as_str().to_owned())),
            institution_id: Set(cohort.map(|c| c.institution_id)),
            mode: Set(Some(Mode::of(tutored).as_str().to_owned())),
            enrolled_month: Set(Some(month_of(at))),
            final_score: Set(outcome.final_score),
            days_to_complete: Set(outcome.completed_at.map(|c| days_between(at, c))),
        });
        if let (Some(done), Some(score)) = (outcome.completed_at, outcome.final_score) {
            self.completed += 1;
            let title = pick(&course.title, language, &[Language::En])
                .map(|(_, t)| t.to_owned())
                .unwrap_or_else(|| course.slug.clone());
            let revoked = self.rng.chance(0.003);
            batch.certificates.push(certificates::ActiveModel {
                id: Set(self.rng.id_at(done)),
                code: Set(self.rng.certificate_code()),
                enrolment_id: Set(id),
                user_id: Set(learner.id),
                course_id: Set(course.id),
                course_version: Set(course.version),
                learner_name: Set(learner.name.clone()),
                course_title: Set(title),
                language: Set(language.as_str().to_owned()),
                issued_at: Set(done),
                final_score: Set(score),
                estimated_hours: Set(course.hours),
                revoked_at: Set(revoked.then(|| (done + Duration::days(30)).min(self.anchor))),
                revoked_reason: Set(revoked.then(|| "issued in error".to_owned())),
            });
        }
    }

    /// Lessons and quizzes in course order until the learner stops, fails a quiz for good,
    /// reaches the end, or time reaches the anchor day.
    fn play(
        &mut self,
        batch: &mut Batch,
        enrolment_id: Uuid,
        course: &Course,
        cohort: Option<&CohortPlan>,
        language: Language,
        at: DateTime<Utc>,
    ) -> Played {
        let rng = &mut self.rng;
        let items = course.items();
        let aims_to_finish = rng.chance(if cohort.is_some() { 0.74 } else { 0.42 });
        let stop_after = if aims_to_finish {
            items
        } else {
            rng.below(items)
        };
        let days = match cohort {
            Some(c) => (c.ends - at).num_hours() as f64 / 24.0 * rng.range(0.45, 1.05),
            None => (25f64.ln() + 0.9 * rng.normal()).exp().clamp(0.3, 500.0),
        };
        let step = days * 86400.0 / items as f64;
        let mut t = at + Duration::minutes(rng.range(5.0, 2880.0) as i64);
        let mut ability = rng.normal();
        let mut done = 0usize;
        let mut last = None;
        let mut grades = Vec::new();
        let mut stuck = false;
        'modules: for m in &course.modules {
            for (lesson, minutes) in &m.lessons {
                if done >= stop_after || t > self.anchor {
                    break 'modules;
                }
                let spent = (f64::from(*minutes) * 60.0 * rng.range(0.5, 1.8)) as i32;
                let viewed_only = done + 1 == stop_after && !aims_to_finish && rng.chance(0.5);
                batch.progress.push(lesson_progress::ActiveModel {
                    enrolment_id: Set(enrolment_id),
                    lesson_id: Set(*lesson),
                    status: Set(if viewed_only { "viewed" } else { "completed" }.to_owned()),
                    time_spent_seconds: Set(spent),
                    first_viewed_at: Set(t - Duration::seconds(i64::from(spent))),
                    completed_at: Set((!viewed_only).then_some(t)),
                    updated_at: Set(t),
                });
                last = Some(t);
                if viewed_only {
                    break 'modules;
                }
                done += 1;
                t += Duration::seconds((step * rng.range(0.3, 1.7)) as i64);
            }
            if let Some(q) = &m.quiz {
                if done >= stop_after || t > self.anchor {
                    break 'modules;
                }
                let settings = &q.def.settings;
                let max = if settings.max_attempts == 0 {
                    4
                } else {
                    settings.max_attempts
                };
                let mut percents = Vec::new();
                let mut passed = false;
                for number in 1..=max {
                    if t > self.anchor {
                        break 'modules;
                    }
                    let result = answer(rng, q, ability, language);
                    let ok = quiz::passed(result.percent, settings.pass_mark);
                    percents.push(result.percent);
                    let submitted = t + Duration::minutes(rng.range(4.0, 25.0) as i64);
                    batch.attempts.push(attempts::ActiveModel {
                        id: Set(rng.id_at(t)),
                        enrolment_id: Set(enrolment_id),
                        quiz_id: Set(q.id),
                        number: Set(number as i32),
                        secret: Set(rng.hex(43)),
                        seed: Set(rng.0.next_u64() as i64),
                        language: Set(language.as_str().to_owned()),
                        status: Set("submitted".to_owned()),
                        started_at: Set(t),
                        deadline: Set(settings
                            .time_limit_minutes
                            .map(|m| t + Duration::minutes(i64::from(m)))),
                        submitted_at: Set(Some(submitted)),
                        auto_closed: Set(false),
                        responses: Set(serde_json::json!({})),
                        score: Set(Some(result.score)),
                        max_score: Set(Some(result.max_score)),
                        percent: Set(Some(result.percent)),
                        passed: Set(Some(ok)),
                        result: Set(serde_json::to_value(&result).ok()),
                    });
                    last = Some(submitted);
                    t = submitted;
                    if quiz::aggregate(settings.grading, &percents)
                        .is_some_and(|g| quiz::passed(g, settings.pass_mark))
                    {
                        passed = true;
                        break;
                    }
                    // Learners read up before trying again.
                    ability += 0.5;
                    t += Duration::hours(rng.range(2.0, 72.0) as i64);
                }
                if !passed {
                    stuck = true;
                    break 'modules;
                }
                grades.extend(quiz::aggregate(settings.grading, &percents));
                done += 1;
                t += Duration::seconds((step * rng.range(0.3, 1.7)) as i64);
            }
        }
        let complete = !stuck && done == items && last.is_some_and(|l| l <= self.anchor);
        let final_score = complete.then(|| {
            if grades.is_empty() {
                100.0
            } else {
                round2(grades.iter().sum::<f64>() / grades.len() as f64)
            }
        });
        Played {
            completed_at: if complete { last } else { None },
            final_score,
            last_activity: last,
        }
    }
}

/// One graded attempt: each question right with a probability that grows with ability
/// and falls with the question's difficulty (more so in French for one question).
fn answer(rng: &mut Rng, q: &Quiz, ability: f64, language: Language) -> QuizResult {
    let mut questions = Vec::with_capacity(q.def.questions.len());
    let (mut score, mut max_score) = (0.0, 0.0);
    for (qd, (difficulty, french)) in q.def.questions.iter().zip(&q.difficulty) {
        let extra = if language == Language::Fr {
            *french
        } else {
            0.0
        };
        let p = sigmoid(1.5 + 0.9 * ability - difficulty - extra);
        let partial_possible = matches!(
            qd.body,
            QuestionBody::MultipleChoice { .. }
                | QuestionBody::Matching { .. }
                | QuestionBody::Ordering { .. }
        );
        let (outcome, earned) = if rng.chance(0.02) {
            (Outcome::Unanswered, 0.0)
        } else if rng.chance(p) {
            (Outcome::Correct, qd.points)
        } else if partial_possible && rng.chance(0.4) {
            (Outcome::Partial, round2(qd.points * 0.5))
        } else {
            (Outcome::Incorrect, 0.0)
        };
        score += earned;
        max_score += qd.points;
        questions.push(QuestionResult {
            key: qd.key.clone(),
            points: qd.points,
            earned,
            outcome,
        });
    }
    let percent = if max_score > 0.0 {
        round2(score / max_score * 100.0)
    } else {
        0.0
    };
    QuizResult {
        score: round2(score),
        max_score,
        percent,
        questions,
    }
}

/// Fills a fresh database with the demo platform. Refuses a database that already has
/// learners or enrolments.
pub async fn generate(
    db: &Db,
    hasher: &PasswordHasher,
    opts: DemoOptions,
) -> Result<DemoSummary, StartError> {
    let started = Instant::now();
    seed_catalogue(db).await?;
    let existing = users::Entity::find()
        .filter_not_admin()
        .count(&db.conn)
        .await?
        + enrolments::Entity::find().count(&db.conn).await?;
    if existing > 0 {
        return Err(StartError::Other(
            "demo data goes into a fresh database; this one already has users or enrolments".into(),
        ));
    }
    let courses = load_courses(db).await?;
    let password_hash = match opts.password {
        Some(p) => Some(
            hasher
                .hash(p)
                .await
                .map_err(|e| StartError::Other(format!("password: {e}")))?,
        ),
        None => None,
    };
    let anchor = Utc::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let mut g = Generator {
        rng: Rng(SplitMix64::new(opts.seed)),
        courses: &courses,
        anchor,
        start: anchor - Duration::days(3 * 365),
        password_hash,
        next_learner: 0,
        completed: 0,
    };
    let mut summary = DemoSummary::default();

    // Institutions with their manager and two tutors, in every member state.
    let mut institution_rows = Vec::new();
    let mut staff_rows = Vec::new();
    let mut places: Vec<(Place, f64)> = Vec::new();
    for &(country, weight, language, n) in COUNTRIES {
        for (i, kind) in KINDS.iter().take(n).enumerate() {
            let created = g.start - Duration::days(30);
            let id = g.rng.id_at(created);
            institution_rows.push(institutions::ActiveModel {
                id: Set(id),
                name: Set(format!("{} {}", kind_name(*kind), country.as_str())),
                country: Set(country.as_str().to_owned()),
                kind: Set(kind.as_str().to_owned()),
                created_at: Set(created),
            });
            let cc = country.as_str().to_lowercase();
            let mut people = Vec::new();
            for (role, who) in [
                (Role::NtiManager, "manager"),
                (Role::Tutor, "tutor1"),
                (Role::Tutor, "tutor2"),
            ] {
                let (uid, row) = g.user(
                    format!("{who}.{i}@{cc}.demo.help-lms.example"),
                    format!("Demo {who} {} {i}", country.as_str()),
                    Profession::Other,
                    country,
                    language,
                    Some(id),
                    role,
                    created,
                );
                staff_rows.push(row);
                people.push(uid);
            }
            let weight = weight
                * match kind {
                    InstitutionKind::JudicialTraining => 1.0,
                    InstitutionKind::PrisonProbationTraining => 0.8,
                    _ => 0.6,
                };
            places.push((
                Place {
                    institution_id: id,
                    country,
                    kind: *kind,
                    tutors: [people[1], people[2]],
                },
                weight,
            ));
        }
    }
    summary.institutions = institution_rows.len();
    summary.staff = staff_rows.len();

    // Tutored cohorts for about 30% of the learners.
    let tutored_target = opts.learners * 3 / 10;
    let mut plans = Vec::new();
    let mut cohort_rows = Vec::new();
    let mut tutor_rows = Vec::new();
    let mut planned = 0;
    while planned < tutored_target {
        let Place {
            institution_id,
            country,
            kind,
            tutors,
        } = g.rng.weighted(&places);
        let course = g.rng.weighted(courses_of(kind));
        let size = (20 + g.rng.below(81)).min(tutored_target - planned).max(1);
        let starts = g.enrolment_time();
        let ends = starts + Duration::weeks(8 + g.rng.below(7) as i64);
        let preferred = COUNTRIES
            .iter()
            .find(|c| c.0 == country)
            .map(|c| c.2)
            .unwrap_or(Language::En);
        let language = courses
            .get(course)
            .map(|c| c.language_for(preferred))
            .unwrap_or(Language::En);
        let id = g.rng.id_at(starts - Duration::days(14));
        let n = plans.len() + 1;
        cohort_rows.push(cohorts::ActiveModel {
            id: Set(id),
            institution_id: Set(institution_id),
            course_id: Set(courses.get(course).map(|c| c.id).unwrap_or_default()),
            course_version_id: Set(courses
                .get(course)
                .map(|c| c.version_id)
                .unwrap_or_default()),
            language: Set(language.as_str().to_owned()),
            name: Set(format!("{} cohort {n}", country.as_str())),
            starts_on: Set(starts.date_naive()),
            ends_on: Set(ends.date_naive()),
            capacity: Set(i32::try_from(size + g.rng.below(11)).unwrap_or(i32::MAX)),
            status: Set(if ends < anchor {
                CohortStatus::Closed
            } else {
                CohortStatus::Open
            }
            .as_str()
            .to_owned()),
            created_at: Set(starts - Duration::days(14)),
            updated_at: Set(starts - Duration::days(14)),
        });
        let tutor = tutors[g.rng.below(2)];
        tutor_rows.push(cohort_tutors::ActiveModel {
            cohort_id: Set(id),
            user_id: Set(tutor),
        });
        plans.push(CohortPlan {
            id,
            institution_id,
            country,
            kind,
            course,
            language,
            starts,
            ends,
            size,
        });
        planned += size;
    }
    summary.cohorts = plans.len();
    {
        let txn = db.begin_write().await?;
        insert_chunks(&txn, institution_rows, 5).await?;
        insert_chunks(&txn, staff_rows, 13).await?;
        insert_chunks(&txn, cohort_rows, 12).await?;
        insert_chunks(&txn, tutor_rows, 2).await?;
        txn.commit().await?;
    }

    let mut batch = Batch::default();
    // Cohort learners: enrolled by their institution a few days before the start; some
    // also take another course on their own later.
    for plan in &plans {
        let Some(course) = courses.get(plan.course) else {
            continue;
        };
        let preferred = COUNTRIES
            .iter()
            .find(|c| c.0 == plan.country)
            .map(|c| c.2)
            .unwrap_or(Language::En);
        for _ in 0..plan.size {
            let at = plan.starts - Duration::hours(g.rng.range(1.0, 240.0) as i64);
            let profession = g.rng.weighted(professions_of(plan.kind));
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
                second_course(&mut g, &mut batch, &learner, plan.course, at);
            }
            if batch.learners >= LEARNERS_PER_TXN {
                batch.flush(db, &mut summary).await?;
            }
        }
    }
    // Self-study learners from every country, a few from outside the EU.
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
            second_course(&mut g, &mut batch, &learner, slug, at);
        }
        if batch.learners >= LEARNERS_PER_TXN {
            batch.flush(db, &mut summary).await?;
        }
    }
    batch.flush(db, &mut summary).await?;
    summary.completed = g.completed;
    // Fresh statistics for the query planner (the same statement on both databases).
    db.conn.execute_unprepared("ANALYZE").await?;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// A self-study enrolment in another course, some time after the first.
fn second_course(
    g: &mut Generator<'_>,
    batch: &mut Batch,
    learner: &Learner,
    first: &str,
    after: DateTime<Utc>,
) {
    let options: Vec<(&'static str, f64)> = courses_for(learner.profession)
        .iter()
        .copied()
        .filter(|(s, _)| *s != first)
        .collect();
    if options.is_empty() {
        return;
    }
    let slug = g.rng.weighted(&options);
    let at = after + Duration::days(g.rng.range(14.0, 300.0) as i64);
    if at >= g.anchor {
        return;
    }
    if let Some(course) = g.courses.get(slug) {
        let language = course.language_for(learner.language);
        g.enrol(batch, learner, course, None, language, at);
    }
}

trait NotAdmin {
    fn filter_not_admin(self) -> Self;
}

impl NotAdmin for sea_orm::Select<users::Entity> {
    fn filter_not_admin(self) -> Self {
        use sea_orm::{ColumnTrait, QueryFilter};
        self.filter(users::Column::Role.ne(Role::Admin.as_str()))
    }
}
