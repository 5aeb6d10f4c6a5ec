//! `sanad backup` and `sanad restore` round-trip a live SQLite database: the real binary serves
//! and takes writes over HTTP while the backup is taken and after it; the backup is restored
//! into a fresh location, where every ticket acknowledged before the backup is present with its
//! messages and events, the audit chain verifies, and a server on it answers. Restore's
//! refusals (a database in use, one with data, a file that is not a Sanad backup, a PostgreSQL
//! URL) are checked on the way.

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn sanad(directory: &Path, arguments: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sanad"))
        .args(arguments)
        .current_dir(directory)
        .env_remove("SANAD_DATABASE_URL")
        .env("SANAD_LOG_FILTER", "warn")
        .env("SANAD_ATTACHMENTS", directory.join("attachments"))
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
    async fn start(directory: &Path, database: &str) -> Server {
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
            .env("SANAD_ATTACHMENTS", directory.join("attachments"))
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_live_database_is_backed_up_under_writes_and_restored_elsewhere() {
    let directory = tempfile::tempdir().unwrap();
    let dir = directory.path();
    let live = "sqlite://live.db";
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
    let mut server = Server::start(dir, live).await;

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
        let dir = dir.to_owned();
        move || {
            sanad(
                &dir,
                &["backup", "--to", "backup.db", "--database-url", live],
            )
        }
    })
    .await
    .unwrap();
    assert!(backup.status.success(), "{}", text(&backup.stderr));
    let at_backup = done.lock().unwrap().len();
    wait_for(&done, at_backup + 10).await;

    // While the server runs, its database is in use and is never overwritten, forced or not.
    let in_use = sanad(
        dir,
        &["restore", "--from", "backup.db", "--database-url", live],
    );
    assert!(!in_use.status.success());
    assert!(
        text(&in_use.stderr).contains("is in use"),
        "{}",
        text(&in_use.stderr)
    );

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

    // Refusals: a database holding data, a file that is not a Sanad backup, PostgreSQL.
    let full = sanad(
        dir,
        &["restore", "--from", "backup.db", "--database-url", live],
    );
    assert!(!full.status.success());
    assert!(
        text(&full.stderr).contains("--force"),
        "{}",
        text(&full.stderr)
    );
    std::fs::write(dir.join("notes.db"), "not a database at all").unwrap();
    let bogus = sanad(
        dir,
        &[
            "restore",
            "--from",
            "notes.db",
            "--database-url",
            "sqlite://other.db",
        ],
    );
    assert!(!bogus.status.success());
    assert!(
        text(&bogus.stderr).contains("is not a Sanad database backup"),
        "{}",
        text(&bogus.stderr)
    );
    assert!(!dir.join("other.db").exists(), "nothing is left behind");
    let postgres = sanad(
        dir,
        &[
            "restore",
            "--from",
            "backup.db",
            "--database-url",
            "postgres://sanad:hunter2-secret@127.0.0.1/sanad",
        ],
    );
    assert!(!postgres.status.success());
    let message = text(&postgres.stderr);
    assert!(message.contains("pg_restore"), "{message}");
    assert!(
        !message.contains("hunter2-secret"),
        "the password is never printed: {message}"
    );

    // The restore into a fresh place.
    std::fs::create_dir(dir.join("restored")).unwrap();
    let restored = "sqlite://restored/sanad.db";
    let output = sanad(
        dir,
        &["restore", "--from", "backup.db", "--database-url", restored],
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).contains("1 organization(s)"),
        "{}",
        text(&output.stderr)
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.join("restored"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(leftovers, ["sanad.db"], "no temporary file is left");
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

    let server = Server::start(dir, restored).await;
    let client = reqwest::Client::new();
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
    // The restored database takes new work.
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

    // And a forced restore over a stopped database with data replaces it.
    let forced = sanad(
        dir,
        &[
            "restore",
            "--from",
            "backup.db",
            "--database-url",
            live,
            "--force",
        ],
    );
    assert!(forced.status.success(), "{}", text(&forced.stderr));
    let verify = sanad(dir, &["audit", "verify", "--database-url", live]);
    assert!(verify.status.success(), "{}", text(&verify.stdout));
}
