//! `sanad policy …`: check, apply and render an organization's published support policy, list
//! Saudi public holidays for a Hijri year, and compute a deadline as the engine would.

use anyhow::{Context, bail};
use clap::Subcommand;
use sanad_domain::calendar::{
    CalendarsSpec, DurationExpr, WorkingCalendar, holidays_toml_line, saudi_public_holidays,
};
use sanad_domain::policy::{Lang, Policy, render_markdown};
use sanad_store::{RecomputeDeadlines, Store};
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum PolicyCommand {
    /// Validate a policy file; every error names its line, key and what was expected.
    Check {
        /// The policy file (TOML).
        file: PathBuf,
    },
    /// Validate a policy file and make it the organization's policy in force.
    Apply {
        #[arg(long)]
        org: String,
        /// The policy file (TOML).
        file: PathBuf,
        /// Also recompute the deadlines of open tickets (by default running tickets keep the
        /// deadlines they were given).
        #[arg(long)]
        recompute: bool,
    },
    /// Print the deadline of a duration from a start instant, in the calendar's own offset.
    Due {
        /// A policy file, or a file that holds only [[calendars]] tables.
        #[arg(long)]
        policy: PathBuf,
        /// The calendar's name.
        #[arg(long)]
        calendar: String,
        /// The start, RFC 3339 (e.g. 2026-11-22T09:30:00+03:00).
        #[arg(long)]
        from: String,
        /// The duration, e.g. "48 working hours", "3 working days", "same working day".
        #[arg(long)]
        duration: String,
    },
    /// Print the public policy page (Markdown) the organization publishes.
    Render {
        #[arg(long)]
        policy: PathBuf,
        /// ar or en.
        #[arg(long, default_value = "ar")]
        lang: String,
    },
    /// Print the Saudi public holidays of a Hijri year as entries for `holidays = [...]`.
    Holidays {
        /// The Hijri (Umm al-Qura) year, e.g. 1448.
        #[arg(long)]
        hijri_year: i32,
    },
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

fn file_name(path: &Path) -> String {
    path.display().to_string()
}

fn parse_policy(path: &Path) -> anyhow::Result<Policy> {
    let source = read(path)?;
    Policy::parse(&source, &file_name(path))
        .map_err(|errors| anyhow::anyhow!("{} is not a valid policy:\n{errors}", path.display()))
}

/// The calendars of a file: a whole policy, or a file holding only `[[calendars]]` tables.
fn calendars(path: &Path) -> anyhow::Result<Vec<WorkingCalendar>> {
    let source = read(path)?;
    let table: toml::Table = source
        .parse()
        .map_err(|error| anyhow::anyhow!("{}: {error}", path.display()))?;
    if table.keys().all(|key| key == "calendars") {
        let spec: CalendarsSpec = toml::from_str(&source)
            .map_err(|error| anyhow::anyhow!("{}: {error}", path.display()))?;
        return spec
            .build()
            .map_err(|error| anyhow::anyhow!("{}: {error}", path.display()));
    }
    Ok(parse_policy(path)?.calendars().to_vec())
}

/// Runs the commands that need no database; `None` for those that do.
pub fn run_offline(command: &PolicyCommand) -> Option<anyhow::Result<()>> {
    match command {
        PolicyCommand::Check { file } => Some(parse_policy(file).map(|policy| {
            println!(
                "{} is valid: {} calendar(s), {} channel(s), {} escalation stage(s)",
                file.display(),
                policy.calendars().len(),
                policy.channels().len(),
                policy.escalation().len()
            );
        })),
        PolicyCommand::Due {
            policy,
            calendar,
            from,
            duration,
        } => Some(due(policy, calendar, from, duration)),
        PolicyCommand::Render { policy, lang } => Some((|| {
            let lang: Lang = lang.parse().context("--lang")?;
            print!("{}", render_markdown(&parse_policy(policy)?, lang));
            Ok(())
        })()),
        PolicyCommand::Holidays { hijri_year } => Some((|| {
            let holidays = saudi_public_holidays(*hijri_year).context("--hijri-year")?;
            for holiday in &holidays {
                println!(
                    "# {} — {}: {}",
                    holiday.name_ar,
                    holiday.name_en,
                    holiday.toml_entry()
                );
            }
            println!("{}", holidays_toml_line(&holidays));
            Ok(())
        })()),
        PolicyCommand::Apply { .. } => None,
    }
}

fn due(policy: &Path, calendar: &str, from: &str, duration: &str) -> anyhow::Result<()> {
    let calendars = calendars(policy)?;
    let Some(calendar) = calendars
        .iter()
        .find(|candidate| candidate.name() == calendar)
    else {
        let names: Vec<&str> = calendars.iter().map(WorkingCalendar::name).collect();
        bail!(
            "--calendar: no calendar '{calendar}' in {}; it has: {}",
            policy.display(),
            names.join(", ")
        );
    };
    let start: jiff::Timestamp = from.parse().with_context(|| {
        format!("--from: '{from}' is not an RFC 3339 instant such as 2026-11-22T09:30:00+03:00")
    })?;
    let expression = DurationExpr::parse(duration).context("--duration")?;
    let deadline = calendar
        .deadline(start, &expression)
        .context("cannot compute the deadline")?;
    println!("{}", calendar.format_in_zone(deadline));
    Ok(())
}

pub async fn run_with_store(store: &Store, command: &PolicyCommand) -> anyhow::Result<()> {
    let PolicyCommand::Apply {
        org,
        file,
        recompute,
    } = command
    else {
        bail!("this policy command needs no database");
    };
    let organization = store
        .organization_by_slug(org)
        .await?
        .with_context(|| format!("no organization with the slug '{org}'"))?;
    let source = read(file)?;
    // Validate first so errors are reported with lines and keys before anything is stored.
    Policy::parse(&source, &file_name(file))
        .map_err(|errors| anyhow::anyhow!("{} is not a valid policy:\n{errors}", file.display()))?;
    let mode = if *recompute {
        RecomputeDeadlines::RecomputeOpenTickets
    } else {
        RecomputeDeadlines::KeepRunning
    };
    let (version, recomputed) = store
        .apply_policy(
            &organization,
            &file_name(file),
            &source,
            mode,
            jiff::Timestamp::now(),
        )
        .await?;
    println!("policy version {version} of '{org}' is now in force");
    if *recompute {
        println!("recomputed the deadlines of {recomputed} open ticket(s)");
    } else {
        println!("tickets already running keep their deadlines (use --recompute to change them)");
    }
    Ok(())
}
