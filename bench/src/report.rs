//! The suite's results: one JSON file per database, and the Markdown that `BENCHMARKS.md`
//! shows of them.

use serde::{Deserialize, Serialize};

use crate::Summary;

/// Everything one run of the suite measured on one database.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Run {
    pub database: String,
    pub smoke: bool,
    pub started_at: String,
    pub machine: Machine,
    /// Learners of the demo platform the scenarios run on, and seconds to build it.
    pub platform_learners: usize,
    pub platform_seconds: f64,
    /// `GET /healthz` of the same binary: by wrk and by the suite's own driver.
    pub baselines: Vec<Baseline>,
    pub scenarios: Vec<Scenario>,
    pub journey: Journey,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Machine {
    pub cores: usize,
    pub memory_gib: f64,
    pub cpu: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Baseline {
    pub name: String,
    pub tool: String,
    pub connections: usize,
    pub metrics: Summary,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Scenario {
    /// 1 to 7 as in the suite's description, with a letter for a variant.
    pub id: String,
    pub name: String,
    pub tool: String,
    /// What `metrics.throughput` counts per second: requests, rows, attempts.
    pub unit: String,
    pub metrics: Summary,
    /// The name of the baseline in `Run::baselines` the ratio is taken against.
    pub baseline: String,
    /// This scenario's throughput divided by the baseline's.
    pub vs_baseline: f64,
    /// For database-bound scenarios: the same SQL run directly on the database.
    pub sql: Option<SqlBaseline>,
    pub goal: Option<Goal>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SqlBaseline {
    pub what: String,
    pub metrics: Summary,
    /// How the scenario compares: throughput over the SQL's, or latency over the SQL's.
    pub ratio: f64,
    pub ratio_of: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Goal {
    pub text: String,
    pub value: f64,
    pub met: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Journey {
    pub think_seconds: (f64, f64),
    pub ramp_seconds: f64,
    pub window_seconds: f64,
    pub steps: Vec<JourneyStep>,
    /// The most learners held with p95 at or under the limit and no errors.
    pub held: usize,
    pub p95_limit_ms: f64,
    pub goal: usize,
    /// Why the ramp stopped.
    pub stopped: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KindStat {
    pub kind: String,
    pub requests: usize,
    pub errors: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JourneyStep {
    pub learners: usize,
    /// Of `learners`, those with an active enrolment; the others' enrolments are completed
    /// or withdrawn (absent from runs before the journey took every learner).
    #[serde(default)]
    pub active_learners: Option<usize>,
    pub metrics: Summary,
    /// Requests in the window by kind.
    pub mix: Vec<KindStat>,
    /// Of one core: 200% is both cores of this machine.
    pub server_cpu_percent: f64,
    pub database_cpu_percent: Option<f64>,
    pub machine_cpu_percent: f64,
    pub server_rss_mib: f64,
    pub held: bool,
}

fn f(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

fn thousands(v: usize) -> String {
    let s = v.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The Markdown of one or more runs (one per database).
pub fn markdown(runs: &[Run]) -> String {
    let mut md = String::new();
    for run in runs {
        md.push_str(&format!(
            "#### {}{}\n\n{} cores ({}), {:.0} GiB; {} learners on the demo platform (built in {:.0} s); run of {}.\n\n",
            run.database,
            if run.smoke { " (smoke run)" } else { "" },
            run.machine.cores,
            run.machine.cpu,
            run.machine.memory_gib,
            thousands(run.platform_learners),
            run.platform_seconds,
            run.started_at,
        ));
        md.push_str(&goals(run));
        md.push_str("| baseline | tool | connections | requests | errors | throughput | p50 ms | p95 ms | p99 ms |\n|---|---|---|---|---|---|---|---|---|\n");
        for b in &run.baselines {
            let m = &b.metrics;
            md.push_str(&format!(
                "| {} | {} | {} | {} | {} | {}/s | {} | {} | {} |\n",
                b.name,
                b.tool,
                b.connections,
                thousands(m.requests),
                m.errors,
                thousands(m.throughput as usize),
                f(m.p50_ms),
                f(m.p95_ms),
                f(m.p99_ms)
            ));
        }
        md.push_str("\n| # | scenario | tool | requests | errors | throughput | p50 ms | p95 ms | p99 ms | vs `/healthz` | same SQL directly | vs SQL | goal |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for s in &run.scenarios {
            let m = &s.metrics;
            let (sql, vs_sql) = match &s.sql {
                Some(q) => (
                    format!(
                        "{}: {}/s, p50 {} ms",
                        q.what,
                        thousands(q.metrics.throughput as usize),
                        f(q.metrics.p50_ms)
                    ),
                    format!("{} ({})", f(q.ratio), q.ratio_of),
                ),
                None => ("-".into(), "-".into()),
            };
            let goal = s
                .goal
                .as_ref()
                .map(|g| {
                    format!(
                        "{}: {} {}",
                        g.text,
                        f(g.value),
                        if g.met { "✓" } else { "✗" }
                    )
                })
                .unwrap_or_else(|| "-".into());
            md.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} {}/s | {} | {} | {} | {} | {} | {} | {} |\n",
                s.id,
                s.name,
                s.tool,
                thousands(m.requests),
                m.errors,
                thousands(m.throughput.round() as usize),
                s.unit,
                f(m.p50_ms),
                f(m.p95_ms),
                f(m.p99_ms),
                f(s.vs_baseline),
                sql,
                vs_sql,
                goal
            ));
        }
        let notes: Vec<String> = run
            .scenarios
            .iter()
            .flat_map(|s| s.notes.iter().map(move |n| format!("- {}: {n}", s.id)))
            .collect();
        if !notes.is_empty() {
            md.push('\n');
            md.push_str(&notes.join("\n"));
            md.push('\n');
        }
        let j = &run.journey;
        md.push_str(&format!(
            "\n**Mixed journey** (think time {} to {} s between pages, new learners ramped in over {} s, then measured for {} s; p95 limit {:.0} ms): **{} concurrent learners held** (goal {}); {}.\n\n",
            j.think_seconds.0,
            j.think_seconds.1,
            j.ramp_seconds,
            j.window_seconds,
            j.p95_limit_ms,
            thousands(j.held),
            thousands(j.goal),
            j.stopped
        ));
        md.push_str("| learners | of them active | requests | errors | throughput | p50 ms | p95 ms | p99 ms | server CPU | database CPU | machine CPU | server RSS | held |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for s in &j.steps {
            let m = &s.metrics;
            md.push_str(&format!(
                "| {} | {} | {} | {} | {}/s | {} | {} | {} | {:.0}% | {} | {:.0}% | {:.0} MiB | {} |\n",
                thousands(s.learners),
                s.active_learners
                    .map(thousands)
                    .unwrap_or_else(|| "all".into()),
                thousands(m.requests),
                m.errors,
                f(m.throughput),
                f(m.p50_ms),
                f(m.p95_ms),
                f(m.p99_ms),
                s.server_cpu_percent,
                s.database_cpu_percent
                    .map(|c| format!("{c:.0}%"))
                    .unwrap_or_else(|| "(in process)".into()),
                s.machine_cpu_percent,
                s.server_rss_mib,
                if s.held { "yes" } else { "no" }
            ));
        }
        if let Some(last) = j.steps.last() {
            md.push_str(&format!(
                "\nRequests of the last step ({} learners) by kind:\n\n| request | count | errors | p50 ms | p95 ms |\n|---|---|---|---|---|\n",
                thousands(last.learners)
            ));
            for k in &last.mix {
                md.push_str(&format!(
                    "| {} | {} | {} | {} | {} |\n",
                    k.kind,
                    thousands(k.requests),
                    k.errors,
                    f(k.p50_ms),
                    f(k.p95_ms)
                ));
            }
        }
        md.push('\n');
    }
    md
}

/// The goals of one run, each with its figure and whether it was met.
fn goals(run: &Run) -> String {
    let mark = |met: bool| if met { "✓" } else { "✗" };
    let mut md = String::from("| goal | figure | met |\n|---|---|---|\n");
    for s in &run.scenarios {
        if let Some(g) = &s.goal {
            md.push_str(&format!(
                "| {} ({}): {} | {} | {} |\n",
                s.id,
                s.name,
                g.text,
                f(g.value),
                mark(g.met)
            ));
        }
    }
    let j = &run.journey;
    if !j.steps.is_empty() {
        md.push_str(&format!(
            "| 7 (mixed journey): concurrent learners held, p95 at most {:.0} ms and no error; goal {} | {} | {} |\n",
            j.p95_limit_ms,
            thousands(j.goal),
            thousands(j.held),
            mark(j.held >= j.goal)
        ));
        let rss = j.steps.iter().map(|s| s.server_rss_mib).fold(0.0, f64::max);
        md.push_str(&format!(
            "| 7 (mixed journey): server RSS under 512 MiB at every step; MiB | {rss:.0} | {} |\n",
            mark(rss < 512.0)
        ));
    }
    md.push('\n');
    md
}

/// Replaces the text between the suite's markers in `document` with `section`.
pub fn splice(document: &str, section: &str) -> Option<String> {
    const BEGIN: &str = "<!-- platform-suite:begin -->";
    const END: &str = "<!-- platform-suite:end -->";
    let b = document.find(BEGIN)? + BEGIN.len();
    let e = document.find(END)?;
    (b <= e).then(|| format!("{}\n{}{}", &document[..b], section, &document[e..]))
}
