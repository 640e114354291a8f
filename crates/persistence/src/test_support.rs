//! A fresh, migrated database per test: a SQLite file in a temporary directory, or, when
//! `HELP_TEST_DATABASE_URL` points at a PostgreSQL server, a new database on it. Shared by
//! the service tests beside the services and the black-box tests in `tests/`.

// Test support may panic: a failed setup is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::Path;

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::Db;

/// A database URL nobody has used: a SQLite file in `dir`, or a new PostgreSQL database
/// on the server of `HELP_TEST_DATABASE_URL`.
pub async fn fresh_database_url(dir: &Path) -> String {
    match std::env::var("HELP_TEST_DATABASE_URL") {
        Ok(base) if !base.is_empty() => {
            let name = format!("t_{}", Uuid::new_v4().simple());
            let admin = sea_orm::Database::connect(&base)
                .await
                .expect("connect to HELP_TEST_DATABASE_URL");
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .expect("create test database");
            admin.close().await.ok();
            let (prefix, _) = base.rsplit_once('/').expect("a database URL with a path");
            format!("{prefix}/{name}")
        }
        _ => format!("sqlite://{}?mode=rwc", dir.join("test.db").display()),
    }
}

/// A migrated database of its own, kept while this value lives.
pub struct TestDb {
    pub db: Db,
    _dir: tempfile::TempDir,
}

impl TestDb {
    pub async fn new() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = fresh_database_url(dir.path()).await;
        let db = Db::connect(&url, 4).await.expect("connect");
        db.migrate().await.expect("migrate");
        TestDb { db, _dir: dir }
    }
}

/// A small published course, `tiny-course` in English: one module of two lessons
/// (`l1`, `l2`) and a quiz of one single-choice question (pass mark 100, two attempts,
/// a one-minute time limit).
pub async fn tiny_course(db: &Db) -> crate::catalogue::CourseSummary {
    const COURSE: &str = r#"
slug = "tiny-course"
languages = ["en"]
topics = ["article-5"]
estimated_hours = 1
status = "published"
title = { en = "Tiny course" }
summary = { en = "For tests." }

[[modules]]
key = "m1"
title = { en = "Module one" }
summary = { en = "The only one." }

  [[modules.lessons]]
  key = "l1"
  title = { en = "Lesson one" }
  minutes = 10

  [[modules.lessons]]
  key = "l2"
  title = { en = "Lesson two" }
  minutes = 10
"#;
    const QUIZ: &str = r#"
title = { en = "Check" }
pass_mark = 100
max_attempts = 2
time_limit_minutes = 1
grading = "highest"
shuffle_questions = false
shuffle_options = false
review = "correct_answers"
review_when = "immediately"

[[questions]]
key = "q1"
kind = "single_choice"
prompt = { en = "Pick the right one" }
explanation = { en = "Because." }
feedback_correct = { en = "Yes" }
feedback_incorrect = { en = "No" }
references = [{ kind = "instrument", citation = "ECHR, Article 5" }]
  [[questions.options]]
  key = "right"
  text = { en = "Right" }
  correct = true
  [[questions.options]]
  key = "wrong"
  text = { en = "Wrong" }
  correct = false
"#;
    import_course(
        db,
        "tiny-course",
        &[
            ("course.toml", COURSE),
            ("lessons/l1.en.md", "## One\n\nText."),
            ("lessons/l2.en.md", "## Two\n\nText."),
            ("quizzes/m1.toml", QUIZ),
        ],
    )
    .await
}

/// Parses and imports the course `slug` from its files (path, text); its current version.
pub async fn import_course(
    db: &Db,
    slug: &str,
    files: &[(&str, &str)],
) -> crate::catalogue::CourseSummary {
    use help_lms_domain::content::{CourseSource, parse_course};
    let source = CourseSource {
        dir_name: slug.into(),
        files: files
            .iter()
            .map(|(p, t)| ((*p).to_owned(), (*t).to_owned()))
            .collect(),
    };
    let def = parse_course(&source).expect("the course parses");
    crate::catalogue::import(db, &[def]).await.expect("import");
    crate::catalogue::current_version(&db.conn, slug)
        .await
        .expect("read back")
        .expect("imported")
}

/// An active learner with no institution.
pub async fn learner(db: &Db, email: &str) -> Uuid {
    use help_lms_domain::values::{
        Country, Email, Language, PersonName, Profession, Role, UserStatus,
    };
    crate::accounts::insert(
        &db.conn,
        crate::accounts::NewUser {
            email: Email::parse(email).expect("email"),
            name: PersonName::parse("Ana Learner").expect("name"),
            profession: Profession::Judge,
            country: Country::Ro,
            language: Language::En,
            institution_id: None,
            role: Role::Learner,
            status: UserStatus::Active,
            password_hash: None,
        },
    )
    .await
    .expect("insert learner")
    .id
}
