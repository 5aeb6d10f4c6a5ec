//! What every storage test file shares: a fresh database on each backend, and the macro that
//! runs one test function on both.
#![allow(dead_code)]

use sanad_store::{AttachmentStore, DatabaseUrl, Store, schemas, secrets};

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
