//! Secrets never reach the logs or error bodies: the real binary runs with JSON logs at the
//! `debug` level (more than production's `info`) while someone signs in with a wrong password,
//! calls the API with a made-up token, guesses a tracking code through the link, and while the
//! command line is given a PostgreSQL URL with a password; none of those strings may appear in
//! anything the process writes or answers.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const WRONG_PASSWORD: &str = "Wrong-Passw0rd-Zulfa-7731";
const MADE_UP_TOKEN: &str = "sanad_madeuptoken0123456789abcdefghijklmnopqrstuv";
const GUESSED_CODE: &str = "QWERT-ZXCVB";
const DATABASE_PASSWORD: &str = "db-secret-Hala-9942";

fn sanad(directory: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sanad"));
    command
        .current_dir(directory)
        .env_remove("SANAD_DATABASE_URL")
        .env("SANAD_ATTACHMENTS", directory.join("attachments"))
        .env("SANAD_LOG_FORMAT", "json")
        .env("SANAD_LOG_FILTER", "debug");
    command
}

fn assert_clean(what: &str, output: &str) {
    for secret in [
        WRONG_PASSWORD,
        MADE_UP_TOKEN,
        GUESSED_CODE,
        DATABASE_PASSWORD,
    ] {
        assert!(
            !output.contains(secret),
            "{what} contains {secret}:\n{output}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_appears_in_the_logs_or_the_answers() {
    let directory = tempfile::tempdir().unwrap();
    let dir = directory.path();
    let database = "sqlite://secrets.db";
    let run = |arguments: &[&str]| {
        let output = sanad(dir)
            .args(arguments)
            .args(["--database-url", database])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    run(&["org", "create", "--slug", "quiet", "--name", "مركز الهدوء"]);
    let mut user = sanad(dir)
        .args([
            "user",
            "create",
            "--org",
            "quiet",
            "--email",
            "zulfa@example.sa",
            "--name",
            "زلفى",
        ])
        .args([
            "--role",
            "admin",
            "--password-stdin",
            "--database-url",
            database,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    user.stdin
        .take()
        .unwrap()
        .write_all(b"the right passphrase\n")
        .unwrap();
    assert!(user.wait().unwrap().success());

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log = dir.join("server.log");
    let mut server = sanad(dir)
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            database,
        ])
        .stdout(std::fs::File::create(dir.join("server.out")).unwrap())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(response) = client.get(format!("{base}/healthz")).send().await
            && response.status().is_success()
        {
            break;
        }
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut answers = String::new();

    // A sign-in with a wrong password.
    let page = client
        .get(format!("{base}/o/quiet/login"))
        .send()
        .await
        .unwrap();
    let cookie = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| {
            value
                .to_str()
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("; ");
    let html = page.text().await.unwrap();
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker).unwrap() + marker.len();
    let csrf = &html[start..start + html[start..].find('"').unwrap()];
    let refused = client
        .post(format!("{base}/o/quiet/login"))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "_csrf={csrf}&email=zulfa%40example.sa&password={WRONG_PASSWORD}&next="
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    answers.push_str(&refused.text().await.unwrap());

    // An API call with a made-up token.
    let unauthorized = client
        .get(format!("{base}/api/v1/tickets"))
        .bearer_auth(MADE_UP_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.status(), 401);
    answers.push_str(&format!("{:?}", unauthorized.headers()));
    answers.push_str(&unauthorized.text().await.unwrap());

    // A tracking code guessed through the link.
    let guessed = client
        .get(format!(
            "{base}/o/quiet/track/QU-2026-000001?code={GUESSED_CODE}"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(guessed.status(), 404);
    answers.push_str(&guessed.text().await.unwrap());

    let _ = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    server.wait().unwrap();
    let logged = std::fs::read_to_string(&log).unwrap()
        + &std::fs::read_to_string(dir.join("server.out")).unwrap();
    assert!(logged.contains("\"level\""), "the log is JSON: {logged}");
    assert_clean("the server's log", &logged);
    assert_clean("the answers", &answers);

    // A database URL with a password, for a server that refuses it, and for a malformed one.
    for url in [
        format!("postgres://sanad:{DATABASE_PASSWORD}@127.0.0.1:5432/no_such_database"),
        format!("postgres://sanad:{DATABASE_PASSWORD}@127.0.0.1:1/sanad"),
    ] {
        for arguments in [
            &["migrate"][..],
            &["backup", "--to", "copy.dump"],
            &["audit", "verify"],
        ] {
            let output = sanad(dir)
                .args(arguments)
                .args(["--database-url", &url])
                .output()
                .unwrap();
            assert!(!output.status.success(), "{arguments:?} cannot succeed");
            let printed = String::from_utf8_lossy(&output.stderr).into_owned()
                + &String::from_utf8_lossy(&output.stdout);
            assert!(
                !printed.trim().is_empty(),
                "{arguments:?} says why it failed"
            );
            assert_clean(&format!("sanad {arguments:?}"), &printed);
        }
    }
}
