//! The weekly digest end to end against a real mail server (Dovecot behind an aiosmtpd SMTP
//! front, started by the test), on both database backends: nothing before the scheduled
//! moment; at the moment, with the relay down, the claim is given back and nothing is lost; once
//! the relay is back, one message per director and executive, received over IMAP with the
//! week's figures and the report's link, sent by exactly one of two instances running at the
//! same moment, and never again for that week. An organization without an e-mail channel gets
//! its week recorded with nothing sent.
//!
//! Time in the desk is simulated (every pass takes `now`); only the mail server runs in real
//! time, and the test waits for it with bounded polls.

#[path = "../crates/channels/tests/support/mail_server.rs"]
mod mail_server;

use jiff::{SignedDuration, Timestamp};
use mail_server::MailServer;
use sanad_channels::digest::{DigestPassReport, DigestSettings, run_digest_pass};
use sanad_domain::reports::{DigestSchedule, ReportRange};
use sanad_domain::{
    Channel, EmailAddress, MessageBody, OrgSlug, PersonName, RequesterType, StaffRole, Subject,
    TicketKind, TicketPrefix,
};
use sanad_store::*;
use std::time::Duration;

const SUPPORT: &str = "support@example.sa";
const DIRECTOR: &str = "director@example.sa";
const EXECUTIVE: &str = "executive@example.sa";
const AGENT: &str = "agent@example.sa";
const WAIT: Duration = Duration::from_secs(60);

#[derive(Clone, Copy, Debug)]
enum Backend {
    Sqlite,
    Postgres,
}

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn settings() -> DigestSettings {
    DigestSettings {
        schedule: DigestSchedule {
            weekday: jiff::civil::Weekday::Sunday,
            hour: 7,
        },
        public_url: "https://desk.example.sa".into(),
        mail_domain: "desk.example.sa".into(),
    }
}

async fn database(backend: Backend, directory: &std::path::Path) -> DatabaseUrl {
    match backend {
        Backend::Sqlite => DatabaseUrl::parse(&format!(
            "sqlite://{}",
            directory.join("digest.db").display()
        ))
        .unwrap(),
        Backend::Postgres => {
            let server = std::env::var("SANAD_TEST_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
            let unique = format!(
                "{}-{}",
                std::process::id(),
                Timestamp::now().as_nanosecond()
            );
            let schema = format!("digest_{}", &secrets::sha256_hex(unique.as_bytes())[..16]);
            schemas::fresh_postgres_schema(&server, &schema)
                .await
                .unwrap()
        }
    }
}

async fn organization(store: &Store, slug: &str, name: &str, now: Timestamp) -> Organization {
    store
        .create_organization(
            &NewOrganization {
                slug: OrgSlug::parse(slug).unwrap(),
                name: name.into(),
                ticket_prefix: TicketPrefix::parse(&slug[..3].to_uppercase()).unwrap(),
                time_zone: jiff::tz::TimeZone::get("Asia/Riyadh").unwrap(),
                time_zone_name: "Asia/Riyadh".into(),
                reopen_window_hours: 168,
            },
            now,
        )
        .await
        .unwrap()
}

async fn staff(
    store: &Store,
    org_id: i64,
    email: &str,
    name: &str,
    role: StaffRole,
    now: Timestamp,
) {
    store
        .create_user(
            org_id,
            &NewUser {
                email: EmailAddress::parse(email).unwrap(),
                name: PersonName::parse(name).unwrap(),
                role,
                departments: Vec::new(),
                password_hash: None,
            },
            now,
        )
        .await
        .unwrap();
}

async fn ticket(
    store: &Store,
    org: &Organization,
    kind: TicketKind,
    subject: &str,
    now: Timestamp,
) {
    store
        .create_ticket(
            org,
            &NewTicket {
                kind,
                channel: Channel::WebForm,
                subject: Subject::parse(subject).unwrap(),
                body: MessageBody::parse("أرجو المساعدة في هذا الطلب.").unwrap(),
                category: None,
                requester: NewRequester {
                    name: PersonName::parse("ريم العتيبي").unwrap(),
                    contact: RequesterContact::Email(
                        EmailAddress::parse("reem@example.sa").unwrap(),
                    ),
                    requester_type: RequesterType::Trainee,
                },
                attachments: Vec::new(),
            },
            None,
            &Actor::NewRequester {
                name: "ريم العتيبي".into(),
            },
            now,
        )
        .await
        .unwrap();
}

fn sum(passes: &[DigestPassReport]) -> DigestPassReport {
    let mut total = DigestPassReport::default();
    for pass in passes {
        total.due += pass.due;
        total.claimed += pass.claimed;
        total.sent += pass.sent;
        total.failed += pass.failed;
        total.released += pass.released;
        total.without_email += pass.without_email;
        total.errors += pass.errors;
    }
    total
}

async fn the_weekly_digest_reaches_each_manager_once(backend: Backend) {
    let server = MailServer::start_with_users(&[
        (SUPPORT, "support-password"),
        (DIRECTOR, "director-password"),
        (EXECUTIVE, "executive-password"),
        (AGENT, "agent-password"),
    ])
    .await;
    let directory = tempfile::tempdir().unwrap();
    let url = database(backend, directory.path()).await;
    let attachments =
        |name: &str| AttachmentStore::local_directory(&directory.path().join(name)).unwrap();
    let store = Store::open(&url, attachments("files-a")).await.unwrap();
    // Monday 16 November 2026, Riyadh: the organizations start in the middle of a digest week.
    let start = at("2026-11-16T09:00:00+03:00");
    let org = organization(&store, "diplomas", "منصة الدبلومات", start).await;
    let policy = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/policies/seed-004-diplomas-platform.toml"
    ))
    .unwrap();
    store
        .apply_policy(
            &org,
            "seed-004.toml",
            &policy,
            RecomputeDeadlines::KeepRunning,
            start,
        )
        .await
        .unwrap();
    let email = serde_json::json!({
        "address": SUPPORT,
        "display_name": "منصة الدبلومات",
        "smtp": server.smtp_settings(),
    });
    store
        .set_channel_credentials(org.id, Channel::Email, &email, start)
        .await
        .unwrap();
    staff(
        &store,
        org.id,
        DIRECTOR,
        "خالد الدوسري",
        StaffRole::Director,
        start,
    )
    .await;
    staff(
        &store,
        org.id,
        EXECUTIVE,
        "نورة السبيعي",
        StaffRole::Executive,
        start,
    )
    .await;
    staff(
        &store,
        org.id,
        AGENT,
        "سارة القحطاني",
        StaffRole::Agent,
        start,
    )
    .await;
    // A second organization with a director but no e-mail channel.
    let academy = organization(&store, "academy", "Example Academy", start).await;
    staff(
        &store,
        academy.id,
        "director@academy.example.sa",
        "Faisal Alharbi",
        StaffRole::Director,
        start,
    )
    .await;

    let day = SignedDuration::from_hours(24);
    ticket(
        &store,
        &org,
        TicketKind::Complaint,
        "تأخر إصدار الشهادة",
        start + day,
    )
    .await;
    ticket(
        &store,
        &org,
        TicketKind::Inquiry,
        "موعد الاختبار النهائي",
        start + day * 2,
    )
    .await;
    ticket(
        &store,
        &org,
        TicketKind::Inquiry,
        "طريقة تحديث البيانات",
        start + day * 3,
    )
    .await;

    // Before Sunday 07:00 the latest week ended before the organizations existed: nothing due.
    let before = at("2026-11-22T06:59:00+03:00");
    let pass = run_digest_pass(&store, before, &settings()).await.unwrap();
    assert_eq!(pass, DigestPassReport::default());

    // At 07:00 the week is due, but the relay is down: the claim is given back.
    let moment = at("2026-11-22T07:00:00+03:00");
    server.stop_smtp();
    let pass = run_digest_pass(&store, moment, &settings()).await.unwrap();
    assert_eq!(
        pass,
        DigestPassReport {
            due: 2,
            claimed: 2,
            sent: 0,
            failed: 2,
            released: 1,
            without_email: 1,
            errors: 0,
        }
    );
    server.start_smtp().await;

    // Five minutes later, two instances on the same database run the same pass at the same
    // moment: the week goes out once, one message per director and executive.
    let other = Store::open(&url, attachments("files-b")).await.unwrap();
    let later = moment + SignedDuration::from_mins(5);
    let digest_settings = settings();
    let (first, second) = tokio::join!(
        run_digest_pass(&store, later, &digest_settings),
        run_digest_pass(&other, later, &digest_settings),
    );
    let both = sum(&[first.unwrap(), second.unwrap()]);
    assert_eq!(
        (both.claimed, both.sent, both.failed),
        (1, 2, 0),
        "{both:?}"
    );
    assert_eq!(
        both.without_email, 0,
        "the academy's week was recorded already"
    );

    let week = ReportRange::new(at("2026-11-15T07:00:00+03:00"), moment).unwrap();
    let figures = store.report(org.id, &week).await.unwrap();
    let received: i64 = figures.volume_by_kind.iter().map(|(_, count)| count).sum();
    assert_eq!(received, 3);
    let open: i64 = figures.backlog.iter().map(|(_, count)| count).sum();
    for (manager, name) in [(DIRECTOR, "خالد الدوسري"), (EXECUTIVE, "نورة السبيعي")]
    {
        let inbox = server.wait_for_count(manager, 1, WAIT).await;
        assert_eq!(inbox.len(), 1, "{manager}");
        let parsed = mail_parser::MessageParser::new()
            .parse(inbox[0].as_slice())
            .unwrap();
        assert_eq!(
            parsed.subject(),
            Some("الملخص الأسبوعي لـمنصة الدبلومات: من 2026-11-15 إلى 2026-11-22")
        );
        let to = parsed.to().and_then(|to| to.first()).unwrap();
        assert_eq!(to.address(), Some(manager));
        assert_eq!(to.name(), Some(name));
        assert_eq!(
            parsed
                .from()
                .and_then(|from| from.first())
                .and_then(|from| from.address()),
            Some(SUPPORT)
        );
        let text = parsed.body_text(0).unwrap();
        for expected in [
            "المجموع: 3".to_owned(),
            "شكوى: 1".to_owned(),
            "استفسار: 2".to_owned(),
            "Total: 3".to_owned(),
            "Complaint: 1".to_owned(),
            "Inquiry: 2".to_owned(),
            "Breaches: 0".to_owned(),
            format!("Total: {open}"),
            "Nobody was asked to rate this week.".to_owned(),
            "2026-11-15 07:00".to_owned(),
            "https://desk.example.sa/o/diplomas/desk/reports?from=2026-11-15&to=2026-11-21"
                .to_owned(),
        ] {
            assert!(
                text.contains(&expected),
                "{manager}: missing {expected:?} in\n{text}"
            );
        }
        // Arabic first, then English.
        assert!(text.find("الطلبات الواردة").unwrap() < text.find("Requests received").unwrap());
        // The requester's name and the tickets' subjects stay out of the managers' mail.
        for private in ["ريم", "reem@example.sa", "تأخر إصدار الشهادة"] {
            assert!(!text.contains(private), "{manager}: {private}");
        }
        let html = parsed.body_html(0).unwrap();
        assert!(html.contains("from=2026-11-15&#38;to=2026-11-21"), "{html}");
        let raw = String::from_utf8_lossy(&inbox[0]);
        assert!(raw.contains("Auto-Submitted: auto-generated"));
    }
    assert_eq!(
        server.count(AGENT).await,
        0,
        "agents do not receive the digest"
    );

    // Again, on either instance, the same day and later in the week: nothing more.
    for now in [
        later + SignedDuration::from_mins(5),
        at("2026-11-25T12:00:00+03:00"),
    ] {
        for instance in [&store, &other] {
            let pass = run_digest_pass(instance, now, &settings()).await.unwrap();
            assert_eq!(pass, DigestPassReport::default(), "{now}");
        }
    }
    assert_eq!(server.count(DIRECTOR).await, 1);
    assert_eq!(server.count(EXECUTIVE).await, 1);

    // The next Sunday is the next week's digest.
    let next = run_digest_pass(&other, at("2026-11-29T07:00:00+03:00"), &settings())
        .await
        .unwrap();
    assert_eq!(
        (next.claimed, next.sent, next.without_email),
        (2, 2, 1),
        "{next:?}"
    );
    server.wait_for_count(DIRECTOR, 2, WAIT).await;
    server.wait_for_count(EXECUTIVE, 2, WAIT).await;
}

macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(super::Backend::Sqlite).await })+
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(super::Backend::Postgres).await })+
        }
    };
}

on_both_backends!(the_weekly_digest_reaches_each_manager_once);
