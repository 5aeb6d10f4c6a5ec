//! `sanad bench outbox`: how fast the outbox delivers requester notifications over real SMTP.
//!
//! Tickets are created (each writes its receipt to the outbox in the same transaction), then
//! the worker drains the outbox through lettre to Sanad's own SMTP receiver on a local port,
//! whose sink counts every message it accepts. The count must equal the number of tickets:
//! the benchmark checks delivery is exactly once as well as measuring it. Figures go into
//! docs/performance.md; nothing asserts on wall-clock time.

use crate::bench::BenchBackend;
use anyhow::{Context, bail};
use futures_util::future::BoxFuture;
use sanad_channels::email::receiver::{MessageSink, ReceiverLimits, ReceiverProtocol, SinkError};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Counts what the SMTP receiver accepts, by Message-ID, so a repeat would show.
#[derive(Default)]
struct CountingSink {
    message_ids: Mutex<Vec<String>>,
}

impl MessageSink for CountingSink {
    fn accepts_recipient(&self, _address: &str) -> BoxFuture<'_, bool> {
        Box::pin(async { true })
    }

    fn deliver<'a>(
        &'a self,
        _from: &'a str,
        _recipient: &'a str,
        raw: &'a [u8],
    ) -> BoxFuture<'a, Result<(), SinkError>> {
        Box::pin(async move {
            let text = String::from_utf8_lossy(raw);
            let id = text
                .lines()
                .find_map(|line| {
                    line.strip_prefix("Message-ID:")
                        .or_else(|| line.strip_prefix("Message-Id:"))
                })
                .map(|id| id.trim().to_owned())
                .ok_or_else(|| SinkError::Permanent("no Message-ID".into()))?;
            self.message_ids
                .lock()
                .map_err(|_| SinkError::Transient("lock".into()))?
                .push(id);
            Ok(())
        })
    }
}

pub async fn outbox_benchmark(
    backend: BenchBackend,
    postgres_url: &str,
    notifications: usize,
) -> anyhow::Result<()> {
    if notifications == 0 {
        bail!("--notifications must be at least 1");
    }
    let database = crate::bench::bench_organization(
        backend,
        postgres_url,
        "outbox",
        "OB",
        include_str!("../policies/seed-004-diplomas-platform.toml"),
    )
    .await?;
    let (store, org) = (database.store.clone(), database.organization.clone());
    let now = jiff::Timestamp::now();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let sink = Arc::new(CountingSink::default());
    let receiver_sink: Arc<dyn MessageSink> = sink.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let receiver = tokio::spawn(sanad_channels::email::receiver::serve(
        listener,
        ReceiverProtocol::Smtp,
        receiver_sink,
        ReceiverLimits {
            max_connections: 256,
            ..ReceiverLimits::default()
        },
        async move {
            let _ = stopped.await;
        },
    ));
    store
        .set_channel_setting(
            org.id,
            &sanad_store::ChannelSetting {
                channel: sanad_domain::Channel::Email,
                state: sanad_store::ChannelState::Enabled,
                address: "support@example.sa".into(),
            },
        )
        .await?;
    let settings = serde_json::json!({
        "address": "support@example.sa",
        "display_name": "الدعم الفني",
        "smtp": { "host": "127.0.0.1", "port": port, "security": "plain" },
    });
    store
        .set_channel_credentials(org.id, sanad_domain::Channel::Email, &settings, now)
        .await?;

    let created_at = Instant::now();
    for index in 0..notifications {
        let new = sanad_store::NewTicket {
            kind: sanad_domain::TicketKind::Inquiry,
            channel: sanad_domain::Channel::WebForm,
            subject: sanad_domain::Subject::parse(&format!("استفسار {index}"))?,
            body: sanad_domain::MessageBody::parse("متى يبدأ الفصل القادم؟")?,
            category: None,
            requester: sanad_store::NewRequester {
                name: sanad_domain::PersonName::parse("متدرب تجريبي")?,
                contact: sanad_store::RequesterContact::Email(sanad_domain::EmailAddress::parse(
                    &format!("trainee{index}@example.sa"),
                )?),
                requester_type: sanad_domain::RequesterType::Trainee,
            },
            attachments: Vec::new(),
        };
        store
            .create_ticket(&org, &new, None, &sanad_store::Actor::System, now)
            .await?;
    }
    let creating = created_at.elapsed();

    let worker = sanad_channels::outbox::OutboxWorker::new(
        store.clone(),
        Arc::new(sanad_channels::registry::ConfiguredAdapters::new(
            store.clone(),
            reqwest::Client::new(),
        )),
        sanad_channels::outbox::OutboxSettings {
            instance: "bench".into(),
            batch_size: 50,
            lease: jiff::SignedDuration::from_mins(2),
            retry: sanad_channels::outbox::RetryPolicy::default(),
            concurrency: 8,
            notifications: sanad_channels::notify::NotificationSettings {
                public_url: "https://desk.example.sa".into(),
                mail_domain: "desk.example.sa".into(),
            },
        },
    );
    let started = Instant::now();
    let run = worker.drain(now, notifications / 50 + 10).await?;
    let draining = started.elapsed();
    let _ = stop.send(());
    receiver.await.context("the receiver task")??;

    let ids = sink
        .message_ids
        .lock()
        .map_err(|_| anyhow::anyhow!("lock"))?
        .clone();
    let distinct: HashSet<&String> = ids.iter().collect();
    let counts = store.outbox_counts().await?;
    println!("backend: {backend:?}, notifications: {notifications}");
    println!(
        "tickets created (each with its receipt in the outbox): {:.2} s, {:.0}/s",
        creating.as_secs_f64(),
        notifications as f64 / creating.as_secs_f64()
    );
    println!(
        "outbox drained over SMTP: {:.2} s, {:.0} notifications/s (delivered {}, retried {}, failed {})",
        draining.as_secs_f64(),
        run.delivered as f64 / draining.as_secs_f64(),
        run.delivered,
        run.retried,
        run.failed
    );
    println!(
        "received by the SMTP server: {} messages, {} distinct Message-IDs; outbox: {counts:?}",
        ids.len(),
        distinct.len()
    );
    database.remove(backend, postgres_url).await?;
    if ids.len() != notifications || distinct.len() != notifications {
        bail!(
            "delivery was not exactly once: {} received, {} distinct, {notifications} expected",
            ids.len(),
            distinct.len()
        );
    }
    Ok(())
}
