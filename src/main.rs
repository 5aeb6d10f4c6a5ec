//! The `sanad` binary: configuration, wiring, and the command line.
//!
//! Architecture invariant: this is the only place that reads configuration sources, installs
//! logging, and decides which clock and storage the application gets. Domain rules, SQL and
//! HTTP handling live in the library crates.
#![forbid(unsafe_code)]

mod audit_cli;
mod bench;
mod bench_corpus;
mod bench_outbox;
mod bench_search;
mod config;
mod demo;
mod digest;
mod policy_cli;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use config::{Config, LogFormat, Overrides};
use sanad_domain::{Code, EmailAddress, OrgSlug, PersonName, StaffRole, TicketPrefix};
use sanad_store::{AttachmentStore, Store};
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "sanad",
    version,
    about = "Sanad (سند): complaints, suggestions and technical support for training providers"
)]
struct Cli {
    /// A TOML configuration file (default: ./sanad.toml when it exists).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The database: sqlite://PATH or postgres://USER@HOST/DB [env: SANAD_DATABASE_URL].
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (migrates the database first).
    Serve {
        /// The address to listen on, e.g. 0.0.0.0:8080 [env: SANAD_LISTEN].
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
    },
    /// Bring the database schema up to date.
    Migrate,
    /// Serve a demo organization with staff and a few hundred tickets (SQLite by default).
    Demo {
        /// The address to listen on [env: SANAD_LISTEN].
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
    },
    /// Manage organizations (tenants).
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Manage staff accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage integration tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Manage supervisors from a regulator: accounts of the deployment that organizations grant
    /// read-only access to.
    Supervisor {
        #[command(subcommand)]
        command: SupervisorCommand,
    },
    /// Write a consistent copy of the live database to a new file.
    Backup {
        /// The file to create (it must not exist).
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
        /// The directory that receives the attachments the database refers to, created if
        /// absent [default: FILE.attachments]. Attachments are content-addressed: those already
        /// in the directory are not copied again, so one directory can serve every backup.
        #[arg(long, value_name = "DIR")]
        attachments_to: Option<PathBuf>,
    },
    /// Replace the database with a backup written by `sanad backup`: checked first (an intact
    /// Sanad database with every migration applied), then put in place atomically (SQLite: a
    /// file renamed over the old one; PostgreSQL: pg_restore in one transaction). See
    /// docs/operations.md.
    Restore {
        /// The backup file to restore.
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        /// Replace a database that already holds organizations, or (SQLite) whose write-ahead
        /// log is left after a crash. Never use it while a server runs on that database;
        /// PostgreSQL refuses while Sanad connections are open, forced or not.
        #[arg(long)]
        force: bool,
        /// The directory holding the backup's attachments, copied into the configured
        /// attachment store after the database [default: FILE.attachments, if it exists].
        #[arg(long, value_name = "DIR")]
        attachments_from: Option<PathBuf>,
    },
    /// Print the OpenAPI document of the REST API.
    Openapi,
    /// Rebuild the full-text search index from the stored tickets and articles. Start-up already
    /// indexes what an upgrade left stale; this rewrites everything on demand.
    Reindex {
        /// `stale` (entries missing or made by an older analyzer) or `everything`.
        #[arg(long, value_enum, default_value_t = ReindexScopeArgument::Everything)]
        scope: ReindexScopeArgument,
    },
    /// Check, apply and render support policies; compute deadlines.
    Policy {
        #[command(subcommand)]
        command: policy_cli::PolicyCommand,
    },
    /// Check the tamper-evident audit log of ticket events.
    Audit {
        #[command(subcommand)]
        command: audit_cli::AuditCommand,
    },
    /// Measure Sanad: HTTP throughput, latency, memory and crash durability.
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
    },
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Create an organization with the default departments and categories.
    Create {
        /// Short URL name, e.g. engineering-tracks.
        #[arg(long)]
        slug: String,
        /// Display name, e.g. "مركز مسارات الهندسة للتدريب".
        #[arg(long)]
        name: String,
        /// Ticket-number prefix (2–6 capital letters or digits); default: from the slug.
        #[arg(long)]
        prefix: Option<String>,
        /// IANA time zone of the organization.
        #[arg(long, default_value = "Asia/Riyadh")]
        time_zone: String,
        /// Hours after resolution during which a requester may reopen a ticket.
        #[arg(long, default_value_t = 168)]
        reopen_window_hours: i64,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a staff account.
    Create {
        #[arg(long)]
        org: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// agent, specialist, team_lead, director, executive, admin or supervisor.
        #[arg(long)]
        role: String,
        /// Department codes (repeat the flag for several).
        #[arg(long = "department")]
        departments: Vec<String>,
        /// Read the password from standard input (first line); otherwise the account has no
        /// password until one is set.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an integration token; prints only the token, once, on standard output.
    Create {
        #[arg(long)]
        org: String,
        #[arg(long)]
        name: String,
        /// Make a personal token for this staff member (by e-mail): it sees only what they see,
        /// and only the endpoints that apply their visibility (search) accept it.
        #[arg(long, value_name = "EMAIL")]
        user: Option<String>,
    },
}

#[derive(Subcommand)]
enum SupervisorCommand {
    /// Create a supervisor account (a person at a regulator).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Read the password from standard input (first line); otherwise the account cannot
        /// sign in until one is set.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Grant a supervisor read-only access to an organization, as its administrator can on
    /// the administration's Supervisors page.
    Grant {
        #[arg(long)]
        org: String,
        #[arg(long)]
        email: String,
        /// `hidden` (figures only) or `granted` (staff names and requesters' comments too).
        #[arg(long, default_value = "hidden")]
        personal_data: String,
    },
    /// Create a supervisor's API token; prints only the token, once, on standard output.
    Token {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ReindexScopeArgument {
    Stale,
    Everything,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let listen = match &cli.command {
        Command::Serve { listen } | Command::Demo { listen } => listen.clone(),
        _ => None,
    };
    let database_url = match (&cli.command, &cli.database_url) {
        (_, Some(url)) => Some(url.clone()),
        // The demo keeps its data apart from a real database unless told otherwise.
        (Command::Demo { .. }, None) if std::env::var_os("SANAD_DATABASE_URL").is_none() => {
            Some("sqlite://sanad-demo.db".into())
        }
        _ => None,
    };
    let overrides = Overrides {
        database_url,
        listen,
    };
    if let Command::Bench { command } = cli.command {
        init_logging(LogFormat::Pretty, "warn");
        return bench::run(command).await;
    }
    // Commands that read only a policy file need no database or configuration.
    if let Command::Policy { command } = &cli.command
        && let Some(result) = policy_cli::run_offline(command)
    {
        return result;
    }
    let config = Config::load(cli.config.as_deref(), &overrides)?;
    init_logging(config.log_format, &config.log_filter);
    match cli.command {
        Command::Serve { .. } => {
            let store = open_store(&config).await?;
            serve(&config, store).await
        }
        Command::Migrate => {
            let store = open_store(&config).await?;
            store.close().await;
            println!(
                "the database at {} is up to date",
                config.database_url.redacted()
            );
            Ok(())
        }
        Command::Demo { .. } => {
            let store = open_store(&config).await?;
            let summary = demo::prepare(&store).await?;
            demo::print_welcome(&summary, &config);
            serve(&config, store).await
        }
        Command::Org {
            command:
                OrgCommand::Create {
                    slug,
                    name,
                    prefix,
                    time_zone,
                    reopen_window_hours,
                },
        } => {
            let store = open_store(&config).await?;
            let organization = create_organization(
                &store,
                &slug,
                &name,
                prefix.as_deref(),
                &time_zone,
                reopen_window_hours,
            )
            .await?;
            println!(
                "created organization '{}' (ticket numbers {}-YYYY-NNNNNN)",
                organization.slug, organization.ticket_prefix
            );
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Create {
                    org,
                    email,
                    name,
                    role,
                    departments,
                    password_stdin,
                },
        } => {
            let store = open_store(&config).await?;
            let organization = organization(&store, &org).await?;
            let password = if password_stdin {
                Some(read_password()?)
            } else {
                None
            };
            let new = new_user(&email, &name, &role, &departments, password.as_deref())?;
            let user = store
                .create_user(organization.id, &new, jiff::Timestamp::now())
                .await?;
            println!(
                "created {} {} <{}> (id {})",
                user.role, user.name, user.email, user.id
            );
            Ok(())
        }
        Command::Token {
            command: TokenCommand::Create { org, name, user },
        } => {
            let store = open_store(&config).await?;
            let organization = organization(&store, &org).await?;
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 100 {
                bail!("--name must be 1 to 100 characters");
            }
            let secret = match user {
                None => create_token(&store, organization.id, name).await?,
                Some(email) => {
                    let email = EmailAddress::parse(&email).context("--user")?;
                    let credentials = store
                        .staff_credentials(organization.id, email.as_str())
                        .await?
                        .with_context(|| {
                            format!("--user: no staff member <{}> in {org}", email.as_str())
                        })?;
                    let secret = sanad_store::secrets::generate_token();
                    store
                        .create_personal_api_token(
                            organization.id,
                            credentials.user.id,
                            name,
                            &sanad_store::secrets::token_digest(&secret),
                            jiff::Timestamp::now(),
                        )
                        .await?;
                    secret
                }
            };
            println!("{secret}");
            Ok(())
        }
        Command::Supervisor { command } => {
            let store = open_store(&config).await?;
            run_supervisor_command(&store, command).await
        }
        Command::Backup { to, attachments_to } => {
            let store = Store::connect(&config.database_url, attachment_store(&config)?).await?;
            store.backup_to(&to, &config.database_url).await?;
            eprintln!(
                "wrote a consistent backup of {} to {}",
                config.database_url.redacted(),
                to.display()
            );
            // The attachments are copied after the snapshot, from what the database names
            // now: objects are written before the rows that name them and removed only after
            // those rows are gone, so the snapshot's objects are all still there except one
            // erased in between (which a restore then reports missing, as the erasure meant).
            // Objects added since the snapshot come along harmlessly.
            let directory = attachments_to.unwrap_or_else(|| attachments_beside(&to));
            let destination = AttachmentStore::local_directory(&directory)
                .with_context(|| format!("cannot prepare {}", directory.display()))?;
            let objects = store.referenced_attachment_objects().await?;
            let copy = store
                .attachments()
                .copy_objects_into(&destination, &objects)
                .await
                .with_context(|| {
                    format!("cannot copy the attachments to {}", directory.display())
                })?;
            // The store is not closed: on SQLite, closing empties the WAL with a truncating
            // checkpoint, which takes the write lock and makes a server still writing to this
            // database answer 503 meanwhile. The server's own checkpoints look after its WAL.
            eprintln!(
                "copied {} attachment(s) to {} ({} already there)",
                copy.copied,
                directory.display(),
                copy.already_there
            );
            if !copy.is_complete() {
                bail!(
                    "the database backup is complete, but some attachments it refers to could not be copied ({})",
                    copy.problems(10)
                );
            }
            Ok(())
        }
        Command::Restore {
            from,
            force,
            attachments_from,
        } => {
            // A directory named on the command line must exist before anything is replaced;
            // the default one is optional, for backups taken without attachments.
            let source_directory = match attachments_from {
                Some(directory) if !directory.is_dir() => {
                    bail!(
                        "cannot restore {}: {} is not a directory",
                        from.display(),
                        directory.display()
                    )
                }
                Some(directory) => Some(directory),
                None => Some(attachments_beside(&from)).filter(|directory| directory.is_dir()),
            };
            let report = sanad_store::restore::restore(&from, &config.database_url, force)
                .await
                .with_context(|| format!("cannot restore {}", from.display()))?;
            eprintln!(
                "restored {} into {}: {} organization(s), {} ticket(s)",
                from.display(),
                report.target,
                report.organizations,
                report.tickets
            );
            let store = Store::connect(&config.database_url, attachment_store(&config)?).await?;
            let objects = store.referenced_attachment_objects().await?;
            let copy = match &source_directory {
                Some(directory) => {
                    let source = AttachmentStore::local_directory(directory)
                        .with_context(|| format!("cannot read {}", directory.display()))?;
                    let copy = source
                        .copy_objects_into(store.attachments(), &objects)
                        .await
                        .with_context(|| {
                            format!("cannot copy the attachments from {}", directory.display())
                        })?;
                    eprintln!(
                        "copied {} attachment(s) from {} ({} already there)",
                        copy.copied,
                        directory.display(),
                        copy.already_there
                    );
                    copy
                }
                None => {
                    let mut copy = sanad_store::AttachmentCopy::default();
                    for object in &objects {
                        if store.attachments().contains(&object.storage_key).await? {
                            copy.already_there += 1;
                        } else {
                            copy.missing.push(object.storage_key.clone());
                        }
                    }
                    copy
                }
            };
            store.close().await;
            if !copy.is_complete() {
                bail!(
                    "the database is restored, but {} of its {} attachment(s) are not in the attachment store ({}); restore again with --attachments-from naming the backup's attachment directory, and --force since the database now holds data",
                    copy.missing.len() + copy.damaged.len(),
                    objects.len(),
                    copy.problems(10)
                );
            }
            Ok(())
        }
        Command::Policy { command } => {
            let store = open_store(&config).await?;
            policy_cli::run_with_store(&store, &command).await
        }
        Command::Audit { command } => {
            let store = open_store(&config).await?;
            audit_cli::run(&store, &command).await
        }
        Command::Reindex { scope } => {
            let store = open_store(&config).await?;
            let scope = match scope {
                ReindexScopeArgument::Stale => sanad_store::ReindexScope::Stale,
                ReindexScopeArgument::Everything => sanad_store::ReindexScope::Everything,
            };
            let started = std::time::Instant::now();
            let report = store.rebuild_search_index(scope, 2_000).await?;
            eprintln!(
                "indexed {} tickets and {} articles in {:.1} s",
                report.tickets,
                report.articles,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Openapi => {
            let document = sanad_web::openapi_document()
                .to_pretty_json()
                .context("cannot render the OpenAPI document")?;
            println!("{document}");
            Ok(())
        }
        Command::Bench { .. } => unreachable!("handled above"),
    }
}

fn init_logging(format: LogFormat, filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Pretty => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

/// Where `sanad backup --to FILE` puts the attachments by default, and where `sanad restore`
/// looks for them: `FILE.attachments`, beside the database backup.
fn attachments_beside(backup: &std::path::Path) -> PathBuf {
    let mut name = backup.as_os_str().to_owned();
    name.push(".attachments");
    PathBuf::from(name)
}

fn attachment_store(config: &Config) -> anyhow::Result<AttachmentStore> {
    match &config.attachments {
        config::AttachmentLocation::Directory(directory) => {
            AttachmentStore::local_directory(directory)
                .context("cannot prepare the attachments directory")
        }
        config::AttachmentLocation::S3Bucket(url) => {
            AttachmentStore::s3(url, &[]).context("cannot configure S3 attachment storage")
        }
    }
}

async fn open_store(config: &Config) -> anyhow::Result<Store> {
    Store::open(&config.database_url, attachment_store(config)?)
        .await
        .with_context(|| {
            format!(
                "cannot open the database at {}",
                config.database_url.redacted()
            )
        })
}

async fn serve(config: &Config, store: Store) -> anyhow::Result<()> {
    let state = sanad_web::AppState {
        store: store.clone(),
        clock: Arc::new(sanad_web::SystemClock),
        metrics: sanad_web::metrics_handle(),
    };
    let app = sanad_web::router(state, &config.web);
    // The timer engine: timers are rows in the database, so a restart loses none, and the first
    // sweep right after start fires whatever fell due while the server was down. Several
    // instances may sweep the same database; each timer fires once.
    let sweeper_store = store.clone();
    let sweep_every = config.timer_sweep;
    let instance = format!("sanad-{}-{:08x}", std::process::id(), rand::random::<u32>());
    let sweeper_instance = instance.clone();
    let sweeper = tokio::spawn(async move {
        let instance = sweeper_instance;
        let mut ticker = tokio::time::interval(sweep_every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // Retention (PDPL) runs with the timers but hourly: periods are counted in days, and
        // each run anonymizes at most a batch per organization, oldest first, so the first
        // run over years of data is spread over several hours instead of one long transaction.
        const RETENTION_EVERY: std::time::Duration = std::time::Duration::from_secs(3_600);
        let mut last_retention: Option<tokio::time::Instant> = None;
        loop {
            ticker.tick().await;
            match sweeper_store
                .fire_due_timers(&instance, jiff::Timestamp::now(), 500)
                .await
            {
                Ok(report) if report.fired > 0 => {
                    tracing::info!(fired = report.fired, "service-level timers fired")
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "timer sweep failed; retrying"),
            }
            if last_retention.is_none_or(|at| at.elapsed() >= RETENTION_EVERY) {
                last_retention = Some(tokio::time::Instant::now());
                match sweeper_store.retention_periods().await {
                    Ok(periods) => {
                        for (org_id, _) in periods {
                            match sweeper_store
                                .apply_retention(org_id, jiff::Timestamp::now(), 500)
                                .await
                            {
                                Ok(report) if report.tickets > 0 => tracing::info!(
                                    org_id,
                                    tickets = report.tickets,
                                    requesters = report.requesters,
                                    files = report.files_deleted,
                                    "personal data past retention anonymized"
                                ),
                                Ok(_) => {}
                                Err(error) => {
                                    tracing::warn!(org_id, %error, "retention sweep failed; retrying next hour")
                                }
                            }
                        }
                    }
                    Err(error) => {
                        tracing::warn!(%error, "retention periods unreadable; retrying next hour")
                    }
                }
            }
        }
    });
    let mut channel_workers = start_channel_workers(config, &store, &instance).await?;
    // The weekly digest of the reports to directors and executives, claimed once per
    // organization and week in the database like the timers.
    if let Some(digest) = &config.digest {
        channel_workers.push(digest::spawn(
            store.clone(),
            digest,
            config.web.public_url.clone(),
            config.channels.mail_domain.clone(),
        ));
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    tracing::info!(address = %listener.local_addr()?, database = %config.database_url.redacted(), backend = store.backend_kind().as_str(), "sanad is serving");
    // The client's address is kept for sign-in throttling.
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("the server failed")?;
    sweeper.abort();
    for worker in channel_workers {
        worker.abort();
    }
    store.close().await;
    Ok(())
}

/// Starts the channels' background work: the outbox worker that delivers notifications with
/// retries, the supervisor that keeps one IMAP reader per configured mailbox, and, when
/// configured, the SMTP/LMTP receiver a mail server hands messages to. Like the timers, all
/// state is in the database, so several instances can run these side by side.
async fn start_channel_workers(
    config: &Config,
    store: &Store,
    instance: &str,
) -> anyhow::Result<Vec<tokio::task::JoinHandle<()>>> {
    use sanad_channels::mailbox::{MailIngest, MailboxSupervisor};
    use sanad_channels::outbox::{OutboxSettings, OutboxWorker, RetryPolicy};
    let settings = &config.channels;
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .context("cannot build the HTTP client for the cloud channels")?;
    let adapters = Arc::new(sanad_channels::registry::ConfiguredAdapters::new(
        store.clone(),
        http,
    ));
    let worker = OutboxWorker::new(
        store.clone(),
        adapters,
        OutboxSettings {
            instance: instance.to_owned(),
            batch_size: 50,
            // A claim must outlast the slowest pass, or another instance claims the last items
            // again and sends them twice (WhatsApp has no idempotency key): 50 notifications, 8
            // at a time, each up to the adapters' 20 s request timeout, is 7 × 20 s = 140 s at
            // worst. Five minutes leaves room for a slow database too; the price is that the
            // claims of a worker that died wait five minutes before another instance sends them.
            lease: jiff::SignedDuration::from_mins(5),
            retry: RetryPolicy::default(),
            concurrency: 8,
            notifications: sanad_channels::notify::NotificationSettings {
                public_url: config.web.public_url.clone(),
                mail_domain: settings.mail_domain.clone(),
            },
        },
    );
    let poll = settings.outbox_poll;
    let mut workers = vec![tokio::spawn(async move {
        let mut ticker = tokio::time::interval(poll);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            match worker.drain(jiff::Timestamp::now(), 20).await {
                Ok(run) if run.claimed > 0 => tracing::info!(
                    delivered = run.delivered,
                    retried = run.retried,
                    failed = run.failed,
                    "outbox pass"
                ),
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "outbox pass failed; retrying"),
            }
        }
    })];
    let now: sanad_channels::mailbox::Now = Arc::new(jiff::Timestamp::now);
    let ingest = MailIngest::new(store.clone(), now, settings.mail_domain.clone());
    let mut supervisor = MailboxSupervisor::new(store.clone(), ingest.clone());
    workers.push(tokio::spawn(async move {
        // Mailbox settings change rarely; a minute is soon enough to notice, and each reader
        // itself waits on IMAP IDLE or polls at its own interval.
        let mut ticker = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            ticker.tick().await;
            if let Err(error) = supervisor.reconcile().await {
                tracing::warn!(%error, "cannot read the mailbox settings; retrying");
            }
        }
    }));
    if let Some((address, protocol)) = settings.receiver {
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .with_context(|| format!("cannot listen for mail on {address}"))?;
        tracing::info!(%address, ?protocol, "mail receiver listening");
        let limits = sanad_channels::email::receiver::ReceiverLimits {
            hostname: settings.mail_domain.clone(),
            ..Default::default()
        };
        workers.push(tokio::spawn(async move {
            let sink: Arc<dyn sanad_channels::email::receiver::MessageSink> = Arc::new(ingest);
            if let Err(error) = sanad_channels::email::receiver::serve(
                listener,
                protocol,
                sink,
                limits,
                std::future::pending(),
            )
            .await
            {
                tracing::error!(%error, "the mail receiver stopped");
            }
        }));
    }
    Ok(workers)
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}

async fn organization(store: &Store, slug: &str) -> anyhow::Result<sanad_store::Organization> {
    store.organization_by_slug(slug).await?.with_context(|| {
        format!("no organization with the slug '{slug}' (create it with `sanad org create`)")
    })
}

pub(crate) async fn create_organization(
    store: &Store,
    slug: &str,
    name: &str,
    prefix: Option<&str>,
    time_zone: &str,
    reopen_window_hours: i64,
) -> anyhow::Result<sanad_store::Organization> {
    let slug = OrgSlug::parse(slug).context("--slug")?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        bail!("--name must be 1 to 200 characters");
    }
    let prefix = match prefix {
        Some(prefix) => TicketPrefix::parse(prefix).context("--prefix")?,
        None => {
            let derived: String = slug
                .as_str()
                .split('-')
                .filter_map(|part| part.chars().next())
                .collect::<String>()
                .to_ascii_uppercase();
            let derived = if derived.len() >= 2 {
                derived
            } else {
                slug.as_str()
                    .chars()
                    .take(3)
                    .collect::<String>()
                    .to_ascii_uppercase()
            };
            TicketPrefix::parse(&derived.chars().take(6).collect::<String>())
                .context("cannot derive a ticket prefix from the slug; give --prefix")?
        }
    };
    let zone = jiff::tz::TimeZone::get(time_zone).with_context(|| {
        format!("--time-zone: '{time_zone}' is not an IANA time zone such as Asia/Riyadh")
    })?;
    if !(0..=24 * 365).contains(&reopen_window_hours) {
        bail!("--reopen-window-hours must be between 0 and 8760");
    }
    let new = sanad_store::NewOrganization {
        slug,
        name: name.to_owned(),
        ticket_prefix: prefix,
        time_zone: zone,
        time_zone_name: time_zone.to_owned(),
        reopen_window_hours,
    };
    Ok(store
        .create_organization(&new, jiff::Timestamp::now())
        .await?)
}

pub(crate) fn hash_password(password: &str) -> anyhow::Result<String> {
    Ok(sanad_web::ui::auth::hash_password(password)?)
}

pub(crate) fn new_user(
    email: &str,
    name: &str,
    role: &str,
    departments: &[String],
    password: Option<&str>,
) -> anyhow::Result<sanad_store::NewUser> {
    let departments = departments
        .iter()
        .map(|code| Code::parse(code).with_context(|| format!("--department '{code}'")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(sanad_store::NewUser {
        email: EmailAddress::parse(email).context("--email")?,
        name: PersonName::parse(name).context("--name")?,
        role: role.parse::<StaffRole>().context("--role")?,
        departments,
        password_hash: password.map(hash_password).transpose()?,
    })
}

pub(crate) async fn create_token(store: &Store, org_id: i64, name: &str) -> anyhow::Result<String> {
    let secret = sanad_store::secrets::generate_token();
    store
        .create_api_token(
            org_id,
            name,
            &sanad_store::secrets::token_digest(&secret),
            jiff::Timestamp::now(),
        )
        .await?;
    Ok(secret)
}

async fn run_supervisor_command(store: &Store, command: SupervisorCommand) -> anyhow::Result<()> {
    match command {
        SupervisorCommand::Create {
            email,
            name,
            password_stdin,
        } => {
            let email = EmailAddress::parse(&email).context("--email")?;
            let name = sanad_domain::PersonName::parse(&name).context("--name")?;
            let password_hash = if password_stdin {
                Some(hash_password(&read_password()?)?)
            } else {
                None
            };
            let supervisor = store
                .create_supervisor(
                    &email,
                    &name,
                    password_hash.as_deref(),
                    jiff::Timestamp::now(),
                )
                .await?;
            println!(
                "created supervisor {} <{}> (id {})",
                supervisor.name, supervisor.email, supervisor.id
            );
        }
        SupervisorCommand::Grant {
            org,
            email,
            personal_data,
        } => {
            let organization = organization(store, &org).await?;
            let email = EmailAddress::parse(&email).context("--email")?;
            let access = personal_data
                .parse::<sanad_domain::permissions::PersonalDataAccess>()
                .context("--personal-data")?;
            let grant = store
                .grant_supervision(
                    organization.id,
                    &email,
                    access,
                    None,
                    jiff::Timestamp::now(),
                )
                .await
                .with_context(|| format!("--email: no supervisor <{}>", email.as_str()))?;
            println!(
                "granted {} <{}> access to {} (personal data: {})",
                grant.supervisor_name,
                grant.supervisor_email,
                grant.org_slug,
                grant.personal_data.as_str()
            );
        }
        SupervisorCommand::Token { email, name } => {
            let email = EmailAddress::parse(&email).context("--email")?;
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 100 {
                bail!("--name must be 1 to 100 characters");
            }
            let supervisor = store
                .supervisor_by_email(email.as_str())
                .await?
                .with_context(|| format!("--email: no supervisor <{}>", email.as_str()))?;
            let secret = sanad_store::secrets::generate_token();
            store
                .create_supervisor_token(
                    supervisor.id,
                    name,
                    &sanad_store::secrets::token_digest(&secret),
                    jiff::Timestamp::now(),
                )
                .await?;
            println!("{secret}");
        }
    }
    Ok(())
}

fn read_password() -> anyhow::Result<String> {
    let mut input = String::new();
    std::io::stdin()
        .take(4096)
        .read_to_string(&mut input)
        .context("cannot read the password from standard input")?;
    let password = input.lines().next().unwrap_or("").to_owned();
    if password.is_empty() {
        bail!("no password on standard input");
    }
    Ok(password)
}
