//! What every handler can reach: the database, the password hasher, the token keys and the
//! configuration. Cheap to clone; nothing in it is the source of truth for anything.

use std::sync::Arc;

use chrono::Duration;
use help_lms_persistence::Db;
use help_lms_persistence::passwords::PasswordHasher;
use help_lms_persistence::throttle::Policy;

use crate::jwt::JwtKeys;
use crate::metrics::Metrics;
use crate::public_url::PublicUrl;

#[derive(Clone, Debug)]
pub struct ApiConfig {
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    pub registration_enabled: bool,
    /// Largest accepted request body, in bytes.
    pub body_limit: usize,
    pub throttle: Policy,
    /// Use the first address of `X-Forwarded-For` as the client address (behind a proxy
    /// you trust only).
    pub trust_forwarded_for: bool,
    /// Statistics cells of fewer enrolments than this are suppressed for everyone but
    /// admins (`HELP_STATS_MIN_CELL`).
    pub stats_min_cell: u64,
    /// Origins allowed by CORS, as browsers send them (`HELP_CORS_ORIGINS`); empty: no CORS.
    pub cors_origins: Vec<String>,
    /// Where every absolute link the platform writes points (`HELP_PUBLIC_URL`).
    pub public_url: PublicUrl,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            access_ttl: Duration::minutes(15),
            refresh_ttl: Duration::days(14),
            registration_enabled: true,
            body_limit: 2 * 1024 * 1024,
            throttle: Policy::default(),
            trust_forwarded_for: false,
            stats_min_cell: 5,
            cors_origins: Vec::new(),
            public_url: PublicUrl::default(),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// Where invitations go (the default only logs).
    pub mailer: crate::mail::Sender,
    pub hasher: PasswordHasher,
    pub jwt: Arc<JwtKeys>,
    pub config: Arc<ApiConfig>,
    pub metrics: Metrics,
}
