//! Scenario 7: a mixed journey of simulated learners with think time. Each learner opens
//! their dashboard, then goes round their course as the frontend would: the course page
//! (progress and resume point), the next lesson, reading, marking it completed; at a quiz
//! they start an attempt, answer, autosave, answer the rest and submit; with nothing left
//! they browse the catalogue. Between pages they think for a random time.
//!
//! The learners are every learner of the demo platform, in the platform's own mix: those
//! with an active enrolment work through it; those whose enrolment is completed or
//! withdrawn open its page and then browse, as people who come back to look do.
//!
//! The number of learners grows level by level (new learners ramped in, then a measured
//! window) until the p95 of the window passes the limit or a request fails.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::Summary;
use crate::fixtures::Learner;
use crate::report::{Journey, JourneyStep, KindStat};

use super::{Ctx, percentile_ms};

#[derive(Clone, Debug)]
pub struct Config {
    pub levels: Vec<usize>,
    pub think: (f64, f64),
    pub ramp: Duration,
    pub window: Duration,
    pub p95_limit_ms: f64,
    pub goal: usize,
}

impl Config {
    pub fn full() -> Config {
        Config {
            levels: vec![
                10_000, 20_000, 30_000, 40_000, 50_000, 60_000, 70_000, 80_000, 90_000, 100_000,
            ],
            think: (30.0, 90.0),
            ramp: Duration::from_secs(30),
            window: Duration::from_secs(60),
            p95_limit_ms: 200.0,
            // The whole HELP platform online at once, on SQLite (PostgreSQL: see `for_postgres`).
            goal: 100_000,
        }
    }

    /// The goal on PostgreSQL, whose server shares the two cores with help-lms.
    pub fn for_postgres(mut self) -> Config {
        self.goal = self.goal.min(70_000);
        self
    }

    pub fn smoke() -> Config {
        Config {
            levels: vec![20, 40],
            think: (0.2, 0.5),
            ramp: Duration::from_millis(500),
            window: Duration::from_secs(2),
            p95_limit_ms: 200.0,
            goal: 40,
        }
    }
}

/// A small deterministic generator (SplitMix64), one per learner.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

struct Sample {
    done: Instant,
    latency: Duration,
    ok: bool,
    kind: &'static str,
}

#[derive(Default)]
struct Recorder {
    samples: Mutex<Vec<Sample>>,
}

impl Recorder {
    fn push(&self, s: Sample) {
        if let Ok(mut v) = self.samples.lock() {
            v.push(s);
        }
    }

    fn since(&self, from: Instant) -> Vec<(Duration, bool, &'static str)> {
        self.samples
            .lock()
            .map(|v| {
                v.iter()
                    .filter(|s| s.done >= from)
                    .map(|s| (s.latency, s.ok, s.kind))
                    .collect()
            })
            .unwrap_or_default()
    }
}

struct Shared {
    client: reqwest::Client,
    base: String,
    recorder: Recorder,
    think: (f64, f64),
}

/// What a request came back with: the body when the status was 2xx, `None` for an
/// expected refusal.
enum Outcome {
    Body(Value),
    Refused,
    Failed,
}

impl Shared {
    /// Sends one request and records it; `refusals` are statuses the journey expects
    /// sometimes (no attempts left, an enrolment completed meanwhile).
    async fn call(
        &self,
        kind: &'static str,
        req: reqwest::RequestBuilder,
        refusals: &[u16],
    ) -> Outcome {
        let t = Instant::now();
        let outcome = match req.send().await {
            Ok(r) if r.status().is_success() => match r.json::<Value>().await {
                Ok(v) => Outcome::Body(v),
                Err(_) => Outcome::Failed,
            },
            Ok(r) if refusals.contains(&r.status().as_u16()) => {
                let _ = r.bytes().await;
                Outcome::Refused
            }
            Ok(r) => {
                eprintln!("journey: {kind} answered {}", r.status());
                Outcome::Failed
            }
            Err(e) => {
                eprintln!("journey: {kind} failed: {e}");
                Outcome::Failed
            }
        };
        self.recorder.push(Sample {
            done: Instant::now(),
            latency: t.elapsed(),
            ok: !matches!(outcome, Outcome::Failed),
            kind,
        });
        outcome
    }

    async fn think(&self, rng: &mut Rng) {
        let (lo, hi) = self.think;
        tokio::time::sleep(Duration::from_secs_f64(lo + (hi - lo) * rng.unit())).await;
    }
}

/// Answers for the questions of an attempt as delivered: a random valid answer to each.
fn answers(attempt: &Value, rng: &mut Rng) -> serde_json::Map<String, Value> {
    let ids = |list: &Value| -> Vec<Value> {
        list.as_array()
            .map(|a| a.iter().map(|o| o["id"].clone()).collect())
            .unwrap_or_default()
    };
    let mut out = serde_json::Map::new();
    for q in attempt["questions"].as_array().into_iter().flatten() {
        let Some(key) = q["key"].as_str() else {
            continue;
        };
        let v = match q["kind"].as_str().unwrap_or_default() {
            "single_choice" => {
                let o = ids(&q["options"]);
                o.get(rng.below(o.len())).cloned().unwrap_or(Value::Null)
            }
            "multiple_choice" => {
                let mut o = ids(&q["options"]);
                rng.shuffle(&mut o);
                let k = 1 + rng.below(o.len().max(1));
                Value::Array(o.into_iter().take(k).collect())
            }
            "true_false" => Value::Bool(rng.below(2) == 0),
            "matching" => {
                let left = ids(&q["left"]);
                let mut right = ids(&q["right"]);
                rng.shuffle(&mut right);
                let mut m = serde_json::Map::new();
                for (l, r) in left.iter().zip(right) {
                    if let Some(l) = l.as_str() {
                        m.insert(l.to_owned(), r);
                    }
                }
                Value::Object(m)
            }
            "ordering" => {
                let mut items = ids(&q["items"]);
                rng.shuffle(&mut items);
                Value::Array(items)
            }
            "short_text" => json!(["Article 5", "detention", "Salduz"][rng.below(3)]),
            "numeric" => json!(rng.below(100)),
            _ => Value::Null,
        };
        out.insert(key.to_owned(), v);
    }
    out
}

/// One simulated learner, until the task is aborted.
async fn learner(s: Arc<Shared>, l: Learner, seed: u64, first: Duration) {
    let mut rng = Rng(seed);
    let base = &s.base;
    let c = &s.client;
    let token = l.token.as_str();
    tokio::time::sleep(first).await;
    s.call(
        "dashboard",
        c.get(format!("{base}/api/v1/me/enrolments"))
            .bearer_auth(token),
        &[],
    )
    .await;
    s.think(&mut rng).await;
    let mut time_spent = 60;
    loop {
        let page = s
            .call(
                "course page",
                c.get(format!("{base}/api/v1/enrolments/{}", l.enrolment))
                    .bearer_auth(token),
                &[],
            )
            .await;
        let next = match &page {
            Outcome::Body(v) if v["enrolment"]["status"] == "active" => {
                let next = v["next"].clone();
                // A quiz without attempts left is shown as such: the learner browses instead.
                let exhausted = v["modules"].as_array().into_iter().flatten().any(|m| {
                    m["quiz"]["id"] == next["id"] && m["quiz"]["attempts_left"] == json!(0)
                });
                if exhausted { Value::Null } else { next }
            }
            _ => Value::Null,
        };
        s.think(&mut rng).await;
        match (next["kind"].as_str(), next["id"].as_str()) {
            (Some("lesson"), Some(lesson)) => {
                s.call(
                    "lesson",
                    c.get(format!(
                        "{base}/api/v1/courses/{}/lessons/{lesson}",
                        l.course
                    ))
                    .bearer_auth(token),
                    &[],
                )
                .await;
                s.think(&mut rng).await;
                time_spent += 60 + rng.below(600);
                s.call(
                    "progress",
                    c.put(format!(
                        "{base}/api/v1/enrolments/{}/lessons/{lesson}/progress",
                        l.enrolment
                    ))
                    .bearer_auth(token)
                    .json(&json!({"status": "completed", "time_spent_seconds": time_spent})),
                    &[409],
                )
                .await;
            }
            (Some("quiz"), Some(quiz)) => {
                let started = s
                    .call(
                        "quiz start",
                        c.post(format!(
                            "{base}/api/v1/enrolments/{}/quizzes/{quiz}/attempts",
                            l.enrolment
                        ))
                        .bearer_auth(token),
                        &[409],
                    )
                    .await;
                let Outcome::Body(attempt) = started else {
                    browse(&s, &mut rng, token, &l.course).await;
                    continue;
                };
                let Some(id) = attempt["id"].as_str() else {
                    continue;
                };
                let all = answers(&attempt, &mut rng);
                let half: serde_json::Map<String, Value> = all
                    .iter()
                    .take(all.len() / 2)
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                s.think(&mut rng).await;
                s.call(
                    "quiz autosave",
                    c.put(format!("{base}/api/v1/attempts/{id}/responses"))
                        .bearer_auth(token)
                        .json(&json!({"responses": half})),
                    &[409],
                )
                .await;
                s.think(&mut rng).await;
                s.call(
                    "quiz submit",
                    c.post(format!("{base}/api/v1/attempts/{id}/submit"))
                        .bearer_auth(token)
                        .json(&json!({"responses": all})),
                    &[409],
                )
                .await;
            }
            _ => browse(&s, &mut rng, token, &l.course).await,
        }
    }
}

/// Nothing left to do in the course (or no attempts left): look around the catalogue.
async fn browse(s: &Shared, rng: &mut Rng, token: &str, course: &str) {
    let base = &s.base;
    s.call(
        "catalogue",
        s.client
            .get(format!("{base}/api/v1/courses"))
            .bearer_auth(token),
        &[],
    )
    .await;
    s.think(rng).await;
    s.call(
        "catalogue",
        s.client
            .get(format!("{base}/api/v1/courses/{course}"))
            .bearer_auth(token),
        &[],
    )
    .await;
    s.think(rng).await;
}

/// CPU time of a process (user + system), in clock ticks.
fn process_ticks(pid: u32) -> u64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0;
    };
    // The fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let f: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line; 12 and 13 after the name.
    let field = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    field(11) + field(12)
}

/// CPU ticks of every PostgreSQL process on this machine.
fn postgres_ticks() -> u64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|c| c.trim() == "postgres")
        })
        .map(process_ticks)
        .sum()
}

/// (busy, total) ticks of the whole machine.
fn machine_ticks() -> (u64, u64) {
    let Ok(stat) = std::fs::read_to_string("/proc/stat") else {
        return (0, 0);
    };
    let Some(line) = stat.lines().next() else {
        return (0, 0);
    };
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    let total: u64 = v.iter().sum();
    let idle = v.get(3).copied().unwrap_or(0) + v.get(4).copied().unwrap_or(0);
    (total - idle, total)
}

fn rss_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        })
        .map(|kib| kib / 1024.0)
        .unwrap_or(0.0)
}

fn clock_ticks_per_second() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok()?.trim().parse().ok())
        .unwrap_or(100.0)
}

pub async fn run(ctx: &Ctx, config: &Config) -> Journey {
    help_lms_api::xapi::forward::install_tls_provider();
    let client = reqwest::Client::builder()
        // Below the server's keep-alive, so a pooled connection is never one it just closed.
        .pool_idle_timeout(Duration::from_secs(3))
        .pool_max_idle_per_host(512)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap_or_else(|_| ctx.client.clone());
    let shared = Arc::new(Shared {
        client,
        base: ctx.base().to_owned(),
        recorder: Recorder::default(),
        think: config.think,
    });
    let pid = ctx.server.pid();
    let postgres = matches!(ctx.server.backend, crate::Backend::Postgres(_));
    let hz = clock_ticks_per_second();
    let mut tasks = tokio::task::JoinSet::new();
    let mut running = 0;
    let mut steps = Vec::new();
    let mut held = 0;
    let mut stopped = String::from("every level held");
    let available = ctx.everyone.len();
    for &level in &config.levels {
        if level > available {
            stopped =
                format!("the demo platform has {available} learners; the next level was {level}");
            break;
        }
        let mut seed_rng = Rng(level as u64);
        for i in running..level {
            let first = config.ramp.mul_f64(seed_rng.unit());
            tasks.spawn(learner(
                shared.clone(),
                ctx.everyone[i].clone(),
                0x5EED ^ i as u64,
                first,
            ));
        }
        running = level;
        tokio::time::sleep(config.ramp).await;
        let from = Instant::now();
        let (s0, d0, m0) = (process_ticks(pid), postgres_ticks(), machine_ticks());
        tokio::time::sleep(config.window).await;
        let (s1, d1, m1) = (process_ticks(pid), postgres_ticks(), machine_ticks());
        let wall = from.elapsed().as_secs_f64();
        let samples = shared.recorder.since(from);
        let mut by_kind: BTreeMap<&str, (Vec<Duration>, usize)> = BTreeMap::new();
        for (latency, ok, kind) in &samples {
            let e = by_kind.entry(kind).or_default();
            if *ok {
                e.0.push(*latency);
            } else {
                e.1 += 1;
            }
        }
        let mix: Vec<KindStat> = by_kind
            .into_iter()
            .map(|(kind, (mut l, errors))| {
                l.sort();
                KindStat {
                    kind: kind.to_owned(),
                    requests: l.len() + errors,
                    errors,
                    p50_ms: percentile_ms(&l, 0.5),
                    p95_ms: percentile_ms(&l, 0.95),
                }
            })
            .collect();
        let errors = samples.iter().filter(|s| !s.1).count();
        let ok: Vec<Duration> = samples.iter().filter(|s| s.1).map(|s| s.0).collect();
        let metrics = Summary::of(ok, errors, from.elapsed());
        let step_held =
            errors == 0 && metrics.p95_ms <= config.p95_limit_ms && metrics.requests > 0;
        let cpu = |a: u64, b: u64| (b.saturating_sub(a)) as f64 / hz / wall * 100.0;
        let step = JourneyStep {
            learners: level,
            active_learners: Some(ctx.everyone[..level].iter().filter(|l| l.active).count()),
            mix,
            server_cpu_percent: cpu(s0, s1),
            database_cpu_percent: postgres.then(|| cpu(d0, d1)),
            machine_cpu_percent: (m1.0.saturating_sub(m0.0)) as f64
                / (m1.1.saturating_sub(m0.1)).max(1) as f64
                * 100.0
                * std::thread::available_parallelism().map_or(1.0, |n| n.get() as f64),
            server_rss_mib: rss_mib(pid),
            held: step_held,
            metrics,
        };
        eprintln!(
            "journey: {level} learners: {:.0} req/s, p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, {} errors, server CPU {:.0}%, RSS {:.0} MiB",
            step.metrics.throughput,
            step.metrics.p50_ms,
            step.metrics.p95_ms,
            step.metrics.p99_ms,
            step.metrics.errors,
            step.server_cpu_percent,
            step.server_rss_mib
        );
        let m = step.metrics.clone();
        steps.push(step);
        if !step_held {
            stopped = if m.errors > 0 {
                format!("{} requests failed at {level} learners", m.errors)
            } else {
                format!("p95 reached {:.0} ms at {level} learners", m.p95_ms)
            };
            break;
        }
        held = level;
    }
    tasks.abort_all();
    while tasks.join_next().await.is_some() {}
    Journey {
        think_seconds: config.think,
        ramp_seconds: config.ramp.as_secs_f64(),
        window_seconds: config.window.as_secs_f64(),
        steps,
        held,
        p95_limit_ms: config.p95_limit_ms,
        goal: config.goal,
        stopped,
    }
}

/// The journey's entry when it was not run.
pub fn skipped(config: &Config) -> Journey {
    Journey {
        think_seconds: config.think,
        ramp_seconds: config.ramp.as_secs_f64(),
        window_seconds: config.window.as_secs_f64(),
        steps: Vec::new(),
        held: 0,
        p95_limit_ms: config.p95_limit_ms,
        goal: config.goal,
        stopped: "not run".into(),
    }
}
