//! Test support: start the real application on a random port with a fresh database, and
//! talk HTTP to it. SQLite by default (a temporary file per test); PostgreSQL when
//! `HELP_TEST_DATABASE_URL` points at a server, where each test gets its own database.

// Test support may panic: a failed setup is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

pub mod smtp_sink;

use help_lms::{Application, Settings};
use help_lms_domain::values::{Country, Email, Language, PersonName, Profession, Role, UserStatus};
use help_lms_persistence::Db;
use help_lms_persistence::accounts::{self, NewUser};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use smtp_sink::{Mailbox, Received, SmtpSink};
use uuid::Uuid;

pub const PASSWORD: &str = "a sound passphrase for tests";
pub const JWT_SECRET: &str = "test-signing-key-0123456789-abcdefghijklmnop";
/// The issuer key the test apps sign credentials with (32 bytes in base64url).
pub const ISSUER_KEY: &str = "dGhpcnR5LXR3by1ieXRlcy1vZi1pc3N1ZXIta2V5ISE";
/// The public address the test servers are configured with (they run as in production).
pub const PUBLIC_URL: &str = "https://help.example.org";

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: Db,
    pub hasher: help_lms_persistence::passwords::PasswordHasher,
    /// What the application's SMTP server received.
    pub mailbox: Mailbox,
    /// The SMTP server the application sends to (None once a test stopped it).
    pub sink: Option<SmtpSink>,
    settings: Settings,
    stopper: help_lms::startup::Stopper,
    _dir: std::sync::Arc<tempfile::TempDir>,
}

/// A response: status, headers and the body as JSON (Null when not JSON).
#[derive(Debug)]
pub struct Res {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Res {
    /// The body without its `request_id`, which every problem has and no two requests share:
    /// for comparing what two answers say.
    pub fn body_but_request_id(&self) -> Value {
        let mut body = self.body.clone();
        if let Some(o) = body.as_object_mut() {
            o.remove("request_id");
        }
        body
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a problem+json answer with this status and code.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, code: &str) -> &Self {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.text
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "body: {}",
            self.text
        );
        assert_eq!(self.body["code"], code, "body: {}", self.text);
        assert_eq!(self.body["status"], status);
        assert_eq!(self.body["type"], format!("/problems/{code}"));
        self
    }

    /// The names of the fields a validation problem lists.
    pub fn problem_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

pub struct Options {
    pub seed_catalogue: bool,
    pub registration: bool,
    /// `HELP_PUBLIC_URL`; [`PUBLIC_URL`] unless set.
    pub public_url: String,
    /// The listen address; a free port unless set (a fixed one survives restarts).
    pub bind: String,
    pub extra: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seed_catalogue: false,
            registration: true,
            public_url: PUBLIC_URL.to_owned(),
            bind: "127.0.0.1:0".to_owned(),
            extra: Vec::new(),
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_with(Options::default()).await
}

pub async fn spawn_with_catalogue() -> TestApp {
    spawn_with(Options {
        seed_catalogue: true,
        ..Default::default()
    })
    .await
}

pub async fn spawn_with(opts: Options) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = help_lms_persistence::test_support::fresh_database_url(dir.path()).await;
    let mailbox = Mailbox::new();
    let sink = SmtpSink::start(mailbox.clone()).await;
    let mut args = vec![
        "--env".to_owned(),
        "production".to_owned(),
        "--jwt-secret".to_owned(),
        JWT_SECRET.to_owned(),
        "--issuer-key".to_owned(),
        ISSUER_KEY.to_owned(),
        "--public-url".to_owned(),
        opts.public_url,
        "--database-url".to_owned(),
        url,
        "--data-dir".to_owned(),
        dir.path().display().to_string(),
        "--bind".to_owned(),
        opts.bind,
        "--workers".to_owned(),
        "2".to_owned(),
        "--db-max-connections".to_owned(),
        "4".to_owned(),
        "--seed-catalogue".to_owned(),
        opts.seed_catalogue.to_string(),
        "--registration".to_owned(),
        opts.registration.to_string(),
        "--smtp-url".to_owned(),
        sink.url(),
        "--mail-from".to_owned(),
        "HELP <no-reply@help.example.org>".to_owned(),
        // Retries soon, so that a test sees a message arrive once its server is back.
        "--mail-retry-seconds".to_owned(),
        "1".to_owned(),
        "--mail-retry-max-seconds".to_owned(),
        "1".to_owned(),
        "--mail-poll-seconds".to_owned(),
        "1".to_owned(),
        "--log".to_owned(),
        "warn".to_owned(),
    ];
    args.extend(opts.extra);
    if std::env::var("HELP_TEST_LOG").is_ok() {
        help_lms::telemetry::init("warn", help_lms::settings::LogFormat::Text);
    }
    let settings = Settings::from_args(args).expect("settings");
    start(settings, mailbox, Some(sink), std::sync::Arc::new(dir)).await
}

async fn start(
    settings: Settings,
    mailbox: Mailbox,
    sink: Option<SmtpSink>,
    dir: std::sync::Arc<tempfile::TempDir>,
) -> TestApp {
    let app = Application::build(&settings)
        .await
        .expect("start the application");
    let address = format!("http://127.0.0.1:{}", app.port());
    let db = app.state.db.clone();
    let hasher = app.state.hasher.clone();
    let stopper = app.stopper();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        db,
        hasher,
        mailbox,
        sink,
        settings,
        stopper,
        _dir: dir,
    }
}

impl TestApp {
    /// Stops the application (HTTP server and mail worker) and starts it again on the same
    /// database and the same mail server, as a restart does; the address changes.
    pub async fn restart(self) -> TestApp {
        self.stopper.stop().await;
        // Give the worker's last send a moment to end before the new one starts.
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        start(self.settings, self.mailbox, self.sink, self._dir).await
    }

    /// Stops the application, closes the test's own connections, runs `between` on its
    /// settings (a restore, say), and starts it again on the same database.
    pub async fn restart_after<F: std::future::Future<Output = ()>>(
        self,
        between: impl FnOnce(Settings) -> F,
    ) -> TestApp {
        self.stopper.stop().await;
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let _ = self.db.conn.close().await;
        between(self.settings.clone()).await;
        start(self.settings, self.mailbox, self.sink, self._dir).await
    }

    /// Another instance on the same database and mail server, as a load balancer's second
    /// backend is, that compares the published catalogue with the database at most every
    /// `content_recheck_ms`.
    pub async fn another_instance(&self, content_recheck_ms: u64) -> TestApp {
        let mut settings = self.settings.clone();
        settings.bind = "127.0.0.1:0".to_owned();
        settings.content_recheck_ms = content_recheck_ms;
        start(settings, self.mailbox.clone(), None, self._dir.clone()).await
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The one message to `address` (waits up to 10 s for it).
    pub async fn mail_to(&self, address: &str) -> Received {
        self.mailbox
            .wait_for(address, 1, std::time::Duration::from_secs(10))
            .await
            .pop()
            .expect("a message")
    }

    /// The token in the first link of the newest message to `address` with `n` messages.
    pub async fn token_in_mail(&self, address: &str, n: usize) -> String {
        let mails = self
            .mailbox
            .wait_for(address, n, std::time::Duration::from_secs(10))
            .await;
        let mail = mails.last().expect("a message");
        token_of(mail)
    }

    /// Registers with `body` (answered 202), confirms the address with the link mailed to
    /// it, and returns the answer of the confirmation: the token answer.
    pub async fn register_and_confirm(&self, body: &Value) -> Res {
        let email = body["email"].as_str().expect("email");
        let res = self.post("/api/v1/auth/register", body, None).await;
        assert_eq!(res.status, StatusCode::ACCEPTED, "{}", res.text);
        let address = email.trim().to_lowercase();
        let before = self.mailbox.to(&address).len();
        let token = self.token_in_mail(&address, before.max(1)).await;
        let res = self
            .post(
                "/api/v1/auth/confirm-email",
                &json!({ "token": token }),
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        res
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> Res {
        let res = req.send().await.expect("request");
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Res {
            status,
            headers,
            body,
            text,
        }
    }

    pub fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let mut r = self.client.request(method, self.url(path));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Res {
        self.send(self.request(Method::GET, path, token)).await
    }

    pub async fn post(&self, path: &str, body: &Value, token: Option<&str>) -> Res {
        self.send(self.request(Method::POST, path, token).json(body))
            .await
    }

    pub async fn put(&self, path: &str, body: &Value, token: Option<&str>) -> Res {
        self.send(self.request(Method::PUT, path, token).json(body))
            .await
    }

    pub async fn patch(&self, path: &str, body: &Value, token: Option<&str>) -> Res {
        self.send(self.request(Method::PATCH, path, token).json(body))
            .await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Res {
        self.send(self.request(Method::DELETE, path, token)).await
    }

    /// Creates an active user directly in the database, with the test password.
    pub async fn create_user(&self, email: &str, role: Role, institution_id: Option<Uuid>) -> Uuid {
        let hash = self.hasher.hash(PASSWORD.to_owned()).await.expect("hash");
        accounts::insert(
            &self.db.conn,
            NewUser {
                email: Email::parse(email).expect("email"),
                name: PersonName::parse(&format!("Test {role}")).expect("name"),
                profession: Profession::Judge,
                country: Country::Fr,
                language: Language::En,
                institution_id,
                role,
                status: UserStatus::Active,
                password_hash: Some(hash),
            },
        )
        .await
        .expect("insert user")
        .id
    }

    /// Logs in and returns the access token (panics unless it works).
    pub async fn login(&self, email: &str, password: &str) -> String {
        let res = self
            .post(
                "/api/v1/auth/login",
                &json!({"email": email, "password": password}),
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "login failed: {}", res.text);
        res.body["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned()
    }

    /// A user with `role` and a valid access token.
    pub async fn user_with_token(
        &self,
        email: &str,
        role: Role,
        institution_id: Option<Uuid>,
    ) -> (Uuid, String) {
        let id = self.create_user(email, role, institution_id).await;
        (id, self.login(email, PASSWORD).await)
    }

    pub async fn admin_token(&self) -> String {
        let email = format!("admin-{}@help.example", Uuid::new_v4().simple());
        self.user_with_token(&email, Role::Admin, None).await.1
    }
}

/// The `token` of the first link in a message that has one.
pub fn token_of(mail: &Received) -> String {
    mail.links()
        .iter()
        .find_map(|l| {
            l.split_once("token=")
                .map(|(_, t)| t.split('&').next().unwrap_or(t).to_owned())
        })
        .unwrap_or_else(|| panic!("no link with a token in: {}", mail.text()))
}

/// An institution with a signed-in manager and tutor.
pub struct Nti {
    pub id: Uuid,
    pub manager: String,
    pub tutor_id: Uuid,
    pub tutor: String,
}

/// Creates an institution (as `admin`) with a manager and a tutor, both signed in.
pub async fn institution(app: &TestApp, admin: &str, name: &str, country: &str) -> Nti {
    let res = app
        .post(
            "/api/v1/institutions",
            &json!({"name": name, "country": country, "kind": "judicial_training"}),
            Some(admin),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let id: Uuid = res.body["id"].as_str().expect("id").parse().expect("uuid");
    let tag = Uuid::new_v4().simple().to_string();
    let (_, manager) = app
        .user_with_token(
            &format!("manager-{tag}@nti.example"),
            Role::NtiManager,
            Some(id),
        )
        .await;
    let (tutor_id, tutor) = app
        .user_with_token(&format!("tutor-{tag}@nti.example"), Role::Tutor, Some(id))
        .await;
    Nti {
        id,
        manager,
        tutor_id,
        tutor,
    }
}
