//! One settings struct, from flags and `HELP_...` environment variables, with development
//! defaults. Secrets are held as `SecretString` and never printed.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use help_lms_api::certificates::badge::keys;
use help_lms_api::public_url::PublicUrl;
use secrecy::{ExposeSecret, SecretString};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Database URL: `sqlite://PATH?mode=rwc` or `postgres://USER:PASS@HOST/DB`
    /// (default: a SQLite file in the data directory).
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, global = true)]
    pub database_url: Option<SecretString>,
    /// Directory for the SQLite database and development files.
    #[arg(long, env = "HELP_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,
    /// Address to listen on.
    #[arg(
        long,
        env = "HELP_BIND",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: String,
    /// Secret for signing access tokens: at least 32 characters, required in production.
    #[arg(long, env = "HELP_JWT_SECRET", hide_env_values = true, global = true)]
    pub jwt_secret: Option<SecretString>,
    /// `development` (defaults for a laptop) or `production` (strict).
    #[arg(
        long = "env",
        env = "HELP_ENV",
        value_enum,
        default_value = "development",
        global = true
    )]
    pub environment: Environment,
    /// Log filter, e.g. `info` or `help_lms=debug,info`.
    #[arg(long, env = "HELP_LOG", default_value = "info", global = true)]
    pub log: String,
    /// Log format: `text` or `json`.
    #[arg(
        long,
        env = "HELP_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    pub log_format: LogFormat,
    /// Whether learners may register themselves.
    #[arg(long, env = "HELP_REGISTRATION", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub registration: bool,
    /// Import the bundled HELP catalogue on first start with an empty database.
    #[arg(long, env = "HELP_SEED_CATALOGUE", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub seed_catalogue: bool,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "HELP_WORKERS", global = true)]
    pub workers: Option<usize>,
    /// How often, at most, each instance compares the published catalogue it serves from
    /// memory with the database, in milliseconds: a publication or an archival made on
    /// another instance is served here within this time (the instance that made it serves
    /// it at once). 0 compares on every request.
    #[arg(
        long,
        env = "HELP_CONTENT_RECHECK_MS",
        default_value_t = 1000,
        global = true
    )]
    pub content_recheck_ms: u64,
    /// Database connections in the pool (default: 16 on PostgreSQL, 8 on SQLite).
    #[arg(long, env = "HELP_DB_MAX_CONNECTIONS", global = true)]
    pub db_max_connections: Option<u32>,
    /// Lifetime of access tokens, in minutes.
    #[arg(
        long,
        env = "HELP_ACCESS_TOKEN_MINUTES",
        default_value_t = 15,
        global = true
    )]
    pub access_token_minutes: i64,
    /// Lifetime of refresh tokens, in days.
    #[arg(
        long,
        env = "HELP_REFRESH_TOKEN_DAYS",
        default_value_t = 14,
        global = true
    )]
    pub refresh_token_days: i64,
    /// Largest accepted request body, in bytes.
    #[arg(long, env = "HELP_BODY_LIMIT_BYTES", default_value_t = 2 * 1024 * 1024, global = true)]
    pub body_limit_bytes: usize,
    /// Password hashes computed at once (default: one per core).
    #[arg(long, env = "HELP_HASH_CONCURRENCY", global = true)]
    pub hash_concurrency: Option<usize>,
    /// Replaced by `HELP_TRUSTED_PROXIES`: taking the first `X-Forwarded-For` entry let any
    /// client choose its address. Refused when true, so that a deployment notices.
    #[arg(long, env = "HELP_TRUST_FORWARDED_FOR", default_value_t = false, action = clap::ArgAction::Set, global = true, hide = true)]
    pub trust_forwarded_for: bool,
    /// The reverse proxies in front of help-lms, as addresses or networks, comma-separated
    /// (e.g. `10.0.0.0/8,127.0.0.1`). A request from one of them is taken to come from the
    /// first `X-Forwarded-For` entry, read from the right, that none of them added; that
    /// address is what rate limits and login throttles count. None by default: the peer.
    #[arg(
        long,
        env = "HELP_TRUSTED_PROXIES",
        value_delimiter = ',',
        global = true
    )]
    pub trusted_proxies: Vec<String>,
    /// Statistics groups of fewer enrolments than this are suppressed for everyone but
    /// admins, so that a handful of people cannot be singled out (0 or 1: never).
    #[arg(long, env = "HELP_STATS_MIN_CELL", default_value_t = 5, global = true)]
    pub stats_min_cell: u64,
    /// Origins whose browser front ends may call the API (CORS), comma-separated and exact,
    /// e.g. `https://help.example.org,https://learn.example.org`; none by default.
    #[arg(long, env = "HELP_CORS_ORIGINS", value_delimiter = ',', global = true)]
    pub cors_origins: Vec<String>,
    /// The address people reach the platform at, e.g. `https://help.example.org`: every link
    /// it writes (the certificate's verification link) starts with it, never with a request's
    /// Host header. Required in production, and https there; in development it defaults to
    /// `http://` and the listen address.
    #[arg(long, env = "HELP_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// The Ed25519 key that signs the Open Badges credentials of certificates: its 32-byte
    /// secret in base64url (e.g. `openssl rand -base64 32`). Required in production; in
    /// development a key is made and kept in the data directory.
    #[arg(long, env = "HELP_ISSUER_KEY", hide_env_values = true, global = true)]
    pub issuer_key: Option<SecretString>,
    /// The public keys of earlier issuer keys (`z6Mk…`, as the issuer profile lists them),
    /// comma-separated: after a rotation they stay published, so credentials signed with
    /// them still verify.
    #[arg(
        long,
        env = "HELP_ISSUER_PREVIOUS_KEYS",
        value_delimiter = ',',
        global = true
    )]
    pub issuer_previous_keys: Vec<String>,
    /// Where the links in emails lead, when a separate frontend takes the tokens, e.g.
    /// `https://learn.example.org`: `/activate?token=`, `/confirm-email?token=`,
    /// `/reset-password?token=` and `/forgot-password` under it. Without it, links lead to
    /// the small pages help-lms serves itself under `HELP_PUBLIC_URL/account/`.
    #[arg(long, env = "HELP_FRONTEND_URL", global = true)]
    pub frontend_url: Option<String>,
    /// The SMTP server that delivers mail: `smtp://host:25` (plain),
    /// `smtp://host:587?tls=required` (STARTTLS), `smtps://host:465` (TLS), with
    /// `user:password@` before the host for credentials. Required in production; in
    /// development without it, each message is written as an `.eml` file to the `mail`
    /// folder of the data directory.
    #[arg(long, env = "HELP_SMTP_URL", hide_env_values = true, global = true)]
    pub smtp_url: Option<SecretString>,
    /// The sender of every message, e.g. `HELP <no-reply@help.example.org>`. Required in
    /// production; in development it defaults to `no-reply@` the public address's host.
    #[arg(long, env = "HELP_MAIL_FROM", global = true)]
    pub mail_from: Option<String>,
    /// Seconds before the first retry of a message the mail server did not take; each
    /// further retry waits twice as long, up to `HELP_MAIL_RETRY_MAX_SECONDS`.
    #[arg(
        long,
        env = "HELP_MAIL_RETRY_SECONDS",
        default_value_t = 30,
        global = true
    )]
    pub mail_retry_seconds: u64,
    #[arg(
        long,
        env = "HELP_MAIL_RETRY_MAX_SECONDS",
        default_value_t = 3600,
        global = true
    )]
    pub mail_retry_max_seconds: u64,
    /// Attempts before a mail message is given up (and logged as an error). Forwarded
    /// statements are tried until delivered or their forward is stopped.
    #[arg(long, env = "HELP_MAIL_ATTEMPTS", default_value_t = 20, global = true)]
    pub mail_attempts: i32,
    /// How often the mail worker looks for due messages when nothing wakes it, in seconds.
    #[arg(
        long,
        env = "HELP_MAIL_POLL_SECONDS",
        default_value_t = 5,
        global = true
    )]
    pub mail_poll_seconds: u64,
    /// Erase accounts unused for longer than this many days (GDPR storage limitation): a
    /// job runs at start and daily, reporting what it erases in the log and the audit
    /// trail first; `help-lms retention` prints the report without erasing. Unset: off.
    /// Admins' accounts are never erased this way.
    #[arg(long, env = "HELP_RETENTION_DAYS", global = true)]
    pub retention_days: Option<u32>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SettingsError {
    #[error("HELP_JWT_SECRET is required when HELP_ENV=production")]
    MissingSecret,
    #[error(
        "HELP_JWT_SECRET is too weak: use at least 32 random characters (e.g. `openssl rand -base64 48`)"
    )]
    WeakSecret,
    #[error("{0} must be positive")]
    NotPositive(&'static str),
    #[error("HELP_CORS_ORIGINS: {0}")]
    InvalidOrigin(String),
    #[error(
        "HELP_PUBLIC_URL is required when HELP_ENV=production: the https address people reach the platform at, e.g. https://help.example.org"
    )]
    MissingPublicUrl,
    #[error("HELP_PUBLIC_URL: {0}")]
    InvalidPublicUrl(String),
    #[error("HELP_PUBLIC_URL must be https when HELP_ENV=production (got {0})")]
    InsecurePublicUrl(String),
    #[error("HELP_FRONTEND_URL: {0}")]
    InvalidFrontendUrl(String),
    #[error(
        "HELP_SMTP_URL is required when HELP_ENV=production: the mail server that sends invitations and password resets, e.g. smtp://user:password@mail.example.org:587?tls=required"
    )]
    MissingSmtp,
    #[error("HELP_SMTP_URL: {0}")]
    InvalidSmtp(String),
    #[error(
        "HELP_MAIL_FROM is required when HELP_ENV=production, e.g. `HELP <no-reply@help.example.org>`"
    )]
    MissingMailFrom,
    #[error("HELP_MAIL_FROM is not a mail address: {0}")]
    InvalidMailFrom(String),
    #[error(
        "HELP_ISSUER_KEY is required when HELP_ENV=production: the Ed25519 key that signs credentials, 32 random bytes in base64 (e.g. `openssl rand -base64 32`)"
    )]
    MissingIssuerKey,
    #[error("HELP_ISSUER_KEY: {0}")]
    InvalidIssuerKey(String),
    #[error("HELP_TRUSTED_PROXIES: {0}")]
    InvalidProxy(String),
    #[error(
        "HELP_TRUST_FORWARDED_FOR is replaced by HELP_TRUSTED_PROXIES: list the proxies in front of help-lms (e.g. HELP_TRUSTED_PROXIES=10.0.0.0/8); the client address is then read from the right of X-Forwarded-For, where a client cannot forge it"
    )]
    ForwardedForReplaced,
    #[error("HELP_ISSUER_PREVIOUS_KEYS: {0}")]
    InvalidPreviousKey(String),
}

/// Whether a signing secret is strong enough: 32+ bytes with some variety, and not an
/// obvious placeholder.
pub fn secret_is_strong(secret: &str) -> bool {
    let distinct: std::collections::BTreeSet<char> = secret.chars().collect();
    let lower = secret.to_lowercase();
    let placeholder = ["changeme", "change-me", "secret", "password", "example"]
        .iter()
        .any(|p| lower.contains(p));
    secret.len() >= 32 && distinct.len() >= 10 && !placeholder
}

/// Parses settings from arguments (and the environment), as the command line does.
#[derive(clap::Parser)]
struct SettingsOnly {
    #[command(flatten)]
    settings: Settings,
}

impl Settings {
    /// Settings from command-line style arguments, e.g. for tests and embedding.
    pub fn from_args<I: IntoIterator<Item = S>, S: Into<std::ffi::OsString> + Clone>(
        args: I,
    ) -> Result<Settings, clap::Error> {
        use clap::Parser;
        let all = std::iter::once(std::ffi::OsString::from("help-lms"))
            .chain(args.into_iter().map(Into::into));
        SettingsOnly::try_parse_from(all).map(|s| s.settings)
    }

    pub fn is_production(&self) -> bool {
        self.environment == Environment::Production
    }

    /// Checks what can be checked before start-up.
    pub fn validate(&self) -> Result<(), SettingsError> {
        if self.is_production() {
            match &self.jwt_secret {
                None => return Err(SettingsError::MissingSecret),
                Some(s) if !secret_is_strong(s.expose_secret()) => {
                    return Err(SettingsError::WeakSecret);
                }
                Some(_) => {}
            }
        } else if let Some(s) = &self.jwt_secret
            && s.expose_secret().is_empty()
        {
            return Err(SettingsError::WeakSecret);
        }
        if self.access_token_minutes <= 0 {
            return Err(SettingsError::NotPositive("HELP_ACCESS_TOKEN_MINUTES"));
        }
        if self.refresh_token_days <= 0 {
            return Err(SettingsError::NotPositive("HELP_REFRESH_TOKEN_DAYS"));
        }
        // Zero days would erase every account at once.
        if self.retention_days == Some(0) {
            return Err(SettingsError::NotPositive("HELP_RETENTION_DAYS"));
        }
        if self.mail_attempts <= 0 {
            return Err(SettingsError::NotPositive("HELP_MAIL_ATTEMPTS"));
        }
        if self.mail_poll_seconds == 0 {
            return Err(SettingsError::NotPositive("HELP_MAIL_POLL_SECONDS"));
        }
        self.cors_origins()?;
        self.public_url()?;
        self.frontend_url()?;
        if self.is_production() {
            if self.smtp_url.is_none() {
                return Err(SettingsError::MissingSmtp);
            }
            if self
                .mail_from
                .as_deref()
                .is_none_or(|f| f.trim().is_empty())
            {
                return Err(SettingsError::MissingMailFrom);
            }
        }
        if let Some(from) = &self.mail_from {
            from.trim()
                .parse::<lettre::message::Mailbox>()
                .map_err(|e| SettingsError::InvalidMailFrom(e.to_string()))?;
        }
        if self.issuer_secret()?.is_none() && self.is_production() {
            return Err(SettingsError::MissingIssuerKey);
        }
        self.issuer_previous_keys()?;
        if self.trust_forwarded_for {
            return Err(SettingsError::ForwardedForReplaced);
        }
        self.trusted_proxies()?;
        Ok(())
    }

    /// The proxies whose `X-Forwarded-For` entries are believed.
    pub fn trusted_proxies(&self) -> Result<help_lms_api::proxies::TrustedProxies, SettingsError> {
        self.trusted_proxies
            .iter()
            .filter(|p| !p.trim().is_empty())
            .map(|p| help_lms_api::proxies::Network::parse(p).map_err(SettingsError::InvalidProxy))
            .collect::<Result<Vec<_>, _>>()
            .map(help_lms_api::proxies::TrustedProxies::new)
    }

    /// The configured issuer key's secret, if one is configured.
    pub fn issuer_secret(&self) -> Result<Option<[u8; 32]>, SettingsError> {
        self.issuer_key
            .as_ref()
            .map(|k| keys::parse_secret(k.expose_secret()).map_err(SettingsError::InvalidIssuerKey))
            .transpose()
    }

    /// The earlier issuer keys that stay published.
    pub fn issuer_previous_keys(&self) -> Result<Vec<keys::VerifyingKey>, SettingsError> {
        self.issuer_previous_keys
            .iter()
            .map(|k| k.trim())
            .filter(|k| !k.is_empty())
            .map(|k| keys::parse_multikey(k).map_err(SettingsError::InvalidPreviousKey))
            .collect()
    }

    /// The frontend's address, if one takes the links of emails.
    pub fn frontend_url(&self) -> Result<Option<PublicUrl>, SettingsError> {
        match self.frontend_url.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(raw) => PublicUrl::parse(raw)
                .map(Some)
                .map_err(SettingsError::InvalidFrontendUrl),
        }
    }

    /// The sender of every message.
    pub fn mail_from(
        &self,
        public_url: &PublicUrl,
    ) -> Result<lettre::message::Mailbox, SettingsError> {
        let raw = match self.mail_from.as_deref().map(str::trim) {
            Some(f) if !f.is_empty() => f.to_owned(),
            _ => format!("HELP <no-reply@{}>", public_url.host()),
        };
        raw.parse().map_err(|e: lettre::address::AddressError| {
            SettingsError::InvalidMailFrom(e.to_string())
        })
    }

    /// How mail leaves: SMTP when configured, else (development) `.eml` files.
    pub fn mail_transport(
        &self,
    ) -> Result<help_lms_api::mail::transport::Transport, SettingsError> {
        use help_lms_api::mail::transport::Transport;
        match &self.smtp_url {
            Some(url) => Transport::smtp(url.expose_secret(), std::time::Duration::from_secs(30))
                .map_err(SettingsError::InvalidSmtp),
            None if self.is_production() => Err(SettingsError::MissingSmtp),
            None => Ok(Transport::Folder(self.data_dir.join("mail"))),
        }
    }

    /// The configured public address, checked: required and https in production; `None` in
    /// development when unset (then [`Settings::public_url_at`] takes the listen address).
    pub fn public_url(&self) -> Result<Option<PublicUrl>, SettingsError> {
        let url = match self.public_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(PublicUrl::parse(raw).map_err(SettingsError::InvalidPublicUrl)?),
        };
        if self.is_production() {
            match &url {
                None => return Err(SettingsError::MissingPublicUrl),
                Some(u) if !u.is_https() => {
                    return Err(SettingsError::InsecurePublicUrl(u.to_string()));
                }
                Some(_) => {}
            }
        }
        Ok(url)
    }

    /// The public address for a server listening on `bound`.
    pub fn public_url_at(&self, bound: SocketAddr) -> Result<PublicUrl, SettingsError> {
        Ok(self
            .public_url()?
            .unwrap_or_else(|| PublicUrl::for_address(bound)))
    }

    /// The CORS allow-list, normalised as browsers send origins.
    pub fn cors_origins(&self) -> Result<Vec<String>, SettingsError> {
        help_lms_api::cors::parse_origins(&self.cors_origins).map_err(SettingsError::InvalidOrigin)
    }

    /// The database URL, defaulting to a SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(u) => u.expose_secret().to_owned(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("help-lms.db").display()
            ),
        }
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url().starts_with("sqlite:")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        s: Settings,
    }

    fn parse(args: &[&str]) -> Settings {
        T::parse_from(std::iter::once("help-lms").chain(args.iter().copied())).s
    }

    #[test]
    fn development_needs_no_secret() {
        let s = parse(&[]);
        assert_eq!(s.environment, Environment::Development);
        assert!(s.validate().is_ok());
        assert!(s.database_url().starts_with("sqlite://"));
    }

    #[test]
    fn production_refuses_missing_and_weak_secrets() {
        assert_eq!(
            parse(&["--env", "production"]).validate(),
            Err(SettingsError::MissingSecret)
        );
        assert_eq!(
            parse(&["--env", "production", "--jwt-secret", "short"]).validate(),
            Err(SettingsError::WeakSecret)
        );
        assert_eq!(
            parse(&[
                "--env",
                "production",
                "--jwt-secret",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
            ])
            .validate(),
            Err(SettingsError::WeakSecret)
        );
        assert_eq!(
            parse(&[
                "--env",
                "production",
                "--jwt-secret",
                "changeme-changeme-changeme-1234567890"
            ])
            .validate(),
            Err(SettingsError::WeakSecret)
        );
        assert!(
            parse(&[
                "--env",
                "production",
                "--jwt-secret",
                "k3J9x!pQ2v#Lm8Zr4TfW6yHb1NcD5sGa",
                "--public-url",
                "https://help.example.org",
                "--smtp-url",
                "smtp://mail.example.org:587?tls=required",
                "--mail-from",
                "HELP <no-reply@help.example.org>",
                "--issuer-key",
                ISSUER_KEY,
            ])
            .validate()
            .is_ok()
        );
    }

    // Building the SMTP transport starts its connection pool: it needs a runtime.
    #[tokio::test]
    async fn production_refuses_to_start_without_a_mail_server_and_a_sender() {
        let base = [
            "--env",
            "production",
            "--jwt-secret",
            STRONG,
            "--public-url",
            "https://help.example.org",
        ];
        let with = |extra: &[&str]| {
            let mut args = base.to_vec();
            args.extend_from_slice(extra);
            parse(&args)
        };
        assert_eq!(with(&[]).validate(), Err(SettingsError::MissingSmtp));
        assert_eq!(
            with(&["--smtp-url", "smtps://u:p@mail.example.org"]).validate(),
            Err(SettingsError::MissingMailFrom)
        );
        assert!(matches!(
            with(&[
                "--smtp-url",
                "smtps://mail.example.org",
                "--mail-from",
                "not an address"
            ])
            .validate(),
            Err(SettingsError::InvalidMailFrom(_))
        ));
        let ok = with(&[
            "--smtp-url",
            "smtps://mail.example.org",
            "--mail-from",
            "no-reply@help.example.org",
            "--issuer-key",
            ISSUER_KEY,
        ]);
        assert!(ok.validate().is_ok());
        assert!(ok.mail_transport().is_ok());
        // Development writes files instead, and has a sender of its own.
        let dev = parse(&["--data-dir", "/tmp/help-dev"]);
        assert!(matches!(
            dev.mail_transport(),
            Ok(help_lms_api::mail::transport::Transport::Folder(p)) if p.ends_with("mail")
        ));
        let from = dev.mail_from(&PublicUrl::default()).unwrap();
        assert_eq!(from.email.to_string(), "no-reply@127.0.0.1");
    }

    const STRONG: &str = "k3J9x!pQ2v#Lm8Zr4TfW6yHb1NcD5sGa";
    #[test]
    fn trusted_proxies_are_networks_and_the_old_switch_is_refused() {
        let s = parse(&["--trusted-proxies", "10.0.0.0/8,127.0.0.1"]);
        assert!(s.validate().is_ok());
        let p = s.trusted_proxies().unwrap();
        assert_eq!(
            p.client(
                Some("10.1.2.3".parse().unwrap()),
                &["6.6.6.6, 198.51.100.4"]
            ),
            Some("198.51.100.4".parse().unwrap())
        );
        assert!(matches!(
            parse(&["--trusted-proxies", "proxy.local"]).validate(),
            Err(SettingsError::InvalidProxy(_))
        ));
        assert_eq!(
            parse(&["--trust-forwarded-for", "true"]).validate(),
            Err(SettingsError::ForwardedForReplaced)
        );
        assert!(parse(&[]).trusted_proxies().unwrap() == Default::default());
    }

    /// 32 bytes in base64url.
    const ISSUER_KEY: &str = "dGhpcnR5LXR3by1ieXRlcy1vZi1pc3N1ZXIta2V5ISE";

    #[test]
    fn production_needs_a_valid_issuer_key_and_earlier_keys_must_be_keys() {
        let base = [
            "--env",
            "production",
            "--jwt-secret",
            STRONG,
            "--public-url",
            "https://help.example.org",
            "--smtp-url",
            "smtp://localhost:25",
            "--mail-from",
            "no-reply@help.example.org",
        ];
        let with = |extra: &[&str]| {
            let mut args = base.to_vec();
            args.extend_from_slice(extra);
            parse(&args)
        };
        assert_eq!(with(&[]).validate(), Err(SettingsError::MissingIssuerKey));
        assert!(matches!(
            with(&["--issuer-key", "c2hvcnQ"]).validate(),
            Err(SettingsError::InvalidIssuerKey(_))
        ));
        let good = with(&["--issuer-key", ISSUER_KEY]);
        assert!(good.validate().is_ok());
        assert_eq!(good.issuer_secret().unwrap().map(|s| s.len()), Some(32));
        let earlier = help_lms_api::certificates::badge::IssuerKeys::new([5; 32], Vec::new());
        let name = keys::multikey(earlier.current());
        let rotated = with(&["--issuer-key", ISSUER_KEY, "--issuer-previous-keys", &name]);
        assert!(rotated.validate().is_ok());
        assert_eq!(rotated.issuer_previous_keys().unwrap().len(), 1);
        assert!(matches!(
            with(&[
                "--issuer-key",
                ISSUER_KEY,
                "--issuer-previous-keys",
                "z6MkBroken"
            ])
            .validate(),
            Err(SettingsError::InvalidPreviousKey(_))
        ));
        // Development makes its own.
        assert!(parse(&[]).validate().is_ok());
        assert!(!format!("{good:?}").contains(ISSUER_KEY));
    }

    #[test]
    fn production_needs_an_https_public_url() {
        let prod = |extra: &[&str]| {
            let mut args = vec!["--env", "production", "--jwt-secret", STRONG];
            args.extend_from_slice(extra);
            parse(&args)
        };
        assert_eq!(prod(&[]).validate(), Err(SettingsError::MissingPublicUrl));
        assert_eq!(
            prod(&["--public-url", " "]).validate(),
            Err(SettingsError::MissingPublicUrl)
        );
        assert_eq!(
            prod(&["--public-url", "http://help.example.org"]).validate(),
            Err(SettingsError::InsecurePublicUrl(
                "http://help.example.org".into()
            ))
        );
        for bad in [
            "help.example.org",
            "https://help.example.org/?lang=en",
            "https://help.example.org/#x",
        ] {
            assert!(
                matches!(
                    prod(&["--public-url", bad]).validate(),
                    Err(SettingsError::InvalidPublicUrl(_))
                ),
                "{bad}"
            );
        }
        let s = prod(&[
            "--public-url",
            "https://Help.Example.org/",
            "--smtp-url",
            "smtp://localhost:25",
            "--mail-from",
            "no-reply@help.example.org",
            "--issuer-key",
            ISSUER_KEY,
        ]);
        assert!(s.validate().is_ok());
        let bound: SocketAddr = "127.0.0.1:4000".parse().unwrap();
        assert_eq!(
            s.public_url_at(bound).unwrap().as_str(),
            "https://help.example.org"
        );
        let msg = SettingsError::MissingPublicUrl.to_string();
        assert!(msg.contains("HELP_PUBLIC_URL") && msg.contains("production"));
    }

    #[test]
    fn development_defaults_the_public_url_to_the_listen_address() {
        let bound: SocketAddr = "127.0.0.1:4000".parse().unwrap();
        let s = parse(&[]);
        assert!(s.validate().is_ok());
        assert_eq!(
            s.public_url_at(bound).unwrap().as_str(),
            "http://127.0.0.1:4000"
        );
        let s = parse(&["--public-url", "http://help.localhost:8080/"]);
        assert_eq!(
            s.public_url_at(bound).unwrap().as_str(),
            "http://help.localhost:8080"
        );
        assert!(matches!(
            parse(&["--public-url", "ftp://x.example"]).validate(),
            Err(SettingsError::InvalidPublicUrl(_))
        ));
    }

    #[test]
    fn small_statistics_cells_are_suppressed_below_five_by_default() {
        assert_eq!(parse(&[]).stats_min_cell, 5);
        assert_eq!(parse(&[]).content_recheck_ms, 1000);
        assert_eq!(parse(&["--content-recheck-ms", "0"]).content_recheck_ms, 0);
        assert_eq!(parse(&["--stats-min-cell", "10"]).stats_min_cell, 10);
    }

    #[test]
    fn cors_origins_are_an_exact_comma_separated_list_and_none_by_default() {
        assert!(parse(&[]).cors_origins().unwrap().is_empty());
        let s = parse(&[
            "--cors-origins",
            "https://help.example.org,http://localhost:5173/",
        ]);
        assert_eq!(
            s.cors_origins().unwrap(),
            vec!["https://help.example.org", "http://localhost:5173"]
        );
        assert!(matches!(
            parse(&["--cors-origins", "*"]).validate(),
            Err(SettingsError::InvalidOrigin(_))
        ));
    }

    #[test]
    fn secrets_are_not_printed() {
        let s = parse(&[
            "--jwt-secret",
            "k3J9x!pQ2v#Lm8Zr4TfW6yHb1NcD5sGa",
            "--database-url",
            "postgres://u:topsecret@h/db",
        ]);
        let dbg = format!("{s:?}");
        assert!(
            !dbg.contains("k3J9x") && !dbg.contains("topsecret"),
            "{dbg}"
        );
    }
}
