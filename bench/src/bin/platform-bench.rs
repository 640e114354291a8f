//! The platform suite: every scenario of `BENCHMARKS.md` on one database, against baselines
//! measured in the same run. `bench/run` builds, installs what it needs and runs this on
//! SQLite and on PostgreSQL, then writes the report.
//!
//! platform-bench [--pg URL] [--smoke] [--learners N] [--out FILE.json]
//!     [--levels N,N,...] [--think MIN,MAX] [--ramp SECONDS] [--window SECONDS]
//!     [--phase SECONDS] [--connections N] [--only 1,2,...]
//! platform-bench report FILE.json... [--write BENCHMARKS.md]

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use help_lms_bench::fixtures::{Signer, Which, learners};
use help_lms_bench::report::{self, Baseline, Machine, Run};
use help_lms_bench::scenarios::{
    self, Ctx, DRIVER_BASELINE, WRK_BASELINE, bulk, burst, journey, login, progress, reads,
};
use help_lms_bench::wrk::{Mode, Wrk, request_file};
use help_lms_bench::{
    ADMIN_EMAIL, ADMIN_PASSWORD, Backend, StartOptions, arg, arg_num, client, load_for, start_with,
};
use help_lms_persistence::Db;

fn list(name: &str) -> Option<Vec<f64>> {
    arg(name).map(|v| {
        v.split(',')
            .map(|x| {
                x.trim()
                    .parse()
                    .unwrap_or_else(|_| panic!("{name} takes numbers separated by commas"))
            })
            .collect()
    })
}

fn machine() -> Machine {
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let kib: f64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|v| v.trim_start_matches([' ', '\t', ':']).trim().to_owned())
        .unwrap_or_else(|| "unknown CPU".into());
    Machine {
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        memory_gib: kib / 1024.0 / 1024.0,
        cpu,
    }
}

fn report_command() {
    let args: Vec<String> = std::env::args().skip(2).collect();
    let mut files = Vec::new();
    let mut write = None;
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        if a == "--write" {
            write = it.next();
        } else {
            files.push(a);
        }
    }
    let runs: Vec<Run> = files
        .iter()
        .map(|f| {
            serde_json::from_str(&std::fs::read_to_string(f).expect("read a result file"))
                .expect("a result file of platform-bench")
        })
        .collect();
    let md = report::markdown(&runs);
    match write {
        Some(path) => {
            let doc = std::fs::read_to_string(&path).expect("read the benchmarks document");
            let new = report::splice(&doc, &md)
                .expect("the document has no <!-- platform-suite:begin/end --> markers");
            std::fs::write(&path, new).expect("write the benchmarks document");
            eprintln!("wrote the suite's section of {path}");
        }
        None => print!("{md}"),
    }
}

#[tokio::main]
async fn main() {
    if std::env::args().nth(1).as_deref() == Some("report") {
        report_command();
        return;
    }
    let backend = Backend::from_args();
    let smoke = std::env::args().any(|a| a == "--smoke");
    let platform_learners: usize = arg_num("--learners", if smoke { 300 } else { 100_000 });
    let phase = Duration::from_secs(arg_num("--phase", if smoke { 1 } else { 10 }));
    let connections: usize = arg_num("--connections", if smoke { 8 } else { 64 });
    let mut jc = match (smoke, &backend) {
        (true, _) => journey::Config::smoke(),
        (false, Backend::Postgres(_)) => journey::Config::full().for_postgres(),
        (false, Backend::Sqlite) => journey::Config::full(),
    };
    if let Some(levels) = list("--levels") {
        jc.levels = levels.into_iter().map(|v| v as usize).collect();
    }
    if let Some(t) = list("--think") {
        jc.think = (t[0], *t.get(1).unwrap_or(&t[0]));
    }
    jc.ramp = Duration::from_secs_f64(arg_num("--ramp", jc.ramp.as_secs_f64()));
    jc.window = Duration::from_secs_f64(arg_num("--window", jc.window.as_secs_f64()));
    let started_at = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string();

    eprintln!(
        "== {}: building the demo platform ({platform_learners} learners)",
        backend.name()
    );
    let server = start_with(
        &backend,
        &StartOptions {
            demo_learners: Some(platform_learners),
            trust_forwarded_for: true,
        },
    )
    .await;
    let platform_seconds = server.demo_seconds.unwrap_or_default();
    let c = client();
    let admin = help_lms_bench::login(&c, &server.base, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let db = Db::connect(&server.database_url, 8)
        .await
        .expect("connect to the database directly");
    let signer = Signer::new(server.signing_key()).expect("signing key");
    let all = learners(&db.conn, &signer, Which::Active, usize::MAX)
        .await
        .expect("read the demo learners");
    let everyone = learners(&db.conn, &signer, Which::Everyone, usize::MAX)
        .await
        .expect("read the demo learners");
    eprintln!(
        "{} learners, {} of them with an active enrolment",
        everyone.len(),
        all.len()
    );

    let dir = tempfile::tempdir().unwrap();
    let healthz = request_file(
        dir.path(),
        "healthz.tsv",
        [("GET".to_owned(), "/healthz".to_owned(), None, None)],
    )
    .unwrap();
    eprintln!("== baselines");
    let wrk_baseline = Wrk::new(&server.base, connections, phase, Mode::Requests(healthz))
        .run(&[200])
        .expect("wrk on /healthz");
    let driver_baseline = {
        let (c, base) = (c.clone(), server.base.clone());
        load_for(phase, connections, move |_| {
            let (c, base) = (c.clone(), base.clone());
            async move {
                matches!(c.get(format!("{base}/healthz")).send().await, Ok(r) if r.status().is_success())
            }
        })
        .await
    };
    let ctx = Ctx {
        server,
        client: c,
        admin,
        db,
        signer,
        learners: Arc::new(all),
        everyone: Arc::new(everyone),
        dir,
        smoke,
        phase,
        connections,
        wrk_baseline: wrk_baseline.summary.clone(),
        driver_baseline: driver_baseline.clone(),
    };

    // --only 2,5,7 runs some of the scenarios.
    let only = list("--only");
    let wanted = |n: u8| only.as_ref().is_none_or(|o| o.contains(&f64::from(n)));
    let mut rows = Vec::new();
    if wanted(1) {
        eprintln!("== 1 reads");
        rows.extend(reads::run(&ctx).await.expect("scenario 1"));
    }
    if wanted(2) {
        eprintln!("== 2 progress writes");
        rows.extend(progress::run(&ctx).await.expect("scenario 2"));
    }
    if wanted(3) {
        eprintln!("== 3 quiz burst");
        rows.extend(burst::run(&ctx).await.expect("scenario 3"));
    }
    if wanted(4) {
        eprintln!("== 4 bulk enrolment");
        rows.extend(bulk::run(&ctx).await.expect("scenario 4"));
    }
    if wanted(5) {
        eprintln!("== 5 statistics during writes");
        rows.extend(scenarios::stats::run(&ctx).await.expect("scenario 5"));
    }
    if wanted(6) {
        eprintln!("== 6 login flood");
        rows.extend(login::run(&ctx).expect("scenario 6"));
    }
    if wanted(8) {
        eprintln!("== 8 learning record store");
        rows.extend(scenarios::xapi::run(&ctx).await.expect("scenario 8"));
    }
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    let journey = if wanted(7) {
        eprintln!("== 7 mixed journey, levels {:?}", jc.levels);
        journey::run(&ctx, &jc).await
    } else {
        journey::skipped(&jc)
    };

    let run = Run {
        database: backend.name().to_owned(),
        smoke,
        started_at,
        machine: machine(),
        platform_learners,
        platform_seconds,
        baselines: vec![
            Baseline {
                name: WRK_BASELINE.into(),
                tool: "wrk".into(),
                connections,
                metrics: wrk_baseline.summary,
            },
            Baseline {
                name: DRIVER_BASELINE.into(),
                tool: "suite driver (reqwest)".into(),
                connections,
                metrics: driver_baseline,
            },
        ],
        scenarios: rows,
        journey,
    };
    let json = serde_json::to_string_pretty(&run).unwrap();
    if let Some(out) = arg("--out") {
        std::fs::write(&out, &json).expect("write the result file");
        eprintln!("wrote {out}");
    }
    print!("{}", report::markdown(std::slice::from_ref(&run)));

    // The smoke run is a check: every scenario ran and nothing failed.
    if smoke {
        let mut failures = Vec::new();
        for s in &run.scenarios {
            if s.metrics.errors > 0 || s.metrics.requests == 0 {
                failures.push(format!(
                    "{} {}: {} errors of {}",
                    s.id, s.name, s.metrics.errors, s.metrics.requests
                ));
            }
        }
        if run.journey.steps.iter().any(|s| s.metrics.errors > 0) || run.journey.steps.is_empty() {
            failures.push(format!("7 journey: {}", run.journey.stopped));
        }
        if !failures.is_empty() {
            eprintln!("smoke run failed:\n{}", failures.join("\n"));
            std::process::exit(1);
        }
        eprintln!("smoke run: every scenario ran without an error");
    }
}
