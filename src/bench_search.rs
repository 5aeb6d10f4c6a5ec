//! `sanad bench seed` builds a realistic corpus of past tickets (see `bench_corpus.rs`) in a
//! database that stays on disk, and reports the import rate, the search index build rate and
//! the database size. `sanad bench search` then measures, on that database, staff search and
//! the agents' queue listing as a restricted agent and as a director sees them.
//!
//! The figures are printed for `docs/performance.md`; nothing here asserts on wall-clock time.

use crate::bench::BenchBackend;
use crate::bench_corpus::{Corpus, Staff};
use anyhow::{Context, bail};
use hdrhistogram::Histogram;
use sanad_domain::permissions::Principal;
use sanad_domain::search::SearchQuery;
use sanad_store::{NewRequester, RequesterContact, Store};
use std::time::Instant;

/// The organization the corpus belongs to.
const BENCH_SLUG: &str = "bench-search";

/// Where a benchmark corpus lives: a SQLite file, or a schema on the PostgreSQL server.
pub struct CorpusLocation {
    pub backend: BenchBackend,
    pub sqlite_path: std::path::PathBuf,
    pub postgres_url: String,
    pub postgres_schema: String,
}

impl CorpusLocation {
    fn database_url(&self) -> anyhow::Result<sanad_store::DatabaseUrl> {
        Ok(match self.backend {
            BenchBackend::Sqlite => sanad_store::DatabaseUrl::parse(&format!(
                "sqlite://{}",
                self.sqlite_path.display()
            ))?,
            BenchBackend::Postgres => {
                let separator = if self.postgres_url.contains('?') {
                    '&'
                } else {
                    '?'
                };
                sanad_store::DatabaseUrl::parse(&format!(
                    "{}{separator}options=-c%20search_path%3D{}",
                    self.postgres_url, self.postgres_schema
                ))?
            }
        })
    }

    fn files_directory(&self) -> std::path::PathBuf {
        self.sqlite_path.with_extension("files")
    }

    /// Opens the corpus as it is.
    async fn open(&self) -> anyhow::Result<Store> {
        let store = Store::open(
            &self.database_url()?,
            sanad_store::AttachmentStore::local_directory(&self.files_directory())?,
        )
        .await
        .context("opening the benchmark corpus (build it first with `sanad bench seed`)")?;
        Ok(store)
    }

    /// Opens an empty database at this location, removing an earlier corpus.
    async fn recreate(&self) -> anyhow::Result<Store> {
        match self.backend {
            BenchBackend::Sqlite => {
                for suffix in ["", "-wal", "-shm"] {
                    let path = format!("{}{suffix}", self.sqlite_path.display());
                    if std::path::Path::new(&path).exists() {
                        std::fs::remove_file(&path).with_context(|| format!("removing {path}"))?;
                    }
                }
                Store::open(
                    &self.database_url()?,
                    sanad_store::AttachmentStore::local_directory(&self.files_directory())?,
                )
                .await
                .map_err(Into::into)
            }
            BenchBackend::Postgres => {
                sanad_store::schemas::drop_postgres_schema(
                    &self.postgres_url,
                    &self.postgres_schema,
                )
                .await?;
                let url = sanad_store::schemas::fresh_postgres_schema(
                    &self.postgres_url,
                    &self.postgres_schema,
                )
                .await?;
                Store::open(
                    &url,
                    sanad_store::AttachmentStore::local_directory(&self.files_directory())?,
                )
                .await
                .map_err(Into::into)
            }
        }
    }
}

fn rate(count: u64, seconds: f64) -> String {
    format!("{:.0}/s", count as f64 / seconds.max(1e-9))
}

fn mebibytes(bytes: i64) -> String {
    format!("{:.0} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// `sanad bench seed`.
pub async fn seed(location: &CorpusLocation, tickets: u64, batch: usize) -> anyhow::Result<()> {
    if tickets == 0 || batch == 0 {
        bail!("--tickets and --batch must be at least 1");
    }
    let store = location.recreate().await?;
    let now = jiff::Timestamp::now();
    let org = crate::create_organization(
        &store,
        BENCH_SLUG,
        "Bench diplomas",
        Some("BD"),
        "Asia/Riyadh",
        168,
    )
    .await?;
    store
        .apply_policy(
            &org,
            "seed-004.toml",
            include_str!("../policies/seed-004-diplomas-platform.toml"),
            sanad_store::RecomputeDeadlines::KeepRunning,
            now,
        )
        .await?;
    let org = store
        .organization_by_slug(BENCH_SLUG)
        .await?
        .context("the organization vanished")?;

    // Ten agents in each department, a team lead each, and a director.
    let mut staff = Vec::new();
    for department in store.departments(org.id).await? {
        for index in 0..11 {
            let role = if index == 0 { "team_lead" } else { "agent" };
            let email = format!("{role}{index}.{}@example.sa", department.code);
            let name = format!("{} {index}", department.name_en);
            let user = store
                .create_user(
                    org.id,
                    &crate::new_user(
                        &email,
                        &name,
                        role,
                        std::slice::from_ref(&department.code),
                        None,
                    )?,
                    now,
                )
                .await?;
            staff.push(Staff {
                user_id: user.id,
                name: user.name,
                department: department.code.clone(),
            });
        }
    }
    store
        .create_user(
            org.id,
            &crate::new_user("director@example.sa", "Director", "director", &[], None)?,
            now,
        )
        .await?;

    // One requester for every four tickets.
    let started = Instant::now();
    let mut corpus = Corpus::new(2026, now);
    let requester_count = (tickets / 4).max(1);
    let mut requester_ids = Vec::with_capacity(requester_count as usize);
    let mut pending = Vec::new();
    for index in 0..requester_count {
        let fake = corpus.requester(index);
        pending.push(NewRequester {
            name: sanad_domain::PersonName::parse(&fake.name)?,
            contact: RequesterContact::Both(
                sanad_domain::EmailAddress::parse(&fake.email)?,
                sanad_domain::PhoneNumber::parse(&fake.phone)?,
            ),
            requester_type: sanad_domain::RequesterType::Trainee,
        });
        if pending.len() == 10_000 || index + 1 == requester_count {
            requester_ids.extend(store.import_requesters(org.id, &pending, now).await?);
            pending.clear();
        }
    }
    println!(
        "requesters: {requester_count} in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // Tickets: generated on a blocking thread while the previous batch is written.
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Vec<sanad_store::ImportedTicket>>(2);
    let generator = {
        let requester_ids = requester_ids.clone();
        tokio::task::spawn_blocking(move || {
            let mut made = 0_u64;
            let mut pick = 0_usize;
            while made < tickets {
                let size = batch.min((tickets - made) as usize);
                let mut chunk = Vec::with_capacity(size);
                for _ in 0..size {
                    // Requesters in turn, with a stride, so each has about four tickets spread in time.
                    pick = (pick + 7919) % requester_ids.len();
                    chunk.push(corpus.ticket(requester_ids[pick], &staff));
                }
                made += size as u64;
                if sender.blocking_send(chunk).is_err() {
                    break;
                }
            }
        })
    };
    let started = Instant::now();
    let (mut imported, mut messages) = (0_u64, 0_u64);
    let mut next_report = 100_000_u64.min(tickets);
    while let Some(chunk) = receiver.recv().await {
        messages += chunk
            .iter()
            .map(|ticket| ticket.messages.len() as u64)
            .sum::<u64>();
        store.import_tickets(&org, &chunk).await?;
        imported += chunk.len() as u64;
        if imported >= next_report {
            println!(
                "  {imported} tickets, {messages} messages after {:.0} s ({})",
                started.elapsed().as_secs_f64(),
                rate(imported, started.elapsed().as_secs_f64())
            );
            next_report += 100_000;
        }
    }
    generator.await?;
    let import_seconds = started.elapsed().as_secs_f64();

    // The index build rate: every ticket analyzed again from its stored text and rewritten.
    let started = Instant::now();
    let report = store
        .rebuild_search_index(sanad_store::ReindexScope::Everything, 2_000)
        .await?;
    let reindex_seconds = started.elapsed().as_secs_f64();
    store.optimize_for_reading().await?;
    let size = store.storage_size().await?;
    println!();
    println!(
        "backend: {:?}; {imported} tickets, {messages} messages",
        location.backend
    );
    println!();
    println!("| step | time | rate |");
    println!("|---|---|---|");
    println!(
        "| import (tickets, messages, events, search entries) | {import_seconds:.0} s | {} tickets |",
        rate(imported, import_seconds)
    );
    println!(
        "| rebuild the whole search index | {reindex_seconds:.0} s | {} tickets |",
        rate(report.tickets, reindex_seconds)
    );
    println!();
    println!(
        "database: {} in all; tickets {}, messages {}, events {}, search {}",
        mebibytes(size.total_bytes),
        mebibytes(size.tickets_bytes),
        mebibytes(size.messages_bytes),
        mebibytes(size.events_bytes),
        mebibytes(size.search_bytes)
    );
    store.close().await;
    Ok(())
}

/// Searches as people type them: Arabic with and without diacritics and with alef variants,
/// prefixes, English, mixed, ticket numbers and phone numbers in Arabic-Indic digits.
const QUERIES: &[&str] = &[
    "شهادة",
    "الشهادة",
    "شَهادة",
    "لم تصلني شهادة",
    "شها",
    "الاسترداد",
    "استرداد الرسوم",
    "إسترداد",
    "كلمة المرور",
    "كلمه المرور",
    "الدخول",
    "تسجيل الدخول",
    "الحضور",
    "المحاضرة الافتراضية",
    "المحاضره",
    "الفيديو",
    "فاتورة ضريبية",
    "الاختبار النهائي",
    "الإختبار",
    "تأجيل",
    "المدرب",
    "بوابة الدفع",
    "الأمن السيبراني",
    "تحليل البيانات",
    "بايثون",
    "الواجب",
    "التطبيق",
    "Zoom",
    "certificate",
    "certificates",
    "refund",
    "password reset",
    "attendance",
    "exam",
    "invoice",
    "Python",
    "cert",
    "refun",
    "Teams رابط",
    "Chrome المنصة",
    "ERR",
    "الآيبان",
    "ايبان",
    "تعديل البريد",
];

/// `sanad bench search`.
pub async fn search(location: &CorpusLocation, rounds: u32) -> anyhow::Result<()> {
    if rounds == 0 {
        bail!("--rounds must be at least 1");
    }
    let store = location.open().await?;
    let org = store
        .organization_by_slug(BENCH_SLUG)
        .await?
        .context("no benchmark corpus here; run `sanad bench seed` first")?;
    let tickets = store.count_tickets(org.id).await?;
    let users = store.users(org.id).await?;
    // An agent of student support, the department with the most tickets.
    let agent = users
        .iter()
        .find(|user| {
            user.role == sanad_domain::StaffRole::Agent
                && user
                    .departments
                    .iter()
                    .any(|code| code == "student-support")
        })
        .context("no agent of student support")?;
    let director = users
        .iter()
        .find(|user| user.role == sanad_domain::StaffRole::Director)
        .context("no director")?;

    // Ticket numbers and phone numbers that exist, to search for.
    let mut queries: Vec<String> = QUERIES.iter().map(|query| (*query).to_owned()).collect();
    let year = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get("Asia/Riyadh")?)
        .year();
    for sequence in [17_u64, 1_234, 45_678] {
        queries.push(format!("BD-{year}-{sequence:06}"));
    }
    for index in [3_u64, 1_500, 99_999] {
        queries.push(arabic_digits(&format!("0555{:06}", index % 1_000_000)));
    }
    let parsed: Vec<SearchQuery> = queries
        .iter()
        .map(|query| SearchQuery::parse(query))
        .collect::<Result<_, _>>()?;

    println!(
        "backend: {:?}; {tickets} tickets; {} queries × {rounds} rounds per viewer",
        location.backend,
        parsed.len()
    );
    println!();
    println!("| viewer | operation | p50 | p95 | p99 | max |");
    println!("|---|---|---|---|---|---|");
    for user in [agent, director] {
        let principal = Principal::Staff {
            user_id: user.id,
            role: user.role,
            departments: user.departments.clone(),
        };
        // Warm the caches once, as a server that has been running would have them.
        let mut found = 0_usize;
        for query in &parsed {
            found += store
                .search_tickets(org.id, &principal, query, 20)
                .await?
                .len();
        }
        let mut histogram = Histogram::<u64>::new(3)?;
        let mut per_query = vec![Histogram::<u64>::new(3)?; parsed.len()];
        for _ in 0..rounds {
            for (index, query) in parsed.iter().enumerate() {
                let started = Instant::now();
                store.search_tickets(org.id, &principal, query, 20).await?;
                let micros = started.elapsed().as_micros() as u64;
                histogram.record(micros)?;
                per_query[index].record(micros)?;
            }
        }
        print_row(
            user.role.as_str(),
            &format!("search, 20 results ({found} results over the set)"),
            &histogram,
        );
        // The slowest queries by their median, to show what the tail is made of.
        let mut slowest: Vec<(u64, &str)> = per_query
            .iter()
            .zip(&queries)
            .map(|(histogram, query)| (histogram.value_at_quantile(0.5), query.as_str()))
            .collect();
        slowest.sort_unstable_by_key(|(micros, _)| std::cmp::Reverse(*micros));
        let slowest: Vec<String> = slowest
            .iter()
            .take(6)
            .map(|(micros, query)| format!("«{query}» {:.1} ms", *micros as f64 / 1000.0))
            .collect();
        println!(
            "|   | slowest queries (p50): {} | | | | |",
            slowest.join(", ")
        );

        let breaching_within = jiff::SignedDuration::from_hours(4);
        for (queue, sort) in [
            (
                sanad_store::Queue::AllOpen,
                sanad_store::QueueSort::DeadlineFirst,
            ),
            (
                sanad_store::Queue::AllOpen,
                sanad_store::QueueSort::NewestFirst,
            ),
            (
                sanad_store::Queue::MyDepartments,
                sanad_store::QueueSort::NewestFirst,
            ),
            (
                sanad_store::Queue::Unassigned,
                sanad_store::QueueSort::NewestFirst,
            ),
            (sanad_store::Queue::All, sanad_store::QueueSort::NewestFirst),
        ] {
            let query = sanad_store::QueueQuery {
                queue,
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
                breaching_within,
            };
            let mut histogram = Histogram::<u64>::new(3)?;
            let mut total = 0;
            for round in 0..(rounds * 10 + 10) {
                let started = Instant::now();
                total = store.queue(org.id, &principal, &query).await?.total;
                if round >= 10 {
                    histogram.record(started.elapsed().as_micros() as u64)?;
                }
            }
            print_row(
                user.role.as_str(),
                &format!(
                    "queue {}, sorted {}, 50 a page (of {total})",
                    queue.as_str(),
                    sort.as_str()
                ),
                &histogram,
            );
        }
        let mut histogram = Histogram::<u64>::new(3)?;
        for round in 0..(rounds * 10 + 10) {
            let started = Instant::now();
            store
                .queue_counts(org.id, &principal, jiff::Timestamp::now(), breaching_within)
                .await?;
            if round >= 10 {
                histogram.record(started.elapsed().as_micros() as u64)?;
            }
        }
        print_row(user.role.as_str(), "the counts of every queue", &histogram);
    }
    // Managers' reports over the corpus: the same statements the report page runs.
    let now = jiff::Timestamp::now();
    for days in [30_i64, 90, 365] {
        let range = sanad_domain::reports::ReportRange::new(
            now - jiff::SignedDuration::from_hours(24 * days),
            now,
        )?;
        let mut histogram = Histogram::<u64>::new(3)?;
        let mut created = 0;
        for round in 0..(rounds + 1) {
            let started = Instant::now();
            let report = store.report(org.id, &range).await?;
            if round >= 1 {
                histogram.record(started.elapsed().as_micros() as u64)?;
            }
            created = report.volume_by_kind.iter().map(|(_, n)| n).sum::<i64>();
        }
        print_row(
            "director",
            &format!("report of the last {days} days ({created} tickets created in it)"),
            &histogram,
        );
    }
    store.close().await;
    Ok(())
}

fn print_row(viewer: &str, operation: &str, histogram: &Histogram<u64>) {
    let milliseconds = |quantile: f64| histogram.value_at_quantile(quantile) as f64 / 1000.0;
    println!(
        "| {viewer} | {operation} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms |",
        milliseconds(0.5),
        milliseconds(0.95),
        milliseconds(0.99),
        histogram.max() as f64 / 1000.0
    );
}

fn arabic_digits(text: &str) -> String {
    text.chars()
        .map(|character| match character.to_digit(10) {
            Some(digit) => char::from_u32(0x0660 + digit).unwrap_or(character),
            None => character,
        })
        .collect()
}
