//! Nothing lost: the real `sanad serve` binary under load while it is killed with SIGKILL and
//! restarted, while PostgreSQL itself restarts underneath it, and as two instances behind one
//! load balancer sharing a PostgreSQL database.
//!
//! These tests drive real processes, so unlike the rest of the suite they run on the wall clock:
//! the moments of the kills are chosen by counts of acknowledged requests, and the waits are for
//! a port to accept again or for the servers' one-second timer sweep to catch up. The tests of
//! this file run one at a time (see [`SERIAL`]): one of them restarts the PostgreSQL server, and
//! the others would see that restart as an outage of their own.

use jiff::{SignedDuration, Timestamp};
use sanad_domain::notifications::RequesterNotification;
use sanad_domain::{
    Channel, Code, EmailAddress, MessageBody, PersonName, RequesterType, StaffRole, Subject,
    TicketKind,
};
use sanad_store::{
    Actor, AttachmentStore, ChannelSetting, ChannelState, DatabaseUrl, NewRequester, NewTicket,
    NewUser, RequesterContact, Store, TicketFilter,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};
use tokio::sync::Mutex;

/// One test of this file at a time. Restarting PostgreSQL would break the connections of any
/// other test running beside it, and the load generators compete for the same two cores.
/// `cargo test` runs test binaries one after another, so nothing outside this file is affected.
static SERIAL: Mutex<()> = Mutex::const_new(());

const POSTGRES_DEFAULT: &str = "postgres://postgres@127.0.0.1:5432/test";

fn postgres_server() -> String {
    std::env::var("SANAD_TEST_POSTGRES_URL").unwrap_or_else(|_| POSTGRES_DEFAULT.into())
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Backend {
    Sqlite,
    Postgres,
}

/// A database of its own for one test: a SQLite file in the test's directory, or a fresh schema
/// on the PostgreSQL server, dropped at the end.
struct TestDatabase {
    url: String,
    schema: Option<String>,
    directory: tempfile::TempDir,
}

impl TestDatabase {
    async fn new(backend: Backend, name: &str) -> TestDatabase {
        let directory = tempfile::tempdir().expect("temporary directory");
        match backend {
            Backend::Sqlite => TestDatabase {
                url: format!("sqlite://{}", directory.path().join("sanad.db").display()),
                schema: None,
                directory,
            },
            Backend::Postgres => {
                let schema = format!(
                    "durability_{name}_{}_{}",
                    std::process::id(),
                    Timestamp::now().as_millisecond() % 1_000_000
                );
                let url = sanad_store::schemas::fresh_postgres_schema(&postgres_server(), &schema)
                    .await
                    .expect("a fresh PostgreSQL schema");
                let DatabaseUrl::Postgres(url) = url else {
                    panic!("SANAD_TEST_POSTGRES_URL must be a postgres:// URL")
                };
                TestDatabase {
                    url,
                    schema: Some(schema),
                    directory,
                }
            }
        }
    }

    fn path(&self) -> &Path {
        self.directory.path()
    }

    /// Opens the database from the test process, as a further instance would.
    async fn store(&self) -> Store {
        Store::connect(
            &DatabaseUrl::parse(&self.url).unwrap(),
            AttachmentStore::local_directory(&self.path().join("attachments")).unwrap(),
        )
        .await
        .expect("open the store")
    }

    async fn remove(self) {
        if let Some(schema) = &self.schema {
            sanad_store::schemas::drop_postgres_schema(&postgres_server(), schema)
                .await
                .expect("drop the schema");
        }
    }
}

/// Runs one `sanad` command to completion and returns its standard output.
async fn sanad(database: &TestDatabase, arguments: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_sanad"))
        .args(arguments)
        .args(["--database-url", &database.url])
        .current_dir(database.path())
        .env_remove("SANAD_DATABASE_URL")
        .env("SANAD_ATTACHMENTS", database.path().join("attachments"))
        .env("SANAD_LOG_FILTER", "warn")
        .output()
        .await
        .expect("run sanad");
    assert!(
        output.status.success(),
        "sanad {} failed: {}",
        arguments.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// An organization made through the command line, and an integration token for it.
async fn organization_and_token(database: &TestDatabase, slug: &str, prefix: &str) -> String {
    sanad(
        database,
        &[
            "org",
            "create",
            "--slug",
            slug,
            "--name",
            "مركز التدريب التجريبي",
            "--prefix",
            prefix,
        ],
    )
    .await;
    sanad(
        database,
        &["token", "create", "--org", slug, "--name", "load-generator"],
    )
    .await
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// A `sanad serve` child process on a fixed port, its log appended to a file.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    async fn start(database: &TestDatabase, port: u16, log_name: &str) -> Server {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(database.path().join(log_name))
            .expect("open the server log");
        let child = Command::new(env!("CARGO_BIN_EXE_sanad"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--database-url", &database.url])
            .current_dir(database.path())
            .env_remove("SANAD_DATABASE_URL")
            .env("SANAD_ATTACHMENTS", database.path().join("attachments"))
            // The sweep's info line ("service-level timers fired") tells which instance fired
            // timers; request traces stay quiet.
            .env("SANAD_LOG_FILTER", "info,tower_http=warn")
            .env("SANAD_LOG_FORMAT", "json")
            .env("SANAD_TIMER_SWEEP_SECONDS", "1")
            .env("SANAD_OUTBOX_POLL_SECONDS", "1")
            .env("SANAD_DIGEST_ENABLED", "false")
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .kill_on_drop(true)
            .spawn()
            .expect("start sanad serve");
        let mut server = Server { child, port };
        server.wait_until_healthy().await;
        server
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Waits for the port to accept and `/healthz` to answer; a debug build on a busy machine
    /// may take a few seconds to migrate and start.
    async fn wait_until_healthy(&mut self) {
        let client = reqwest::Client::new();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("sanad serve exited during start-up: {status}");
            }
            if let Ok(response) = client.get(format!("{}/healthz", self.base())).send().await
                && response.status().is_success()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("sanad serve did not answer /healthz within 60 s");
    }

    /// SIGKILL: no graceful shutdown, no flushing, exactly a crash.
    async fn kill_9(&mut self) {
        self.child.start_kill().expect("send SIGKILL");
        self.child.wait().await.expect("reap the killed server");
    }

    fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    async fn stop(mut self) {
        if let Some(pid) = self.child.id() {
            let _ = Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status()
                .await;
        }
        let _ = self.child.wait().await;
    }
}

/// A ticket whose creation was acknowledged with 201 (or 200 for a retry the server recognised
/// by its Idempotency-Key).
#[derive(Debug, Clone)]
struct AcknowledgedTicket {
    key: String,
    number: String,
    subject: String,
}

#[derive(Debug, Clone)]
struct AcknowledgedMessage {
    number: String,
    id: i64,
    body: String,
}

/// Everything the load generator was told: what the server acknowledged, and the status of every
/// answer that was not a success (connection failures are counted apart).
#[derive(Default)]
struct Ledger {
    tickets: std::sync::Mutex<Vec<AcknowledgedTicket>>,
    messages: std::sync::Mutex<Vec<AcknowledgedMessage>>,
    acknowledged: AtomicUsize,
    refused: std::sync::Mutex<BTreeMap<u16, usize>>,
    unanswered: AtomicUsize,
}

impl Ledger {
    fn acknowledged(&self) -> usize {
        self.acknowledged.load(Ordering::SeqCst)
    }

    fn refusal(&self, status: reqwest::StatusCode) {
        *self
            .refused
            .lock()
            .unwrap()
            .entry(status.as_u16())
            .or_default() += 1;
    }
}

/// The load generator: `workers` tasks, each creating tickets (with an Idempotency-Key, retried
/// with the same key until the server says what became of it) and adding requester messages to
/// its own acknowledged tickets, until `stop` is set.
struct Load {
    ledger: Arc<Ledger>,
    stop: Arc<AtomicBool>,
    workers: Vec<tokio::task::JoinHandle<()>>,
}

impl Load {
    fn start(
        base: &str,
        token: &str,
        workers: usize,
        category: &'static str,
        client: reqwest::Client,
    ) -> Load {
        let ledger = Arc::new(Ledger::default());
        let stop = Arc::new(AtomicBool::new(false));
        let handles = (0..workers)
            .map(|worker| {
                let (ledger, stop, client) = (ledger.clone(), stop.clone(), client.clone());
                let (base, token) = (base.to_owned(), token.to_owned());
                tokio::spawn(async move {
                    generate(worker, &base, &token, category, &client, &ledger, &stop).await
                })
            })
            .collect();
        Load {
            ledger,
            stop,
            workers: handles,
        }
    }

    /// Waits until `count` requests in all have been acknowledged, failing after `limit`.
    async fn until_acknowledged(&self, count: usize, limit: Duration, what: &str) {
        let started = Instant::now();
        while self.ledger.acknowledged() < count {
            assert!(
                started.elapsed() < limit,
                "{what}: only {} of {count} requests acknowledged after {limit:?}; refusals {:?}, unanswered {}",
                self.ledger.acknowledged(),
                self.ledger.refused.lock().unwrap(),
                self.ledger.unanswered.load(Ordering::SeqCst),
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    async fn finish(self) -> Arc<Ledger> {
        self.stop.store(true, Ordering::SeqCst);
        for worker in self.workers {
            worker.await.expect("a load worker panicked");
        }
        self.ledger
    }
}

async fn generate(
    worker: usize,
    base: &str,
    token: &str,
    category: &str,
    client: &reqwest::Client,
    ledger: &Ledger,
    stop: &AtomicBool,
) {
    // A failed attempt waits a little before the next one, so a dead server is not hammered.
    let pause = || tokio::time::sleep(Duration::from_millis(20));
    let mut mine: Vec<String> = Vec::new();
    let mut sequence = 0usize;
    while !stop.load(Ordering::SeqCst) {
        sequence += 1;
        if mine.is_empty() || sequence.is_multiple_of(3) {
            let key = format!("load-{worker}-{sequence}");
            let subject = format!("تعذر الدخول إلى المحاضرة المباشرة {key}");
            let body = serde_json::json!({
                "kind": "complaint",
                "channel": "web_form",
                "subject": subject,
                "body": "حاولت الدخول إلى المحاضرة المباشرة في موعدها ولكن الرابط يظهر رسالة خطأ.",
                "category": category,
                "requester": {
                    "name": "متدرب تجريبي",
                    "email": format!("trainee-{worker}@example.sa"),
                    "type": "trainee"
                }
            });
            // The same request under the same key until it is answered: an answer lost in a
            // crash may belong to a committed create, and the retry must then return that
            // ticket (200) rather than make a second one.
            while !stop.load(Ordering::SeqCst) {
                let sent = client
                    .post(format!("{base}/api/v1/tickets"))
                    .bearer_auth(token)
                    .header("Idempotency-Key", &key)
                    .json(&body)
                    .send()
                    .await;
                match sent {
                    Ok(response) if response.status().is_success() => {
                        match response.json::<serde_json::Value>().await {
                            Ok(view) => {
                                let number = view["number"].as_str().expect("a number").to_owned();
                                assert_eq!(view["subject"], subject.as_str());
                                ledger.tickets.lock().unwrap().push(AcknowledgedTicket {
                                    key: key.clone(),
                                    number: number.clone(),
                                    subject: subject.clone(),
                                });
                                ledger.acknowledged.fetch_add(1, Ordering::SeqCst);
                                mine.push(number);
                                break;
                            }
                            // The connection died while the body was read: not acknowledged.
                            Err(_) => {
                                ledger.unanswered.fetch_add(1, Ordering::SeqCst);
                                pause().await;
                            }
                        }
                    }
                    Ok(response) => {
                        ledger.refusal(response.status());
                        pause().await;
                    }
                    Err(_) => {
                        ledger.unanswered.fetch_add(1, Ordering::SeqCst);
                        pause().await;
                    }
                }
            }
        } else {
            let number = mine[sequence % mine.len()].clone();
            let body = format!("متابعة من المتدرب {worker}، الرسالة {sequence}");
            let sent = client
                .post(format!("{base}/api/v1/tickets/{number}/messages"))
                .bearer_auth(token)
                .json(&serde_json::json!({ "kind": "requester_message", "body": body }))
                .send()
                .await;
            match sent {
                Ok(response) if response.status().is_success() => {
                    if let Ok(view) = response.json::<serde_json::Value>().await {
                        let id = view["id"].as_i64().expect("a message id");
                        ledger.messages.lock().unwrap().push(AcknowledgedMessage {
                            number,
                            id,
                            body,
                        });
                        ledger.acknowledged.fetch_add(1, Ordering::SeqCst);
                    } else {
                        ledger.unanswered.fetch_add(1, Ordering::SeqCst);
                    }
                }
                Ok(response) => {
                    ledger.refusal(response.status());
                    pause().await;
                }
                Err(_) => {
                    ledger.unanswered.fetch_add(1, Ordering::SeqCst);
                    pause().await;
                }
            }
        }
    }
}

/// Every ticket of the organization through the API, following the cursor.
async fn all_tickets(base: &str, token: &str) -> Vec<serde_json::Value> {
    let client = reqwest::Client::new();
    let mut tickets = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        // The cursor is URL-safe base64 and needs no escaping.
        let url = match &cursor {
            Some(cursor) => format!("{base}/api/v1/tickets?limit=200&cursor={cursor}"),
            None => format!("{base}/api/v1/tickets?limit=200"),
        };
        let page: serde_json::Value = client
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .expect("list tickets")
            .error_for_status()
            .expect("list tickets")
            .json()
            .await
            .expect("a ticket page");
        tickets.extend(page["tickets"].as_array().expect("tickets").iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return tickets,
        }
    }
}

/// The acceptance check of the crash tests, through the API of a live server: every acknowledged
/// ticket and message is there with what was acknowledged, no ticket number appears twice, no
/// Idempotency-Key made two tickets, and no two keys were answered with one ticket.
async fn assert_nothing_lost(base: &str, token: &str, ledger: &Ledger) {
    let tickets = ledger.tickets.lock().unwrap().clone();
    let messages = ledger.messages.lock().unwrap().clone();
    let listed = all_tickets(base, token).await;
    let mut numbers = BTreeSet::new();
    let mut subjects: HashMap<String, usize> = HashMap::new();
    for ticket in &listed {
        let number = ticket["number"].as_str().unwrap().to_owned();
        assert!(
            numbers.insert(number.clone()),
            "ticket number {number} is listed twice"
        );
        *subjects
            .entry(ticket["subject"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    let mut keys_by_number: HashMap<&str, &str> = HashMap::new();
    for ticket in &tickets {
        assert!(
            numbers.contains(&ticket.number),
            "acknowledged ticket {} (key {}) is missing",
            ticket.number,
            ticket.key
        );
        assert_eq!(
            subjects.get(&ticket.subject),
            Some(&1),
            "key {} must make exactly one ticket",
            ticket.key
        );
        if let Some(other) = keys_by_number.insert(&ticket.number, &ticket.key) {
            panic!(
                "keys {other} and {} were both answered with {}",
                ticket.key, ticket.number
            );
        }
    }
    let client = reqwest::Client::new();
    let mut by_ticket: BTreeMap<&str, Vec<&AcknowledgedMessage>> = BTreeMap::new();
    for message in &messages {
        by_ticket.entry(&message.number).or_default().push(message);
    }
    for (number, expected) in by_ticket {
        let detail: serde_json::Value = client
            .get(format!("{base}/api/v1/tickets/{number}"))
            .bearer_auth(token)
            .send()
            .await
            .expect("read a ticket")
            .error_for_status()
            .expect("read a ticket")
            .json()
            .await
            .expect("a ticket");
        let stored: HashMap<i64, &str> = detail["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|message| {
                (
                    message["id"].as_i64().unwrap(),
                    message["body"].as_str().unwrap(),
                )
            })
            .collect();
        for message in expected {
            assert_eq!(
                stored.get(&message.id).copied(),
                Some(message.body.as_str()),
                "acknowledged message {} on {number} is missing or changed",
                message.id
            );
        }
    }
}

/// A client that opens a fresh connection for every request, so that a request never rides a
/// connection to a server that has since died, and a round-robin balancer sees every request.
fn client_without_pooling() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("an HTTP client")
}

// ---- kill -9 under load ---------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_acknowledged_writes_survive_kill_9() {
    let _serial = SERIAL.lock().await;
    acknowledged_writes_survive_kill_9(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_acknowledged_writes_survive_kill_9() {
    let _serial = SERIAL.lock().await;
    acknowledged_writes_survive_kill_9(Backend::Postgres).await;
}

/// Kills the server with SIGKILL five times while eight clients create tickets and add
/// messages, each time once a further (jittered) number of requests has been acknowledged, and
/// restarts it on the same database and port.
async fn acknowledged_writes_survive_kill_9(backend: Backend) {
    const KILLS: usize = 5;
    let started = Instant::now();
    let database = TestDatabase::new(backend, "crash").await;
    let token = organization_and_token(&database, "crash-test", "CR").await;
    let port = free_port();
    let mut server = Server::start(&database, port, "serve.log").await;
    let base = server.base();
    let load = Load::start(
        &base,
        &token,
        8,
        "live-session-attendance",
        client_without_pooling(),
    );
    let mut threshold = 0;
    for kill in 1..=KILLS {
        // Between 60 and 139 more acknowledgements before each kill, so the kills land at
        // different points of the workers' create/message cycle in each run.
        threshold += 60 + rand::random::<u32>() as usize % 80;
        load.until_acknowledged(
            threshold,
            Duration::from_secs(60),
            &format!("before kill {kill}"),
        )
        .await;
        server.kill_9().await;
        server = Server::start(&database, port, "serve.log").await;
    }
    // Writes are taken again after the last restart.
    threshold += 40;
    load.until_acknowledged(threshold, Duration::from_secs(60), "after the last restart")
        .await;
    let ledger = load.finish().await;
    assert_nothing_lost(&base, &token, &ledger).await;
    let refused = ledger.refused.lock().unwrap().clone();
    assert!(
        refused.keys().all(|status| *status == 503),
        "only 503 may refuse a write while the server restarts: {refused:?}"
    );
    eprintln!(
        "{backend:?}: {KILLS} kills, {} tickets and {} messages acknowledged, all present; {} requests unanswered, refusals {refused:?}; {:.1} s",
        ledger.tickets.lock().unwrap().len(),
        ledger.messages.lock().unwrap().len(),
        ledger.unanswered.load(Ordering::SeqCst),
        started.elapsed().as_secs_f64()
    );
    server.stop().await;
    database.remove().await;
}

// ---- PostgreSQL restarted under load --------------------------------------------------------

/// The local PostgreSQL cluster behind the test server URL: `(version, name)` from
/// `pg_lsclusters`, matched by port.
async fn postgres_cluster() -> (String, String) {
    let server = postgres_server();
    let port = server
        .rsplit_once('@')
        .map_or(server.as_str(), |(_, host)| host)
        .split('/')
        .next()
        .and_then(|host| host.rsplit_once(':'))
        .map_or("5432", |(_, port)| port)
        .to_owned();
    let output = Command::new("pg_lsclusters")
        .arg("--no-header")
        .output()
        .await
        .expect(
            "pg_lsclusters (Debian's postgresql-common) is needed to restart PostgreSQL; \
             .ci/run installs it",
        );
    let listing = String::from_utf8_lossy(&output.stdout);
    listing
        .lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>())
        .find(|fields| fields.len() >= 3 && fields[2] == port)
        .map(|fields| (fields[0].to_owned(), fields[1].to_owned()))
        .unwrap_or_else(|| panic!("no local PostgreSQL cluster on port {port}: {listing}"))
}

async fn restart_postgres(version: &str, name: &str) {
    let output = Command::new("pg_ctlcluster")
        .args(["--skip-systemctl-redirect", version, name, "restart"])
        .output()
        .await
        .expect("run pg_ctlcluster");
    assert!(
        output.status.success(),
        "pg_ctlcluster {version} {name} restart failed (it must run as root or postgres): {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Restarts PostgreSQL twice while eight clients write through one server, which is never
/// restarted: it must take writes again by itself, and keep every one it acknowledged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_rides_out_a_postgres_restart() {
    let _serial = SERIAL.lock().await;
    let started = Instant::now();
    let (version, name) = postgres_cluster().await;
    let database = TestDatabase::new(Backend::Postgres, "outage").await;
    let token = organization_and_token(&database, "outage-test", "OT").await;
    let mut server = Server::start(&database, free_port(), "serve.log").await;
    let base = server.base();
    let load = Load::start(
        &base,
        &token,
        8,
        "live-session-attendance",
        client_without_pooling(),
    );
    let mut threshold = 60;
    for restart in 1..=2 {
        load.until_acknowledged(
            threshold,
            Duration::from_secs(60),
            &format!("before PostgreSQL restart {restart}"),
        )
        .await;
        let outage = Instant::now();
        restart_postgres(&version, &name).await;
        let restarted_after = outage.elapsed();
        // The same server process, reconnecting on its own, takes writes again.
        threshold = load.ledger.acknowledged() + 60;
        load.until_acknowledged(
            threshold,
            Duration::from_secs(60),
            &format!("after PostgreSQL restart {restart}"),
        )
        .await;
        eprintln!(
            "PostgreSQL restart {restart}: pg_ctlcluster took {:.1} s; writes acknowledged again {:.1} s after the restart began",
            restarted_after.as_secs_f64(),
            outage.elapsed().as_secs_f64()
        );
        assert!(server.is_running(), "the server died with PostgreSQL");
        threshold += 60;
    }
    let ledger = load.finish().await;
    assert!(server.is_running(), "the server died with PostgreSQL");
    assert_nothing_lost(&base, &token, &ledger).await;
    let refused = ledger.refused.lock().unwrap().clone();
    assert!(
        refused.keys().all(|status| *status == 503),
        "a request during the outage may only be refused with 503: {refused:?}"
    );
    eprintln!(
        "PostgreSQL restarted twice under load: {} tickets and {} messages acknowledged, all present; refusals {refused:?}, unanswered {}; {:.1} s",
        ledger.tickets.lock().unwrap().len(),
        ledger.messages.lock().unwrap().len(),
        ledger.unanswered.load(Ordering::SeqCst),
        started.elapsed().as_secs_f64()
    );
    server.stop().await;
    database.remove().await;
}

// ---- two instances behind a load balancer ---------------------------------------------------

/// A round-robin TCP balancer: each accepted connection goes to the next backend in turn and is
/// spliced to it byte for byte. With clients that open a connection per request, requests
/// alternate between the instances. Returns its port and the connections each backend got.
async fn round_robin_balancer(backends: Vec<u16>) -> (u16, Arc<Vec<AtomicUsize>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the balancer");
    let port = listener.local_addr().unwrap().port();
    let counts: Arc<Vec<AtomicUsize>> =
        Arc::new(backends.iter().map(|_| AtomicUsize::new(0)).collect());
    let served = counts.clone();
    tokio::spawn(async move {
        let mut next = 0usize;
        while let Ok((mut inbound, _)) = listener.accept().await {
            let index = next % backends.len();
            next += 1;
            served[index].fetch_add(1, Ordering::SeqCst);
            let backend = backends[index];
            tokio::spawn(async move {
                if let Ok(mut outbound) =
                    tokio::net::TcpStream::connect(("127.0.0.1", backend)).await
                {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    (port, counts)
}

/// Seed 004's policy with pre-breach alerts at 75 % and 90 %, so that alerts, breaches and the
/// first ladder stage are all timers.
fn policy_with_alerts() -> String {
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/seed-004-diplomas-platform.toml"),
    )
    .expect("seed 004's policy");
    assert!(source.contains("alert_at = []"));
    source.replace("alert_at = []", "alert_at = [0.75, 0.9]")
}

/// A ticket by e-mail (24 working hours to the first response under seed 004), for a store
/// instance to create at a past moment.
fn overdue_ticket(index: usize) -> NewTicket {
    NewTicket {
        kind: TicketKind::Complaint,
        channel: Channel::Email,
        subject: Subject::parse(&format!("لم يتم تفعيل حسابي في المنصة {index}")).unwrap(),
        body: MessageBody::parse("سجلت في الدبلوم ولم يصلني رابط التفعيل.").unwrap(),
        category: Some(Code::parse("registration-account").unwrap()),
        requester: NewRequester {
            name: PersonName::parse("سارة العتيبي").unwrap(),
            contact: RequesterContact::Email(
                EmailAddress::parse(&format!("sara-{index}@example.sa")).unwrap(),
            ),
            requester_type: RequesterType::Trainee,
        },
        attachments: vec![],
    }
}

/// The timers one instance reports having fired, summed over its JSON log lines
/// ("service-level timers fired", with the count in `fired`).
fn timers_fired_in_log(path: &Path) -> u64 {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|entry| entry["fields"]["message"] == "service-level timers fired")
        .filter_map(|entry| entry["fields"]["fired"].as_u64())
        .sum()
}

/// Two `sanad serve` instances on one PostgreSQL schema behind a round-robin balancer. Clients
/// create tickets through the balancer while a third instance (the test's own store) keeps
/// adding tickets created three weeks ago, whose alerts, breaches and first escalation stage
/// are overdue, for both instances' one-second sweeps to race over. Afterwards: no ticket number
/// twice, each breach and stage once per ticket, no alert twice, and each requester
/// notification once in the outbox.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_behind_a_balancer_act_once() {
    const OVERDUE: usize = 60;
    let _serial = SERIAL.lock().await;
    let started = Instant::now();
    let database = TestDatabase::new(Backend::Postgres, "pair").await;
    let token = organization_and_token(&database, "diplomas", "DP").await;
    let policy = database.path().join("seed-004-with-alerts.toml");
    std::fs::write(&policy, policy_with_alerts()).unwrap();
    sanad(
        &database,
        &[
            "policy",
            "apply",
            "--org",
            "diplomas",
            policy.to_str().unwrap(),
        ],
    )
    .await;
    let store = database.store().await;
    let org = store
        .organization_by_slug("diplomas")
        .await
        .unwrap()
        .expect("the organization");
    // A team lead of the department, so that alerts, breaches and the first stage notify
    // someone and duplicate staff notifications would show.
    let team_lead = store
        .create_user(
            org.id,
            &NewUser {
                email: EmailAddress::parse("lead@example.sa").unwrap(),
                name: PersonName::parse("هند الشمري").unwrap(),
                role: StaffRole::TeamLead,
                departments: vec![Code::parse("student-support").unwrap()],
                password_hash: None,
            },
            Timestamp::now(),
        )
        .await
        .unwrap();
    // Requester notifications go to the outbox only for an organization with a channel to send
    // them on. The relay is a port where nothing listens: each notification stays in the outbox,
    // retried by whichever instance claims it, where a duplicate row would show.
    store
        .set_channel_setting(
            org.id,
            &ChannelSetting {
                channel: Channel::Email,
                state: ChannelState::Enabled,
                address: "students@example.sa".into(),
            },
        )
        .await
        .unwrap();
    store
        .set_channel_credentials(
            org.id,
            Channel::Email,
            &serde_json::json!({
                "address": "students@example.sa",
                "display_name": "منصة الدبلومات",
                "smtp": {
                    "host": "127.0.0.1",
                    "port": free_port(),
                    "security": "plain",
                    "timeout_seconds": 2
                },
            }),
            Timestamp::now(),
        )
        .await
        .unwrap();

    let first = Server::start(&database, free_port(), "first.log").await;
    let second = Server::start(&database, free_port(), "second.log").await;
    let (balancer, served) = round_robin_balancer(vec![first.port, second.port]).await;
    let load = Load::start(
        &format!("http://127.0.0.1:{balancer}"),
        &token,
        4,
        "registration-account",
        client_without_pooling(),
    );
    // Three weeks ago is far past the 24 working hours of the first response (and its 75 % and
    // 90 % alerts), whatever the weekday and holidays.
    let three_weeks_ago = Timestamp::now() - SignedDuration::from_hours(21 * 24);
    let mut overdue = Vec::new();
    for index in 0..OVERDUE {
        let created = store
            .create_ticket(
                &org,
                &overdue_ticket(index),
                None,
                &Actor::System,
                three_weeks_ago + SignedDuration::from_secs(index as i64),
            )
            .await
            .unwrap();
        overdue.push(created.ticket.number);
        if index % 10 == 9 {
            // Batches a sweep apart, so that the instances' sweeps meet the timers at different
            // moments rather than one of them taking everything at once.
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
    load.until_acknowledged(120, Duration::from_secs(60), "creates through the balancer")
        .await;
    let ledger = load.finish().await;

    // Wait for the sweeps to have fired every breach and first stage, then for two more sweeps
    // of each instance, which would show a timer acted on twice.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let mut pending = 0;
        for number in &overdue {
            let detail = store.ticket_detail(org.id, number).await.unwrap().unwrap();
            if detail.escalations.is_empty() {
                pending += 1;
            }
        }
        if pending == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{pending} overdue tickets still not escalated after 60 s"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let fired = [
        timers_fired_in_log(&database.path().join("first.log")),
        timers_fired_in_log(&database.path().join("second.log")),
    ];
    first.stop().await;
    second.stop().await;
    // Each overdue ticket has three timers (the alerts at 75 % and 90 % and the breach, which
    // starts the first stage in its own transaction); a breach firing first deletes the alerts
    // still pending. A timer fired by both instances would push the sum past three per ticket.
    let fired_total: u64 = fired.iter().sum();
    assert!(
        (OVERDUE as u64..=3 * OVERDUE as u64).contains(&fired_total),
        "the instances report {fired:?} timers fired for {OVERDUE} overdue tickets"
    );

    let served: Vec<usize> = served
        .iter()
        .map(|count| count.load(Ordering::SeqCst))
        .collect();
    assert!(
        served.iter().all(|count| *count > 0),
        "both instances served requests through the balancer: {served:?}"
    );
    let acknowledged = ledger.tickets.lock().unwrap().clone();
    let mut all = Vec::new();
    let mut before_id = None;
    loop {
        let page = store
            .list_tickets(
                org.id,
                &TicketFilter {
                    before_id,
                    limit: 200,
                    ..TicketFilter::default()
                },
            )
            .await
            .unwrap();
        all.extend(page.tickets);
        match page.next_before_id {
            Some(next) => before_id = Some(next),
            None => break,
        }
    }
    let numbers: BTreeSet<&str> = all.iter().map(|ticket| ticket.number.as_str()).collect();
    assert_eq!(numbers.len(), all.len(), "a ticket number was given twice");
    for ticket in &acknowledged {
        assert!(
            numbers.contains(ticket.number.as_str()),
            "{} is missing",
            ticket.number
        );
    }
    let subjects: BTreeSet<&str> = all.iter().map(|ticket| ticket.subject.as_str()).collect();
    assert_eq!(
        subjects.len(),
        all.len(),
        "an Idempotency-Key made two tickets"
    );

    for ticket in &all {
        let detail = store
            .ticket_detail(org.id, &ticket.number)
            .await
            .unwrap()
            .unwrap();
        let overdue = overdue.contains(&ticket.number);
        let changes: Vec<&serde_json::Value> = detail
            .events
            .iter()
            .filter_map(|event| event.after.as_ref())
            .filter(|after| after.get("change").is_some())
            .collect();
        let breaches = changes
            .iter()
            .filter(|after| after["change"] == "breached")
            .count();
        let mut alerts: Vec<String> = changes
            .iter()
            .filter(|after| after["change"] == "alert")
            .map(|after| format!("{}@{}", after["target"], after["alert_at"]))
            .collect();
        let alerted = alerts.len();
        alerts.sort();
        alerts.dedup();
        assert_eq!(
            alerts.len(),
            alerted,
            "an alert fired twice on {}",
            ticket.number
        );
        let stages: Vec<&str> = detail
            .escalations
            .iter()
            .map(|escalation| escalation.stage_name.as_str())
            .collect();
        if overdue {
            assert_eq!(
                breaches, 1,
                "one breach of the first response on {}",
                ticket.number
            );
            assert_eq!(stages, ["team-lead-reminder"], "{}", ticket.number);
        } else {
            // Created just now through the balancer: nothing is due yet.
            assert_eq!(
                (breaches, alerted, stages.len()),
                (0, 0, 0),
                "{}",
                ticket.number
            );
        }

        // Staff notifications: never the same one twice.
        let notifications = store
            .notifications_for_ticket(org.id, &ticket.number)
            .await
            .unwrap();
        let mut seen = BTreeSet::new();
        for notification in &notifications {
            assert!(
                seen.insert((
                    notification.user_id,
                    notification.kind.clone(),
                    notification.detail.to_string()
                )),
                "staff notification {} {} twice on {}",
                notification.kind,
                notification.detail,
                ticket.number
            );
        }
        if overdue {
            assert!(
                notifications
                    .iter()
                    .any(|n| n.kind == "breach" && n.user_id == team_lead.id),
                "the team lead is told of the breach of {}",
                ticket.number
            );
        }

        // Requester notifications in the outbox: one row per event that calls for one.
        let deliveries = store.ticket_deliveries(ticket.id).await.unwrap();
        let mut kinds: BTreeMap<RequesterNotification, usize> = BTreeMap::new();
        for delivery in &deliveries {
            *kinds.entry(delivery.kind).or_default() += 1;
        }
        assert_eq!(
            kinds.get(&RequesterNotification::Receipt),
            Some(&1),
            "one receipt for {}: {kinds:?}",
            ticket.number
        );
        assert_eq!(
            kinds
                .get(&RequesterNotification::Escalated)
                .copied()
                .unwrap_or(0),
            stages.len(),
            "one escalation notice per stage for {}: {kinds:?}",
            ticket.number
        );
        assert!(
            kinds.values().all(|count| *count <= stages.len().max(1)),
            "a requester notification twice in the outbox for {}: {kinds:?}",
            ticket.number
        );
    }
    eprintln!(
        "two instances: {} tickets ({} through the balancer, {OVERDUE} overdue), connections per instance {served:?}, timers fired per instance {fired:?}; {:.1} s",
        all.len(),
        acknowledged.len(),
        started.elapsed().as_secs_f64()
    );
    store.close().await;
    database.remove().await;
}
