//! The `help-lms` command: `serve` (the default), `migrate`, `admin create`,
//! `content import|validate`, `backup`, `restore`, `retention`, `openapi` and `demo-data`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use help_lms::content::read_dir;
use help_lms::settings::Settings;
use help_lms::startup::{Application, connect_and_migrate};
use help_lms::telemetry;
use help_lms_domain::content::{parse_catalogue, scenario_share};
use help_lms_domain::values::{Email, NewPassword, PersonName};
use help_lms_persistence::catalogue::{self, ImportAction};
use help_lms_persistence::passwords::PasswordHasher;

#[derive(Parser)]
#[command(
    name = "help-lms",
    version,
    about = "Course delivery backend of the HELP programme"
)]
struct Cli {
    #[command(flatten)]
    settings: Settings,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (the default).
    Serve,
    /// Bring the database schema up to date and exit.
    Migrate,
    /// Manage accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Check or load course content.
    Content {
        #[command(subcommand)]
        command: ContentCommand,
    },
    /// Write a consistent copy of the SQLite database to FILE while the server serves.
    Backup { file: PathBuf },
    /// Replace the SQLite database with the backup FILE (stop the server first).
    Restore { file: PathBuf },
    /// Print what retention (HELP_RETENTION_DAYS, or --days) would erase now, one account
    /// per line; with --erase, erase them (as the server's daily job does).
    Retention {
        /// The period, in days, instead of HELP_RETENTION_DAYS.
        #[arg(long)]
        days: Option<u32>,
        #[arg(long)]
        erase: bool,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Fill a fresh database with a realistic synthetic platform (development, benchmarks).
    DemoData(help_lms::demo::DemoArgs),
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an admin. The password comes from HELP_ADMIN_PASSWORD, else from a prompt.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Administrator")]
        name: String,
    },
}

#[derive(Subcommand)]
enum ContentCommand {
    /// Check a catalogue directory (default ./content) without loading it.
    Validate { dir: Option<PathBuf> },
    /// Check and load a catalogue directory (default ./content): all or nothing.
    Import { dir: Option<PathBuf> },
}

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::FAILURE
}

fn parse_dir(dir: Option<PathBuf>) -> Result<Vec<help_lms_domain::content::CourseDef>, ExitCode> {
    let dir = dir.unwrap_or_else(|| PathBuf::from("content"));
    let sources = read_dir(&dir).map_err(|errs| {
        for e in &errs {
            eprintln!("{e}");
        }
        ExitCode::FAILURE
    })?;
    parse_catalogue(&sources).map_err(|errs| {
        for e in &errs {
            eprintln!("{e}");
        }
        eprintln!("{} problem(s) found; nothing was changed", errs.len());
        ExitCode::FAILURE
    })
}

fn read_password() -> Result<String, String> {
    if let Ok(p) = std::env::var("HELP_ADMIN_PASSWORD") {
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() {
        return Err("set HELP_ADMIN_PASSWORD, or run in a terminal to be prompted".into());
    }
    let p =
        rpassword::prompt_password("Password for the new admin: ").map_err(|e| e.to_string())?;
    let again = rpassword::prompt_password("Again: ").map_err(|e| e.to_string())?;
    if p != again {
        return Err("the passwords differ".into());
    }
    Ok(p)
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = cli.settings;
    telemetry::init(&settings.log, settings.log_format);
    if let Err(e) = settings.validate() {
        return fail(e);
    }
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = match Application::build(&settings).await {
                Ok(a) => a,
                Err(e) => return fail(e),
            };
            println!(
                "help-lms listening on http://{} (docs at /docs/)",
                settings.bind
            );
            let _ = std::io::stdout().flush();
            match app.run_until_stopped().await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(e),
            }
        }
        Command::Backup { file } => match help_lms::backup::backup(&settings, &file).await {
            Ok(()) => {
                println!("backup written to {}", file.display());
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
        Command::Restore { file } => match help_lms::backup::restore(&settings, &file).await {
            Ok(()) => {
                println!("database restored from {}", file.display());
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
        Command::Retention { days, erase } => {
            let Some(days) = days.or(settings.retention_days) else {
                return fail("set HELP_RETENTION_DAYS or pass --days");
            };
            if days == 0 {
                // Zero days would erase every account at once.
                return fail("--days must be positive");
            }
            let db = match connect_and_migrate(&settings).await {
                Ok(db) => db,
                Err(e) => return fail(e),
            };
            let now = chrono::Utc::now();
            let cutoff = help_lms_api::retention::cutoff(days, now);
            if erase {
                return match help_lms_api::retention::run_once(&db, days, now).await {
                    Ok(n) => {
                        println!("{n} account(s) inactive since before {cutoff} erased");
                        ExitCode::SUCCESS
                    }
                    Err(e) => fail(e),
                };
            }
            match help_lms_persistence::accounts::retention::due(&db.conn, cutoff).await {
                Ok(due) => {
                    println!("user_id\trole\tinstitution_id\tlast_active_at");
                    for d in &due {
                        let institution =
                            d.institution_id.map(|i| i.to_string()).unwrap_or_default();
                        println!(
                            "{}\t{}\t{institution}\t{}",
                            d.user_id,
                            d.role,
                            d.last_active_at.to_rfc3339()
                        );
                    }
                    eprintln!(
                        "{} account(s) inactive since before {cutoff} would be erased",
                        due.len()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Command::Migrate => match connect_and_migrate(&settings).await {
            Ok(_) => {
                println!("migrations applied");
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
        Command::Admin {
            command: AdminCommand::Create { email, name },
        } => {
            let email = match Email::parse(&email) {
                Ok(e) => e,
                Err(e) => return fail(format!("--email: {e}")),
            };
            let name = match PersonName::parse(&name) {
                Ok(n) => n,
                Err(e) => return fail(format!("--name: {e}")),
            };
            let password = match read_password()
                .and_then(|p| NewPassword::parse(&p).map_err(|e| e.to_string()))
            {
                Ok(p) => p,
                Err(e) => return fail(format!("password: {e}")),
            };
            let db = match connect_and_migrate(&settings).await {
                Ok(db) => db,
                Err(e) => return fail(e),
            };
            let hasher = PasswordHasher::new(1);
            match help_lms_persistence::accounts::create_admin(&db, &hasher, email, name, password)
                .await
            {
                Ok(u) => {
                    println!("admin {} created ({})", u.email, u.id);
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Command::Content {
            command: ContentCommand::Validate { dir },
        } => match parse_dir(dir) {
            Ok(courses) => {
                for c in &courses {
                    let lessons: usize = c.modules.iter().map(|m| m.lessons.len()).sum();
                    let questions: usize = c
                        .modules
                        .iter()
                        .filter_map(|m| m.quiz.as_ref())
                        .map(|q| q.questions.len())
                        .sum();
                    println!(
                        "ok  {}: {} modules, {} lessons, {} questions, languages {}",
                        c.slug,
                        c.modules.len(),
                        lessons,
                        questions,
                        c.languages
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(",")
                    );
                    for m in &c.modules {
                        if let Some(q) = &m.quiz {
                            let (scenarios, all) = scenario_share(q);
                            println!(
                                "    quiz {}: {all} questions, {scenarios} set a scenario ({}%)",
                                m.key,
                                (scenarios * 100).checked_div(all).unwrap_or(0)
                            );
                        }
                    }
                }
                ExitCode::SUCCESS
            }
            Err(code) => code,
        },
        Command::Content {
            command: ContentCommand::Import { dir },
        } => {
            let courses = match parse_dir(dir) {
                Ok(c) => c,
                Err(code) => return code,
            };
            let db = match connect_and_migrate(&settings).await {
                Ok(db) => db,
                Err(e) => return fail(e),
            };
            match catalogue::import(&db, &courses).await {
                Ok(outcomes) => {
                    for o in outcomes {
                        let what = match o.action {
                            ImportAction::Created => "created",
                            ImportAction::NewVersion => "new version",
                            ImportAction::Unchanged => "unchanged",
                        };
                        println!("{}: version {} ({}), {what}", o.slug, o.version, o.status);
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Command::DemoData(args) => match help_lms::demo::run(&settings, args).await {
            Ok(summary) => {
                println!("demo data: {summary}");
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
        Command::Openapi => match help_lms_api::openapi().to_pretty_json() {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
    }
}
