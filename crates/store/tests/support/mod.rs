//! What every storage test file shares: a fresh database on each backend, the macro that runs
//! one test function on both, and an organization as most tests make it.
#![allow(dead_code)]

use sanad_domain::{OrgSlug, TicketPrefix};
use sanad_store::{
    AttachmentStore, DatabaseUrl, NewOrganization, Organization, RecomputeDeadlines, Store,
    schemas, secrets,
};

pub struct TestDb {
    pub store: Store,
    pub url: DatabaseUrl,
    pub directory: tempfile::TempDir,
}

impl TestDb {
    /// A second, independent instance on the same database, as another `sanad serve` would be.
    pub async fn second_instance(&self) -> Store {
        Store::connect(
            &self.url,
            AttachmentStore::local_directory(&self.directory.path().join("files")).unwrap(),
        )
        .await
        .unwrap()
    }
}

/// The instant written in RFC 3339.
pub fn at(text: &str) -> jiff::Timestamp {
    text.parse().unwrap()
}

/// A new organization in Riyadh's time zone, whose requesters may reopen a ticket for a week.
pub fn new_organization(slug: &str, name: &str, prefix: &str) -> NewOrganization {
    NewOrganization {
        slug: OrgSlug::parse(slug).unwrap(),
        name: name.to_owned(),
        ticket_prefix: TicketPrefix::parse(prefix).unwrap(),
        time_zone: jiff::tz::TimeZone::get("Asia/Riyadh").unwrap(),
        time_zone_name: "Asia/Riyadh".into(),
        reopen_window_hours: 168,
    }
}

/// A policy of the repository's `policies/` folder, by its file name.
pub fn policy_file(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../../policies/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// Creates the organization `new` at `now` and publishes `source` as its policy `name`;
/// returns the organization as it is then, with its policy version.
pub async fn organization_with_policy(
    store: &Store,
    new: &NewOrganization,
    name: &str,
    source: &str,
    now: jiff::Timestamp,
) -> Organization {
    let org = store.create_organization(new, now).await.unwrap();
    store
        .apply_policy(&org, name, source, RecomputeDeadlines::KeepRunning, now)
        .await
        .unwrap();
    store
        .organization_by_slug(new.slug.as_str())
        .await
        .unwrap()
        .unwrap()
}

/// A fresh SQLite file in a temporary directory.
pub async fn sqlite() -> TestDb {
    let directory = tempfile::tempdir().expect("temporary directory");
    let url = DatabaseUrl::parse(&format!(
        "sqlite://{}",
        directory.path().join("test.db").display()
    ))
    .unwrap();
    open(url, directory).await
}

/// A fresh schema on the PostgreSQL server of `SANAD_TEST_POSTGRES_URL` (default: the local
/// `test` database), so tests run in parallel without seeing each other.
pub async fn postgres() -> TestDb {
    let server = std::env::var("SANAD_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let unique = format!(
        "{:?}-{}-{}",
        std::thread::current().id(),
        std::process::id(),
        jiff::Timestamp::now().as_nanosecond()
    );
    let schema = format!("t_{}", &secrets::sha256_hex(unique.as_bytes())[..16]);
    let url = schemas::fresh_postgres_schema(&server, &schema)
        .await
        .expect("PostgreSQL must be running for the storage suite (see .ci/run)");
    open(url, tempfile::tempdir().expect("temporary directory")).await
}

async fn open(url: DatabaseUrl, directory: tempfile::TempDir) -> TestDb {
    let attachments = AttachmentStore::local_directory(&directory.path().join("files")).unwrap();
    let store = Store::open(&url, attachments)
        .await
        .expect("open the test database");
    TestDb {
        store,
        url,
        directory,
    }
}

/// Runs each listed async test function (taking a `TestDb`) on both backends, as
/// `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(super::support::sqlite().await).await }) *
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(super::support::postgres().await).await }) *
        }
    };
}
