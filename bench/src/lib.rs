//! Shared pieces of the benchmarks: start the release binary on a fresh database, sign in,
//! send load, and summarise latencies. Every benchmark prints its own baseline from the
//! same run, because the machines are shared and absolute times drift.

// A benchmark that cannot set up should stop loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub const ADMIN_EMAIL: &str = "bench-admin@help-lms.local";
pub const ADMIN_PASSWORD: &str = "bench admin password";
/// The password of every account of the demo platform.
pub const DEMO_PASSWORD: &str = "bench demo password";
const SECRET: &str = "bench-signing-key-0123456789-abcdefghijklmnop";

/// The database a benchmark runs on.
#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite,
    /// A server URL ending in a database that may be replaced by a fresh one (`.../postgres`).
    Postgres(String),
}

impl Backend {
    /// `--pg URL` on the command line, else SQLite.
    pub fn from_args() -> Backend {
        match std::env::args().any(|a| a == "--pg") {
            true => Backend::Postgres(arg("--pg").expect("--pg needs a URL")),
            false => Backend::Sqlite,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres(_) => "PostgreSQL",
        }
    }
}

pub struct Server {
    pub base: String,
    pub database_url: String,
    pub backend: Backend,
    /// Seconds `demo-data` took, when the server was started on the demo platform.
    pub demo_seconds: Option<f64>,
    child: Child,
    _dir: tempfile::TempDir,
    _smtp: help_lms_tests::smtp_sink::SmtpSink,
}

impl Server {
    /// The server's process id (for its CPU time and memory).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The key the server signs access tokens with (the benchmark set it).
    pub fn signing_key(&self) -> &'static [u8] {
        SECRET.as_bytes()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // A PostgreSQL benchmark database can take a gigabyte: drop it with the server.
        if let Backend::Postgres(admin_url) = &self.backend
            && let Some((_, name)) = self.database_url.rsplit_once('/')
        {
            let (admin_url, name) = (admin_url.clone(), name.to_owned());
            // Drop runs inside or outside a runtime: use a thread with its own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                rt.block_on(async {
                    use sea_orm::ConnectionTrait;
                    let admin = sea_orm::Database::connect(admin_url.as_str()).await.ok()?;
                    admin
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await
                        .ok()
                })
            })
            .join();
        }
    }
}

/// The `help-lms` binary built with this benchmark: the one next to it (same profile),
/// else the release build.
pub fn binary() -> PathBuf {
    let beside = std::env::current_exe()
        .ok()
        .and_then(|p| Some(p.parent()?.join("help-lms")));
    match beside {
        Some(p) if p.exists() => p,
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/release/help-lms"),
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn fresh_url(backend: &Backend, dir: &std::path::Path) -> String {
    match backend {
        Backend::Sqlite => format!("sqlite://{}?mode=rwc", dir.join("bench.db").display()),
        Backend::Postgres(base) => {
            use sea_orm::ConnectionTrait;
            let name = format!("bench_{}", uuid::Uuid::new_v4().simple());
            let admin = sea_orm::Database::connect(base)
                .await
                .expect("connect to PostgreSQL");
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .expect("create database");
            let (prefix, _) = base.rsplit_once('/').unwrap();
            format!("{prefix}/{name}")
        }
    }
}

/// How to start the server for a benchmark.
#[derive(Clone, Debug, Default)]
pub struct StartOptions {
    /// Build the demo platform (`help-lms demo-data`) with this many learners first.
    pub demo_learners: Option<usize>,
    /// Trust the load tools' `X-Forwarded-For` (as from a proxy at 127.0.0.1), to
    /// simulate many client addresses.
    pub trust_forwarded_for: bool,
}

/// Starts the release binary on a fresh database with the bundled catalogue and an admin.
pub async fn start(backend: &Backend) -> Server {
    start_with(backend, &StartOptions::default()).await
}

/// The environment every command of one benchmark server runs with.
fn server_env(
    c: &mut Command,
    url: &str,
    dir: &std::path::Path,
    port: u16,
    production: bool,
    smtp: &str,
) {
    c.env("DATABASE_URL", url)
        .env("HELP_DATA_DIR", dir)
        .env(
            "HELP_ENV",
            if production {
                "production"
            } else {
                "development"
            },
        )
        .env("HELP_JWT_SECRET", SECRET)
        .env(
            "HELP_ISSUER_KEY",
            "YmVuY2gtaXNzdWVyLWtleS0zMi1ieXRlcy1sb25nISE",
        )
        .env("HELP_PUBLIC_URL", "https://help.bench.example")
        // Production sends mail: to a real SMTP server in this process, so the worker's
        // cost is in what is measured.
        .env("HELP_SMTP_URL", smtp)
        .env("HELP_MAIL_FROM", "HELP <no-reply@help.bench.example>")
        .env("HELP_LOG", "warn")
        .env("HELP_BIND", format!("127.0.0.1:{port}"));
}

/// Starts the server on a fresh database as `options` say; the demo platform's accounts
/// sign in with [`DEMO_PASSWORD`].
pub async fn start_with(backend: &Backend, options: &StartOptions) -> Server {
    let bin = binary();
    assert!(
        bin.exists(),
        "build it first: cargo build --release (looked for {})",
        bin.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_url(backend, dir.path()).await;
    let port = free_port();
    let sink = help_lms_tests::smtp_sink::SmtpSink::start(Default::default()).await;
    let smtp = sink.url();
    let mut demo_seconds = None;
    if let Some(learners) = options.demo_learners {
        let t = Instant::now();
        let mut demo = Command::new(&bin);
        server_env(&mut demo, &url, dir.path(), port, false, &smtp);
        let out = demo
            .args([
                "demo-data",
                "--learners",
                &learners.to_string(),
                "--seed",
                "1",
            ])
            .env("HELP_DEMO_PASSWORD", DEMO_PASSWORD)
            .stderr(Stdio::inherit())
            .output()
            .expect("run demo-data");
        assert!(out.status.success(), "demo-data failed");
        eprintln!("{}", String::from_utf8_lossy(&out.stdout).trim());
        demo_seconds = Some(t.elapsed().as_secs_f64());
    }
    let mut admin = Command::new(&bin);
    server_env(&mut admin, &url, dir.path(), port, true, &smtp);
    let status = admin
        .args([
            "admin",
            "create",
            "--email",
            ADMIN_EMAIL,
            "--name",
            "Bench Admin",
        ])
        .env("HELP_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .stdout(Stdio::null())
        .status()
        .expect("run admin create");
    assert!(status.success());
    let mut serve = Command::new(&bin);
    server_env(&mut serve, &url, dir.path(), port, true, &smtp);
    if options.trust_forwarded_for {
        // The load tools connect from here and name each simulated client in
        // X-Forwarded-For, as a proxy in front would.
        serve.env("HELP_TRUSTED_PROXIES", "127.0.0.1");
    }
    let child = serve
        .stdout(Stdio::null())
        .spawn()
        .expect("start the server");
    let base = format!("http://127.0.0.1:{port}");
    help_lms_api::xapi::forward::install_tls_provider();
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await
            && r.status().is_success()
        {
            break;
        }
        assert!(Instant::now() < deadline, "the server did not become ready");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Server {
        base,
        database_url: url,
        backend: backend.clone(),
        demo_seconds,
        child,
        _dir: dir,
        _smtp: sink,
    }
}

pub fn client() -> reqwest::Client {
    help_lms_api::xapi::forward::install_tls_provider();
    reqwest::Client::builder()
        .pool_max_idle_per_host(1024)
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap()
}

pub async fn login(c: &reqwest::Client, base: &str, email: &str, password: &str) -> String {
    let r: Value = c
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("login failed: {r}"))
        .to_owned()
}

pub mod fixtures;
pub mod report;
pub mod scenarios;
pub mod wrk;

/// The value `p` (0 to 1) of the way through sorted durations, in milliseconds.
pub fn percentile_ms(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// The value after `name` on the command line.
pub fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// The number after `name` on the command line, else `default`.
pub fn arg_num<T: std::str::FromStr>(name: &str, default: T) -> T {
    arg(name)
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name} takes a number, not {v}"))
        })
        .unwrap_or(default)
}

/// What one load measured: requests sent, failures, wall time, successful requests per
/// second and latency percentiles.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    pub requests: usize,
    pub errors: usize,
    pub seconds: f64,
    pub throughput: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
}

impl Summary {
    pub fn of(mut latencies: Vec<Duration>, errors: usize, elapsed: Duration) -> Summary {
        latencies.sort();
        let pct = |p: f64| percentile_ms(&latencies, p);
        let seconds = elapsed.as_secs_f64();
        Summary {
            requests: latencies.len() + errors,
            errors,
            seconds,
            throughput: if seconds > 0.0 {
                latencies.len() as f64 / seconds
            } else {
                0.0
            },
            p50_ms: pct(0.50),
            p95_ms: pct(0.95),
            p99_ms: pct(0.99),
        }
    }

    pub fn throughput(&self) -> f64 {
        self.throughput
    }
}

/// Runs `f(i)` for i = 0, 1, 2, ... on `concurrency` workers until `done(i, started)`.
async fn drive<F, Fut, D>(concurrency: usize, f: F, done: D) -> Summary
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
    D: Fn(usize, Instant) -> bool + Send + Sync + 'static,
{
    let f = std::sync::Arc::new(f);
    let done = std::sync::Arc::new(done);
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (f, done, next) = (f.clone(), done.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0;
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if done(i, start) {
                    break;
                }
                let t = Instant::now();
                if f(i).await {
                    lat.push(t.elapsed());
                } else {
                    errors += 1;
                }
            }
            (lat, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.unwrap();
        all.extend(l);
        errors += e;
    }
    Summary::of(all, errors, start.elapsed())
}

/// Runs `total` calls of `f(i)` with at most `concurrency` in flight; each returns success.
pub async fn load<F, Fut>(total: usize, concurrency: usize, f: F) -> Summary
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    drive(concurrency, f, move |i, _| i >= total).await
}

/// Runs `f` repeatedly for `duration` with `concurrency` workers.
pub async fn load_for<F, Fut>(duration: Duration, concurrency: usize, f: F) -> Summary
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    drive(concurrency, f, move |_, start| start.elapsed() >= duration).await
}

/// An institution, a manager token and a cohort of `capacity` seats in the bilingual course.
pub async fn cohort(
    c: &reqwest::Client,
    base: &str,
    admin: &str,
    capacity: i32,
) -> (String, String) {
    let inst: Value = c
        .post(format!("{base}/api/v1/institutions"))
        .bearer_auth(admin)
        .json(&json!({"name": format!("Bench NTI {}", uuid::Uuid::new_v4().simple()), "country": "FR", "kind": "judicial_training"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let inst_id = inst["id"].as_str().unwrap().to_owned();
    let email = format!("manager-{}@bench.example", uuid::Uuid::new_v4().simple());
    let invite: Value = c
        .post(format!(
            "{base}/api/v1/institutions/{inst_id}/users?delivery=links"
        ))
        .bearer_auth(admin)
        .json(&json!({"email": email, "name": "Bench Manager", "role": "nti_manager"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let act: Value = c
        .post(format!("{base}/api/v1/auth/activate"))
        .json(&json!({"token": invite["activation_token"], "password": "bench manager password"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let manager = act["access_token"].as_str().unwrap().to_owned();
    let cohort: Value = c
        .post(format!("{base}/api/v1/cohorts"))
        .bearer_auth(&manager)
        .json(&json!({"course": "international-cooperation-pre-trial-detention", "language": "fr", "name": "Bench", "starts_on": "2027-01-01", "ends_on": "2027-06-30", "capacity": capacity}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (
        manager,
        cohort["id"]
            .as_str()
            .unwrap_or_else(|| panic!("cohort: {cohort}"))
            .to_owned(),
    )
}
