//! E-mail end to end against a real mail server (Dovecot for IMAP and LMTP behind an aiosmtpd
//! SMTP front, started by the test): a requester's mail becomes a ticket, the receipt and the
//! agent's reply arrive in the requester's mailbox threaded, the requester's answer threads back
//! onto the same ticket; and a burst of 500 notifications survives the SMTP server going down
//! and coming back, each delivered exactly once. Both database backends.
//!
//! Time in the desk is simulated (every call takes `now`); only the mail server runs in real
//! time, and the test waits for it with bounded polls.

#[path = "../crates/channels/tests/support/mail_server.rs"]
mod mail_server;

use jiff::{SignedDuration, Timestamp};
use mail_server::MailServer;
use sanad_channels::email::imap::ImapFetcher;
use sanad_channels::mailbox::MailIngest;
use sanad_channels::notify::NotificationSettings;
use sanad_channels::outbox::{OutboxSettings, OutboxWorker, RetryPolicy};
use sanad_channels::registry::ConfiguredAdapters;
use sanad_domain::{
    Channel, EmailAddress, MessageBody, MessageKind, OrgSlug, PersonName, RequesterType, Subject,
    TicketKind, TicketPrefix,
};
use sanad_store::*;
use std::sync::Arc;
use std::time::Duration;

const SUPPORT: &str = "support@example.sa";
const REQUESTER: &str = "requester@example.sa";
const MAIL_DOMAIN: &str = "desk.example.sa";
const WAIT: Duration = Duration::from_secs(60);

#[derive(Clone, Copy, Debug)]
enum Backend {
    Sqlite,
    Postgres,
}

struct Desk {
    store: Store,
    org: Organization,
    _directory: tempfile::TempDir,
}

async fn desk(backend: Backend, server: &MailServer) -> Desk {
    let directory = tempfile::tempdir().unwrap();
    let url = match backend {
        Backend::Sqlite => DatabaseUrl::parse(&format!(
            "sqlite://{}",
            directory.path().join("e2e.db").display()
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
            let schema = format!("mail_{}", &secrets::sha256_hex(unique.as_bytes())[..16]);
            schemas::fresh_postgres_schema(&server, &schema)
                .await
                .unwrap()
        }
    };
    let attachments = AttachmentStore::local_directory(&directory.path().join("files")).unwrap();
    let store = Store::open(&url, attachments).await.unwrap();
    let start: Timestamp = "2026-11-01T00:00:00Z".parse().unwrap();
    let org = store
        .create_organization(
            &NewOrganization {
                slug: OrgSlug::parse("diplomas").unwrap(),
                name: "منصة الدبلومات".into(),
                ticket_prefix: TicketPrefix::parse("DIP").unwrap(),
                time_zone: jiff::tz::TimeZone::get("Asia/Riyadh").unwrap(),
                time_zone_name: "Asia/Riyadh".into(),
                reopen_window_hours: 168,
            },
            start,
        )
        .await
        .unwrap();
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
    store
        .set_channel_setting(
            org.id,
            &ChannelSetting {
                channel: Channel::Email,
                state: ChannelState::Enabled,
                address: SUPPORT.into(),
            },
        )
        .await
        .unwrap();
    let settings = serde_json::json!({
        "address": SUPPORT,
        "display_name": "الدعم الفني — منصة الدبلومات",
        "smtp": server.smtp_settings(),
        "imap": server.imap_settings(SUPPORT, server.password(SUPPORT)),
    });
    store
        .set_channel_credentials(org.id, Channel::Email, &settings, start)
        .await
        .unwrap();
    let org = store
        .organization_by_slug("diplomas")
        .await
        .unwrap()
        .unwrap();
    Desk {
        store,
        org,
        _directory: directory,
    }
}

fn worker(store: &Store, batch_size: i64) -> OutboxWorker {
    OutboxWorker::new(
        store.clone(),
        Arc::new(ConfiguredAdapters::new(
            store.clone(),
            reqwest::Client::new(),
        )),
        OutboxSettings {
            instance: "e2e".into(),
            batch_size,
            lease: SignedDuration::from_mins(2),
            retry: RetryPolicy::default(),
            concurrency: 8,
            notifications: NotificationSettings {
                public_url: "https://desk.example.sa".into(),
                mail_domain: MAIL_DOMAIN.into(),
            },
        },
    )
}

/// The value of a header in a raw message (first occurrence, unfolded).
fn header(raw: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(raw);
    let head = text.split("\r\n\r\n").next().unwrap_or("");
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    unfolded.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name)
            .then(|| value.trim().to_owned())
    })
}

fn requester_mail(
    message_id: &str,
    subject: &str,
    body: &str,
    in_reply_to: Option<&str>,
) -> Vec<u8> {
    let threading = match in_reply_to {
        Some(id) => format!("In-Reply-To: {id}\r\nReferences: {id}\r\n"),
        None => String::new(),
    };
    format!(
        "From: =?UTF-8?B?{name}?= <{REQUESTER}>\r\nTo: {SUPPORT}\r\nSubject: =?UTF-8?B?{subject}?=\r\n\
         Message-ID: {message_id}\r\nDate: Sun, 22 Nov 2026 09:00:00 +0300\r\n{threading}MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n",
        name = base64_utf8("ريم العتيبي"),
        subject = base64_utf8(subject),
    )
    .into_bytes()
}

fn base64_utf8(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(text.as_bytes())
}

async fn fetch_support_mailbox(desk: &Desk, server: &MailServer, now: Timestamp) -> usize {
    let ingest = MailIngest::new(
        desk.store.clone(),
        Arc::new(move || now),
        MAIL_DOMAIN.into(),
    );
    let sink = ingest.for_organization(desk.org.clone(), SUPPORT.into());
    let fetcher = ImapFetcher::new(server.imap_settings(SUPPORT, server.password(SUPPORT)));
    let report = fetcher.fetch_new(&sink).await.unwrap();
    assert!(report.failed.is_empty(), "{report:?}");
    report.stored.len()
}

async fn a_mail_becomes_a_ticket_and_the_conversation_threads_both_ways(backend: Backend) {
    let server = MailServer::start().await;
    let desk = desk(backend, &server).await;
    let now: Timestamp = "2026-11-22T06:00:00Z".parse().unwrap();

    // The requester writes to the support address through the real SMTP server.
    let first = requester_mail(
        "<first.7781@mail.requester.example.sa>",
        "تعذر الدخول إلى المنصة",
        "السلام عليكم، لا أستطيع الدخول إلى حسابي منذ أمس.",
        None,
    );
    server
        .send_raw(REQUESTER, &[SUPPORT], &first)
        .await
        .unwrap();
    server.wait_for_count(SUPPORT, 1, WAIT).await;
    assert_eq!(fetch_support_mailbox(&desk, &server, now).await, 1);
    let page = desk
        .store
        .list_tickets(desk.org.id, &TicketFilter::default())
        .await
        .unwrap();
    assert_eq!(page.tickets.len(), 1);
    let ticket = &page.tickets[0];
    assert_eq!(ticket.channel, Channel::Email);
    assert_eq!(ticket.subject, "تعذر الدخول إلى المنصة");
    assert_eq!(ticket.requester.email.as_deref(), Some(REQUESTER));
    // Fetching again finds the message seen, and nothing new is stored.
    assert_eq!(fetch_support_mailbox(&desk, &server, now).await, 0);

    // The receipt goes out and lands in the requester's mailbox, answering their message.
    let worker = worker(&desk.store, 50);
    let run = worker
        .drain(now + SignedDuration::from_secs(5), 5)
        .await
        .unwrap();
    assert_eq!((run.delivered, run.failed), (1, 0), "{run:?}");
    let inbox = server.wait_for_count(REQUESTER, 1, WAIT).await;
    let receipt = &inbox[0];
    assert_eq!(
        header(receipt, "In-Reply-To").as_deref(),
        Some("<first.7781@mail.requester.example.sa>")
    );
    let receipt_id = header(receipt, "Message-ID").unwrap();
    assert!(
        receipt_id.ends_with(&format!("@{MAIL_DOMAIN}>")),
        "{receipt_id}"
    );
    assert!(header(receipt, "Subject").is_some());
    let receipt_text = String::from_utf8_lossy(receipt).to_string();
    assert!(
        receipt_text.contains("multipart/alternative"),
        "HTML and plain text"
    );
    assert_eq!(
        header(receipt, "Auto-Submitted").as_deref(),
        Some("auto-generated")
    );

    // The agent answers on the desk; the answer arrives threaded after the receipt.
    let agent = desk
        .store
        .create_user(
            desk.org.id,
            &NewUser {
                email: EmailAddress::parse("agent@example.sa").unwrap(),
                name: PersonName::parse("سارة القحطاني").unwrap(),
                role: sanad_domain::StaffRole::Agent,
                departments: Vec::new(),
                password_hash: None,
            },
            now,
        )
        .await
        .unwrap();
    let staff = Actor::Staff {
        id: agent.id,
        name: agent.name.clone(),
    };
    let answer_text = "أعدنا تعيين كلمة المرور، جرّب الدخول الآن من فضلك.";
    desk.store
        .add_message(
            &desk.org,
            &ticket.number,
            &NewMessage {
                kind: MessageKind::PublicReply,
                body: MessageBody::parse(answer_text).unwrap(),
                attachments: Vec::new(),
            },
            &staff,
            now + SignedDuration::from_mins(20),
        )
        .await
        .unwrap();
    worker
        .drain(now + SignedDuration::from_mins(20), 5)
        .await
        .unwrap();
    let inbox = server.wait_for_count(REQUESTER, 2, WAIT).await;
    let reply = inbox
        .iter()
        .find(|raw| header(raw, "Message-ID").as_deref() != Some(receipt_id.as_str()))
        .unwrap();
    let references = header(reply, "References").unwrap();
    assert!(
        references.contains("<first.7781@mail.requester.example.sa>"),
        "{references}"
    );
    assert!(references.contains(&receipt_id), "{references}");
    assert_eq!(
        header(reply, "In-Reply-To").as_deref(),
        Some(receipt_id.as_str())
    );
    assert_eq!(header(reply, "Auto-Submitted"), None, "a person wrote it");
    let reply_id = header(reply, "Message-ID").unwrap();
    let parsed = mail_parser::MessageParser::new()
        .parse(reply.as_slice())
        .unwrap();
    assert!(parsed.body_text(0).unwrap().contains(answer_text));

    // The requester answers the agent's message from their mail client (a subject without the
    // number): it threads back onto the ticket by In-Reply-To.
    let answer = requester_mail(
        "<second.7782@mail.requester.example.sa>",
        "شكرًا",
        "نجح الدخول، شكرًا لكم.",
        Some(&reply_id),
    );
    server
        .send_raw(REQUESTER, &[SUPPORT], &answer)
        .await
        .unwrap();
    server.wait_for_count(SUPPORT, 2, WAIT).await;
    assert_eq!(
        fetch_support_mailbox(&desk, &server, now + SignedDuration::from_mins(30)).await,
        1
    );
    assert_eq!(desk.store.count_tickets(desk.org.id).await.unwrap(), 1);
    let detail = desk
        .store
        .ticket_detail(desk.org.id, &ticket.number)
        .await
        .unwrap()
        .unwrap();
    let bodies: Vec<&str> = detail
        .messages
        .iter()
        .map(|message| message.body.as_str())
        .collect();
    assert_eq!(bodies.len(), 3, "{bodies:?}");
    assert!(bodies[2].contains("نجح الدخول"), "{bodies:?}");
    // Every delivery attempt is on the ticket.
    let deliveries = desk.store.ticket_deliveries(ticket.id).await.unwrap();
    assert!(
        deliveries
            .iter()
            .all(|record| record.state == "delivered" && record.attempts.len() == 1)
    );
}

async fn five_hundred_notifications_survive_the_smtp_server_going_down(backend: Backend) {
    let server = MailServer::start().await;
    let desk = desk(backend, &server).await;
    let now: Timestamp = "2026-11-22T06:00:00Z".parse().unwrap();
    for index in 0..500 {
        desk.store
            .create_ticket(
                &desk.org,
                &NewTicket {
                    kind: TicketKind::Inquiry,
                    channel: Channel::WebForm,
                    subject: Subject::parse(&format!("استفسار رقم {index}")).unwrap(),
                    body: MessageBody::parse("متى يبدأ الفصل القادم؟").unwrap(),
                    category: None,
                    requester: NewRequester {
                        name: PersonName::parse("ريم العتيبي").unwrap(),
                        contact: RequesterContact::Email(EmailAddress::parse(REQUESTER).unwrap()),
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
    assert_eq!(desk.store.outbox_counts().await.unwrap().pending, 500);
    let worker = worker(&desk.store, 50);

    // The burst starts; the SMTP server dies after the first batch.
    let first = worker.deliver_due(now).await.unwrap();
    assert_eq!(first.delivered, 50);
    server.stop_smtp();
    let during = worker.deliver_due(now).await.unwrap();
    assert_eq!((during.delivered, during.retried), (0, 50), "{during:?}");
    let still_down = worker.deliver_due(now).await.unwrap();
    assert_eq!(still_down.retried, 50);

    // The server comes back; simulated time moves past every back-off and the rest drains.
    server.start_smtp().await;
    let mut later = now;
    for _ in 0..10 {
        later += SignedDuration::from_mins(10);
        worker.drain(later, 50).await.unwrap();
        if desk.store.outbox_counts().await.unwrap().pending == 0 {
            break;
        }
    }
    assert_eq!(
        desk.store.outbox_counts().await.unwrap(),
        OutboxCounts {
            pending: 0,
            delivered: 500,
            failed: 0
        }
    );

    // Exactly once: 500 messages in the mailbox, 500 distinct Message-IDs, nothing more
    // arriving afterwards.
    let inbox = server.wait_for_count(REQUESTER, 500, WAIT).await;
    let mut ids: Vec<String> = inbox
        .iter()
        .map(|raw| header(raw, "Message-ID").unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!((inbox.len(), ids.len()), (500, 500));
    assert_eq!(
        worker
            .drain(later + SignedDuration::from_hours(2), 5)
            .await
            .unwrap()
            .claimed,
        0
    );
    assert_eq!(server.count(REQUESTER).await, 500);
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

on_both_backends!(
    a_mail_becomes_a_ticket_and_the_conversation_threads_both_ways,
    five_hundred_notifications_survive_the_smtp_server_going_down,
);
