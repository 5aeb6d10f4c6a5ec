//! `sanad bench api`: drives a real `sanad serve` process over HTTP from this process and
//! reports creates, reads and list pages per second with p50/p99 latency per concurrency level,
//! the server's start-up time and memory, and whether every acknowledged create survives
//! `kill -9`.
//!
//! The numbers are printed for `docs/performance.md`; nothing here asserts on wall-clock time.

use anyhow::{Context, bail};
use clap::{Subcommand, ValueEnum};
use hdrhistogram::Histogram;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};
use tokio::sync::Mutex;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// HTTP ticket create, read and list benchmark against a freshly started server.
    Api {
        /// Which backend to measure.
        #[arg(long, value_enum, default_value_t = BenchBackend::Sqlite)]
        backend: BenchBackend,
        /// The PostgreSQL server to use (a fresh schema is created in it).
        #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
        postgres_url: String,
        /// Concurrency levels, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "1,8,64")]
        concurrency: Vec<usize>,
        /// Requests per operation (create, read, list) and concurrency level.
        #[arg(long, default_value_t = 5000)]
        requests: usize,
        /// Creates sent during the crash test (the server is killed part-way through).
        #[arg(long, default_value_t = 3000)]
        crash_requests: usize,
    },
    /// The timer sweep over many open tickets (see docs/performance.md).
    Timers {
        #[arg(long, value_enum, default_value_t = BenchBackend::Sqlite)]
        backend: BenchBackend,
        #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
        postgres_url: String,
        /// Open tickets to seed.
        #[arg(long, default_value_t = 1_000_000)]
        tickets: i64,
        /// One ticket in this many has its timers due when the sweep runs.
        #[arg(long, default_value_t = 100)]
        due_every: i64,
    },
    /// Server-side render time of the agents' queue page (50 tickets a page).
    Queue {
        #[arg(long, value_enum, default_value_t = BenchBackend::Sqlite)]
        backend: BenchBackend,
        #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
        postgres_url: String,
        /// Open tickets in the organization.
        #[arg(long, default_value_t = 10_000)]
        tickets: i64,
        /// Renders to time (after 50 warm-up renders).
        #[arg(long, default_value_t = 2_000)]
        renders: u32,
    },
    /// Builds a corpus of past tickets that stays on disk for `bench search`, and reports the
    /// import rate, the search index build rate and the database size.
    Seed {
        #[arg(long, value_enum, default_value_t = BenchBackend::Sqlite)]
        backend: BenchBackend,
        #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
        postgres_url: String,
        /// The PostgreSQL schema that holds the corpus (replaced if it exists).
        #[arg(long, default_value = "sanad_bench_search")]
        postgres_schema: String,
        /// The SQLite file that holds the corpus (replaced if it exists).
        #[arg(long, default_value = "/var/tmp/sanad-bench-search.db")]
        sqlite_path: PathBuf,
        /// Tickets to create.
        #[arg(long, default_value_t = 1_000_000)]
        tickets: u64,
        /// Tickets per transaction.
        #[arg(long, default_value_t = 2_000)]
        batch: usize,
    },
    /// Staff search and the queue listing on the corpus `bench seed` built.
    Search {
        #[arg(long, value_enum, default_value_t = BenchBackend::Sqlite)]
        backend: BenchBackend,
        #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
        postgres_url: String,
        #[arg(long, default_value = "sanad_bench_search")]
        postgres_schema: String,
        #[arg(long, default_value = "/var/tmp/sanad-bench-search.db")]
        sqlite_path: PathBuf,
        /// Times each query of the set is run per viewer (queue listings run ten times as often).
        #[arg(long, default_value_t = 10)]
        rounds: u32,
    },
    /// Requester notifications delivered by the outbox over SMTP, counted at the receiving end.
    Outbox {
        #[arg(long, value_enum, default_value_t = BenchBackend::Sqlite)]
        backend: BenchBackend,
        #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
        postgres_url: String,
        /// Notifications to deliver (one receipt per new ticket).
        #[arg(long, default_value_t = 2_000)]
        notifications: usize,
    },
    /// Start-up time of `sanad serve` on an existing database (for instance a `bench seed`
    /// corpus): from the spawn to the first healthy answer, and the memory then.
    Startup {
        /// The database to serve; it is migrated if it needs to be, as `serve` does.
        #[arg(long)]
        database_url: String,
        /// How many times to start and stop the server.
        #[arg(long, default_value_t = 3)]
        runs: u32,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum BenchBackend {
    Sqlite,
    Postgres,
}

pub async fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Api {
            backend,
            postgres_url,
            concurrency,
            requests,
            crash_requests,
        } => {
            api_benchmark(
                backend,
                &postgres_url,
                &concurrency,
                requests,
                crash_requests,
            )
            .await
        }
        BenchCommand::Timers {
            backend,
            postgres_url,
            tickets,
            due_every,
        } => timer_benchmark(backend, &postgres_url, tickets, due_every).await,
        BenchCommand::Queue {
            backend,
            postgres_url,
            tickets,
            renders,
        } => queue_benchmark(backend, &postgres_url, tickets, renders).await,
        BenchCommand::Seed {
            backend,
            postgres_url,
            postgres_schema,
            sqlite_path,
            tickets,
            batch,
        } => {
            let location = crate::bench_search::CorpusLocation {
                backend,
                sqlite_path,
                postgres_url,
                postgres_schema,
            };
            crate::bench_search::seed(&location, tickets, batch).await
        }
        BenchCommand::Search {
            backend,
            postgres_url,
            postgres_schema,
            sqlite_path,
            rounds,
        } => {
            let location = crate::bench_search::CorpusLocation {
                backend,
                sqlite_path,
                postgres_url,
                postgres_schema,
            };
            crate::bench_search::search(&location, rounds).await
        }
        BenchCommand::Outbox {
            backend,
            postgres_url,
            notifications,
        } => crate::bench_outbox::outbox_benchmark(backend, &postgres_url, notifications).await,
        BenchCommand::Startup { database_url, runs } => {
            startup_benchmark(&database_url, runs).await
        }
    }
}

async fn startup_benchmark(database_url: &str, runs: u32) -> anyhow::Result<()> {
    let executable = std::env::current_exe().context("cannot find the sanad executable")?;
    let directory = tempfile_directory()?;
    let url = sanad_store::DatabaseUrl::parse(database_url)?;
    println!("database: {}", url.redacted());
    for run in 1..=runs {
        let server = Server::start(&executable, database_url, &directory).await?;
        let (rss, _) = server.memory_kib()?;
        println!(
            "run {run}: start-up {:.0} ms (spawn to the first healthy answer), RSS then {:.1} MiB",
            server.startup.as_secs_f64() * 1000.0,
            rss as f64 / 1024.0
        );
        server.stop().await?;
    }
    let _ = std::fs::remove_dir_all(&directory);
    Ok(())
}

/// A `sanad serve` child process.
struct Server {
    child: Child,
    base: String,
    /// From the spawn to the first healthy answer to `/healthz`, polled every 5 ms.
    startup: Duration,
}

impl Server {
    async fn start(
        executable: &Path,
        database_url: &str,
        directory: &Path,
    ) -> anyhow::Result<Server> {
        let port = free_port()?;
        let spawned = Instant::now();
        let child = Command::new(executable)
            .args([
                "serve",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--database-url",
                database_url,
            ])
            .env("SANAD_ATTACHMENTS", directory.join("attachments"))
            .env("SANAD_LOG_FILTER", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .context("cannot start sanad serve")?;
        let mut server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            startup: Duration::ZERO,
        };
        let client = reqwest::Client::new();
        while spawned.elapsed() < Duration::from_secs(10) {
            if let Ok(response) = client.get(format!("{}/healthz", server.base)).send().await
                && response.status().is_success()
            {
                server.startup = spawned.elapsed();
                return Ok(server);
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        bail!("the server did not become healthy within 10 s")
    }

    fn pid(&self) -> anyhow::Result<u32> {
        self.child.id().context("the server has exited")
    }

    /// Resident and peak resident memory of the server, in KiB, from /proc.
    fn memory_kib(&self) -> anyhow::Result<(u64, u64)> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()?))
            .context("cannot read /proc")?;
        let field = |name: &str| {
            status
                .lines()
                .find(|line| line.starts_with(name))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|value| value.parse::<u64>().ok())
                .unwrap_or(0)
        };
        Ok((field("VmRSS:"), field("VmHWM:")))
    }

    async fn kill_9(&mut self) -> anyhow::Result<()> {
        let pid = self.pid()?;
        let status = Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status()
            .await?;
        if !status.success() {
            bail!("kill -9 {pid} failed");
        }
        self.child.wait().await?;
        Ok(())
    }

    async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(pid) = self.child.id() {
            Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status()
                .await?;
        }
        self.child.wait().await?;
        Ok(())
    }
}

fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

async fn cli(
    executable: &Path,
    arguments: &[&str],
    database_url: &str,
    directory: &Path,
) -> anyhow::Result<String> {
    let output = Command::new(executable)
        .args(arguments)
        .args(["--database-url", database_url])
        .env("SANAD_ATTACHMENTS", directory.join("attachments"))
        .env("SANAD_LOG_FILTER", "warn")
        .output()
        .await?;
    if !output.status.success() {
        bail!(
            "sanad {} failed: {}",
            arguments.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

fn ticket_body(sequence: usize) -> serde_json::Value {
    serde_json::json!({
        "kind": "complaint",
        "channel": "web_form",
        "subject": format!("تعذر الدخول إلى المحاضرة المباشرة رقم {sequence}"),
        "body": "حاولت الدخول إلى المحاضرة المباشرة في موعدها ولكن الرابط يظهر رسالة خطأ. أرجو المساعدة في أقرب وقت.",
        "category": "live-session-attendance",
        "requester": {
            "name": "متدرب تجريبي",
            "email": format!("bench-{}@example.sa", sequence % 500),
            "type": "trainee"
        }
    })
}

/// What one load level sends.
#[derive(Clone)]
enum Operation {
    /// `POST /api/v1/tickets`, numbered from the offset so that every body differs.
    Create { offset: usize },
    /// `GET /api/v1/tickets/{number}`, going round the given numbers.
    Read { numbers: Arc<Vec<String>> },
    /// `GET /api/v1/tickets?limit=50`: each worker walks five pages by `next_cursor`, then starts
    /// again from the newest, as someone paging through a list does.
    List,
}

impl Operation {
    fn name(&self) -> &'static str {
        match self {
            Operation::Create { .. } => "create",
            Operation::Read { .. } => "read",
            Operation::List => "list (50 a page)",
        }
    }

    fn expected_status(&self) -> reqwest::StatusCode {
        match self {
            Operation::Create { .. } => reqwest::StatusCode::CREATED,
            Operation::Read { .. } | Operation::List => reqwest::StatusCode::OK,
        }
    }
}

struct LevelResult {
    concurrency: usize,
    requests: usize,
    seconds: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: usize,
}

/// Sends `requests` requests of `operation` with `concurrency` workers; returns timings and, for
/// creates, the numbers of every acknowledged (201) ticket.
async fn load(
    base: &str,
    token: &str,
    concurrency: usize,
    requests: usize,
    operation: Operation,
) -> (LevelResult, Vec<String>) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()
        .unwrap_or_default();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let acknowledged = Arc::new(Mutex::new(Vec::with_capacity(requests)));
    let histogram = Arc::new(Mutex::new(
        Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("valid histogram bounds"),
    ));
    let errors = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (client, next, acknowledged, histogram, errors, operation) = (
            client.clone(),
            next.clone(),
            acknowledged.clone(),
            histogram.clone(),
            errors.clone(),
            operation.clone(),
        );
        let base = base.to_owned();
        let token = token.to_owned();
        workers.push(tokio::spawn(async move {
            let mut local = Vec::new();
            let (mut cursor, mut page): (Option<String>, usize) = (None, 0);
            loop {
                let sequence = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if sequence >= requests {
                    break;
                }
                let request = match &operation {
                    Operation::Create { offset } => client
                        .post(format!("{base}/api/v1/tickets"))
                        .json(&ticket_body(offset + sequence)),
                    Operation::Read { numbers } => client.get(format!(
                        "{base}/api/v1/tickets/{}",
                        numbers[sequence % numbers.len()]
                    )),
                    Operation::List => {
                        let mut url = format!("{base}/api/v1/tickets?limit=50");
                        if let Some(cursor) = &cursor {
                            url.push_str("&cursor=");
                            url.push_str(cursor);
                        }
                        client.get(url)
                    }
                };
                let sent = Instant::now();
                let result = request.bearer_auth(&token).send().await;
                let outcome = match result {
                    Ok(response) if response.status() == operation.expected_status() => {
                        // The body is part of the answer: read it before stopping the clock.
                        response.json::<serde_json::Value>().await.ok()
                    }
                    _ => None,
                };
                let micros = sent.elapsed().as_micros() as u64;
                let Some(body) = outcome else {
                    errors.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    continue;
                };
                let _ = histogram.lock().await.record(micros.max(1));
                match &operation {
                    Operation::Create { .. } => {
                        if let Some(number) = body["number"].as_str() {
                            local.push(number.to_owned());
                        }
                    }
                    Operation::List => {
                        page += 1;
                        cursor = body["next_cursor"]
                            .as_str()
                            .filter(|_| page % 5 != 0)
                            .map(str::to_owned);
                    }
                    Operation::Read { .. } => {}
                }
            }
            acknowledged.lock().await.extend(local);
        }));
    }
    for worker in workers {
        let _ = worker.await;
    }
    let seconds = started.elapsed().as_secs_f64();
    let histogram = histogram.lock().await;
    let result = LevelResult {
        concurrency,
        requests,
        seconds,
        p50_ms: histogram.value_at_quantile(0.50) as f64 / 1000.0,
        p99_ms: histogram.value_at_quantile(0.99) as f64 / 1000.0,
        errors: errors.load(std::sync::atomic::Ordering::Relaxed),
    };
    let numbers = std::mem::take(&mut *acknowledged.lock().await);
    (result, numbers)
}

async fn api_benchmark(
    backend: BenchBackend,
    postgres_url: &str,
    levels: &[usize],
    requests: usize,
    crash_requests: usize,
) -> anyhow::Result<()> {
    let executable = std::env::current_exe().context("cannot find the sanad executable")?;
    let directory = tempfile_directory()?;
    let database_url = match backend {
        BenchBackend::Sqlite => format!("sqlite://{}", directory.join("bench.db").display()),
        BenchBackend::Postgres => {
            let schema = format!("sanad_bench_{}", std::process::id());
            match sanad_store::schemas::fresh_postgres_schema(postgres_url, &schema).await? {
                sanad_store::DatabaseUrl::Postgres(url) => url,
                sanad_store::DatabaseUrl::Sqlite(_) => {
                    bail!("--postgres-url must be a postgres:// URL")
                }
            }
        }
    };
    cli(&executable, &["migrate"], &database_url, &directory).await?;
    cli(
        &executable,
        &[
            "org",
            "create",
            "--slug",
            "bench",
            "--name",
            "Benchmark",
            "--prefix",
            "BN",
        ],
        &database_url,
        &directory,
    )
    .await?;
    let token = cli(
        &executable,
        &["token", "create", "--org", "bench", "--name", "bench"],
        &database_url,
        &directory,
    )
    .await?;

    let mut server = Server::start(&executable, &database_url, &directory).await?;
    let first_startup = server.startup;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (idle_rss, _) = server.memory_kib()?;
    println!(
        "backend: {backend:?}; server pid {}; start-up (spawn to the first healthy answer, migrated empty database) {:.0} ms; idle RSS {:.1} MiB",
        server.pid()?,
        first_startup.as_secs_f64() * 1000.0,
        idle_rss as f64 / 1024.0
    );
    println!();
    println!(
        "| backend | operation | concurrency | requests | requests/s | p50 ms | p99 ms | failed |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let mut offset = 0;
    let mut created: Vec<String> = Vec::new();
    for &concurrency in levels {
        // A short warm-up so connection set-up is not counted.
        let (_, warm) = load(
            &server.base,
            &token,
            concurrency,
            concurrency * 4,
            Operation::Create {
                offset: 1_000_000_000 + offset,
            },
        )
        .await;
        created.extend(warm);
        let (result, numbers) = load(
            &server.base,
            &token,
            concurrency,
            requests,
            Operation::Create { offset },
        )
        .await;
        created.extend(numbers);
        offset += requests;
        print_level(backend, "create", &result);
        let numbers = Arc::new(created.clone());
        for operation in [Operation::Read { numbers }, Operation::List] {
            let name = operation.name();
            let _ = load(
                &server.base,
                &token,
                concurrency,
                concurrency * 4,
                operation.clone(),
            )
            .await;
            let (result, _) = load(&server.base, &token, concurrency, requests, operation).await;
            print_level(backend, name, &result);
        }
    }
    let (rss, peak) = server.memory_kib()?;
    println!();
    println!(
        "server RSS after load {:.1} MiB, peak RSS {:.1} MiB; {} tickets in the database",
        rss as f64 / 1024.0,
        peak as f64 / 1024.0,
        created.len()
    );

    // Durability: kill -9 the server while creates are in flight, restart, and look for every
    // ticket that was acknowledged with 201.
    let base = server.base.clone();
    let crash_token = token.clone();
    let burst = tokio::spawn(async move {
        load(
            &base,
            &crash_token,
            8,
            crash_requests,
            Operation::Create {
                offset: 2_000_000_000,
            },
        )
        .await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.kill_9().await?;
    let (crash, acknowledged) = burst.await.context("the crash burst failed")?;
    let restarted = Server::start(&executable, &database_url, &directory).await?;
    println!(
        "start-up after kill -9 (spawn to the first healthy answer, {} tickets, recovery included): {:.0} ms",
        created.len() + acknowledged.len(),
        restarted.startup.as_secs_f64() * 1000.0
    );
    restarted.stop().await?;
    let store = sanad_store::Store::connect(
        &sanad_store::DatabaseUrl::parse(&database_url)?,
        sanad_store::AttachmentStore::local_directory(&directory.join("attachments"))?,
    )
    .await?;
    let organization = store
        .organization_by_slug("bench")
        .await?
        .context("the bench organization vanished")?;
    let missing = store
        .missing_ticket_numbers(organization.id, &acknowledged)
        .await?;
    store.close().await;
    println!(
        "kill -9 during a burst: {} creates acknowledged with 201 before the kill ({} requests failed when the server died); after restart {} of them are missing",
        acknowledged.len(),
        crash.errors,
        missing.len()
    );
    if backend == BenchBackend::Postgres {
        let schema = format!("sanad_bench_{}", std::process::id());
        sanad_store::schemas::drop_postgres_schema(postgres_url, &schema).await?;
    }
    let _ = std::fs::remove_dir_all(&directory);
    if !missing.is_empty() {
        bail!(
            "{} acknowledged tickets were lost: {:?}",
            missing.len(),
            &missing[..missing.len().min(10)]
        );
    }
    Ok(())
}

fn print_level(backend: BenchBackend, operation: &str, result: &LevelResult) {
    println!(
        "| {backend:?} | {operation} | {} | {} | {:.0} | {:.2} | {:.2} | {} |",
        result.concurrency,
        result.requests,
        result.requests as f64 / result.seconds,
        result.p50_ms,
        result.p99_ms,
        result.errors
    );
}

/// A benchmark's own database, removed afterwards.
pub(crate) struct BenchDatabase {
    pub store: sanad_store::Store,
    pub organization: sanad_store::Organization,
    directory: PathBuf,
    schema: String,
}

impl BenchDatabase {
    /// Closes the store and deletes the database: the temporary directory, and on PostgreSQL
    /// the schema.
    pub async fn remove(self, backend: BenchBackend, postgres_url: &str) -> anyhow::Result<()> {
        self.store.close().await;
        if backend == BenchBackend::Postgres {
            sanad_store::schemas::drop_postgres_schema(postgres_url, &self.schema).await?;
        }
        let _ = std::fs::remove_dir_all(&self.directory);
        Ok(())
    }
}

/// A fresh database for a benchmark — a SQLite file in a temporary directory, or a fresh schema
/// on the PostgreSQL server — holding one organization (`slug`, ticket prefix `prefix`) with
/// `policy` in force.
pub(crate) async fn bench_organization(
    backend: BenchBackend,
    postgres_url: &str,
    slug: &str,
    prefix: &str,
    policy: &str,
) -> anyhow::Result<BenchDatabase> {
    let directory = tempfile_directory()?;
    let schema = format!("sanad_{slug}_{}", std::process::id());
    let url = match backend {
        BenchBackend::Sqlite => sanad_store::DatabaseUrl::parse(&format!(
            "sqlite://{}",
            directory.join(format!("{slug}.db")).display()
        ))?,
        BenchBackend::Postgres => {
            sanad_store::schemas::fresh_postgres_schema(postgres_url, &schema).await?
        }
    };
    let store = sanad_store::Store::open(
        &url,
        sanad_store::AttachmentStore::local_directory(&directory.join("files"))?,
    )
    .await?;
    let name = format!("{}{}", slug[..1].to_uppercase(), &slug[1..]);
    let org =
        crate::create_organization(&store, slug, &name, Some(prefix), "Asia/Riyadh", 168).await?;
    store
        .apply_policy(
            &org,
            "seed-004.toml",
            policy,
            sanad_store::RecomputeDeadlines::KeepRunning,
            jiff::Timestamp::now(),
        )
        .await?;
    let organization = store
        .organization_by_slug(slug)
        .await?
        .context("the organization vanished")?;
    Ok(BenchDatabase {
        store,
        organization,
        directory,
        schema,
    })
}

fn tempfile_directory() -> anyhow::Result<PathBuf> {
    let directory = std::env::temp_dir().join(format!("sanad-bench-{}", std::process::id()));
    std::fs::create_dir_all(&directory)?;
    Ok(directory)
}

/// `sanad bench timers`: seeds open tickets with running targets and timers, some due, then
/// times one sweep as the server runs it (claim up to 500 due timers, fire them, repeat until
/// none is due), and an empty sweep.
async fn timer_benchmark(
    backend: BenchBackend,
    postgres_url: &str,
    tickets: i64,
    due_every: i64,
) -> anyhow::Result<()> {
    if tickets < 1 || due_every < 1 {
        bail!("--tickets and --due-every must be at least 1");
    }
    // Seed 004's shipped policy with pre-breach alerts, so each breach also starts the ladder.
    let policy = include_str!("../policies/seed-004-diplomas-platform.toml")
        .replace("alert_at = []", "alert_at = [0.75, 0.9]");
    let database = bench_organization(backend, postgres_url, "timers", "TM", &policy).await?;
    let (store, org) = (database.store.clone(), database.organization.clone());
    let now = jiff::Timestamp::now();
    let first = sanad_store::NewTicket {
        kind: sanad_domain::TicketKind::Inquiry,
        channel: sanad_domain::Channel::Email,
        subject: sanad_domain::Subject::parse("benchmark")?,
        body: sanad_domain::MessageBody::parse("benchmark")?,
        category: None,
        requester: sanad_store::NewRequester {
            name: sanad_domain::PersonName::parse("Benchmark")?,
            contact: sanad_store::RequesterContact::Email(sanad_domain::EmailAddress::parse(
                "bench@example.sa",
            )?),
            requester_type: sanad_domain::RequesterType::Trainee,
        },
        attachments: Vec::new(),
    };
    let requester = store
        .create_ticket(&org, &first, None, &sanad_store::Actor::System, now)
        .await?
        .ticket
        .requester
        .id;
    let seeding = Instant::now();
    store
        .seed_open_tickets_for_benchmark(&org, requester, tickets, due_every, now)
        .await?;
    let seeded_in = seeding.elapsed();
    let pending = store.pending_timer_count().await?;
    println!(
        "backend: {backend:?}; {tickets} open tickets and {pending} pending timers, seeded in {:.1} s",
        seeded_in.as_secs_f64()
    );
    let sweep_at = now + jiff::SignedDuration::from_secs(1);
    let started = Instant::now();
    let first_batch = store.fire_due_timers("bench", sweep_at, 500).await?;
    let first_batch_time = started.elapsed();
    let mut fired = first_batch.fired;
    loop {
        let report = store.fire_due_timers("bench", sweep_at, 500).await?;
        fired += report.fired;
        if report.claimed == 0 {
            break;
        }
    }
    let sweep_time = started.elapsed();
    let idle = Instant::now();
    let empty = store.fire_due_timers("bench", sweep_at, 500).await?;
    let idle_time = idle.elapsed();
    println!();
    println!(
        "| backend | open tickets | pending timers | due timers fired | full sweep | timers/s | first batch (500) | empty sweep |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    println!(
        "| {backend:?} | {tickets} | {pending} | {fired} | {:.2} s | {:.0} | {:.1} ms | {:.2} ms |",
        sweep_time.as_secs_f64(),
        fired as f64 / sweep_time.as_secs_f64(),
        first_batch_time.as_secs_f64() * 1000.0,
        idle_time.as_secs_f64() * 1000.0
    );
    database.remove(backend, postgres_url).await?;
    if empty.claimed != 0 {
        bail!("the sweep left {} due timers behind", empty.claimed);
    }
    Ok(())
}

/// `sanad bench queue`: times what the server does for one queue page — the queue query, the
/// counts of every queue, and the template — for an agent (whose visibility rule is part of
/// the query) and for a director, each seeing 50 tickets a page.
async fn queue_benchmark(
    backend: BenchBackend,
    postgres_url: &str,
    tickets: i64,
    renders: u32,
) -> anyhow::Result<()> {
    if tickets < 50 || renders < 1 {
        bail!("--tickets must be at least 50 and --renders at least 1");
    }
    let database = bench_organization(
        backend,
        postgres_url,
        "queue",
        "QU",
        include_str!("../policies/seed-004-diplomas-platform.toml"),
    )
    .await?;
    let (store, org) = (database.store.clone(), database.organization.clone());
    let now = jiff::Timestamp::now();
    let first = sanad_store::NewTicket {
        kind: sanad_domain::TicketKind::Inquiry,
        channel: sanad_domain::Channel::Email,
        subject: sanad_domain::Subject::parse("لا أستطيع الدخول إلى المنصة")?,
        body: sanad_domain::MessageBody::parse("benchmark")?,
        category: None,
        requester: sanad_store::NewRequester {
            name: sanad_domain::PersonName::parse("متدرب تجريبي")?,
            contact: sanad_store::RequesterContact::Email(sanad_domain::EmailAddress::parse(
                "bench@example.sa",
            )?),
            requester_type: sanad_domain::RequesterType::Trainee,
        },
        attachments: Vec::new(),
    };
    let requester = store
        .create_ticket(&org, &first, None, &sanad_store::Actor::System, now)
        .await?
        .ticket
        .requester
        .id;
    store
        .seed_open_tickets_for_benchmark(&org, requester, tickets - 1, 100, now)
        .await?;
    let state = sanad_web::AppState {
        store: store.clone(),
        clock: std::sync::Arc::new(sanad_web::SystemClock),
        metrics: sanad_web::metrics_handle(),
    };
    println!("backend: {backend:?}; {tickets} open tickets; {renders} renders per viewer");
    println!();
    println!("| viewer | queue | p50 | p99 | max | page size |");
    println!("|---|---|---|---|---|---|");
    for (role, departments) in [
        ("agent", vec!["student-support".to_owned()]),
        ("director", vec![]),
    ] {
        let new = crate::new_user(
            &format!("{role}@example.sa"),
            role,
            role,
            &departments,
            None,
        )?;
        let user = store.create_user(org.id, &new, now).await?;
        let staff = sanad_web::ui::session::StaffContext {
            page: sanad_web::ui::session::PageContext {
                tr: sanad_web::ui::i18n::Tr::new(sanad_web::ui::i18n::Lang::Ar),
                csrf: sanad_web::ui::session::CsrfToken(sanad_store::secrets::generate_token()),
                cookies: sanad_web::ui::session::CookieSettings {
                    security: sanad_web::CookieSecurity::AllowPlainHttp,
                },
                path: "/o/queue/desk".to_owned(),
            },
            org: org.clone(),
            principal: sanad_domain::permissions::Principal::Staff {
                user_id: user.id,
                role: user.role,
                departments: user.departments.clone(),
            },
            user,
            zone: jiff::tz::TimeZone::get("Asia/Riyadh")?,
            has_totp: false,
        };
        let params = sanad_web::ui::desk::QueueParams {
            queue: Some("open".to_owned()),
            ..Default::default()
        };
        let mut histogram = Histogram::<u64>::new(3)?;
        let mut size = 0;
        for round in 0..(renders + 50) {
            let started = Instant::now();
            let html = sanad_web::ui::desk::render_queue(&state, &staff, &params, false)
                .await
                .map_err(|error| anyhow::anyhow!("render failed: {error:?}"))?;
            let elapsed = started.elapsed();
            size = html.len();
            if round >= 50 {
                histogram.record(elapsed.as_micros() as u64)?;
            }
        }
        println!(
            "| {role} | all open, 50 a page | {:.2} ms | {:.2} ms | {:.2} ms | {} KiB |",
            histogram.value_at_quantile(0.5) as f64 / 1000.0,
            histogram.value_at_quantile(0.99) as f64 / 1000.0,
            histogram.max() as f64 / 1000.0,
            size / 1024
        );
        // Where the time goes: the parts of one render, timed alone.
        let breaking_within = jiff::SignedDuration::from_hours(4);
        let mut parts = Vec::new();
        for sort in [
            sanad_store::QueueSort::DeadlineFirst,
            sanad_store::QueueSort::NewestFirst,
        ] {
            let query = sanad_store::QueueQuery {
                queue: sanad_store::Queue::AllOpen,
                kind: None,
                status: None,
                category: None,
                department: None,
                importance: None,
                channel: None,
                text: None,
                sort,
                page: 1,
                page_size: 50,
                now: jiff::Timestamp::now(),
                breaching_within: breaking_within,
            };
            let mut part = Histogram::<u64>::new(3)?;
            for _ in 0..200 {
                let started = Instant::now();
                store.queue(org.id, &staff.principal, &query).await?;
                part.record(started.elapsed().as_micros() as u64)?;
            }
            parts.push(format!(
                "queue sorted {}: {:.2} ms",
                sort.as_str(),
                part.value_at_quantile(0.5) as f64 / 1000.0
            ));
        }
        let mut counts = Histogram::<u64>::new(3)?;
        for _ in 0..200 {
            let started = Instant::now();
            store
                .queue_counts(
                    org.id,
                    &staff.principal,
                    jiff::Timestamp::now(),
                    breaking_within,
                )
                .await?;
            counts.record(started.elapsed().as_micros() as u64)?;
        }
        parts.push(format!(
            "queue counts: {:.2} ms",
            counts.value_at_quantile(0.5) as f64 / 1000.0
        ));
        println!("|   | p50 of the parts: {} | | | | |", parts.join("; "));
    }
    database.remove(backend, postgres_url).await?;
    Ok(())
}
