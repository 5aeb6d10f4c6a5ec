//! `sanad backup` and `sanad restore` round-trip a live database, on SQLite and on PostgreSQL:
//! the real binary serves and takes writes over HTTP while the backup is taken and after it; the
//! backup is restored into a fresh location, where every ticket acknowledged before the backup
//! is present with its messages and events, the audit chain verifies, and a server on it
//! answers. Restore's refusals (a database in use, one with data, a file that is not a Sanad
//! backup, a backup of another kind or schema) are checked on the way.

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The live server's attachment directory, inside the test's directory.
const LIVE_FILES: &str = "attachments";

fn sanad(directory: &Path, arguments: &[&str]) -> Output {
    sanad_with_files(directory, LIVE_FILES, arguments)
}

/// Runs `sanad` with its attachment store in `files`, a directory inside `directory`.
fn sanad_with_files(directory: &Path, files: &str, arguments: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sanad"))
        .args(arguments)
        .current_dir(directory)
        .env_remove("SANAD_DATABASE_URL")
        .env("SANAD_LOG_FILTER", "warn")
        .env("SANAD_ATTACHMENTS", directory.join(files))
        .output()
        .expect("run sanad")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn succeed(directory: &Path, arguments: &[&str]) -> String {
    let output = sanad(directory, arguments);
    assert!(
        output.status.success(),
        "sanad {arguments:?}: {}",
        text(&output.stderr)
    );
    text(&output.stdout).trim().to_owned()
}

/// A `sanad serve` child, stopped with SIGTERM (or killed) when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    async fn start(directory: &Path, database: &str, files: &str) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_sanad"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--database-url", database])
            .current_dir(directory)
            .env_remove("SANAD_DATABASE_URL")
            .env("SANAD_LOG_FILTER", "warn")
            .env("SANAD_ATTACHMENTS", directory.join(files))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start sanad serve");
        let server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(response) = client.get(format!("{}/healthz", server.base)).send().await
                && response.status().is_success()
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server did not become healthy");
    }

    fn stop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// An acknowledged write: the ticket and the text of the message added to it (if that was
/// acknowledged too).
type Acknowledged = Arc<Mutex<BTreeMap<String, Option<String>>>>;

/// Creates tickets and adds a message to each until `stop`, recording what got a 2xx.
async fn writer(
    base: String,
    token: String,
    worker: usize,
    stop: Arc<AtomicBool>,
    done: Acknowledged,
) {
    let client = reqwest::Client::new();
    let mut sequence = 0;
    while !stop.load(Ordering::Relaxed) {
        sequence += 1;
        let created = client
            .post(format!("{base}/api/v1/tickets"))
            .bearer_auth(&token)
            .json(&json!({
                "kind": "complaint",
                "channel": "web_form",
                "subject": format!("تأخر إصدار الشهادة {worker}-{sequence}"),
                "body": "أنهيت الدورة منذ أسبوعين ولم تصدر الشهادة بعد.",
                "requester": {"name": "منى الحربي", "email": format!("muna{worker}@example.sa"), "type": "trainee"}
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201, "{}", created.text().await.unwrap());
        let number = created.json::<Value>().await.unwrap()["number"]
            .as_str()
            .unwrap()
            .to_owned();
        done.lock().unwrap().insert(number.clone(), None);
        let body = format!("متابعة {worker}-{sequence}: هل من جديد؟");
        let added = client
            .post(format!("{base}/api/v1/tickets/{number}/messages"))
            .bearer_auth(&token)
            .json(&json!({"kind": "public_reply", "body": body}))
            .send()
            .await
            .unwrap();
        assert!(
            added.status().is_success(),
            "{}",
            added.text().await.unwrap()
        );
        done.lock().unwrap().insert(number, Some(body));
    }
}

async fn wait_for(done: &Acknowledged, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while done.lock().unwrap().len() < count {
        assert!(Instant::now() < deadline, "the writers stalled");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

const POSTGRES_DEFAULT: &str = "postgres://postgres@127.0.0.1:5432/test";

fn postgres_server() -> String {
    std::env::var("SANAD_TEST_POSTGRES_URL").unwrap_or_else(|_| POSTGRES_DEFAULT.into())
}

fn failure(directory: &Path, arguments: &[&str]) -> String {
    let output = sanad(directory, arguments);
    assert!(
        !output.status.success(),
        "sanad {arguments:?} should have failed"
    );
    text(&output.stderr)
}

/// Where one backend's round trip happens.
struct Places {
    /// The database the server runs on.
    live: String,
    /// An empty place to restore into.
    restored: String,
    /// The backup file, in the test's directory.
    backup: &'static str,
    /// The attachment directory of the restored place, inside the test's directory.
    restored_files: &'static str,
    backend: Backend,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_live_sqlite_database_is_backed_up_under_writes_and_restored_elsewhere() {
    let directory = tempfile::tempdir().unwrap();
    let dir = directory.path();
    std::fs::create_dir(dir.join("restored")).unwrap();
    let places = Places {
        live: "sqlite://live.db".into(),
        restored: "sqlite://restored/sanad.db".into(),
        backup: "backup.db",
        restored_files: "restored-attachments",
        backend: Backend::Sqlite,
    };
    round_trip(dir, &places).await;

    // SQLite's own checks: a failed restore leaves nothing behind, a successful one no
    // temporary file, and a SQLite file is no PostgreSQL backup.
    std::fs::write(dir.join("notes.db"), "not a database at all").unwrap();
    let bogus = failure(
        dir,
        &[
            "restore",
            "--from",
            "notes.db",
            "--database-url",
            "sqlite://other.db",
        ],
    );
    assert!(bogus.contains("is not a Sanad database backup"), "{bogus}");
    assert!(!dir.join("other.db").exists(), "nothing is left behind");
    let leftovers: Vec<_> = std::fs::read_dir(dir.join("restored"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(leftovers, ["sanad.db"], "no temporary file is left");

    // A restore that cannot find the attachments says so and fails, naming the missing
    // object, but the database itself is restored; a directory that is not there is refused
    // before anything is written.
    let nowhere = failure(
        dir,
        &[
            "restore",
            "--from",
            "backup.db",
            "--attachments-from",
            "no-such-directory",
            "--database-url",
            "sqlite://elsewhere.db",
        ],
    );
    assert!(nowhere.contains("no-such-directory"), "{nowhere}");
    assert!(!dir.join("elsewhere.db").exists(), "nothing is written");
    let object = single_object(&dir.join("backup.db.attachments"));
    std::fs::rename(dir.join("backup.db.attachments"), dir.join("moved-away")).unwrap();
    let output = sanad_with_files(
        dir,
        "empty-files",
        &[
            "restore",
            "--from",
            "backup.db",
            "--database-url",
            "sqlite://elsewhere.db",
        ],
    );
    assert!(
        !output.status.success(),
        "missing attachments are a failure"
    );
    let complaint = text(&output.stderr);
    assert!(
        complaint.contains("the database is restored, but 1 of its 1 attachment(s)")
            && complaint.contains(&object),
        "{complaint}"
    );
    assert!(dir.join("elsewhere.db").exists());
    let again = sanad_with_files(
        dir,
        "empty-files",
        &[
            "restore",
            "--from",
            "backup.db",
            "--attachments-from",
            "moved-away",
            "--force",
            "--database-url",
            "sqlite://elsewhere.db",
        ],
    );
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(
        text(&again.stderr).contains("copied 1 attachment(s) from moved-away"),
        "{}",
        text(&again.stderr)
    );
    let postgres = failure(
        dir,
        &[
            "restore",
            "--from",
            "backup.db",
            "--database-url",
            "postgres://sanad:hunter2-secret@127.0.0.1/sanad",
        ],
    );
    assert!(
        postgres.contains("is not a Sanad database backup"),
        "{postgres}"
    );
    assert!(postgres.contains("pg_restore"), "{postgres}");
    assert!(
        !postgres.contains("hunter2-secret"),
        "the password is never printed: {postgres}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_live_postgres_database_is_backed_up_under_writes_and_restored_elsewhere() {
    let directory = tempfile::tempdir().unwrap();
    let dir = directory.path();
    let server = postgres_server();
    let suffix = format!(
        "{}_{}",
        std::process::id(),
        jiff::Timestamp::now().as_millisecond() % 1_000_000
    );
    let schema = format!("backup_live_{suffix}");
    let database = format!("sanad_restore_{suffix}");
    let live = sanad_store::schemas::fresh_postgres_schema(&server, &schema)
        .await
        .expect("a fresh schema");
    let restored = sanad_store::schemas::fresh_postgres_database(&server, &database, Some(&schema))
        .await
        .expect("a fresh database");
    let (sanad_store::DatabaseUrl::Postgres(live), sanad_store::DatabaseUrl::Postgres(restored)) =
        (live, restored)
    else {
        panic!("SANAD_TEST_POSTGRES_URL must be a postgres:// URL")
    };
    let places = Places {
        live,
        restored,
        backup: "backup.dump",
        restored_files: "restored-attachments",
        backend: Backend::Postgres,
    };
    round_trip(dir, &places).await;

    // A backup of one schema goes into that schema only, and a file that is no archive is
    // refused before anything is touched.
    let elsewhere = failure(
        dir,
        &[
            "restore",
            "--from",
            "backup.dump",
            "--database-url",
            &server,
        ],
    );
    assert!(
        elsewhere.contains(&format!("search_path={schema}")),
        "{elsewhere}"
    );
    std::fs::write(dir.join("notes.dump"), "not an archive at all").unwrap();
    let bogus = failure(
        dir,
        &[
            "restore",
            "--from",
            "notes.dump",
            "--database-url",
            &places.live,
        ],
    );
    assert!(bogus.contains("is not a Sanad database backup"), "{bogus}");

    sanad_store::schemas::drop_postgres_schema(&server, &schema)
        .await
        .unwrap();
    sanad_store::schemas::drop_postgres_database(&server, &database)
        .await
        .unwrap();
}

async fn round_trip(dir: &Path, places: &Places) {
    let live = places.live.as_str();
    let restored = places.restored.as_str();
    let backup_file = places.backup;
    let forced_restore = [
        "restore",
        "--from",
        backup_file,
        "--database-url",
        live,
        "--force",
    ];
    succeed(
        dir,
        &[
            "org",
            "create",
            "--slug",
            "backup-live",
            "--name",
            "مركز النسخ",
            "--database-url",
            live,
        ],
    );
    let token = succeed(
        dir,
        &[
            "token",
            "create",
            "--org",
            "backup-live",
            "--name",
            "crm",
            "--database-url",
            live,
        ],
    );
    let mut server = Server::start(dir, live, LIVE_FILES).await;

    // A ticket with an attachment: the backup carries its content beside the database.
    let certificate = b"%PDF-1.4\n% the attendance record of a trainee\n".to_vec();
    let with_file = reqwest::Client::new()
        .post(format!("{}/api/v1/tickets", server.base))
        .bearer_auth(&token)
        .json(&json!({
            "kind": "complaint",
            "channel": "web_form",
            "subject": "سجل الحضور لا يطابق المرفق",
            "body": "أرفقت سجل حضوري الموقّع من المدرب.",
            "requester": {"name": "منى الحربي", "email": "muna@example.sa", "type": "trainee"},
            "attachments": [{
                "filename": "attendance.pdf",
                "content_type": "application/pdf",
                "content_base64": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &certificate),
            }]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        with_file.status(),
        201,
        "{}",
        with_file.text().await.unwrap()
    );
    let with_file: Value = with_file.json().await.unwrap();
    let with_file = with_file["number"].as_str().unwrap().to_owned();

    let stop = Arc::new(AtomicBool::new(false));
    let done: Acknowledged = Arc::default();
    let writers: Vec<_> = (0..4)
        .map(|worker| {
            tokio::spawn(writer(
                server.base.clone(),
                token.clone(),
                worker,
                stop.clone(),
                done.clone(),
            ))
        })
        .collect();
    wait_for(&done, 20).await;
    // Everything acknowledged so far must be in the backup; writes go on meanwhile.
    let before: BTreeMap<String, Option<String>> = done.lock().unwrap().clone();
    let backup = tokio::task::spawn_blocking({
        let (dir, live) = (dir.to_owned(), live.to_owned());
        move || {
            sanad(
                &dir,
                &["backup", "--to", backup_file, "--database-url", &live],
            )
        }
    })
    .await
    .unwrap();
    assert!(backup.status.success(), "{}", text(&backup.stderr));
    assert!(
        text(&backup.stderr).contains(&format!(
            "copied 1 attachment(s) to {backup_file}.attachments (0 already there)"
        )),
        "{}",
        text(&backup.stderr)
    );
    single_object(&dir.join(format!("{backup_file}.attachments")));
    let at_backup = done.lock().unwrap().len();
    wait_for(&done, at_backup + 10).await;

    // While the server runs, its database is in use and is never overwritten. PostgreSQL sees
    // the server's connections, so it refuses even when forced.
    let in_use = failure(
        dir,
        &["restore", "--from", backup_file, "--database-url", live],
    );
    assert!(in_use.contains("is in use"), "{in_use}");
    if places.backend == Backend::Postgres {
        let forced = failure(dir, &forced_restore);
        assert!(forced.contains("is in use"), "{forced}");
    }

    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }
    server.stop();
    let after = done.lock().unwrap().len();
    assert!(
        after >= before.len() + 10,
        "writes went on after the backup"
    );

    // A database holding data is replaced only when forced.
    let full = failure(
        dir,
        &["restore", "--from", backup_file, "--database-url", live],
    );
    assert!(full.contains("--force"), "{full}");

    // The restore into a fresh place, with its own attachment store.
    let output = sanad_with_files(
        dir,
        places.restored_files,
        &["restore", "--from", backup_file, "--database-url", restored],
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).contains(&format!(
            "copied 1 attachment(s) from {backup_file}.attachments (0 already there)"
        )),
        "{}",
        text(&output.stderr)
    );
    assert!(
        text(&output.stderr).contains("1 organization(s)"),
        "{}",
        text(&output.stderr)
    );
    let verify = sanad(dir, &["audit", "verify", "--database-url", restored]);
    assert!(
        verify.status.success(),
        "{}{}",
        text(&verify.stdout),
        text(&verify.stderr)
    );
    assert!(
        text(&verify.stdout).contains("intact"),
        "{}",
        text(&verify.stdout)
    );

    let mut server = Server::start(dir, restored, places.restored_files).await;
    let client = reqwest::Client::new();
    // The attachment is served from the restored store, byte for byte.
    let detail: Value = client
        .get(format!("{}/api/v1/tickets/{with_file}", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let download = detail["messages"][0]["attachments"][0]["url"]
        .as_str()
        .unwrap_or_else(|| panic!("{with_file} lists its attachment: {detail}"))
        .to_owned();
    let downloaded = client
        .get(format!("{}{download}", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(downloaded.status(), 200, "{download}");
    assert_eq!(downloaded.bytes().await.unwrap().as_ref(), certificate);
    for (number, message) in &before {
        let response = client
            .get(format!("{}/api/v1/tickets/{number}", server.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            200,
            "{number} acknowledged before the backup"
        );
        let detail: Value = response.json().await.unwrap();
        let bodies: Vec<&str> = detail["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["body"].as_str().unwrap_or_default())
            .collect();
        assert!(
            bodies.iter().any(|body| body.contains("لم تصدر الشهادة")),
            "{number}"
        );
        if let Some(message) = message {
            assert!(bodies.contains(&message.as_str()), "{number}: {bodies:?}");
        }
        assert!(
            !detail["events"].as_array().unwrap().is_empty(),
            "{number} has its events"
        );
    }
    // The restored database takes new work, numbered after what it holds.
    let created = client
        .post(format!("{}/api/v1/tickets", server.base))
        .bearer_auth(&token)
        .json(&json!({
            "kind": "inquiry", "channel": "web_form", "subject": "بعد الاستعادة",
            "body": "هل يعمل النظام؟",
            "requester": {"name": "منى الحربي", "email": "muna@example.sa", "type": "trainee"}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201, "{}", created.text().await.unwrap());
    let number = created.json::<Value>().await.unwrap()["number"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        !before.contains_key(&number),
        "{number} was given twice after the restore"
    );
    server.stop();

    // And a forced restore over a stopped database with data replaces it; its attachment
    // store already holds the object.
    let forced = sanad(dir, &forced_restore);
    assert!(forced.status.success(), "{}", text(&forced.stderr));
    assert!(
        text(&forced.stderr).contains("copied 0 attachment(s)")
            && text(&forced.stderr).contains("(1 already there)"),
        "{}",
        text(&forced.stderr)
    );
    let verify = sanad(dir, &["audit", "verify", "--database-url", live]);
    assert!(verify.status.success(), "{}", text(&verify.stdout));
}

/// The key of the one object in an attachment directory (failing unless there is exactly one).
fn single_object(directory: &Path) -> String {
    let mut found = Vec::new();
    let mut pending = vec![directory.to_owned()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", next.display()))
        {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(
                    path.strip_prefix(directory)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    assert_eq!(found.len(), 1, "{}: {found:?}", directory.display());
    found.remove(0)
}
