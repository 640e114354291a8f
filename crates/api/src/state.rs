//! What every handler can reach: the database, the password hasher, the token keys and the
//! configuration. Cheap to clone; nothing in it is the source of truth for anything.

use std::sync::Arc;

use chrono::Duration;
use help_lms_persistence::Db;
use help_lms_persistence::passwords::PasswordHasher;
use help_lms_persistence::rate_limit::Limit;
use help_lms_persistence::throttle::Policy;
use tokio::sync::Notify;

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
    /// The reverse proxies whose `X-Forwarded-For` entries name the client
    /// (`HELP_TRUSTED_PROXIES`); none by default.
    pub proxies: crate::proxies::TrustedProxies,
    /// Statistics cells of fewer enrolments than this are suppressed for everyone but
    /// admins (`HELP_STATS_MIN_CELL`).
    pub stats_min_cell: u64,
    /// Origins allowed by CORS, as browsers send them (`HELP_CORS_ORIGINS`); empty: no CORS.
    pub cors_origins: Vec<String>,
    /// Where every absolute link the platform writes points (`HELP_PUBLIC_URL`).
    pub public_url: PublicUrl,
    pub limits: Limits,
}

/// The rate limits of the flows that send mail or take tokens. Limits per address answer
/// 429; limits per account silently send nothing more, so that no answer differs with
/// whether an address has an account.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub register_per_address: Limit,
    pub register_per_email: Limit,
    pub reset_per_address: Limit,
    pub reset_per_account: Limit,
    /// Invitations resent to one account.
    pub resend_per_account: Limit,
    /// Tokens presented (activation, confirmation, reset) from one address.
    pub tokens_per_address: Limit,
    /// Public certificate lookups (verification and credentials) from one address.
    pub verify_per_address: Limit,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            register_per_address: Limit::per_hour(20),
            register_per_email: Limit::per_hour(3),
            reset_per_address: Limit::per_hour(20),
            reset_per_account: Limit::per_hour(3),
            resend_per_account: Limit::per_hour(5),
            tokens_per_address: Limit::per_minutes(60, 15),
            verify_per_address: Limit::per_minutes(120, 1),
        }
    }
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            access_ttl: Duration::minutes(15),
            refresh_ttl: Duration::days(14),
            registration_enabled: true,
            body_limit: 2 * 1024 * 1024,
            throttle: Policy::default(),
            proxies: crate::proxies::TrustedProxies::default(),
            stats_min_cell: 5,
            cors_origins: Vec::new(),
            public_url: PublicUrl::default(),
            limits: Limits::default(),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// Writes the platform's messages (into the outbox, in the services' transactions).
    pub composer: Arc<crate::mail::Composer>,
    /// Wakes the mail worker after a request wrote messages.
    pub mail_wake: Arc<Notify>,
    pub hasher: PasswordHasher,
    pub jwt: Arc<JwtKeys>,
    /// The keys that sign Open Badges credentials.
    pub issuer: Arc<crate::certificates::badge::IssuerKeys>,
    pub config: Arc<ApiConfig>,
    pub metrics: Metrics,
    /// Published content served from memory, checked against the database as it says.
    pub published: Arc<crate::catalogue::published::Published>,
}
