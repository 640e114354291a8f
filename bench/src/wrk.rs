//! Load from `wrk` (Debian's `wrk` package) driven by `bench/wrk/load.lua`: closed-loop
//! throughput with a fixed number of connections, latency percentiles from wrk's own
//! histogram, and the answers counted by status.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde::Deserialize;

use crate::Summary;

/// One wrk run.
#[derive(Clone, Debug)]
pub struct Wrk {
    pub base: String,
    pub threads: usize,
    pub connections: usize,
    pub duration: Duration,
    pub mode: Mode,
}

#[derive(Clone, Debug)]
pub enum Mode {
    /// The requests of this file (see `load.lua`), in turn.
    Requests(PathBuf),
    /// A login flood, from one address or (`forwarded`) from ever new ones.
    LoginFlood { forwarded: bool },
}

/// What wrk measured.
#[derive(Clone, Debug)]
pub struct WrkResult {
    /// Errors are socket errors plus answers whose status is not in `expected`.
    pub summary: Summary,
    pub status: BTreeMap<u16, u64>,
}

#[derive(Deserialize)]
struct Raw {
    requests: u64,
    duration_us: u64,
    connect: u64,
    read: u64,
    write: u64,
    timeout: u64,
    p50_us: u64,
    p95_us: u64,
    p99_us: u64,
    codes: BTreeMap<String, u64>,
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("wrk/load.lua")
}

/// Writes requests for `load.lua`: (method, path, bearer token, JSON body).
pub fn request_file(
    dir: &Path,
    name: &str,
    rows: impl IntoIterator<Item = (String, String, Option<String>, Option<String>)>,
) -> std::io::Result<PathBuf> {
    let path = dir.join(name);
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path)?);
    for (method, url_path, token, body) in rows {
        writeln!(
            f,
            "{method}\t{url_path}\t{}\t{}",
            token.as_deref().unwrap_or("-"),
            body.as_deref().unwrap_or("-")
        )?;
    }
    f.flush()?;
    Ok(path)
}

/// Writes revalidations for `load.lua`: a GET of each path with `If-None-Match` set to
/// the entity tag beside it.
pub fn revalidation_file(
    dir: &Path,
    name: &str,
    rows: impl IntoIterator<Item = (String, String)>,
) -> std::io::Result<PathBuf> {
    let path = dir.join(name);
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path)?);
    for (url_path, etag) in rows {
        writeln!(f, "GET\t{url_path}\t-\t-\t{etag}")?;
    }
    f.flush()?;
    Ok(path)
}

impl Wrk {
    pub fn new(base: &str, connections: usize, duration: Duration, mode: Mode) -> Wrk {
        Wrk {
            base: base.to_owned(),
            threads: connections.clamp(1, 2),
            connections,
            duration,
            mode,
        }
    }

    /// Runs wrk to the end; `expected` are the statuses that are not errors.
    pub fn run(&self, expected: &[u16]) -> Result<WrkResult, String> {
        let mut cmd = Command::new("wrk");
        cmd.args([
            "-t",
            &self.threads.to_string(),
            "-c",
            &self.connections.to_string(),
            "-d",
            &format!("{}s", self.duration.as_secs().max(1)),
            "--timeout",
            "30s",
            "-s",
        ])
        .arg(script())
        .arg(&self.base);
        match &self.mode {
            Mode::Requests(file) => {
                cmd.env("WRK_REQUESTS", file);
            }
            Mode::LoginFlood { forwarded } => {
                cmd.env("WRK_FLOOD", "1")
                    .env("WRK_FORWARDED", if *forwarded { "1" } else { "0" });
            }
        }
        let out = cmd
            .output()
            .map_err(|e| format!("cannot run wrk ({e}); bench/run installs it"))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let line = stdout
            .lines()
            .find_map(|l| l.strip_prefix("WRKJSON "))
            .ok_or_else(|| {
                format!(
                    "wrk printed no result: {stdout}{}",
                    String::from_utf8_lossy(&out.stderr)
                )
            })?;
        let raw: Raw = serde_json::from_str(line).map_err(|e| format!("{e}: {line}"))?;
        let status: BTreeMap<u16, u64> = raw
            .codes
            .iter()
            .filter_map(|(k, v)| Some((k.parse().ok()?, *v)))
            .collect();
        let unexpected: u64 = status
            .iter()
            .filter(|(k, _)| !expected.contains(k))
            .map(|(_, v)| v)
            .sum();
        let errors = raw.connect + raw.read + raw.write + raw.timeout + unexpected;
        let ms = |us: u64| us as f64 / 1000.0;
        let seconds = raw.duration_us as f64 / 1e6;
        let requests = raw.requests as usize;
        let errors = errors as usize;
        Ok(WrkResult {
            summary: Summary {
                requests,
                errors,
                seconds,
                throughput: if seconds > 0.0 {
                    requests.saturating_sub(errors) as f64 / seconds
                } else {
                    0.0
                },
                p50_ms: ms(raw.p50_us),
                p95_ms: ms(raw.p95_us),
                p99_ms: ms(raw.p99_us),
            },
            status,
        })
    }
}
