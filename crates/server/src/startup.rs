//! Start-up: connect, migrate, import the bundled catalogue into an empty database, create
//! the development admin, then serve HTTP until SIGTERM or Ctrl-C (graceful: in-flight
//! requests finish).

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::HttpServer;
use actix_web::dev::{Server, ServerHandle};
use chrono::Duration;
use help_lms_api::catalogue::published::Published;
use help_lms_api::certificates::badge::{IssuerKeys, keys};
use help_lms_api::jwt::JwtKeys;
use help_lms_api::mail::worker::{self, Backoff, WorkerConfig};
use help_lms_api::mail::{Composer, Links};
use help_lms_api::metrics::Metrics;
use help_lms_api::{ApiConfig, AppState, build_app};
use help_lms_domain::content::parse_catalogue;
use help_lms_domain::values::{Email, NewPassword, PersonName};
use help_lms_persistence::accounts::flows::TokenLifetimes;
use help_lms_persistence::passwords::PasswordHasher;
use help_lms_persistence::{Db, accounts, catalogue};
use secrecy::ExposeSecret;
use tokio::sync::{Notify, watch};

use crate::settings::Settings;

/// The email of the development admin created on first start.
pub const DEV_ADMIN_EMAIL: &str = "admin@help-lms.local";

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Settings(#[from] crate::settings::SettingsError),
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("storage: {0}")]
    Store(#[from] help_lms_persistence::StoreError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("the bundled catalogue is invalid:\n{0}")]
    Catalogue(String),
    #[error("{0}")]
    Other(String),
}

pub fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
}

/// Connects to the configured database and brings its schema up to date.
pub async fn connect_and_migrate(settings: &Settings) -> Result<Db, StartError> {
    if settings.is_sqlite() && settings.database_url.is_none() {
        std::fs::create_dir_all(&settings.data_dir)?;
    }
    let max = settings
        .db_max_connections
        .unwrap_or(if settings.is_sqlite() { 8 } else { 16 });
    let db = Db::connect(&settings.database_url(), max).await?;
    db.migrate().await?;
    if !db.keeps_query_plans().await? {
        tracing::warn!(
            "SQLite was built without SQLITE_ENABLE_QPSG (build from the repository, whose \
             .cargo/config.toml sets it): every query with a LIMIT is planned again each time"
        );
    }
    Ok(db)
}

/// The signing secret: configured, or in development a random one kept in the data
/// directory so that sessions survive a restart.
fn jwt_secret(settings: &Settings) -> Result<Vec<u8>, StartError> {
    if let Some(s) = &settings.jwt_secret {
        return Ok(s.expose_secret().as_bytes().to_vec());
    }
    let path = settings.data_dir.join("dev-jwt-secret");
    if let Ok(existing) = std::fs::read_to_string(&path)
        && existing.trim().len() >= 32
    {
        return Ok(existing.trim().as_bytes().to_vec());
    }
    std::fs::create_dir_all(&settings.data_dir)?;
    let secret = help_lms_persistence::sessions::random_token()?;
    std::fs::write(&path, &secret)?;
    tracing::warn!(
        "development mode: generated a signing secret in the data directory; set HELP_JWT_SECRET in production"
    );
    Ok(secret.into_bytes())
}

/// The issuer keys: the configured one, or in development a random one kept in the data
/// directory so that credentials verify across restarts; earlier keys stay published.
fn issuer_keys(settings: &Settings) -> Result<IssuerKeys, StartError> {
    let previous = settings.issuer_previous_keys()?;
    if let Some(secret) = settings.issuer_secret()? {
        return Ok(IssuerKeys::new(secret, previous));
    }
    let path = settings.data_dir.join("dev-issuer-key");
    if let Ok(existing) = std::fs::read_to_string(&path)
        && let Ok(secret) = keys::parse_secret(&existing)
    {
        return Ok(IssuerKeys::new(secret, previous));
    }
    std::fs::create_dir_all(&settings.data_dir)?;
    let text = keys::generate_secret().map_err(StartError::Other)?;
    std::fs::write(&path, &text)?;
    let secret = keys::parse_secret(&text).map_err(StartError::Other)?;
    tracing::warn!(
        "development mode: generated an issuer key for credentials in the data directory; set HELP_ISSUER_KEY in production"
    );
    Ok(IssuerKeys::new(secret, previous))
}

/// Imports the catalogue bundled in the binary when the database has no course yet.
pub async fn seed_catalogue(db: &Db) -> Result<(), StartError> {
    if !catalogue::is_empty(&db.conn).await? {
        return Ok(());
    }
    let courses = parse_catalogue(&crate::content::bundled()).map_err(|errs| {
        StartError::Catalogue(
            errs.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
        )
    })?;
    let outcomes = catalogue::import(db, &courses).await?;
    tracing::info!(
        courses = outcomes.len(),
        "imported the bundled HELP catalogue"
    );
    Ok(())
}

/// In development, creates an admin on first start and prints its password once.
async fn dev_admin(db: &Db, hasher: &PasswordHasher) -> Result<(), StartError> {
    if accounts::count_admins(&db.conn).await? > 0 {
        return Ok(());
    }
    let password = match std::env::var("HELP_DEV_ADMIN_PASSWORD") {
        Ok(p) if !p.is_empty() => p,
        _ => help_lms_persistence::sessions::random_token()?,
    };
    let (Ok(email), Ok(name), Ok(pw)) = (
        Email::parse(DEV_ADMIN_EMAIL),
        PersonName::parse("Development Admin"),
        NewPassword::parse(&password),
    ) else {
        return Err(StartError::Other(
            "HELP_DEV_ADMIN_PASSWORD does not meet the password policy (12+ characters)".into(),
        ));
    };
    accounts::create_admin(db, hasher, email, name, pw).await?;
    // Printed to the terminal, not to the logs, and only this once.
    eprintln!(
        "\n  Development admin created (shown once):\n    email:    {DEV_ADMIN_EMAIL}\n    password: {password}\n"
    );
    Ok(())
}

pub struct Application {
    port: u16,
    server: Server,
    mail_stop: watch::Sender<bool>,
    mail_worker: tokio::task::JoinHandle<()>,
    forward_worker: tokio::task::JoinHandle<()>,
    retention: Option<tokio::task::JoinHandle<()>>,
    pub state: AppState,
}

/// Stops a running application from elsewhere (tests, embedding): the HTTP server
/// gracefully, then the mail worker.
#[derive(Clone)]
pub struct Stopper {
    server: ServerHandle,
    mail_stop: watch::Sender<bool>,
}

impl Stopper {
    pub async fn stop(&self) {
        self.server.stop(true).await;
        let _ = self.mail_stop.send(true);
    }
}

impl Application {
    pub async fn build(settings: &Settings) -> Result<Self, StartError> {
        settings.validate()?;
        help_lms_api::xapi::forward::install_tls_provider();
        let db = connect_and_migrate(settings).await?;
        if settings.seed_catalogue {
            seed_catalogue(&db).await?;
        }
        let hasher = PasswordHasher::new(settings.hash_concurrency.unwrap_or_else(cores));
        if !settings.is_production() {
            dev_admin(&db, &hasher).await?;
        }
        let jwt = JwtKeys::new(&jwt_secret(settings)?)
            .map_err(|e| StartError::Other(format!("signing key: {e}")))?;
        let listener = TcpListener::bind(&settings.bind)?;
        let bound = listener.local_addr()?;
        let public_url = settings.public_url_at(bound)?;
        let db = db.with_public_url(public_url.as_str());
        let composer = Composer {
            links: Links::new(public_url.clone(), settings.frontend_url()?),
            lifetimes: TokenLifetimes::default(),
        };
        let mail_wake = Arc::new(Notify::new());
        let metrics = Metrics::default();
        let (mail_stop, stopped) = watch::channel(false);
        let backoff = Backoff {
            initial: std::time::Duration::from_secs(settings.mail_retry_seconds.max(1)),
            max: std::time::Duration::from_secs(settings.mail_retry_max_seconds.max(1)),
            attempts: settings.mail_attempts,
        };
        let forward_worker = help_lms_api::xapi::forward::spawn(
            db.clone(),
            help_lms_api::xapi::forward::ForwardConfig {
                backoff: backoff.unending(),
                poll: std::time::Duration::from_secs(settings.mail_poll_seconds),
                lease: std::time::Duration::from_secs(300),
                timeout: std::time::Duration::from_secs(60),
            },
            Arc::new(Notify::new()),
            stopped.clone(),
        );
        let mail_worker = worker::spawn(
            db.clone(),
            WorkerConfig {
                transport: settings.mail_transport()?,
                from: settings.mail_from(&public_url)?,
                domain: public_url.host().to_owned(),
                backoff,
                poll: std::time::Duration::from_secs(settings.mail_poll_seconds),
                lease: std::time::Duration::from_secs(300),
                metrics: metrics.clone(),
            },
            mail_wake.clone(),
            stopped.clone(),
        );
        let retention = settings.retention_days.map(|days| {
            help_lms_api::retention::spawn(
                db.clone(),
                days,
                std::time::Duration::from_secs(24 * 3600),
                stopped,
            )
        });
        let state = AppState {
            db,
            composer: Arc::new(composer),
            mail_wake,
            hasher,
            jwt: Arc::new(jwt),
            issuer: Arc::new(issuer_keys(settings)?),
            config: Arc::new(ApiConfig {
                access_ttl: Duration::minutes(settings.access_token_minutes),
                refresh_ttl: Duration::days(settings.refresh_token_days),
                registration_enabled: settings.registration,
                body_limit: settings.body_limit_bytes,
                proxies: settings.trusted_proxies()?,
                stats_min_cell: settings.stats_min_cell,
                cors_origins: settings.cors_origins()?,
                public_url: public_url.clone(),
                ..ApiConfig::default()
            }),
            metrics,
            published: Arc::new(Published::new(std::time::Duration::from_millis(
                settings.content_recheck_ms,
            ))),
        };
        let port = bound.port();
        let app_state = state.clone();
        let server = HttpServer::new(move || build_app(app_state.clone()))
            .workers(settings.workers.unwrap_or_else(cores))
            .shutdown_timeout(30)
            .listen(listener)?
            .run();
        tracing::info!(address = %settings.bind, port, public_url = %public_url, "listening");
        Ok(Application {
            port,
            server,
            mail_stop,
            mail_worker,
            forward_worker,
            retention,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn stopper(&self) -> Stopper {
        Stopper {
            server: self.server.handle(),
            mail_stop: self.mail_stop.clone(),
        }
    }

    /// Serves until stopped (SIGTERM, Ctrl-C or a [`Stopper`]); then stops the mail worker,
    /// which leaves what it has not sent in the outbox for the next start.
    pub async fn run_until_stopped(self) -> Result<(), std::io::Error> {
        let served = self.server.await;
        let _ = self.mail_stop.send(true);
        if let Err(e) = self.mail_worker.await {
            tracing::warn!(error = %e, "the mail worker ended badly");
        }
        if let Err(e) = self.forward_worker.await {
            tracing::warn!(error = %e, "the xAPI forwarding worker ended badly");
        }
        if let Some(job) = self.retention
            && let Err(e) = job.await
        {
            tracing::warn!(error = %e, "the retention job ended badly");
        }
        served
    }
}
