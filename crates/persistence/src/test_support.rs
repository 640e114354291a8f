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
