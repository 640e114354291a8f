//! The scenarios of the platform suite. Each returns what it measured as report rows;
//! everything they share is in [`Ctx`].

use std::sync::Arc;
use std::time::Duration;

use help_lms_persistence::Db;

use crate::fixtures::{Learner, Signer};
pub use crate::percentile_ms;
use crate::report::{Goal, Scenario, SqlBaseline};
use crate::{Server, Summary};

pub mod bulk;
pub mod burst;
pub mod journey;
pub mod login;
pub mod progress;
pub mod reads;
pub mod stats;
pub mod xapi;

/// What every scenario runs against.
pub struct Ctx {
    pub server: Server,
    pub client: reqwest::Client,
    /// An admin's access token.
    pub admin: String,
    /// A direct connection to the server's database, for the SQL baselines.
    pub db: Db,
    pub signer: Signer,
    /// Signed-in learners of the demo platform, each with an active enrolment.
    pub learners: Arc<Vec<Learner>>,
    /// Every learner of the demo platform, each with one enrolment (active if they have
    /// one, else their latest): the journey's population.
    pub everyone: Arc<Vec<Learner>>,
    /// Where request files for wrk go.
    pub dir: tempfile::TempDir,
    pub smoke: bool,
    /// Length of each closed-loop phase.
    pub phase: Duration,
    /// Connections of the closed-loop phases.
    pub connections: usize,
    /// `GET /healthz` by wrk, for the ratios.
    pub wrk_baseline: Summary,
    /// `GET /healthz` by the suite's own driver, for the ratios of the scenarios it drives.
    pub driver_baseline: Summary,
}

pub const WRK_BASELINE: &str = "GET /healthz, wrk";
pub const DRIVER_BASELINE: &str = "GET /healthz, suite driver";

impl Ctx {
    pub fn base(&self) -> &str {
        &self.server.base
    }

    /// A row measured by wrk, with its ratio to wrk's `/healthz`.
    pub fn wrk_row(&self, id: &str, name: &str, metrics: Summary) -> Scenario {
        row(
            id,
            name,
            "wrk",
            "req",
            metrics,
            WRK_BASELINE,
            &self.wrk_baseline,
        )
    }

    /// A row measured by the suite's driver, with its ratio to the driver's `/healthz`.
    pub fn driver_row(&self, id: &str, name: &str, unit: &str, metrics: Summary) -> Scenario {
        row(
            id,
            name,
            "suite driver (reqwest)",
            unit,
            metrics,
            DRIVER_BASELINE,
            &self.driver_baseline,
        )
    }
}

fn row(
    id: &str,
    name: &str,
    tool: &str,
    unit: &str,
    metrics: Summary,
    baseline_name: &str,
    baseline: &Summary,
) -> Scenario {
    Scenario {
        id: id.into(),
        name: name.into(),
        tool: tool.into(),
        unit: unit.into(),
        vs_baseline: metrics.throughput / baseline.throughput.max(f64::MIN_POSITIVE),
        metrics,
        baseline: baseline_name.into(),
        sql: None,
        goal: None,
        notes: Vec::new(),
    }
}

impl Scenario {
    pub fn with_sql(mut self, what: &str, metrics: Summary, ratio: f64, ratio_of: &str) -> Self {
        self.sql = Some(SqlBaseline {
            what: what.into(),
            metrics,
            ratio,
            ratio_of: ratio_of.into(),
        });
        self
    }

    /// A goal that is met when `met`.
    pub fn with_goal(mut self, text: &str, value: f64, met: bool) -> Self {
        self.goal = Some(Goal {
            text: text.into(),
            value,
            met,
        });
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }
}
