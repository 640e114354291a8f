//! Connecting to SQLite or PostgreSQL and running the migrations.

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use help_lms_migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, ExecResult, QueryResult, SqliteTransactionMode, Statement, TransactionOptions,
    TransactionTrait,
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The public URL until the server says its own: the development default.
const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";

/// The shared handle to the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pub conn: DatabaseConnection,
    /// SQLite only: one writer at a time, queued in this process (see [`Db::begin_write`]).
    write_gate: Option<Arc<Semaphore>>,
    /// The platform's public URL: the home of its learners' xAPI accounts and of its
    /// activities' IRIs, in the statements it records.
    public_url: Arc<str>,
}

/// A write transaction from [`Db::begin_write`]. Use it like the transaction it wraps
/// (`&txn` is a connection); on SQLite it also holds the process's write turn until it is
/// committed, rolled back or dropped.
pub struct WriteTxn {
    txn: DatabaseTransaction,
    _turn: Option<OwnedSemaphorePermit>,
}

impl WriteTxn {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }

    pub async fn rollback(self) -> Result<(), DbErr> {
        self.txn.rollback().await
    }
}

impl Deref for WriteTxn {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTxn {
    fn get_database_backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.txn.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.txn.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.txn.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.txn.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.txn.support_returning()
    }
}

impl Db {
    /// Connects with settings suited to each backend. SQLite: WAL, foreign keys, a busy
    /// timeout and `synchronous=NORMAL` (durable across application crashes, and across
    /// power loss up to the last checkpoint).
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, DbErr> {
        let mut opts = ConnectOptions::new(url.to_owned());
        opts.max_connections(max_connections)
            .min_connections(1)
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(Duration::from_secs(10))
            .sqlx_logging(false)
            .map_sqlx_sqlite_opts(|o| {
                o.create_if_missing(true)
                    .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
            });
        let conn = Database::connect(opts).await?;
        let write_gate =
            (conn.get_database_backend() == DbBackend::Sqlite).then(|| Arc::new(Semaphore::new(1)));
        Ok(Db {
            conn,
            write_gate,
            public_url: Arc::from(DEFAULT_PUBLIC_URL),
        })
    }

    /// The same database for a platform at `url` (`HELP_PUBLIC_URL`).
    pub fn with_public_url(mut self, url: &str) -> Db {
        self.public_url = Arc::from(url.trim_end_matches('/'));
        self
    }

    /// The platform's public URL, without a trailing slash.
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// Applies the migrations, then fills in what they add that only code can compute
    /// (the funnel's marks of earlier records, [`crate::stats::backfill_marks`]).
    pub async fn migrate(&self) -> Result<(), DbErr> {
        Migrator::up(&self.conn, None).await?;
        crate::stats::backfill_marks(self)
            .await
            .map_err(|e| DbErr::Custom(format!("filling in the funnel's marks: {e}")))?;
        Ok(())
    }

    /// SQLite only: writes a consistent copy of the whole database to `target`, a new file,
    /// while the database serves (`VACUUM INTO` reads one snapshot and leaves writers be).
    pub async fn backup_into(&self, target: &std::path::Path) -> Result<(), DbErr> {
        if self.conn.get_database_backend() != sea_orm::DatabaseBackend::Sqlite {
            return Err(DbErr::Custom(
                "backup copies SQLite databases; for PostgreSQL use pg_dump (see the README)"
                    .into(),
            ));
        }
        let path = target
            .to_str()
            .ok_or_else(|| DbErr::Custom("the backup path is not valid UTF-8".into()))?;
        // A SQL string literal: quotes doubled.
        let literal = path.replace('\'', "''");
        self.conn
            .execute_unprepared(&format!("VACUUM INTO '{literal}'"))
            .await
            .map(drop)
    }

    /// How many of help-lms's migrations this database has applied, and how many this
    /// build knows (a database from a newer build has applied more).
    pub async fn migrations_applied(&self) -> Result<(usize, usize), DbErr> {
        let applied = Migrator::get_applied_migrations(&self.conn).await?.len();
        Ok((applied, Migrator::migrations().len()))
    }

    /// Whether SQLite was built with the query planner stability guarantee
    /// (`SQLITE_ENABLE_QPSG`, which `.cargo/config.toml` sets). Without it SQLite plans a
    /// bound `LIMIT` with its value, and sqlx's clearing of the bindings before each
    /// execution throws that plan away: every query with a `LIMIT` (every `.one()`) is
    /// parsed and planned again each time it runs. Always true on PostgreSQL.
    pub async fn keeps_query_plans(&self) -> Result<bool, DbErr> {
        if self.backend() != DbBackend::Sqlite {
            return Ok(true);
        }
        let row = self
            .conn
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "SELECT count(*) AS n FROM pragma_compile_options \
                 WHERE compile_options = 'ENABLE_QPSG'",
            ))
            .await?;
        let n: i64 = match row {
            Some(r) => r.try_get("", "n")?,
            None => 0,
        };
        Ok(n == 1)
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), DbErr> {
        self.conn.ping().await
    }

    /// Begins a transaction that will write.
    ///
    /// On SQLite, which has one writer at a time, writers first take their turn in this
    /// process: they wait in a fair (first come, first served) queue without holding a
    /// pooled connection, so waiting writers never starve readers of connections, and the
    /// next writer starts the moment the previous one finishes instead of polling in
    /// SQLite's busy handler. Then the transaction takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so it cannot fail later when upgrading from reading to writing;
    /// the busy timeout still covers writers in other processes (the command line).
    pub async fn begin_write(&self) -> Result<WriteTxn, DbErr> {
        let turn = match &self.write_gate {
            Some(gate) => Some(
                gate.clone()
                    .acquire_owned()
                    .await
                    .map_err(|e| DbErr::Custom(e.to_string()))?,
            ),
            None => None,
        };
        let txn = self
            .conn
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await?;
        Ok(WriteTxn { txn, _turn: turn })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn sqlite(dir: &tempfile::TempDir, connections: u32) -> Db {
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        let db = Db::connect(&url, connections).await.unwrap();
        db.conn
            .execute_unprepared("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL); INSERT INTO counter VALUES (1, 0);")
            .await
            .unwrap();
        db
    }

    async fn count(c: &impl ConnectionTrait) -> i64 {
        let row = c
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "SELECT n FROM counter WHERE id = 1",
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get("", "n").unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_read_modify_write_transactions_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let db = sqlite(&dir, 4).await;
        let mut tasks = Vec::new();
        for _ in 0..64 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                let txn = db.begin_write().await?;
                let n = count(&txn).await;
                tokio::task::yield_now().await;
                txn.execute_unprepared(&format!("UPDATE counter SET n = {} WHERE id = 1", n + 1))
                    .await?;
                txn.commit().await
            }));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        assert_eq!(count(&db.conn).await, 64);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn waiting_writers_leave_the_pool_to_readers() {
        let dir = tempfile::tempdir().unwrap();
        let db = sqlite(&dir, 2).await;
        // One writer holds the write turn; ten more wait for it.
        let first = db.begin_write().await.unwrap();
        let mut waiting = Vec::new();
        for _ in 0..10 {
            let db = db.clone();
            waiting.push(tokio::spawn(async move {
                let txn = db.begin_write().await?;
                txn.execute_unprepared("UPDATE counter SET n = n + 1 WHERE id = 1")
                    .await?;
                txn.commit().await
            }));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        // With two pooled connections, one held by the writer, a reader still gets the
        // other at once: the waiting writers hold none.
        let read = tokio::time::timeout(Duration::from_secs(2), count(&db.conn)).await;
        assert_eq!(read.expect("a reader waited behind queued writers"), 0);
        first.commit().await.unwrap();
        for w in waiting {
            w.await.unwrap().unwrap();
        }
        assert_eq!(count(&db.conn).await, 10);
    }

    /// SQLite is built with the query planner stability guarantee (`.cargo/config.toml`).
    #[tokio::test]
    async fn sqlite_is_built_to_keep_the_plans_of_prepared_statements() {
        let dir = tempfile::tempdir().unwrap();
        let db = sqlite(&dir, 1).await;
        assert!(
            db.keeps_query_plans().await.unwrap(),
            "SQLite was built without SQLITE_ENABLE_QPSG"
        );
    }
}
