//! The one place where SQLite and PostgreSQL differ: connecting, migrating and backing up.
//! Everything else dispatches to `queries.rs`, compiled once per backend.

use crate::{DatabaseUrl, StoreError, StoredObject, attachments::AttachmentStore, model::*};
use jiff::Timestamp;
use sanad_domain::policy::Policy;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

/// Parsed policies by (organization, version).
type PolicyCache =
    std::sync::Arc<std::sync::Mutex<std::collections::HashMap<(i64, i64), std::sync::Arc<Policy>>>>;

/// A writer pool and a reader pool. On SQLite the writer has exactly one connection, because
/// SQLite admits one writer at a time and a queue in the pool is far cheaper than lock retries;
/// readers run in parallel thanks to WAL. On PostgreSQL both are the same pool.
pub(crate) struct Pools<DB: sqlx::Database> {
    pub writer: sqlx::Pool<DB>,
    pub reader: sqlx::Pool<DB>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    Sqlite,
    Postgres,
}

impl BackendKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BackendKind::Sqlite => "sqlite",
            BackendKind::Postgres => "postgres",
        }
    }
}

pub(crate) enum Backend {
    Sqlite(Pools<sqlx::Sqlite>, Checkpointer),
    Postgres(Pools<sqlx::Postgres>),
}

/// Runs SQLite WAL checkpoints in the background. By default SQLite checkpoints inside the
/// commit that crosses the WAL threshold, and the fsync that a checkpoint needs then stalls the
/// single writer (measured: about 40 % of create throughput). A PASSIVE checkpoint on its own
/// connection never blocks the writer, and committed transactions are already in the WAL, so a
/// killed process loses nothing either way.
///
/// A passive checkpoint alone does not bound the WAL, though. The file starts over only when a
/// checkpoint has copied every frame and no reader still uses them; under a steady stream of
/// writes the writer always adds frames while the checkpoint copies, so the WAL never starts
/// over and grows for as long as the writes last (43 GiB during the million-ticket seed, and
/// the next start then spent 28 s reading it back). Past [`WAL_LIMIT_FRAMES`] the checkpointer
/// therefore runs a TRUNCATE checkpoint, which holds new writers back for as long as it takes to
/// copy the few frames the passive passes left and empties the file.
pub(crate) struct Checkpointer {
    connection: std::sync::Arc<tokio::sync::Mutex<Option<sqlx::SqliteConnection>>>,
    writer: sqlx::SqlitePool,
    task: tokio::task::JoinHandle<()>,
}

/// The WAL size past which a checkpoint truncates it: 16,384 frames, 64 MiB at SQLite's default
/// 4 KiB page.
pub const WAL_LIMIT_FRAMES: i64 = 16_384;

/// How long a truncating checkpoint waits for the writer to finish and for readers to leave the
/// WAL. New writes wait behind it meanwhile, so the wait is short; a checkpoint that runs out of
/// it gives up and the next second's tries again.
const TRUNCATE_WAIT: Duration = Duration::from_millis(250);

/// What one checkpoint pass did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalCheckpoint {
    /// The WAL was under the limit: a passive checkpoint copied what it could.
    Passive { frames_in_wal: i64 },
    /// The WAL was over the limit and is now empty.
    Truncated { frames_before: i64 },
    /// The WAL was over the limit, but a reader or the writer held it past the wait.
    Busy { frames_in_wal: i64 },
}

impl Checkpointer {
    async fn start(
        options: SqliteConnectOptions,
        writer: sqlx::SqlitePool,
    ) -> Result<Checkpointer, StoreError> {
        let connection = std::sync::Arc::new(tokio::sync::Mutex::new(Some(
            sqlx::ConnectOptions::connect(&options).await?,
        )));
        let shared = connection.clone();
        let task_writer = writer.clone();
        let task = tokio::spawn(async move {
            // The first pass comes a second after opening, not at once: a short command run
            // beside a server (`sanad org create`, `sanad backup` of a small database) then
            // never checkpoints the server's WAL from another process.
            let mut ticker = tokio::time::interval_at(
                tokio::time::Instant::now() + Duration::from_secs(1),
                Duration::from_secs(1),
            );
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                let mut guard = shared.lock().await;
                let Some(connection) = guard.as_mut() else {
                    return;
                };
                if let Err(error) =
                    checkpoint_once(connection, &task_writer, WAL_LIMIT_FRAMES).await
                {
                    tracing::warn!(%error, "SQLite checkpoint failed; retrying in a second");
                }
            }
        });
        Ok(Checkpointer {
            connection,
            writer,
            task,
        })
    }

    /// One pass now, with the given limit (tests use a small one).
    async fn checkpoint(&self, limit_frames: i64) -> Result<WalCheckpoint, StoreError> {
        let mut guard = self.connection.lock().await;
        let connection = guard
            .as_mut()
            .ok_or_else(|| StoreError::Invalid("the store is closed".into()))?;
        Ok(checkpoint_once(connection, &self.writer, limit_frames).await?)
    }

    /// Stops the background passes, empties the WAL into the database and closes the
    /// connection, so that the next start has no log to read back.
    async fn close(&self) {
        self.task.abort();
        let Some(mut connection) = self.connection.lock().await.take() else {
            return;
        };
        // The pools are closed, so this connection is this process's last. Another process (a
        // server, when this is a CLI command) may still be reading: the short wait keeps it
        // from stalling behind this checkpoint, and the WAL then stays for it.
        if let Err(error) = truncate(&mut connection).await {
            tracing::warn!(%error, "the closing SQLite checkpoint failed; the WAL is read back at the next start");
        }
        let _ = sqlx::Connection::close(connection).await;
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn checkpoint_once(
    connection: &mut sqlx::SqliteConnection,
    writer: &sqlx::SqlitePool,
    limit_frames: i64,
) -> Result<WalCheckpoint, sqlx::Error> {
    // The pragma answers (busy, frames in the WAL, frames copied); -1 when not in WAL mode.
    let (_, frames_in_wal, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(&mut *connection)
        .await?;
    if frames_in_wal <= limit_frames {
        return Ok(WalCheckpoint::Passive { frames_in_wal });
    }
    // The truncating checkpoint runs on the writer connection, in its turn. Run on a connection
    // of its own, it would hold the write lock, and SQLite fails a transaction that read before
    // writing at once with SQLITE_BUSY rather than wait for that lock (waiting could deadlock):
    // a quarter of the creates of a benchmark failed so. On the writer, writes queue for the
    // connection instead, as they always do.
    let mut writer = writer.acquire().await?;
    Ok(match truncate(&mut writer).await? {
        Some(()) => WalCheckpoint::Truncated {
            frames_before: frames_in_wal,
        },
        None => WalCheckpoint::Busy { frames_in_wal },
    })
}

/// A TRUNCATE checkpoint that waits at most [`TRUNCATE_WAIT`] for readers to leave the WAL;
/// `None` when they did not.
async fn truncate(connection: &mut sqlx::SqliteConnection) -> Result<Option<()>, sqlx::Error> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "PRAGMA busy_timeout = {}",
        TRUNCATE_WAIT.as_millis()
    )))
    .execute(&mut *connection)
    .await?;
    let truncated: Result<(i64, i64, i64), sqlx::Error> =
        sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&mut *connection)
            .await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "PRAGMA busy_timeout = {}",
        SQLITE_BUSY_TIMEOUT.as_millis()
    )))
    .execute(&mut *connection)
    .await?;
    match truncated {
        Ok((0, _, _)) => Ok(Some(())),
        Ok(_) => Ok(None),
        // SQLITE_BUSY (5) or SQLITE_LOCKED (6), with or without an extended code.
        Err(sqlx::Error::Database(error))
            if error
                .code()
                .and_then(|code| code.parse::<i64>().ok())
                .is_some_and(|code| matches!(code & 0xff, 5 | 6)) =>
        {
            Ok(None)
        }
        Err(error) => Err(error),
    }
}

/// How long a SQLite statement waits for a lock before failing.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How much room a database takes, in bytes: in all, and for its largest tables with their
/// indexes (for the search entries, with the full-text index).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StorageSize {
    pub total_bytes: i64,
    pub tickets_bytes: i64,
    pub messages_bytes: i64,
    pub events_bytes: i64,
    pub search_bytes: i64,
}

/// The store. Cheap to clone: pools are reference-counted.
#[derive(Clone)]
pub struct Store {
    pub(crate) backend: std::sync::Arc<Backend>,
    attachments: AttachmentStore,
    /// Parsed policies by organization and version. A version never changes once stored, so
    /// the cache needs no invalidation even with several instances sharing one database.
    policies: PolicyCache,
}

pub(crate) mod sqlite_queries {
    pub(crate) type Db = sqlx::Sqlite;
    pub(crate) const DIALECT: crate::BackendKind = crate::BackendKind::Sqlite;
    include!("queries.rs");
    include!("service_level_queries.rs");
    include!("desk_queries.rs");
    include!("channel_queries.rs");
    include!("lookup_queries.rs");
    include!("search_queries.rs");
    include!("knowledge_queries.rs");
    include!("import_queries.rs");
    include!("report_queries.rs");
    include!("conduct_queries.rs");
    include!("supervision_queries.rs");
    include!("satisfaction_queries.rs");
    include!("privacy_queries.rs");
    include!("audit_queries.rs");
    include!("rate_limit_queries.rs");
}

pub(crate) mod postgres_queries {
    pub(crate) type Db = sqlx::Postgres;
    pub(crate) const DIALECT: crate::BackendKind = crate::BackendKind::Postgres;
    include!("queries.rs");
    include!("service_level_queries.rs");
    include!("desk_queries.rs");
    include!("channel_queries.rs");
    include!("lookup_queries.rs");
    include!("search_queries.rs");
    include!("knowledge_queries.rs");
    include!("import_queries.rs");
    include!("report_queries.rs");
    include!("conduct_queries.rs");
    include!("supervision_queries.rs");
    include!("satisfaction_queries.rs");
    include!("privacy_queries.rs");
    include!("audit_queries.rs");
    include!("rate_limit_queries.rs");
}

pub(crate) static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
pub(crate) static POSTGRES_MIGRATOR: sqlx::migrate::Migrator =
    sqlx::migrate!("./migrations/postgres");

/// Runs the same query function on whichever backend the store has.
macro_rules! dispatch {
    ($store:expr, $function:ident ( $($argument:expr),* $(,)? )) => {
        match &*$store.backend {
            Backend::Sqlite(pools, _) => sqlite_queries::$function(pools, $($argument),*).await,
            Backend::Postgres(pools) => postgres_queries::$function(pools, $($argument),*).await,
        }
    };
}
pub(crate) use dispatch;

impl Store {
    /// Opens the database named by `url` without changing its schema.
    pub async fn connect(
        url: &DatabaseUrl,
        attachments: AttachmentStore,
    ) -> Result<Store, StoreError> {
        let backend = match url {
            DatabaseUrl::Sqlite(raw) => {
                let options = SqliteConnectOptions::from_str(raw)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    // NORMAL in WAL mode never loses a committed transaction when the process is
                    // killed (the WAL is in the OS page cache); only a power loss can undo the
                    // last commits. FULL would cost an fsync per ticket.
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(SQLITE_BUSY_TIMEOUT)
                    .pragma("temp_store", "memory")
                    .pragma("cache_size", "-16000")
                    .pragma("wal_autocheckpoint", "0");
                let writer = SqlitePoolOptions::new()
                    .max_connections(1)
                    .min_connections(1)
                    .connect_with(options.clone())
                    .await?;
                let reader = SqlitePoolOptions::new()
                    .max_connections(8)
                    .min_connections(1)
                    .connect_with(options.clone().read_only(true))
                    .await?;
                let checkpointer = Checkpointer::start(options.clone(), writer.clone()).await?;
                Backend::Sqlite(Pools { writer, reader }, checkpointer)
            }
            DatabaseUrl::Postgres(raw) => {
                // No JIT compilation: Sanad's statements are short, and compiling one took
                // 10–25 ms, more than many a whole search over a million tickets.
                let mut options = PgConnectOptions::from_str(raw)?.options([("jit", "off")]);
                // Named in pg_stat_activity, so that operators and `sanad restore` can tell
                // which connections are Sanad's, and on which schema.
                if !raw.contains("application_name=") {
                    options =
                        options.application_name(&crate::restore::postgres_application_name(url));
                }
                let pool = PgPoolOptions::new()
                    .max_connections(32)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await?;
                Backend::Postgres(Pools {
                    writer: pool.clone(),
                    reader: pool,
                })
            }
        };
        Ok(Store {
            backend: std::sync::Arc::new(backend),
            attachments,
            policies: Default::default(),
        })
    }

    /// Opens the database and brings its schema up to date.
    pub async fn open(
        url: &DatabaseUrl,
        attachments: AttachmentStore,
    ) -> Result<Store, StoreError> {
        if let DatabaseUrl::Sqlite(raw) = url {
            // The reader pool opens read-only connections, which cannot create the file; create
            // it through one writable connection first.
            let options = SqliteConnectOptions::from_str(raw)?.create_if_missing(true);
            sqlx::ConnectOptions::connect(&options).await?;
        }
        let store = Store::connect(url, attachments).await?;
        store.migrate().await?;
        Ok(store)
    }

    pub fn backend_kind(&self) -> BackendKind {
        match &*self.backend {
            Backend::Sqlite(..) => BackendKind::Sqlite,
            Backend::Postgres(_) => BackendKind::Postgres,
        }
    }

    pub fn attachments(&self) -> &AttachmentStore {
        &self.attachments
    }

    /// Every attachment object this database refers to (tickets' and the help centre's), each
    /// once: what a backup must carry beside the database, and what a restore must put back.
    pub async fn referenced_attachment_objects(&self) -> Result<Vec<StoredObject>, StoreError> {
        dispatch!(self, referenced_attachment_objects())
    }

    /// Applies pending migrations, then brings the search index up to date. On PostgreSQL sqlx takes an advisory lock, so several
    /// instances starting together migrate once.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &*self.backend {
            Backend::Sqlite(pools, _) => {
                let applied = |pools: &Pools<sqlx::Sqlite>| {
                    let writer = pools.writer.clone();
                    async move {
                        // SQLite resolves every table of a statement when preparing it, so the
                        // migrations table is looked for before it is counted.
                        let exists = sqlx::query(
                            "SELECT 1 FROM sqlite_schema WHERE name = '_sqlx_migrations'",
                        )
                        .fetch_optional(&writer)
                        .await?
                        .is_some();
                        if !exists {
                            return Ok::<i64, StoreError>(0);
                        }
                        let row = sqlx::query("SELECT COUNT(*) AS applied FROM _sqlx_migrations")
                            .fetch_one(&writer)
                            .await?;
                        Ok(sqlx::Row::try_get(&row, "applied")?)
                    }
                };
                let before = applied(pools).await?;
                SQLITE_MIGRATOR.run(&pools.writer).await?;
                // A database analyzed before has statistics for its old indexes but none for the
                // ones a migration just created, and SQLite then favoured a new partial index
                // for unrelated queries (an agent's deadline-sorted queue: 3.5 ms → 305 ms at a
                // million tickets). Analyzing again, on a sample, puts them on equal terms; a
                // database never analyzed is left to SQLite's defaults for every index alike.
                let analyzed_before =
                    sqlx::query("SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat1'")
                        .fetch_optional(&pools.writer)
                        .await?
                        .is_some();
                if analyzed_before && applied(pools).await? > before {
                    sqlx::query("PRAGMA analysis_limit = 1000")
                        .execute(&pools.writer)
                        .await?;
                    sqlx::query("ANALYZE").execute(&pools.writer).await?;
                }
            }
            Backend::Postgres(pools) => POSTGRES_MIGRATOR.run(&pools.writer).await?,
        }
        // Events written before the audit chain existed are chained now, in batches; once
        // done, a look at an empty partial index is all this costs.
        let chained = dispatch!(self, audit_backfill())?;
        if chained > 0 {
            tracing::info!(events = chained, "audit chain computed for earlier events");
        }
        // Tickets written before the search index existed, or indexed by an older analyzer,
        // are indexed now; a current index is left alone after one read.
        let report = dispatch!(self, search_bring_index_up_to_date())?;
        if report != crate::ReindexReport::default() {
            tracing::info!(
                tickets = report.tickets,
                articles = report.articles,
                "search index brought up to date"
            );
        }
        Ok(())
    }

    /// Answers when the database does: used by `/healthz`.
    pub async fn ping(&self) -> Result<(), StoreError> {
        dispatch!(self, ping())
    }

    pub async fn close(&self) {
        match &*self.backend {
            Backend::Sqlite(pools, checkpointer) => {
                pools.reader.close().await;
                pools.writer.close().await;
                checkpointer.close().await;
            }
            Backend::Postgres(pools) => pools.writer.close().await,
        }
    }

    /// Runs one WAL checkpoint pass now, as the background task does every second, truncating
    /// the WAL when it holds more than `limit_frames` frames. `None` on PostgreSQL.
    pub async fn checkpoint_wal(
        &self,
        limit_frames: i64,
    ) -> Result<Option<WalCheckpoint>, StoreError> {
        match &*self.backend {
            Backend::Sqlite(_, checkpointer) => {
                Ok(Some(checkpointer.checkpoint(limit_frames).await?))
            }
            Backend::Postgres(_) => Ok(None),
        }
    }

    /// Refreshes the planner's statistics and compacts the full-text indexes, as after a bulk
    /// import: SQLite `ANALYZE` and FTS5 `optimize` (which merges the index segments an import
    /// leaves behind); PostgreSQL `VACUUM ANALYZE`, which also sets the visibility map that lets
    /// counts be answered from indexes alone.
    pub async fn optimize_for_reading(&self) -> Result<(), StoreError> {
        match &*self.backend {
            Backend::Sqlite(pools, _) => {
                for statement in [
                    "INSERT INTO ticket_search_fts (ticket_search_fts) VALUES ('optimize')",
                    "INSERT INTO kb_article_search_fts (kb_article_search_fts) VALUES ('optimize')",
                    "ANALYZE",
                ] {
                    sqlx::query(statement).execute(&pools.writer).await?;
                }
            }
            Backend::Postgres(pools) => {
                sqlx::query("VACUUM ANALYZE").execute(&pools.writer).await?;
            }
        }
        Ok(())
    }

    /// How much room the database takes, in all and for the largest parts.
    pub async fn storage_size(&self) -> Result<StorageSize, StoreError> {
        match &*self.backend {
            Backend::Sqlite(pools, _) => {
                // `dbstat` sums the pages of each table with its indexes; FTS5 keeps its index in
                // shadow tables named after the virtual table.
                let part = |pattern: &'static str| {
                    let reader = pools.reader.clone();
                    async move {
                        let row = sqlx::query(
                            "SELECT COALESCE(SUM(pgsize), 0) AS bytes FROM dbstat WHERE name LIKE $1 \
                             OR name IN (SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name LIKE $1)",
                        )
                        .bind(pattern)
                        .fetch_one(&reader)
                        .await?;
                        Ok::<i64, StoreError>(sqlx::Row::try_get(&row, "bytes")?)
                    }
                };
                let total: i64 = sqlx::Row::try_get(
                    &sqlx::query("SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()")
                        .fetch_one(&pools.reader)
                        .await?,
                    "bytes",
                )?;
                Ok(StorageSize {
                    total_bytes: total,
                    tickets_bytes: part("tickets").await?,
                    messages_bytes: part("messages").await?,
                    events_bytes: part("ticket_events").await?,
                    search_bytes: part("ticket_search%").await?,
                })
            }
            Backend::Postgres(pools) => {
                let part = |pattern: &'static str| {
                    let writer = pools.writer.clone();
                    async move {
                        let row = sqlx::query(
                            "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::BIGINT AS bytes FROM pg_class c \
                             WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace AND c.relname LIKE $1",
                        )
                        .bind(pattern)
                        .fetch_one(&writer)
                        .await?;
                        Ok::<i64, StoreError>(sqlx::Row::try_get(&row, "bytes")?)
                    }
                };
                Ok(StorageSize {
                    total_bytes: part("%").await?,
                    tickets_bytes: part("tickets").await?,
                    messages_bytes: part("messages").await?,
                    events_bytes: part("ticket_events").await?,
                    search_bytes: part("ticket_search%").await?,
                })
            }
        }
    }

    /// Writes a consistent copy of a live database to `target`.
    ///
    /// SQLite uses `VACUUM INTO`, which reads one snapshot while writers carry on. PostgreSQL
    /// uses `pg_dump` (custom format), the tool built for exactly this; it must be installed.
    pub async fn backup_to(
        &self,
        target: &std::path::Path,
        url: &DatabaseUrl,
    ) -> Result<(), StoreError> {
        if target.exists() {
            return Err(StoreError::Backup(format!(
                "{} already exists; choose a new file",
                target.display()
            )));
        }
        let target_text = target
            .to_str()
            .ok_or_else(|| StoreError::Backup("the backup path is not valid UTF-8".into()))?;
        match (&*self.backend, url) {
            (Backend::Sqlite(pools, _), _) => {
                sqlx::query("VACUUM INTO $1")
                    .bind(target_text)
                    .execute(&pools.reader)
                    .await?;
                Ok(())
            }
            (Backend::Postgres(_), DatabaseUrl::Postgres(_)) => {
                let connection = url
                    .libpq_connection()
                    .ok_or_else(|| StoreError::Backup("not a PostgreSQL URL".into()))?;
                let mut command = crate::restore::libpq_command("pg_dump", &connection);
                command
                    .arg("--format=custom")
                    .arg("--file")
                    .arg(target)
                    .arg(format!("--dbname={}", connection.url_without_password));
                // A database shared through schemas (a search_path in the URL) is backed up
                // schema by schema: the backup holds this Sanad's tables and nothing else.
                if connection.schema != "public" {
                    command.arg(format!("--schema={}", connection.schema));
                }
                let output = command.output().await.map_err(|error| {
                    StoreError::Backup(format!("could not run pg_dump: {error}"))
                })?;
                if output.status.success() {
                    Ok(())
                } else {
                    Err(StoreError::Backup(format!(
                        "pg_dump failed: {}",
                        String::from_utf8_lossy(&output.stderr).trim()
                    )))
                }
            }
            (Backend::Postgres(_), DatabaseUrl::Sqlite(_)) => Err(StoreError::Backup(
                "the database URL does not match the open store".into(),
            )),
        }
    }

    // ---- organizations -------------------------------------------------------------------

    /// Creates an organization with the default departments and categories of the seeds.
    pub async fn create_organization(
        &self,
        new: &NewOrganization,
        now: Timestamp,
    ) -> Result<Organization, StoreError> {
        dispatch!(self, create_organization(new, now))
    }

    pub async fn organization_by_slug(
        &self,
        slug: &str,
    ) -> Result<Option<Organization>, StoreError> {
        dispatch!(self, organization_by_slug(slug))
    }

    pub async fn organization_by_id(&self, id: i64) -> Result<Option<Organization>, StoreError> {
        dispatch!(self, organization_by_id(id))
    }

    // ---- departments and categories ------------------------------------------------------

    pub async fn departments(&self, org_id: i64) -> Result<Vec<Department>, StoreError> {
        dispatch!(self, departments(org_id))
    }

    pub async fn create_department(
        &self,
        org_id: i64,
        input: &DepartmentInput,
        now: Timestamp,
    ) -> Result<Department, StoreError> {
        dispatch!(self, create_department(org_id, input, now))
    }

    pub async fn update_department(
        &self,
        org_id: i64,
        code: &str,
        input: &DepartmentInput,
    ) -> Result<Department, StoreError> {
        dispatch!(self, update_department(org_id, code, input))
    }

    /// Archives a department: it disappears from choices but keeps its history.
    pub async fn archive_department(
        &self,
        org_id: i64,
        code: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        dispatch!(self, archive_department(org_id, code, now))
    }

    pub async fn categories(&self, org_id: i64) -> Result<Vec<Category>, StoreError> {
        dispatch!(self, categories(org_id))
    }

    pub async fn create_category(
        &self,
        org_id: i64,
        input: &CategoryInput,
        now: Timestamp,
    ) -> Result<Category, StoreError> {
        dispatch!(self, create_category(org_id, input, now))
    }

    pub async fn update_category(
        &self,
        org_id: i64,
        code: &str,
        input: &CategoryInput,
    ) -> Result<Category, StoreError> {
        dispatch!(self, update_category(org_id, code, input))
    }

    pub async fn archive_category(
        &self,
        org_id: i64,
        code: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        dispatch!(self, archive_category(org_id, code, now))
    }

    // ---- people and tokens ---------------------------------------------------------------

    pub async fn create_user(
        &self,
        org_id: i64,
        new: &NewUser,
        now: Timestamp,
    ) -> Result<User, StoreError> {
        dispatch!(self, create_user(org_id, new, now))
    }

    pub async fn users(&self, org_id: i64) -> Result<Vec<User>, StoreError> {
        dispatch!(self, users(org_id))
    }

    /// Stores a token's hash and returns its record; the caller shows the secret once.
    pub async fn create_api_token(
        &self,
        org_id: i64,
        name: &str,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<ApiToken, StoreError> {
        dispatch!(
            self,
            create_api_token(org_id, TokenHolder::Organization, name, token_hash, now)
        )
    }

    /// A personal token for one staff member of the organization, which sees what they see.
    pub async fn create_personal_api_token(
        &self,
        org_id: i64,
        user_id: i64,
        name: &str,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<ApiToken, StoreError> {
        dispatch!(
            self,
            create_api_token(
                org_id,
                TokenHolder::Staff { user_id },
                name,
                token_hash,
                now
            )
        )
    }

    /// The token with this digest and its organization, if the token is valid.
    pub async fn authenticate_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<(ApiToken, Organization)>, StoreError> {
        dispatch!(self, authenticate_token(token_hash))
    }

    // ---- tickets ---------------------------------------------------------------------------

    pub async fn create_ticket(
        &self,
        org: &Organization,
        new: &NewTicket,
        idempotency: Option<&IdempotencyKey>,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<CreatedTicket, StoreError> {
        let blobs = self.attachments.put_all(org.id, &new.attachments).await?;
        let policy = self.policy_in_force(org).await?;
        dispatch!(
            self,
            create_ticket(org, policy.as_deref(), new, &blobs, idempotency, actor, now)
        )
    }

    pub async fn ticket_detail(
        &self,
        org_id: i64,
        number: &str,
    ) -> Result<Option<TicketDetail>, StoreError> {
        dispatch!(self, ticket_detail(org_id, number))
    }

    pub async fn list_tickets(
        &self,
        org_id: i64,
        filter: &TicketFilter,
    ) -> Result<TicketPage, StoreError> {
        dispatch!(self, list_tickets(org_id, filter))
    }

    pub async fn change_ticket(
        &self,
        org: &Organization,
        number: &str,
        changes: &TicketChanges,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<TicketSummary, StoreError> {
        let policy = self.policy_in_force(org).await?;
        dispatch!(
            self,
            change_ticket(org, policy.as_deref(), number, changes, actor, now)
        )
    }

    pub async fn transition_ticket(
        &self,
        org: &Organization,
        number: &str,
        request: &TransitionRequest,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<TicketSummary, StoreError> {
        let policy = self.policy_in_force(org).await?;
        dispatch!(
            self,
            transition_ticket(org, policy.as_deref(), number, request, actor, now)
        )
    }

    pub async fn add_message(
        &self,
        org: &Organization,
        number: &str,
        message: &NewMessage,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<Message, StoreError> {
        let blobs = self
            .attachments
            .put_all(org.id, &message.attachments)
            .await?;
        let policy = self.policy_in_force(org).await?;
        dispatch!(
            self,
            add_message(org, policy.as_deref(), number, message, &blobs, actor, now)
        )
    }

    pub async fn attachment(
        &self,
        org_id: i64,
        number: &str,
        attachment_id: i64,
    ) -> Result<Option<AttachmentMeta>, StoreError> {
        dispatch!(self, attachment(org_id, number, attachment_id))
    }

    /// How many tickets an organization has; used by the demo and the benchmarks.
    /// A number that grows whenever the ticket changes or gets a message; `None` if there is
    /// no such ticket.
    pub async fn ticket_activity_marker(
        &self,
        org_id: i64,
        number: &str,
    ) -> Result<Option<i64>, StoreError> {
        dispatch!(self, ticket_activity_marker(org_id, number))
    }

    pub async fn count_tickets(&self, org_id: i64) -> Result<i64, StoreError> {
        dispatch!(self, count_tickets(org_id))
    }

    /// Whether each of these ticket numbers exists in the organization; used by the durability
    /// benchmark to check that every acknowledged create survived a crash.
    pub async fn missing_ticket_numbers(
        &self,
        org_id: i64,
        numbers: &[String],
    ) -> Result<Vec<String>, StoreError> {
        dispatch!(self, missing_ticket_numbers(org_id, numbers))
    }

    // ---- service levels ------------------------------------------------------------------

    /// The organization's policy in force, parsed once per version and cached.
    pub async fn policy_in_force(
        &self,
        org: &Organization,
    ) -> Result<Option<std::sync::Arc<Policy>>, StoreError> {
        let Some(version) = org.policy_version else {
            return Ok(None);
        };
        if let Some(policy) = self.cached_policy(org.id, version) {
            return Ok(Some(policy));
        }
        let stored = dispatch!(self, stored_policy(org.id, version))?.ok_or_else(|| {
            StoreError::Corrupt(format!(
                "policy version {version} of organization {} is missing",
                org.id
            ))
        })?;
        let policy = Policy::parse(&stored.source, &stored.file_name).map_err(|errors| {
            StoreError::Corrupt(format!("the stored policy no longer parses: {errors}"))
        })?;
        let policy = std::sync::Arc::new(policy);
        if let Ok(mut cache) = self.policies.lock() {
            cache.insert((org.id, version), policy.clone());
        }
        Ok(Some(policy))
    }

    /// Brings the policy's departments and categories into the organization's catalogue:
    /// new codes are created, existing ones renamed; nothing is deleted, because tickets refer
    /// to them.
    async fn sync_catalogue(
        &self,
        org_id: i64,
        policy: &Policy,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let departments = self.departments(org_id).await?;
        for department in policy.departments() {
            let input = DepartmentInput {
                code: department.code.clone(),
                name_ar: department.name_ar.clone(),
                name_en: department.name_en.clone(),
            };
            if departments
                .iter()
                .any(|existing| existing.code == department.code.as_str())
            {
                self.update_department(org_id, department.code.as_str(), &input)
                    .await?;
            } else {
                self.create_department(org_id, &input, now).await?;
            }
        }
        let categories = self.categories(org_id).await?;
        for category in policy.categories() {
            let input = CategoryInput {
                code: category.code.clone(),
                name_ar: category.name_ar.clone(),
                name_en: category.name_en.clone(),
                default_department: Some(category.department.clone()),
            };
            if categories
                .iter()
                .any(|existing| existing.code == category.code.as_str())
            {
                self.update_category(org_id, category.code.as_str(), &input)
                    .await?;
            } else {
                self.create_category(org_id, &input, now).await?;
            }
        }
        Ok(())
    }

    fn cached_policy(&self, org_id: i64, version: i64) -> Option<std::sync::Arc<Policy>> {
        self.policies
            .lock()
            .ok()
            .and_then(|cache| cache.get(&(org_id, version)).cloned())
    }

    /// The text of one stored policy version.
    pub async fn stored_policy(
        &self,
        org_id: i64,
        version: i64,
    ) -> Result<Option<StoredPolicy>, StoreError> {
        dispatch!(self, stored_policy(org_id, version))
    }

    /// Stores a validated policy as the organization's new version. Running tickets keep their
    /// deadlines unless `recompute` asks otherwise. Returns the new version and how many open
    /// tickets were recomputed.
    pub async fn apply_policy(
        &self,
        org: &Organization,
        file_name: &str,
        source: &str,
        recompute: RecomputeDeadlines,
        now: Timestamp,
    ) -> Result<(i64, usize), StoreError> {
        let policy = Policy::parse(source, file_name)
            .map_err(|errors| StoreError::Invalid(errors.to_string()))?;
        let version = dispatch!(self, apply_policy(org.id, file_name, source, now))?;
        self.sync_catalogue(org.id, &policy, now).await?;
        let policy = std::sync::Arc::new(policy);
        if let Ok(mut cache) = self.policies.lock() {
            cache.insert((org.id, version), policy.clone());
        }
        let recomputed = match recompute {
            RecomputeDeadlines::KeepRunning => 0,
            RecomputeDeadlines::RecomputeOpenTickets => {
                let org = Organization {
                    policy_version: Some(version),
                    ..org.clone()
                };
                dispatch!(self, recompute_open_tickets(&org, &policy, now))?
            }
        };
        Ok((version, recomputed))
    }

    /// Fires every timer due at `now` (up to `limit`), exactly once across all instances.
    pub async fn fire_due_timers(
        &self,
        instance: &str,
        now: Timestamp,
        limit: i64,
    ) -> Result<SweepReport, StoreError> {
        let lease = jiff::SignedDuration::from_secs(60);
        let claimed = dispatch!(self, claim_due_timers(instance, now, lease, limit))?;
        let mut report = SweepReport {
            claimed: claimed.len(),
            fired: 0,
        };
        // One organization's timers are fired in batches of about 50 per transaction: enough to
        // pay the commit once for many timers, small enough not to hold SQLite's single writer
        // away from API requests for long. A ticket's timers stay in one batch, so on
        // PostgreSQL several batches can run at once without contending for a ticket's row.
        let mut batches: Vec<(i64, Vec<i64>)> = Vec::new();
        let mut previous_ticket = None;
        for timer in &claimed {
            let same_ticket = previous_ticket == Some((timer.org_id, timer.ticket_id));
            match batches.last_mut() {
                Some((org_id, ids))
                    if *org_id == timer.org_id && (ids.len() < 50 || same_ticket) =>
                {
                    ids.push(timer.id)
                }
                _ => batches.push((timer.org_id, vec![timer.id])),
            }
            previous_ticket = Some((timer.org_id, timer.ticket_id));
        }
        let parallel = match self.backend_kind() {
            BackendKind::Sqlite => 1,
            BackendKind::Postgres => 4,
        };
        let mut running = tokio::task::JoinSet::new();
        for (org_id, ids) in batches {
            while running.len() >= parallel {
                if let Some(done) = running.join_next().await {
                    report.fired += done.map_err(|error| {
                        StoreError::Corrupt(format!("a timer batch panicked: {error}"))
                    })??;
                }
            }
            let store = self.clone();
            running.spawn(async move {
                let org = store.organization_by_id(org_id).await?.ok_or_else(|| {
                    StoreError::Corrupt(format!("timers of a missing organization {org_id}"))
                })?;
                let policy = store.policy_in_force(&org).await?;
                dispatch!(store, fire_timers(&org, policy.as_deref(), &ids, now))
            });
        }
        while let Some(done) = running.join_next().await {
            report.fired += done.map_err(|error| {
                StoreError::Corrupt(format!("a timer batch panicked: {error}"))
            })??;
        }
        Ok(report)
    }

    /// A requester escalates their own ticket once a published time has lapsed.
    pub async fn escalate_by_requester(
        &self,
        org: &Organization,
        number: &str,
        note: &sanad_domain::MessageBody,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<EscalationRecord, StoreError> {
        let policy = self.policy_in_force(org).await?;
        dispatch!(
            self,
            escalate_manually(
                org,
                policy.as_deref(),
                number,
                note,
                ManualEscalation::ByRequester,
                actor,
                now
            )
        )
    }

    /// A staff member moves the ticket to the next stage of the ladder before any target has
    /// lapsed (e.g. a complaint that needs the director now). The note is internal.
    pub async fn escalate_by_staff(
        &self,
        org: &Organization,
        number: &str,
        note: &sanad_domain::MessageBody,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<EscalationRecord, StoreError> {
        let policy = self.policy_in_force(org).await?;
        dispatch!(
            self,
            escalate_manually(
                org,
                policy.as_deref(),
                number,
                note,
                ManualEscalation::ByStaff,
                actor,
                now
            )
        )
    }

    /// Records why a target was breached; required before the ticket can close.
    pub async fn record_root_cause(
        &self,
        org: &Organization,
        number: &str,
        input: &RootCauseInput,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<RootCauseRecord, StoreError> {
        let policy = self.policy_in_force(org).await?;
        dispatch!(
            self,
            record_root_cause(org, policy.as_deref(), number, input, actor, now)
        )
    }

    /// Bulk-creates open tickets with running targets and timers, for `sanad bench timers`
    /// only: the tickets have no messages or events.
    pub async fn seed_open_tickets_for_benchmark(
        &self,
        org: &Organization,
        requester_id: i64,
        count: i64,
        due_every: i64,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            seed_open_tickets_for_benchmark(org, requester_id, count, due_every, now)
        )
    }

    /// How many timers are waiting to fire.
    pub async fn pending_timer_count(&self) -> Result<i64, StoreError> {
        dispatch!(self, pending_timer_count())
    }

    pub async fn notifications_for_ticket(
        &self,
        org_id: i64,
        number: &str,
    ) -> Result<Vec<NotificationRecord>, StoreError> {
        dispatch!(self, notifications_for_ticket(org_id, number))
    }
}
