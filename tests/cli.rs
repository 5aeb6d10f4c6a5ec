//! The command line, driven as a person would: the real `sanad` binary on a fresh SQLite file.

use std::path::Path;
use std::process::{Command, Output};

fn sanad(directory: &Path, arguments: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sanad"))
        .args(arguments)
        .current_dir(directory)
        .env_remove("SANAD_DATABASE_URL")
        .env("SANAD_LOG_FILTER", "warn")
        // Unrelated SANAD_ variables (a test harness's, another tool's) must not break start-up.
        .env("SANAD_UNRELATED_SETTING", "ignored")
        .output()
        .expect("run sanad")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn organizations_users_and_tokens_are_created_from_the_command_line() {
    let directory = tempfile::tempdir().unwrap();
    let database = "sqlite://cli.db";
    let created = sanad(
        directory.path(),
        &[
            "org",
            "create",
            "--slug",
            "engineering-tracks",
            "--name",
            "مركز المسارات",
            "--database-url",
            database,
        ],
    );
    assert!(created.status.success(), "{}", text(&created.stderr));
    assert!(
        text(&created.stdout).contains("ET-YYYY-NNNNNN"),
        "{}",
        text(&created.stdout)
    );

    let token = sanad(
        directory.path(),
        &[
            "token",
            "create",
            "--org",
            "engineering-tracks",
            "--name",
            "crm",
            "--database-url",
            database,
        ],
    );
    assert!(token.status.success(), "{}", text(&token.stderr));
    let stdout = text(&token.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "only the token is printed: {stdout}");
    assert!(lines[0].starts_with("sanad_") && lines[0].len() > 40);

    let mut user = Command::new(env!("CARGO_BIN_EXE_sanad"))
        .args([
            "user",
            "create",
            "--org",
            "engineering-tracks",
            "--email",
            "reem@example.sa",
            "--name",
            "ريم",
            "--role",
            "team_lead",
        ])
        .args([
            "--department",
            "technical-support",
            "--password-stdin",
            "--database-url",
            database,
        ])
        .current_dir(directory.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    user.stdin
        .take()
        .unwrap()
        .write_all(b"a long enough passphrase\n")
        .unwrap();
    let output = user.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));

    let bad_role = sanad(
        directory.path(),
        &[
            "user",
            "create",
            "--org",
            "engineering-tracks",
            "--email",
            "x@example.sa",
            "--name",
            "x",
            "--role",
            "boss",
            "--database-url",
            database,
        ],
    );
    assert!(!bad_role.status.success());
    let message = text(&bad_role.stderr);
    assert!(
        message.contains("--role") && message.contains("team_lead"),
        "{message}"
    );

    let unknown_org = sanad(
        directory.path(),
        &[
            "token",
            "create",
            "--org",
            "nowhere",
            "--name",
            "x",
            "--database-url",
            database,
        ],
    );
    assert!(!unknown_org.status.success());
    assert!(text(&unknown_org.stderr).contains("no organization with the slug 'nowhere'"));

    let duplicate = sanad(
        directory.path(),
        &[
            "org",
            "create",
            "--slug",
            "engineering-tracks",
            "--name",
            "again",
            "--database-url",
            database,
        ],
    );
    assert!(!duplicate.status.success());
    assert!(text(&duplicate.stderr).contains("already exists"));
}

#[test]
fn an_unrecognised_database_url_is_refused_and_nothing_is_created() {
    let directory = tempfile::tempdir().unwrap();
    let output = sanad(
        directory.path(),
        &[
            "migrate",
            "--database-url",
            "mysql://root:hunter2@localhost/sanad",
        ],
    );
    assert!(!output.status.success());
    let message = text(&output.stderr);
    assert!(
        message.contains("sqlite://") && message.contains("postgres://"),
        "{message}"
    );
    assert!(
        !message.contains("hunter2"),
        "secrets never appear in errors: {message}"
    );
    assert_eq!(
        std::fs::read_dir(directory.path()).unwrap().count(),
        0,
        "no file may be created"
    );
}

#[test]
fn a_backup_is_a_consistent_database_that_sanad_can_open() {
    let directory = tempfile::tempdir().unwrap();
    let database = "sqlite://live.db";
    assert!(
        sanad(
            directory.path(),
            &[
                "org",
                "create",
                "--slug",
                "backup-test",
                "--name",
                "B",
                "--database-url",
                database
            ]
        )
        .status
        .success()
    );
    let backup = sanad(
        directory.path(),
        &["backup", "--to", "copy.db", "--database-url", database],
    );
    assert!(backup.status.success(), "{}", text(&backup.stderr));
    // The copy is a complete Sanad database: it holds the organization.
    let from_copy = sanad(
        directory.path(),
        &[
            "token",
            "create",
            "--org",
            "backup-test",
            "--name",
            "x",
            "--database-url",
            "sqlite://copy.db",
        ],
    );
    assert!(from_copy.status.success(), "{}", text(&from_copy.stderr));
    let again = sanad(
        directory.path(),
        &["backup", "--to", "copy.db", "--database-url", database],
    );
    assert!(
        !again.status.success(),
        "an existing file is never overwritten"
    );
}

#[test]
fn configuration_errors_name_the_key() {
    let directory = tempfile::tempdir().unwrap();
    std::fs::write(
        directory.path().join("sanad.toml"),
        "listen = \"not-an-address\"\n",
    )
    .unwrap();
    let output = sanad(directory.path(), &["migrate"]);
    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("listen"),
        "{}",
        text(&output.stderr)
    );
    let help = sanad(directory.path(), &["serve", "--help"]);
    assert!(text(&help.stdout).contains("--listen") && text(&help.stdout).contains("SANAD_LISTEN"));
}

/// The published calendar example, exactly as the issue states it.
const CALENDAR_ONLY: &str = r#"
[[calendars]]
name = "support"
timezone = "Asia/Riyadh"                 # any IANA zone; DST handled
hours = { sun = ["08:00-16:00"], mon = ["08:00-16:00"], tue = ["08:00-16:00"],
          wed = ["08:00-16:00"], thu = ["08:00-16:00"] }   # several windows a day allowed; "24:00" ends a day
holidays = ["2026-09-23", "2026-03-19..2026-03-24"]        # dates and inclusive ranges, local
extra = ["2026-11-21T18:00..2026-11-21T21:00"]             # extra working windows, e.g. live course sessions
"#;

#[test]
fn policy_due_prints_one_rfc3339_line_in_the_calendars_offset() {
    let directory = tempfile::tempdir().unwrap();
    std::fs::write(directory.path().join("calendars.toml"), CALENDAR_ONLY).unwrap();
    let cases = [
        // Sunday 09:00 + 48 working hours: 7 + 8 × 4 on Sun–Thu, 8 next Sunday, 1 on Monday.
        (
            "2026-11-22T09:00:00+03:00",
            "48 working hours",
            "2026-11-30T09:00:00+03:00",
        ),
        // Thursday 15:00 + 24 working hours crosses the weekend: 1 + 8 + 8 + 7.
        (
            "2026-11-26T15:00:00+03:00",
            "24 working hours",
            "2026-12-01T15:00:00+03:00",
        ),
        // The same instant written in UTC gives the same answer, in the calendar's offset.
        (
            "2026-11-26T12:00:00Z",
            "24 working hours",
            "2026-12-01T15:00:00+03:00",
        ),
        // Saturday's extra course session counts: 18:30 + 2 working hours ends inside it.
        (
            "2026-11-21T18:30:00+03:00",
            "2 working hours",
            "2026-11-21T20:30:00+03:00",
        ),
        // A Friday start: the same working day is Sunday, due at its close.
        (
            "2026-11-27T10:00:00+03:00",
            "same working day",
            "2026-11-29T16:00:00+03:00",
        ),
        // Calendar time ignores working hours.
        (
            "2026-11-27T10:00:00+03:00",
            "24 hours",
            "2026-11-28T10:00:00+03:00",
        ),
    ];
    for (from, duration, expected) in cases {
        let output = sanad(
            directory.path(),
            &[
                "policy",
                "due",
                "--policy",
                "calendars.toml",
                "--calendar",
                "support",
                "--from",
                from,
                "--duration",
                duration,
            ],
        );
        assert!(
            output.status.success(),
            "{from} {duration}: {}",
            text(&output.stderr)
        );
        assert_eq!(
            text(&output.stdout),
            format!("{expected}\n"),
            "{from} + {duration}"
        );
    }
    let bad = sanad(
        directory.path(),
        &[
            "policy",
            "due",
            "--policy",
            "calendars.toml",
            "--calendar",
            "support",
            "--from",
            "2026-11-22T09:00:00+03:00",
            "--duration",
            "48 workin hours",
        ],
    );
    assert!(!bad.status.success());
    assert!(
        text(&bad.stderr).contains("--duration"),
        "{}",
        text(&bad.stderr)
    );
    let check = sanad(
        directory.path(),
        &[
            "policy",
            "check",
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/policies/seed-004-diplomas-platform.toml"
            ),
        ],
    );
    assert!(check.status.success(), "{}", text(&check.stderr));
}

#[test]
fn policy_apply_validates_first_and_then_puts_the_policy_in_force() {
    let directory = tempfile::tempdir().unwrap();
    let database = "sqlite://policy.db";
    assert!(
        sanad(
            directory.path(),
            &[
                "org",
                "create",
                "--slug",
                "engineering-tracks",
                "--name",
                "ET",
                "--database-url",
                database
            ]
        )
        .status
        .success()
    );
    let shipped = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/policies/seed-001-engineering-tracks.toml"
    );
    let applied = sanad(
        directory.path(),
        &[
            "policy",
            "apply",
            "--org",
            "engineering-tracks",
            shipped,
            "--database-url",
            database,
        ],
    );
    assert!(applied.status.success(), "{}", text(&applied.stderr));
    assert!(
        text(&applied.stdout).contains("policy version 1"),
        "{}",
        text(&applied.stdout)
    );
    let source = std::fs::read_to_string(shipped).unwrap();
    let broken = source.replacen("15 working days", "15 wrking days", 1);
    assert_ne!(
        broken, source,
        "the seed-001 policy states its 15-working-day cap"
    );
    std::fs::write(directory.path().join("broken.toml"), &broken).unwrap();
    let refused = sanad(
        directory.path(),
        &[
            "policy",
            "apply",
            "--org",
            "engineering-tracks",
            "broken.toml",
            "--database-url",
            database,
        ],
    );
    assert!(!refused.status.success());
    let message = text(&refused.stderr);
    let line = broken
        .lines()
        .position(|line| line.contains("15 wrking days"))
        .unwrap()
        + 1;
    assert!(
        message.contains(&format!("broken.toml:{line}:")),
        "the error names the line: {message}"
    );
    assert!(
        message.contains("service_levels.overall"),
        "and the key: {message}"
    );
    let again = sanad(
        directory.path(),
        &[
            "policy",
            "apply",
            "--org",
            "engineering-tracks",
            shipped,
            "--recompute",
            "--database-url",
            database,
        ],
    );
    assert!(
        text(&again.stdout).contains("policy version 2"),
        "{}",
        text(&again.stdout)
    );
}

#[test]
fn supervisors_are_created_granted_and_given_tokens_from_the_command_line() {
    let directory = tempfile::tempdir().unwrap();
    let database = "sqlite://cli.db";
    let run = |arguments: &[&str]| {
        let mut all = arguments.to_vec();
        all.extend_from_slice(&["--database-url", database]);
        sanad(directory.path(), &all)
    };
    let created = run(&[
        "org",
        "create",
        "--slug",
        "diplomas",
        "--name",
        "منصة الدبلومات",
    ]);
    assert!(created.status.success(), "{}", text(&created.stderr));
    let supervisor = run(&[
        "supervisor",
        "create",
        "--email",
        "Auditor@NCEL.example.sa",
        "--name",
        "مكتب الإشراف",
    ]);
    assert!(supervisor.status.success(), "{}", text(&supervisor.stderr));
    assert!(
        text(&supervisor.stdout).contains("<Auditor@ncel.example.sa>"),
        "{}",
        text(&supervisor.stdout)
    );

    // A mistyped value is refused with the flag it belongs to, and nothing is granted.
    let wrong = run(&[
        "supervisor",
        "grant",
        "--org",
        "diplomas",
        "--email",
        "Auditor@ncel.example.sa",
        "--personal-data",
        "everything",
    ]);
    assert!(!wrong.status.success());
    let message = text(&wrong.stderr);
    assert!(
        message.contains("--personal-data") && message.contains("hidden, granted"),
        "{message}"
    );
    let unknown = run(&[
        "supervisor",
        "grant",
        "--org",
        "diplomas",
        "--email",
        "nobody@example.sa",
    ]);
    assert!(!unknown.status.success());
    assert!(text(&unknown.stderr).contains("no supervisor <nobody@example.sa>"));

    let granted = run(&[
        "supervisor",
        "grant",
        "--org",
        "diplomas",
        "--email",
        "Auditor@ncel.example.sa",
    ]);
    assert!(granted.status.success(), "{}", text(&granted.stderr));
    assert!(
        text(&granted.stdout).contains("access to diplomas (personal data: hidden)"),
        "{}",
        text(&granted.stdout)
    );
    let token = run(&[
        "supervisor",
        "token",
        "--email",
        "Auditor@ncel.example.sa",
        "--name",
        "dashboards",
    ]);
    assert!(token.status.success(), "{}", text(&token.stderr));
    let secret = text(&token.stdout);
    assert!(secret.trim().starts_with("sanad_"), "{secret}");
    assert_eq!(secret.lines().count(), 1, "only the token: {secret}");
}

#[test]
fn audit_verify_passes_on_an_untouched_database_and_names_the_edited_event() {
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("audit.db");
    // A small corpus of imported tickets with their replayable events, chained on import.
    let seeded = sanad(
        directory.path(),
        &[
            "bench",
            "seed",
            "--sqlite-path",
            file.to_str().unwrap(),
            "--tickets",
            "40",
        ],
    );
    assert!(seeded.status.success(), "{}", text(&seeded.stderr));
    let database = format!("sqlite://{}", file.display());
    let verify = || {
        sanad(
            directory.path(),
            &["audit", "verify", "--database-url", &database],
        )
    };
    let intact = verify();
    assert!(intact.status.success(), "{}", text(&intact.stderr));
    assert!(
        text(&intact.stdout).contains(": intact — 40 tickets"),
        "{}",
        text(&intact.stdout)
    );

    // Someone with the file edits one event around the application, with the sqlite3 shell.
    let sqlite = |sql: &str| {
        let output = Command::new("sqlite3")
            .arg(&file)
            .arg(sql)
            .output()
            .expect("the sqlite3 command line (apt: sqlite3)");
        assert!(output.status.success(), "{}", text(&output.stderr));
        text(&output.stdout).trim().to_owned()
    };
    let (event, slug) = {
        let row = sqlite(
            "SELECT e.id || ' ' || o.slug FROM ticket_events e JOIN organizations o ON o.id = e.org_id \
             WHERE e.kind = 'changed' ORDER BY e.id LIMIT 1 OFFSET 7",
        );
        let (event, slug) = row.split_once(' ').unwrap();
        (event.to_owned(), slug.to_owned())
    };
    sqlite(&format!(
        "UPDATE ticket_events SET after_value = '\"low\"' WHERE id = {event}"
    ));
    let tampered = verify();
    assert!(!tampered.status.success(), "a tampered log must fail");
    let stdout = text(&tampered.stdout);
    assert!(
        stdout.contains(&format!("{slug}: BROKEN at ticket"))
            && stdout.contains(&format!("event {event}: the event's content was changed")),
        "{stdout}"
    );
    assert!(
        text(&tampered.stderr).contains(&format!("tampered with in organization(s): {slug}")),
        "{}",
        text(&tampered.stderr)
    );

    // An unknown organization is a clear error, not an empty success.
    let unknown = sanad(
        directory.path(),
        &[
            "audit",
            "verify",
            "--org",
            "nobody",
            "--database-url",
            &database,
        ],
    );
    assert!(!unknown.status.success());
    assert!(
        text(&unknown.stderr).contains("no organization 'nobody'"),
        "{}",
        text(&unknown.stderr)
    );
}
