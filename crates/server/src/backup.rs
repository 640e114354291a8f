//! `help-lms backup FILE` and `help-lms restore FILE`, for the embedded SQLite database.
//! A backup is a consistent copy made while the server serves (`VACUUM INTO`); a restore
//! checks that the file is a help-lms database no newer than this build, replaces the
//! database file with it in one rename (with the server stopped), and brings its schema up
//! to date. PostgreSQL is backed up with its own tools (`pg_dump`; see the README).

use std::path::{Path, PathBuf};

use help_lms_persistence::Db;

use crate::settings::Settings;
use crate::startup::StartError;

/// The SQLite file the settings point at.
fn database_file(settings: &Settings) -> Result<PathBuf, StartError> {
    let url = settings.database_url();
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| {
            StartError::Other(
                "backup and restore work on the embedded SQLite database; for PostgreSQL use pg_dump and pg_restore (see the README)".into(),
            )
        })?;
    let path = rest.split('?').next().unwrap_or(rest);
    if path.is_empty() || path == ":memory:" {
        return Err(StartError::Other("the database is not a file".into()));
    }
    Ok(PathBuf::from(path))
}

/// Writes a consistent copy of the database to `target`, which must not exist yet.
pub async fn backup(settings: &Settings, target: &Path) -> Result<(), StartError> {
    database_file(settings)?;
    if target.exists() {
        return Err(StartError::Other(format!(
            "{} exists already; a backup never overwrites a file",
            target.display()
        )));
    }
    let db = Db::connect(&settings.database_url(), 1).await?;
    db.backup_into(target).await?;
    Ok(())
}

/// Replaces the database with the backup `source`. Stop the server first: a running server
/// would go on writing to the file it opened.
pub async fn restore(settings: &Settings, source: &Path) -> Result<(), StartError> {
    let live = database_file(settings)?;
    if let Some(dir) = live.parent() {
        std::fs::create_dir_all(dir)?;
    }
    // Copied next to the database and checked there, then renamed over it: the database is
    // never half written, and the backup itself is only read.
    let staging = live.with_extension("db.restoring");
    std::fs::copy(source, &staging)?;
    if let Err(e) = check(&staging, source).await {
        remove(&staging, &["", "-wal", "-shm"])?;
        return Err(e);
    }
    // The live database's journal belongs to the file being replaced.
    remove(&live, &["-wal", "-shm"])?;
    std::fs::rename(&staging, &live)?;
    remove(&staging, &["-wal", "-shm"])?;
    let db = Db::connect(&settings.database_url(), 1).await?;
    db.migrate().await?;
    db.conn.close().await?;
    Ok(())
}

/// That `copy` (of `source`) is a help-lms database no newer than this build.
async fn check(copy: &Path, source: &Path) -> Result<(), StartError> {
    let not_ours = || StartError::Other(format!("{} is not a help-lms database", source.display()));
    let db = Db::connect(&format!("sqlite://{}?mode=rw", copy.display()), 1)
        .await
        .map_err(|_| not_ours())?;
    let counted = db.migrations_applied().await;
    db.conn.close().await?;
    let (applied, known) = counted.map_err(|_| not_ours())?;
    if applied == 0 {
        return Err(not_ours());
    }
    if applied > known {
        return Err(StartError::Other(format!(
            "{} comes from a newer help-lms ({applied} migrations, this build knows {known}); restore it with that version",
            source.display()
        )));
    }
    Ok(())
}

/// Removes `file` with each of `suffixes` appended (`""`: the file itself), where present.
fn remove(file: &Path, suffixes: &[&str]) -> std::io::Result<()> {
    for suffix in suffixes {
        let f = PathBuf::from(format!("{}{suffix}", file.display()));
        if f.exists() {
            std::fs::remove_file(f)?;
        }
    }
    Ok(())
}
