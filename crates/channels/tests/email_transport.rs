//! The e-mail transports against real servers: SMTP sending and IMAP fetching against a
//! private Dovecot behind an aiosmtpd front (tests/support/mail_server.rs), and the SMTP/LMTP
//! receiver driven by lettre and by a raw TCP client.

#[path = "support/mail_server.rs"]
mod mail_server;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::BoxFuture;
use jiff::Timestamp;
use lettre::message::header::ContentType;
use lettre::transport::smtp::client::Tls;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use mail_server::MailServer;
use sanad_channels::email::compose::MailIdentity;
use sanad_channels::email::imap::{FetchReport, ImapError, ImapFetcher, RawMailSink};
use sanad_channels::email::receiver::{
    self, MessageSink, ReceiverLimits, ReceiverProtocol, SinkError,
};
use sanad_channels::email::smtp::{SmtpSender, TransportSecurity};
use sanad_channels::{ChannelAdapter, OutboundMessage, OutboundOrigin, OutboundThread, SendError};
use sanad_domain::Channel;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::{mpsc, oneshot};

const SUPPORT: &str = "support@example.sa";
const REQUESTER: &str = "requester@example.sa";
/// The bound on every wait for a real server; generous so a loaded CI machine does not fail
/// a test that is merely slow.
const WAIT: Duration = Duration::from_secs(30);

fn identity() -> MailIdentity {
    MailIdentity {
        from_address: SUPPORT.to_owned(),
        from_name: "مكتب الدعم".to_owned(),
    }
}

fn outbound(outbox_id: i64, recipient: &str) -> OutboundMessage {
    OutboundMessage {
        outbox_id,
        channel: Channel::Email,
        recipient: recipient.to_owned(),
        recipient_name: Some("ليلى الحربي".to_owned()),
        language: sanad_domain::policy::Lang::Ar,
        origin: OutboundOrigin::Notification,
        subject: format!("تم استلام طلبك رقم {outbox_id}"),
        text: "شكرًا لتواصلك معنا، سنرد عليك قريبًا.".to_owned(),
        html: None,
        thread: OutboundThread {
            message_id: format!("outbox-{outbox_id}@desk.example.sa"),
            in_reply_to: None,
            references: Vec::new(),
        },
        last_inbound_at: None,
        template: None,
        now: Timestamp::from_second(1_767_225_600).expect("a valid timestamp"),
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

fn raw_message(message_id: &str, subject: &str) -> Vec<u8> {
    format!(
        "From: Laila <{REQUESTER}>\r\nTo: <{SUPPORT}>\r\nSubject: {subject}\r\nMessage-ID: <{message_id}>\r\nDate: Thu, 01 Jan 2026 08:00:00 +0300\r\n\r\nNeed help with my certificate.\r\n"
    )
    .into_bytes()
}

// ---------------------------------------------------------------------------------------------
// SMTP sending

#[tokio::test]
async fn smtp_sender_delivers_a_composed_message_to_the_mailbox() {
    let server = MailServer::start().await;
    let sender = SmtpSender::new(&server.smtp_settings(), identity()).expect("sender");
    assert_eq!(sender.channel(), Channel::Email);

    let sent = sender.send(&outbound(1, REQUESTER)).await.expect("sent");
    assert_eq!(
        sent.provider_message_id.as_deref(),
        Some("outbox-1@desk.example.sa")
    );
    assert!(
        sent.detail.starts_with("250 2.0.0 Ok: queued as "),
        "{}",
        sent.detail
    );

    let messages = server.wait_for_count(REQUESTER, 1, WAIT).await;
    assert_eq!(messages.len(), 1);
    assert!(contains(
        &messages[0],
        "Message-ID: <outbox-1@desk.example.sa>"
    ));
    assert!(contains(&messages[0], "Auto-Submitted: auto-generated"));
}

#[tokio::test]
async fn smtp_outage_is_transient_and_sending_resumes_after_restart() {
    let server = MailServer::start().await;
    let sender = SmtpSender::new(&server.smtp_settings(), identity()).expect("sender");
    // A first message leaves a pooled connection behind, which the outage then breaks.
    sender
        .send(&outbound(1, REQUESTER))
        .await
        .expect("sent before the outage");

    server.stop_smtp();
    match sender.send(&outbound(2, REQUESTER)).await {
        Err(SendError::Transient(reason)) => assert!(!reason.is_empty()),
        other => panic!("expected a transient failure while SMTP is down, got {other:?}"),
    }

    server.start_smtp().await;
    sender
        .send(&outbound(2, REQUESTER))
        .await
        .expect("sent after the restart");
    let messages = server.wait_for_count(REQUESTER, 2, WAIT).await;
    assert!(
        messages
            .iter()
            .any(|raw| contains(raw, "<outbox-2@desk.example.sa>"))
    );
}

#[tokio::test]
async fn smtp_outage_in_the_middle_of_a_burst_loses_nothing_once_retried() {
    use futures_util::StreamExt as _;

    const BURST: i64 = 120;
    let server = MailServer::start().await;
    let sender = SmtpSender::new(&server.smtp_settings(), identity()).expect("sender");
    let mut pending: Vec<i64> = (1..=BURST).collect();
    let mut outage_done = false;
    // Each round sends what is still pending, ten at a time like the outbox worker; the first
    // round loses its server a quarter of the way through. Later rounds are the outbox's
    // retries after the server is back.
    for round in 0..5 {
        if pending.is_empty() {
            break;
        }
        let mut failed = Vec::new();
        let mut completed = 0;
        let mut results = futures_util::stream::iter(pending.clone())
            .map(|id| {
                let sender = &sender;
                async move { (id, sender.send(&outbound(id, REQUESTER)).await) }
            })
            .buffer_unordered(10);
        while let Some((id, result)) = results.next().await {
            completed += 1;
            match result {
                Ok(_) => {}
                Err(SendError::Transient(_)) => failed.push(id),
                Err(error) => panic!("round {round}: message {id}: {error}"),
            }
            if !outage_done && completed == BURST / 4 {
                server.stop_smtp();
                outage_done = true;
            }
        }
        drop(results);
        if round == 0 {
            assert!(!failed.is_empty(), "the outage made some sends fail");
            server.start_smtp().await;
        }
        pending = failed;
    }
    assert!(
        pending.is_empty(),
        "still failing after the restart: {pending:?}"
    );

    let messages = server.wait_for_count(REQUESTER, BURST as usize, WAIT).await;
    for id in 1..=BURST {
        let marker = format!("<outbox-{id}@desk.example.sa>");
        assert!(
            messages.iter().any(|raw| contains(raw, &marker)),
            "{marker} missing"
        );
    }
}

#[tokio::test]
async fn smtp_unknown_recipient_is_permanent() {
    let server = MailServer::start().await;
    let sender = SmtpSender::new(&server.smtp_settings(), identity()).expect("sender");
    match sender.send(&outbound(3, "nobody@example.sa")).await {
        Err(SendError::Permanent(reason)) => assert!(reason.contains("550"), "{reason}"),
        other => panic!("expected a permanent failure, got {other:?}"),
    }
    // The refusal does not spoil the pooled connection for the next message.
    sender.send(&outbound(4, REQUESTER)).await.expect("sent");
    server.wait_for_count(REQUESTER, 1, WAIT).await;
}

#[tokio::test]
async fn smtp_message_that_cannot_be_composed_is_permanent() {
    let server = MailServer::start().await;
    let sender = SmtpSender::new(&server.smtp_settings(), identity()).expect("sender");
    let mut message = outbound(5, REQUESTER);
    message.thread.message_id = "not a message id".to_owned();
    assert!(matches!(
        sender.send(&message).await,
        Err(SendError::Permanent(_))
    ));
}

#[tokio::test]
async fn smtp_over_tls_and_starttls_trusting_a_private_ca() {
    let server = MailServer::start().await;
    let root = server.tls_root_pem();
    for (outbox_id, security) in [
        (20, TransportSecurity::Tls),
        (21, TransportSecurity::StartTls),
    ] {
        let settings = server.smtp_tls_settings(security);
        // The public roots alone do not vouch for the test CA: the handshake fails, and the
        // outbox will try again later.
        let untrusting = SmtpSender::new(&settings, identity()).expect("sender");
        match untrusting.send(&outbound(outbox_id, REQUESTER)).await {
            Err(SendError::Transient(reason)) => assert!(!reason.is_empty()),
            other => panic!("{security:?}: expected a TLS failure, got {other:?}"),
        }
        let sender =
            SmtpSender::with_root_certificates(&settings, identity(), &root).expect("sender");
        sender
            .send(&outbound(outbox_id, REQUESTER))
            .await
            .unwrap_or_else(|error| panic!("{security:?}: {error}\n{}", server.logs()));
    }
    let messages = server.wait_for_count(REQUESTER, 2, WAIT).await;
    assert!(
        messages
            .iter()
            .any(|raw| contains(raw, "<outbox-20@desk.example.sa>"))
    );
    assert!(
        messages
            .iter()
            .any(|raw| contains(raw, "<outbox-21@desk.example.sa>"))
    );

    let garbage =
        SmtpSender::with_root_certificates(&server.smtp_settings(), identity(), b"no PEM here");
    assert!(garbage.is_err());
}

// ---------------------------------------------------------------------------------------------
// IMAP fetching

/// Records what it is given; fails while `failure` is set.
#[derive(Default)]
struct RecordingSink {
    stored: Mutex<Vec<Vec<u8>>>,
    failure: Mutex<Option<SinkError>>,
    notify: Mutex<Option<mpsc::UnboundedSender<Vec<u8>>>>,
}

impl RawMailSink for RecordingSink {
    fn store<'a>(&'a self, raw: &'a [u8]) -> BoxFuture<'a, Result<(), SinkError>> {
        Box::pin(async move {
            if let Some(error) = self.failure.lock().expect("lock").clone() {
                return Err(error);
            }
            self.stored.lock().expect("lock").push(raw.to_vec());
            if let Some(notify) = self.notify.lock().expect("lock").as_ref() {
                let _ = notify.send(raw.to_vec());
            }
            Ok(())
        })
    }
}

#[tokio::test]
async fn imap_fetches_unseen_mail_marks_it_seen_and_fetches_nothing_twice() {
    let server = MailServer::start().await;
    for (id, subject) in [
        ("first@example.sa", "Certificate"),
        ("second@example.sa", "Timetable"),
    ] {
        server
            .send_raw(REQUESTER, &[SUPPORT], &raw_message(id, subject))
            .await
            .expect("sent");
    }
    server.wait_for_count(SUPPORT, 2, WAIT).await;

    let fetcher = ImapFetcher::new(server.imap_settings(SUPPORT, server.password(SUPPORT)));
    let sink = RecordingSink::default();
    let report = fetcher.fetch_new(&sink).await.expect("fetch");
    assert_eq!(report.stored.len(), 2);
    assert!(report.failed.is_empty() && report.vanished.is_empty());
    let stored = sink.stored.lock().expect("lock").clone();
    assert!(
        contains(&stored[0], "Message-ID: <first@example.sa>"),
        "oldest first"
    );
    assert!(contains(&stored[1], "Message-ID: <second@example.sa>"));
    assert_eq!(server.unseen_count(SUPPORT).await, 0);

    let again = fetcher.fetch_new(&sink).await.expect("second fetch");
    assert_eq!(again, FetchReport::default());
    assert_eq!(sink.stored.lock().expect("lock").len(), 2);
}

#[tokio::test]
async fn imap_sink_failure_leaves_the_message_unseen_for_the_next_run() {
    let server = MailServer::start().await;
    // Straight into Dovecot over LMTP, as a mail server would hand it over.
    let replies = server
        .deliver_lmtp(
            REQUESTER,
            &[SUPPORT],
            &raw_message("retry@example.sa", "Refund"),
        )
        .await
        .expect("delivered");
    assert_eq!(replies.len(), 1);
    server.wait_for_count(SUPPORT, 1, WAIT).await;

    let fetcher = ImapFetcher::new(server.imap_settings(SUPPORT, server.password(SUPPORT)));
    let sink = RecordingSink::default();
    *sink.failure.lock().expect("lock") =
        Some(SinkError::Transient("database unavailable".to_owned()));
    let report = fetcher.fetch_new(&sink).await.expect("fetch");
    assert!(report.stored.is_empty());
    assert_eq!(report.failed.len(), 1);
    assert_eq!(
        report.failed[0].error,
        SinkError::Transient("database unavailable".to_owned())
    );
    assert_eq!(server.unseen_count(SUPPORT).await, 1);

    *sink.failure.lock().expect("lock") = None;
    let report = fetcher.fetch_new(&sink).await.expect("fetch");
    assert_eq!(report.stored.len(), 1);
    assert_eq!(server.unseen_count(SUPPORT).await, 0);
}

#[tokio::test]
async fn imap_wrong_password_and_missing_folder_are_reported() {
    let server = MailServer::start().await;
    let sink = RecordingSink::default();
    let wrong = ImapFetcher::new(server.imap_settings(SUPPORT, "not-the-password"));
    assert!(matches!(
        wrong.fetch_new(&sink).await,
        Err(ImapError::Login { .. })
    ));

    let mut settings = server.imap_settings(SUPPORT, server.password(SUPPORT));
    settings.folder = "Archive".to_owned();
    assert!(matches!(
        ImapFetcher::new(settings).fetch_new(&sink).await,
        Err(ImapError::Folder { .. })
    ));

    let mut settings = server.imap_settings(SUPPORT, server.password(SUPPORT));
    server.stop_smtp();
    settings.port = server.smtp_port();
    let refused = ImapFetcher::new(settings).fetch_new(&sink).await;
    assert!(
        matches!(refused, Err(ImapError::Connect { .. })),
        "{refused:?}"
    );
}

#[tokio::test]
async fn imap_over_tls_and_starttls_trusting_a_private_ca() {
    let server = MailServer::start().await;
    let root = server.tls_root_pem();
    let sink = RecordingSink::default();
    for (id, security) in [
        ("tls@example.sa", TransportSecurity::Tls),
        ("starttls@example.sa", TransportSecurity::StartTls),
    ] {
        server
            .send_raw(REQUESTER, &[SUPPORT], &raw_message(id, "Secure"))
            .await
            .expect("sent");
        let settings = server.imap_tls_settings(SUPPORT, server.password(SUPPORT), security);
        let untrusting = ImapFetcher::new(settings.clone()).fetch_new(&sink).await;
        assert!(
            matches!(untrusting, Err(ImapError::Tls { .. })),
            "{security:?}: {untrusting:?}"
        );
        let fetcher = ImapFetcher::with_root_certificates(settings, &root).expect("fetcher");
        let report = fetcher
            .fetch_new(&sink)
            .await
            .unwrap_or_else(|error| panic!("{security:?}: {error}\n{}", server.logs()));
        assert_eq!(report.stored.len(), 1, "{security:?}");
    }
    let stored = sink.stored.lock().expect("lock").clone();
    assert!(contains(&stored[0], "<tls@example.sa>"));
    assert!(contains(&stored[1], "<starttls@example.sa>"));

    let settings = server.imap_settings(SUPPORT, server.password(SUPPORT));
    assert!(ImapFetcher::with_root_certificates(settings, b"no PEM here").is_err());
}

#[tokio::test]
async fn imap_run_picks_up_new_mail_through_idle() {
    let server = MailServer::start().await;
    server
        .send_raw(
            REQUESTER,
            &[SUPPORT],
            &raw_message("before@example.sa", "Before"),
        )
        .await
        .expect("sent");
    server.wait_for_count(SUPPORT, 1, WAIT).await;

    let mut settings = server.imap_settings(SUPPORT, server.password(SUPPORT));
    // An hour between polls: only IDLE can bring the second message in within the wait.
    settings.poll_seconds = 3600;
    let fetcher = ImapFetcher::new(settings);
    let sink = Arc::new(RecordingSink::default());
    let (notify, mut arrivals) = mpsc::unbounded_channel();
    *sink.notify.lock().expect("lock") = Some(notify);
    let (stop, stopped) = oneshot::channel::<()>();
    let runner = {
        let sink = Arc::clone(&sink);
        tokio::spawn(async move {
            fetcher
                .run(sink.as_ref(), async {
                    let _ = stopped.await;
                })
                .await;
        })
    };

    let first = tokio::time::timeout(WAIT, arrivals.recv())
        .await
        .expect("first message in time");
    assert!(contains(&first.expect("a message"), "<before@example.sa>"));

    server
        .send_raw(
            REQUESTER,
            &[SUPPORT],
            &raw_message("after@example.sa", "After"),
        )
        .await
        .expect("sent");
    let second = tokio::time::timeout(WAIT, arrivals.recv())
        .await
        .expect("IDLE woke the fetcher");
    assert!(contains(&second.expect("a message"), "<after@example.sa>"));

    stop.send(()).expect("the runner is listening");
    tokio::time::timeout(WAIT, runner)
        .await
        .expect("run stops on shutdown")
        .expect("no panic");
    assert_eq!(server.unseen_count(SUPPORT).await, 0);
}

#[tokio::test]
async fn imap_run_polls_when_the_server_has_no_idle() {
    let server = MailServer::start_without_idle().await;
    let mut settings = server.imap_settings(SUPPORT, server.password(SUPPORT));
    settings.poll_seconds = 1;
    let fetcher = ImapFetcher::new(settings);
    let sink = Arc::new(RecordingSink::default());
    let (notify, mut arrivals) = mpsc::unbounded_channel();
    *sink.notify.lock().expect("lock") = Some(notify);
    let (stop, stopped) = oneshot::channel::<()>();
    let runner = {
        let sink = Arc::clone(&sink);
        tokio::spawn(async move {
            fetcher
                .run(sink.as_ref(), async {
                    let _ = stopped.await;
                })
                .await;
        })
    };

    for id in ["poll-1@example.sa", "poll-2@example.sa"] {
        server
            .send_raw(REQUESTER, &[SUPPORT], &raw_message(id, "Polled"))
            .await
            .expect("sent");
        let arrived = tokio::time::timeout(WAIT, arrivals.recv())
            .await
            .expect("the next poll fetched it");
        assert!(contains(&arrived.expect("a message"), id));
    }

    stop.send(()).expect("the runner is listening");
    tokio::time::timeout(WAIT, runner)
        .await
        .expect("run stops on shutdown")
        .expect("no panic");
    assert_eq!(sink.stored.lock().expect("lock").len(), 2);
}

// ---------------------------------------------------------------------------------------------
// The SMTP/LMTP receiver

/// Accepts the addresses it knows; delivery to some of them fails as configured.
#[derive(Default)]
struct Mailboxes {
    known: Vec<&'static str>,
    failing: HashMap<&'static str, SinkError>,
    delivered: Mutex<Vec<(String, String, Vec<u8>)>>,
}

impl Mailboxes {
    fn new(known: &[&'static str]) -> Self {
        Self {
            known: known.to_vec(),
            ..Self::default()
        }
    }

    fn delivered(&self) -> Vec<(String, String, Vec<u8>)> {
        self.delivered.lock().expect("lock").clone()
    }
}

impl MessageSink for Mailboxes {
    fn accepts_recipient(&self, address: &str) -> BoxFuture<'_, bool> {
        let known = self
            .known
            .iter()
            .any(|known| known.eq_ignore_ascii_case(address));
        Box::pin(async move { known })
    }

    fn deliver<'a>(
        &'a self,
        envelope_from: &'a str,
        recipient: &'a str,
        raw: &'a [u8],
    ) -> BoxFuture<'a, Result<(), SinkError>> {
        Box::pin(async move {
            if let Some(error) = self.failing.get(recipient) {
                return Err(error.clone());
            }
            self.delivered.lock().expect("lock").push((
                envelope_from.to_owned(),
                recipient.to_owned(),
                raw.to_vec(),
            ));
            Ok(())
        })
    }
}

struct Receiver {
    address: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Receiver {
    async fn start(
        protocol: ReceiverProtocol,
        sink: Arc<Mailboxes>,
        limits: ReceiverLimits,
    ) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(receiver::serve(listener, protocol, sink, limits, async {
            let _ = stopped.await;
        }));
        Self {
            address,
            stop: Some(stop),
            task,
        }
    }

    async fn shut_down(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(WAIT, &mut self.task)
            .await
            .expect("serve returns after shutdown")
            .expect("no panic")
            .expect("no error");
    }
}

fn limits() -> ReceiverLimits {
    ReceiverLimits {
        hostname: "mx.desk.example.sa".to_owned(),
        ..ReceiverLimits::default()
    }
}

/// A raw SMTP/LMTP client that writes exactly what the test says.
struct RawClient {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
}

impl RawClient {
    async fn connect(address: SocketAddr) -> (Self, String) {
        let stream = TcpStream::connect(address).await.expect("connect");
        let (read_half, writer) = stream.into_split();
        let mut client = Self {
            reader: BufReader::new(read_half),
            writer,
        };
        let greeting = client.reply().await;
        (client, greeting)
    }

    async fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).await.expect("write");
    }

    /// Sends one command line and reads its reply.
    async fn command(&mut self, line: &str) -> String {
        self.send(format!("{line}\r\n").as_bytes()).await;
        self.reply().await
    }

    /// Reads one reply; the lines of a multi-line reply are joined with '\n'.
    async fn reply(&mut self) -> String {
        let mut reply = String::new();
        loop {
            let mut line = String::new();
            let read = tokio::time::timeout(WAIT, self.reader.read_line(&mut line))
                .await
                .expect("a reply in time")
                .expect("read");
            assert!(
                read > 0,
                "the server closed the connection; so far {reply:?}"
            );
            let line = line.trim_end_matches(['\r', '\n']);
            if !reply.is_empty() {
                reply.push('\n');
            }
            reply.push_str(line);
            if line.len() < 4 || line.as_bytes()[3] != b'-' {
                return reply;
            }
        }
    }

    /// Reads until the server closes the connection; returns what it said meanwhile.
    async fn until_closed(&mut self) -> String {
        let mut rest = String::new();
        loop {
            let mut line = String::new();
            let read = tokio::time::timeout(WAIT, self.reader.read_line(&mut line))
                .await
                .expect("the server closes in time");
            match read {
                Ok(0) | Err(_) => return rest,
                Ok(_) => rest.push_str(&line),
            }
        }
    }
}

fn lettre_client(address: SocketAddr) -> AsyncSmtpTransport<Tokio1Executor> {
    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(address.ip().to_string())
        .port(address.port())
        .tls(Tls::None)
        .timeout(Some(WAIT))
        .build()
}

fn lettre_message(to: &str, body: &str) -> Message {
    Message::builder()
        .from(format!("Laila <{REQUESTER}>").parse().expect("from"))
        .to(to.parse().expect("to"))
        .subject("سؤال عن الشهادة")
        .message_id(Some("<question-1@example.sa>".to_owned()))
        .header(ContentType::TEXT_PLAIN)
        .body(body.to_owned())
        .expect("message")
}

#[tokio::test]
async fn receiver_smtp_takes_mail_from_lettre() {
    let sink = Arc::new(Mailboxes::new(&[SUPPORT]));
    let receiver = Receiver::start(ReceiverProtocol::Smtp, Arc::clone(&sink), limits()).await;
    let client = lettre_client(receiver.address);

    // An ASCII body keeps lettre from encoding it, so the dot lines cross the wire as they are.
    let body = "Hello\n.a line that starts with a dot\n..and one with two\nThanks\n";
    let response = client
        .send(lettre_message(SUPPORT, body))
        .await
        .expect("accepted");
    assert_eq!(response.code().to_string(), "250");

    let delivered = sink.delivered();
    assert_eq!(delivered.len(), 1);
    let (from, recipient, raw) = &delivered[0];
    assert_eq!((from.as_str(), recipient.as_str()), (REQUESTER, SUPPORT));
    assert!(contains(raw, "Message-ID: <question-1@example.sa>"));
    let text = String::from_utf8_lossy(raw);
    assert!(
        text.contains("\r\n.a line that starts with a dot\r\n..and one with two\r\n"),
        "{text}"
    );

    let refused = client
        .send(lettre_message("nobody@example.sa", "hello"))
        .await;
    let error = refused.expect_err("unknown recipient");
    assert!(error.is_permanent(), "{error}");
    assert_eq!(sink.delivered().len(), 1);
    receiver.shut_down().await;
}

#[tokio::test]
async fn receiver_smtp_sink_failures_become_451_and_554() {
    let mut sink = Mailboxes::new(&[SUPPORT, "billing@example.sa", "archive@example.sa"]);
    sink.failing.insert(
        "billing@example.sa",
        SinkError::Transient("database unavailable".to_owned()),
    );
    sink.failing.insert(
        "archive@example.sa",
        SinkError::Permanent("archive is read-only".to_owned()),
    );
    let sink = Arc::new(sink);
    let receiver = Receiver::start(ReceiverProtocol::Smtp, Arc::clone(&sink), limits()).await;
    let client = lettre_client(receiver.address);

    let error = client
        .send(lettre_message("billing@example.sa", "hello"))
        .await
        .expect_err("transient failure");
    assert!(error.is_transient(), "{error}");
    let error = client
        .send(lettre_message("archive@example.sa", "hello"))
        .await
        .expect_err("permanent failure");
    assert!(error.is_permanent(), "{error}");
    receiver.shut_down().await;
}

#[tokio::test]
async fn receiver_smtp_sender_round_trip() {
    // Our own sender against our own receiver: what compose writes survives the trip.
    let sink = Arc::new(Mailboxes::new(&[REQUESTER]));
    let receiver = Receiver::start(ReceiverProtocol::Smtp, Arc::clone(&sink), limits()).await;
    let settings = sanad_channels::email::smtp::SmtpSettings {
        host: "127.0.0.1".to_owned(),
        port: receiver.address.port(),
        security: TransportSecurity::Plain,
        username: None,
        password: None,
        timeout_seconds: 10,
    };
    let sender = SmtpSender::new(&settings, identity()).expect("sender");
    let sent = sender.send(&outbound(9, REQUESTER)).await.expect("sent");
    assert_eq!(sent.detail, "250 2.0.0 OK: message accepted");
    assert!(contains(
        &sink.delivered()[0].2,
        "<outbox-9@desk.example.sa>"
    ));
    receiver.shut_down().await;
}

#[tokio::test]
async fn receiver_lmtp_replies_once_per_recipient() {
    let mut sink = Mailboxes::new(&[SUPPORT, "billing@example.sa", "archive@example.sa"]);
    sink.failing.insert(
        "billing@example.sa",
        SinkError::Transient("database unavailable".to_owned()),
    );
    sink.failing.insert(
        "archive@example.sa",
        SinkError::Permanent("archive is read-only".to_owned()),
    );
    let sink = Arc::new(sink);
    let receiver = Receiver::start(ReceiverProtocol::Lmtp, Arc::clone(&sink), limits()).await;
    let (mut client, greeting) = RawClient::connect(receiver.address).await;
    assert!(
        greeting.starts_with("220 mx.desk.example.sa LMTP"),
        "{greeting}"
    );

    assert!(
        client
            .command("EHLO relay.example.sa")
            .await
            .starts_with("500 ")
    );
    let lhlo = client.command("LHLO relay.example.sa").await;
    for extension in ["PIPELINING", "8BITMIME", "SIZE ", "ENHANCEDSTATUSCODES"] {
        assert!(lhlo.contains(extension), "{lhlo}");
    }
    assert!(
        client
            .command("MAIL FROM:<requester@example.sa> BODY=8BITMIME")
            .await
            .starts_with("250 ")
    );
    assert!(
        client
            .command("RCPT TO:<support@example.sa>")
            .await
            .starts_with("250 ")
    );
    assert!(
        client
            .command("RCPT TO:<nobody@example.sa>")
            .await
            .starts_with("550 5.1.1")
    );
    assert!(
        client
            .command("RCPT TO:<billing@example.sa>")
            .await
            .starts_with("250 ")
    );
    assert!(
        client
            .command("RCPT TO:<archive@example.sa>")
            .await
            .starts_with("250 ")
    );
    assert!(client.command("DATA").await.starts_with("354 "));
    client
        .send("Subject: =?UTF-8?B?2LPYpNin2YQ=?=\r\n\r\nمرحبا\r\n.\r\n".as_bytes())
        .await;
    let replies = [
        client.reply().await,
        client.reply().await,
        client.reply().await,
    ];
    assert!(
        replies[0].starts_with("250 2.0.0 <support@example.sa>"),
        "{replies:?}"
    );
    assert!(
        replies[1].starts_with("451 4.3.0 <billing@example.sa>"),
        "{replies:?}"
    );
    assert!(
        replies[2].starts_with("554 5.3.0 <archive@example.sa>"),
        "{replies:?}"
    );
    assert!(client.command("QUIT").await.starts_with("221 "));

    let delivered = sink.delivered();
    assert_eq!(delivered.len(), 1);
    assert_eq!(
        delivered[0].2,
        "Subject: =?UTF-8?B?2LPYpNin2YQ=?=\r\n\r\nمرحبا\r\n".as_bytes()
    );
    receiver.shut_down().await;
}

#[tokio::test]
async fn receiver_answers_malformed_and_out_of_order_commands() {
    let sink = Arc::new(Mailboxes::new(&[SUPPORT]));
    // This test sends more refused commands than a connection is normally allowed.
    let lenient = ReceiverLimits {
        max_errors: 100,
        ..limits()
    };
    let receiver = Receiver::start(ReceiverProtocol::Smtp, Arc::clone(&sink), lenient).await;
    let (mut client, greeting) = RawClient::connect(receiver.address).await;
    assert!(
        greeting.starts_with("220 mx.desk.example.sa ESMTP"),
        "{greeting}"
    );

    for (command, expected) in [
        ("MAIL FROM:<requester@example.sa>", "503 "),
        ("LHLO relay.example.sa", "500 "),
        ("EHLO", "501 "),
        ("FLY me to the moon", "500 5.5.2"),
        ("", "500 "),
        ("VRFY support@example.sa", "252 "),
        ("EXPN staff", "502 "),
        ("STARTTLS", "502 "),
        ("NOOP", "250 "),
        ("HELO relay.example.sa", "250 mx.desk.example.sa"),
        ("RCPT TO:<support@example.sa>", "503 "),
        ("DATA", "503 "),
        ("MAIL TO:<requester@example.sa>", "501 "),
        ("MAIL FROM:<requester@example.sa", "501 "),
        ("MAIL FROM:<requester@example.sa> SIZE=lots", "501 "),
        ("MAIL FROM:<requester@example.sa> AUTH=<>", "555 "),
        ("MAIL FROM:<>", "250 "),
        ("MAIL FROM:<requester@example.sa>", "503 "),
        ("DATA", "554 "),
        ("RCPT TO:<support>", "501 "),
        ("RCPT TO:<support@example.sa> NOTIFY=NEVER", "555 "),
        ("RSET", "250 "),
        ("RCPT TO:<support@example.sa>", "503 "),
    ] {
        let reply = client.command(command).await;
        assert!(
            reply.starts_with(expected),
            "{command:?} → {reply:?}, expected {expected:?}"
        );
    }

    // Invalid UTF-8 and a line far over the limit are refused without losing step.
    client.send(b"MAIL FROM:<\xff\xfe@example.sa>\r\n").await;
    assert!(client.reply().await.starts_with("500 "));
    let long = format!("NOOP {}\r\n", "x".repeat(100_000));
    client.send(long.as_bytes()).await;
    assert!(client.reply().await.starts_with("500 5.5.2 Line too long"));
    assert!(client.command("NOOP").await.starts_with("250 "));

    // Pipelined commands in one write are answered in order.
    client
        .send(b"RSET\r\nMAIL FROM:<requester@example.sa>\r\nRCPT TO:<nobody@example.sa>\r\nRCPT TO:<support@example.sa>\r\nDATA\r\n")
        .await;
    let replies = [
        client.reply().await,
        client.reply().await,
        client.reply().await,
        client.reply().await,
        client.reply().await,
    ];
    for (reply, expected) in replies.iter().zip(["250 ", "250 ", "550 ", "250 ", "354 "]) {
        assert!(reply.starts_with(expected), "{replies:?}");
    }
    client
        .send(b"Subject: pipelined\r\n\r\nbody\r\n.\r\nQUIT\r\n")
        .await;
    assert!(client.reply().await.starts_with("250 "));
    assert!(client.reply().await.starts_with("221 "));
    assert_eq!(sink.delivered().len(), 1);
    receiver.shut_down().await;
}

#[tokio::test]
async fn receiver_unstuffs_dots_and_ends_data_only_at_crlf_dot_crlf() {
    let sink = Arc::new(Mailboxes::new(&[SUPPORT]));
    let receiver = Receiver::start(ReceiverProtocol::Smtp, Arc::clone(&sink), limits()).await;
    let (mut client, _) = RawClient::connect(receiver.address).await;
    client.command("EHLO relay.example.sa").await;
    client.command("MAIL FROM:<requester@example.sa>").await;
    client.command("RCPT TO:<support@example.sa>").await;
    assert!(client.command("DATA").await.starts_with("354 "));
    // "\n.\r\n" after a bare LF is not the end: treating it as one is how SMTP smuggling
    // slips a second message past a server that reads the stream differently.
    client
        .send(b"Subject: dots\r\n\r\n..leading dot\r\n...two dots\r\nbare LF line\n.\r\nMAIL FROM:<spoof@example.sa>\r\n.\r\n")
        .await;
    assert!(client.reply().await.starts_with("250 "));
    let delivered = sink.delivered();
    assert_eq!(delivered.len(), 1);
    assert_eq!(
        String::from_utf8_lossy(&delivered[0].2),
        "Subject: dots\r\n\r\n.leading dot\r\n..two dots\r\nbare LF line\r\n\r\nMAIL FROM:<spoof@example.sa>\r\n"
    );
    receiver.shut_down().await;
}

#[tokio::test]
async fn receiver_refuses_oversized_messages_and_stays_usable() {
    let sink = Arc::new(Mailboxes::new(&[SUPPORT]));
    let small = ReceiverLimits {
        max_message_bytes: 1_000,
        max_text_line_bytes: 200,
        ..limits()
    };
    let receiver = Receiver::start(ReceiverProtocol::Lmtp, Arc::clone(&sink), small).await;
    let (mut client, _) = RawClient::connect(receiver.address).await;
    assert!(
        client
            .command("LHLO relay.example.sa")
            .await
            .contains("SIZE 1000")
    );
    assert!(
        client
            .command("MAIL FROM:<requester@example.sa> SIZE=5000")
            .await
            .starts_with("552 ")
    );

    assert!(
        client
            .command("MAIL FROM:<requester@example.sa>")
            .await
            .starts_with("250 ")
    );
    assert!(
        client
            .command("RCPT TO:<support@example.sa>")
            .await
            .starts_with("250 ")
    );
    assert!(client.command("DATA").await.starts_with("354 "));
    let big = format!(
        "Subject: big\r\n\r\n{}.\r\n",
        "a line of text for the size limit\r\n".repeat(100)
    );
    client.send(big.as_bytes()).await;
    assert!(client.reply().await.starts_with("552 5.3.4"));

    assert!(
        client
            .command("MAIL FROM:<requester@example.sa>")
            .await
            .starts_with("250 ")
    );
    assert!(
        client
            .command("RCPT TO:<support@example.sa>")
            .await
            .starts_with("250 ")
    );
    assert!(client.command("DATA").await.starts_with("354 "));
    let wide = format!("Subject: wide\r\n\r\n{}\r\n.\r\n", "w".repeat(300));
    client.send(wide.as_bytes()).await;
    assert!(client.reply().await.starts_with("500 5.5.2"));

    assert!(client.command("NOOP").await.starts_with("250 "));
    assert!(sink.delivered().is_empty());
    receiver.shut_down().await;
}

#[tokio::test]
async fn receiver_closes_idle_connections_on_shutdown_and_timeout() {
    let sink = Arc::new(Mailboxes::new(&[SUPPORT]));
    let quick = ReceiverLimits {
        idle_timeout: Duration::from_millis(300),
        ..limits()
    };
    let receiver = Receiver::start(ReceiverProtocol::Smtp, Arc::clone(&sink), quick).await;
    let (mut idle, _) = RawClient::connect(receiver.address).await;
    assert!(idle.until_closed().await.starts_with("421 4.4.2"));

    let receiver_patient =
        Receiver::start(ReceiverProtocol::Smtp, Arc::clone(&sink), limits()).await;
    let (mut waiting, _) = RawClient::connect(receiver_patient.address).await;
    assert!(
        waiting
            .command("EHLO relay.example.sa")
            .await
            .starts_with("250")
    );
    receiver_patient.shut_down().await;
    assert!(waiting.until_closed().await.starts_with("421 4.3.2"));
    receiver.shut_down().await;
}

#[tokio::test]
async fn receiver_disconnects_a_client_that_keeps_erring() {
    let sink = Arc::new(Mailboxes::new(&[SUPPORT]));
    let strict = ReceiverLimits {
        max_errors: 3,
        ..limits()
    };
    let receiver = Receiver::start(ReceiverProtocol::Smtp, Arc::clone(&sink), strict).await;
    let (mut client, _) = RawClient::connect(receiver.address).await;
    for _ in 0..3 {
        assert!(client.command("GARBAGE").await.starts_with("500 "));
    }
    assert!(client.command("GARBAGE").await.starts_with("421 4.7.0"));
    assert_eq!(client.until_closed().await, "");
    receiver.shut_down().await;
}

#[tokio::test]
async fn receiver_turns_away_connections_over_the_limit() {
    let sink = Arc::new(Mailboxes::new(&[SUPPORT]));
    let one = ReceiverLimits {
        max_connections: 1,
        ..limits()
    };
    let receiver = Receiver::start(ReceiverProtocol::Smtp, Arc::clone(&sink), one).await;
    let (mut first, greeting) = RawClient::connect(receiver.address).await;
    assert!(greeting.starts_with("220 "));
    let (_second, refusal) = RawClient::connect(receiver.address).await;
    assert!(refusal.starts_with("421 4.3.2"), "{refusal}");
    assert!(first.command("QUIT").await.starts_with("221 "));
    receiver.shut_down().await;
}
