//! `help-lms demo-data`: the command line around [`help_lms_persistence::demo`], which
//! writes a realistic synthetic platform (about 1.2 enrolments and 10 progress records per
//! learner) into a fresh database for development and benchmarks. Here: the arguments, the
//! refusal to run in production, the bundled catalogue the platform is built on, progress
//! on a terminal and the summary line.

use std::io::{IsTerminal, Write};
use std::time::Instant;

use help_lms_domain::values::NewPassword;
use help_lms_persistence::demo::{self, DemoError, DemoOptions, DemoReport};
use help_lms_persistence::passwords::PasswordHasher;

use crate::settings::Settings;
use crate::startup::{StartError, connect_and_migrate, seed_catalogue};

#[derive(clap::Args)]
pub struct DemoArgs {
    /// Learners to create (about 1.2 enrolments and 10 progress records each).
    #[arg(long, default_value_t = 100_000)]
    pub learners: usize,
    /// Seed of the generator: the same seed gives the same platform.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Password of every demo account; without it the accounts are invited and
    /// cannot sign in.
    #[arg(long, env = "HELP_DEMO_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
}

/// What `demo-data` wrote and how long it took.
#[derive(Debug)]
pub struct DemoSummary {
    pub report: DemoReport,
    pub seconds: f64,
}

impl std::fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let r = &self.report;
        write!(
            f,
            "{} institutions, {} staff, {} cohorts, {} learners, {} enrolments ({} completed), \
             {} progress records, {} quiz attempts, {} certificates in {:.1} s",
            r.institutions,
            r.staff,
            r.cohorts,
            r.learners,
            r.enrolments,
            r.completed,
            r.progress,
            r.attempts,
            r.certificates,
            self.seconds
        )
    }
}

impl From<DemoError> for StartError {
    fn from(e: DemoError) -> Self {
        match e {
            DemoError::Database(e) => StartError::Database(e),
            DemoError::Store(e) => StartError::Store(e),
            other => StartError::Other(other.to_string()),
        }
    }
}

/// Runs `demo-data`: development only, on the configured database, which gets the bundled
/// catalogue first if it has none.
pub async fn run(settings: &Settings, args: DemoArgs) -> Result<DemoSummary, StartError> {
    if settings.is_production() {
        return Err(StartError::Other(
            "demo data is for development and benchmarks; run it with HELP_ENV=development".into(),
        ));
    }
    if let Some(p) = &args.password
        && let Err(e) = NewPassword::parse(p)
    {
        return Err(StartError::Other(format!("--password: {e}")));
    }
    let db = connect_and_migrate(settings).await?;
    let hasher = PasswordHasher::new(1);
    let started = Instant::now();
    seed_catalogue(&db).await?;
    let total = args.learners;
    let opts = DemoOptions {
        learners: args.learners,
        seed: args.seed,
        password: args.password,
    };
    let mut progress = Progress::new(total);
    let report = demo::generate(&db, &hasher, opts, |r| progress.show(r)).await;
    progress.finish();
    Ok(DemoSummary {
        report: report?,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Learners written so far, on one line of the terminal (nothing when stderr is not one,
/// as in the benchmarks).
struct Progress {
    total: usize,
    shown: bool,
}

impl Progress {
    fn new(total: usize) -> Self {
        Progress {
            total,
            shown: false,
        }
    }

    fn show(&mut self, r: &DemoReport) {
        if !std::io::stderr().is_terminal() {
            return;
        }
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r{} of {} learners, {} enrolments written",
            r.learners, self.total, r.enrolments
        );
        let _ = err.flush();
        self.shown = true;
    }

    fn finish(&mut self) {
        if self.shown {
            eprintln!();
            self.shown = false;
        }
    }
}
