//! Restoring a backup written by `Store::backup_to`.
//!
//! SQLite: the backup (a `VACUUM INTO` copy) is copied beside the target, checked there (an
//! intact SQLite file whose `_sqlx_migrations` holds every migration this build knows, all
//! successful) and renamed over the target, so the target is at every moment either the old
//! database or the whole new one.
//!
//! PostgreSQL: the backup is `pg_dump`'s custom format, so it is restored by `pg_restore`, the
//! tool made for it, in one transaction (the target is again either the old database or the
//! whole new one). Before anything is written, the archive is read: it must hold Sanad's tables
//! in the schema the target URL uses and every migration this build knows; the target must have
//! no Sanad connection open and, unless forced, no organization. See docs/operations.md.

use crate::{DatabaseUrl, LibpqConnection, StoreError};
use sqlx::ConnectOptions;
use sqlx::Connection;
use sqlx::sqlite::SqliteConnectOptions;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreReport {
    /// The file (SQLite) or the redacted URL (PostgreSQL) restored into.
    pub target: String,
    pub organizations: i64,
    pub tickets: i64,
}

fn io_error(error: std::io::Error) -> StoreError {
    StoreError::Restore(format!("restore failed: {error}"))
}

fn restore_error(message: impl Into<String>) -> StoreError {
    StoreError::Restore(message.into())
}

/// Restores the backup `source` into the database named by `target`: a SQLite file written by
/// `VACUUM INTO`, or a PostgreSQL archive written by `pg_dump --format=custom`.
///
/// Refuses, unless `force`, a target that is in use (its write-ahead log exists: SQLite
/// removes it when the last connection closes cleanly) or that already holds a database with
/// any organization. With `force` the target's log is discarded too, since replaying an old
/// log over the restored file would corrupt it; never force while a server has it open.
pub async fn restore(
    source: &Path,
    target: &DatabaseUrl,
    force: bool,
) -> Result<RestoreReport, StoreError> {
    let DatabaseUrl::Sqlite(raw) = target else {
        return restore_postgres(source, target, force).await;
    };
    let target_path = SqliteConnectOptions::from_str(raw)?
        .get_filename()
        .to_path_buf();
    if !source.is_file() {
        return Err(restore_error(format!("{} is not a file", source.display())));
    }
    let sidecar = |suffix: &str| {
        let mut name = target_path.clone().into_os_string();
        name.push(suffix);
        PathBuf::from(name)
    };
    let (wal, shm) = (sidecar("-wal"), sidecar("-shm"));
    if wal.exists() && !force {
        return Err(restore_error(format!(
            "{} is in use (its write-ahead log {} exists): stop every `sanad serve` using it \
             first, or pass --force if none runs (for example after a crash)",
            target_path.display(),
            wal.display()
        )));
    }
    if !force
        && target_path.exists()
        && std::fs::metadata(&target_path).map_err(io_error)?.len() > 0
    {
        let (organizations, _) = counts(&target_path).await.unwrap_or((1, 0));
        if organizations > 0 {
            return Err(restore_error(format!(
                "{} already holds a database with {organizations} organization(s); pass --force \
                 to replace it",
                target_path.display()
            )));
        }
    }
    let directory = target_path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = target_path
        .file_name()
        .ok_or_else(|| restore_error("the target database URL names no file"))?
        .to_string_lossy()
        .into_owned();
    let temporary = directory.join(format!(".{file_name}.restore-{}", std::process::id()));
    let result = copy_check_and_rename(source, &temporary, &target_path, &wal, &shm).await;
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    let (organizations, tickets) = result?;
    Ok(RestoreReport {
        target: target_path.display().to_string(),
        organizations,
        tickets,
    })
}

async fn copy_check_and_rename(
    source: &Path,
    temporary: &Path,
    target: &Path,
    wal: &Path,
    shm: &Path,
) -> Result<(i64, i64), StoreError> {
    std::fs::copy(source, temporary)
        .map_err(|error| restore_error(format!("cannot copy {}: {error}", source.display())))?;
    std::fs::File::open(temporary)
        .and_then(|file| file.sync_all())
        .map_err(io_error)?;
    check_backup(temporary, source).await?;
    let counted = counts(temporary).await?;
    for stale in [wal, shm] {
        match std::fs::remove_file(stale) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(io_error(error)),
        }
    }
    std::fs::rename(temporary, target).map_err(io_error)?;
    // The rename is durable only once the directory entry is written.
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::File::open(parent)
            .and_then(|directory| directory.sync_all())
            .map_err(io_error)?;
    }
    Ok(counted)
}

async fn open_read_only(path: &Path) -> Result<sqlx::SqliteConnection, StoreError> {
    Ok(SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .create_if_missing(false)
        .connect()
        .await?)
}

/// The file is an intact SQLite database with every migration of this build applied.
async fn check_backup(copy: &Path, named: &Path) -> Result<(), StoreError> {
    let not_sanad = |why: String| {
        restore_error(format!(
            "{} is not a Sanad database backup: {why}",
            named.display()
        ))
    };
    let mut connection = open_read_only(copy)
        .await
        .map_err(|error| not_sanad(error.to_string()))?;
    let check: String = sqlx::query_scalar("PRAGMA quick_check")
        .fetch_one(&mut connection)
        .await
        .map_err(|error| not_sanad(error.to_string()))?;
    if check != "ok" {
        return Err(not_sanad(format!("SQLite's check failed: {check}")));
    }
    let applied: Vec<(i64, bool)> =
        sqlx::query_as("SELECT version, success FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&mut connection)
            .await
            .map_err(|_| not_sanad("it has no migration table".into()))?;
    if let Some(why) = missing_migration(&crate::backend::SQLITE_MIGRATOR, &applied) {
        return Err(not_sanad(why));
    }
    Ok(())
}

/// Why a backup with the `applied` migrations (version, success) cannot be restored by this
/// build, if it cannot: the first migration of `migrator` it lacks.
fn missing_migration(
    migrator: &sqlx::migrate::Migrator,
    applied: &[(i64, bool)],
) -> Option<String> {
    migrator
        .iter()
        .find(|migration| {
            !applied
                .iter()
                .any(|(version, success)| *version == migration.version && *success)
        })
        .map(|migration| {
            format!(
                "migration {} ({}) is not applied; run `sanad migrate` on it with the version \
                 that wrote it, or restore a newer backup",
                migration.version, migration.description
            )
        })
}

async fn counts(path: &Path) -> Result<(i64, i64), StoreError> {
    let mut connection = open_read_only(path).await?;
    let organizations: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organizations")
        .fetch_one(&mut connection)
        .await?;
    let tickets: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets")
        .fetch_one(&mut connection)
        .await?;
    Ok((organizations, tickets))
}

/// The `application_name` of Sanad's PostgreSQL connections: `sanad`, or `sanad:<schema>` on a
/// server shared through schemas, cut to PostgreSQL's 63 bytes.
pub(crate) fn postgres_application_name(url: &DatabaseUrl) -> String {
    let schema = url
        .libpq_connection()
        .map(|connection| connection.schema)
        .unwrap_or_else(|| "public".into());
    let mut name = if schema == "public" {
        "sanad".to_owned()
    } else {
        format!("sanad:{schema}")
    };
    while name.len() > 63 {
        name.pop();
    }
    name
}

/// A libpq tool (`pg_dump`, `pg_restore`) with the password in its environment rather than on
/// its command line, where any local user could read it.
pub(crate) fn libpq_command(
    program: &str,
    connection: &LibpqConnection,
) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(program);
    if let Some(password) = &connection.password {
        command.env("PGPASSWORD", password);
    }
    command.env("PGAPPNAME", format!("sanad {program}"));
    command
}

async fn run_libpq(
    program: &str,
    connection: &LibpqConnection,
    arguments: &[&std::ffi::OsStr],
) -> Result<std::process::Output, StoreError> {
    libpq_command(program, connection)
        .args(arguments)
        .output()
        .await
        .map_err(|error| {
            restore_error(format!(
                "could not run {program} (PostgreSQL's client tools, Debian's postgresql-client): \
                 {error}"
            ))
        })
}

fn first_line(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .lines()
        .find(|line| !line.trim().is_empty())
        .unwrap_or("no message")
        .trim()
        .to_owned()
}

/// The schemas in which a `pg_restore --list` table of contents has a table named `table`.
fn schemas_with_table(contents: &str, table: &str) -> Vec<String> {
    // A line reads `215; 1259 16390 TABLE public tickets postgres`; comments start with `;`.
    contents
        .lines()
        .filter(|line| !line.trim_start().starts_with(';'))
        .filter_map(|line| {
            let mut words = line.split_whitespace().skip_while(|word| *word != "TABLE");
            words.next()?;
            let schema = words.next()?;
            (words.next()? == table).then(|| schema.to_owned())
        })
        .collect()
}

/// The migrations recorded in an archive's `_sqlx_migrations`, as (version, success), read from
/// the `COPY … FROM stdin` block that `pg_restore --data-only` prints.
fn archived_migrations(script: &str) -> Result<Vec<(i64, bool)>, String> {
    let mut lines = script.lines();
    let header = lines
        .find(|line| line.starts_with("COPY ") && line.contains("_sqlx_migrations"))
        .ok_or("its migration table has no data")?;
    let columns: Vec<&str> = header
        .split_once('(')
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(columns, _)| columns.split(',').map(str::trim).collect())
        .ok_or("its migration table cannot be read")?;
    let position = |name: &str| {
        columns
            .iter()
            .position(|column| *column == name)
            .ok_or_else(|| format!("its migration table has no {name} column"))
    };
    let (version_at, success_at) = (position("version")?, position("success")?);
    let mut migrations = Vec::new();
    for line in lines.take_while(|line| *line != "\\.") {
        let fields: Vec<&str> = line.split('\t').collect();
        let version = fields
            .get(version_at)
            .and_then(|field| field.parse::<i64>().ok())
            .ok_or("its migration table holds a row without a version")?;
        migrations.push((version, fields.get(success_at) == Some(&"t")));
    }
    Ok(migrations)
}

async fn restore_postgres(
    source: &Path,
    target: &DatabaseUrl,
    force: bool,
) -> Result<RestoreReport, StoreError> {
    let (DatabaseUrl::Postgres(raw), Some(connection)) = (target, target.libpq_connection()) else {
        return Err(restore_error("not a PostgreSQL URL"));
    };
    if !source.is_file() {
        return Err(restore_error(format!("{} is not a file", source.display())));
    }
    let not_sanad = |why: String| {
        restore_error(format!(
            "{} is not a Sanad database backup: {why}",
            source.display()
        ))
    };
    // 1. The archive: readable, with Sanad's tables in the target's schema, and migrated.
    let listed = run_libpq(
        "pg_restore",
        &connection,
        &["--list".as_ref(), source.as_os_str()],
    )
    .await?;
    if !listed.status.success() {
        return Err(not_sanad(format!(
            "pg_restore cannot read it ({})",
            first_line(&listed.stderr)
        )));
    }
    let contents = String::from_utf8_lossy(&listed.stdout);
    let schemas = schemas_with_table(&contents, "_sqlx_migrations");
    let with_tickets = schemas_with_table(&contents, "tickets");
    let schema = schemas
        .iter()
        .find(|schema| with_tickets.contains(schema))
        .ok_or_else(|| not_sanad("it holds no Sanad tables".into()))?
        .clone();
    if schema != connection.schema {
        return Err(restore_error(format!(
            "{} holds Sanad's tables in schema {schema}, but {} uses schema {}; restore into a \
             URL whose options set search_path={schema}",
            source.display(),
            target.redacted(),
            connection.schema
        )));
    }
    let migration_data = run_libpq(
        "pg_restore",
        &connection,
        &[
            "--data-only".as_ref(),
            format!("--schema={schema}").as_ref(),
            "--table=_sqlx_migrations".as_ref(),
            "--file=-".as_ref(),
            source.as_os_str(),
        ],
    )
    .await?;
    if !migration_data.status.success() {
        return Err(not_sanad(first_line(&migration_data.stderr)));
    }
    let archived = archived_migrations(&String::from_utf8_lossy(&migration_data.stdout))
        .map_err(|why| not_sanad(why.to_owned()))?;
    if let Some(why) = missing_migration(&crate::backend::POSTGRES_MIGRATOR, &archived) {
        return Err(not_sanad(why));
    }

    // 2. The target: nobody on it, and nothing to lose unless forced.
    let target_options =
        sqlx::postgres::PgConnectOptions::from_str(raw)?.application_name("sanad restore");
    let mut database = sqlx::PgConnection::connect_with(&target_options).await?;
    let application_name = postgres_application_name(target);
    let open: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM pg_stat_activity \
         WHERE datname = current_database() AND application_name = $1 AND pid <> pg_backend_pid()",
    )
    .bind(&application_name)
    .fetch_one(&mut database)
    .await?;
    if open > 0 {
        database.close().await?;
        // Unlike SQLite's, PostgreSQL's connections can be seen, so this is refused even when
        // forced: restoring under a running server would leave it working on dropped tables.
        return Err(restore_error(format!(
            "{} is in use: {open} connection(s) named {application_name} are open on it; stop \
             every `sanad serve` using it first",
            target.redacted()
        )));
    }
    let holds_sanad: bool =
        sqlx::query_scalar("SELECT to_regclass(quote_ident($1) || '.organizations') IS NOT NULL")
            .bind(&schema)
            .fetch_one(&mut database)
            .await?;
    if holds_sanad {
        let organizations: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM \"{}\".organizations",
            schema.replace('"', "\"\"")
        )))
        .fetch_one(&mut database)
        .await?;
        if organizations > 0 && !force {
            database.close().await?;
            return Err(restore_error(format!(
                "{} already holds a database with {organizations} organization(s); pass --force \
                 to replace it",
                target.redacted()
            )));
        }
        // A target migrated further than the backup would keep the newer tables, and its
        // migration table would then disagree with what it holds.
        let target_versions: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT version FROM \"{}\"._sqlx_migrations ORDER BY version",
            schema.replace('"', "\"\"")
        )))
        .fetch_all(&mut database)
        .await
        .unwrap_or_default();
        if let Some(newer) = target_versions
            .iter()
            .find(|version| !archived.iter().any(|(archived, _)| archived == *version))
        {
            database.close().await?;
            return Err(restore_error(format!(
                "{} has migration {newer}, which the backup lacks: it was written by an older \
                 Sanad; restore it into an empty database",
                target.redacted()
            )));
        }
    }
    database.close().await?;

    // 3. One transaction: the old database or the whole backup, never half of each.
    let restored = run_libpq(
        "pg_restore",
        &connection,
        &[
            "--clean".as_ref(),
            "--if-exists".as_ref(),
            "--no-owner".as_ref(),
            "--no-privileges".as_ref(),
            "--single-transaction".as_ref(),
            "--exit-on-error".as_ref(),
            format!("--dbname={}", connection.url_without_password).as_ref(),
            source.as_os_str(),
        ],
    )
    .await?;
    if !restored.status.success() {
        return Err(restore_error(format!(
            "pg_restore failed and changed nothing: {}",
            String::from_utf8_lossy(&restored.stderr).trim()
        )));
    }

    let mut database = sqlx::PgConnection::connect_with(&target_options).await?;
    let organizations: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organizations")
        .fetch_one(&mut database)
        .await?;
    let tickets: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets")
        .fetch_one(&mut database)
        .await?;
    database.close().await?;
    Ok(RestoreReport {
        target: target.redacted(),
        organizations,
        tickets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_of_contents_names_the_schemas_of_tables() {
        let contents = ";\n; Archive created at 2026-12-06 21:00:00 UTC\n;     dbname: test\n\
            5; 2615 16385 SCHEMA - tenant_a postgres\n\
            215; 1259 16390 TABLE tenant_a _sqlx_migrations postgres\n\
            216; 1259 16400 TABLE tenant_a tickets postgres\n\
            3400; 0 16400 TABLE DATA tenant_a tickets postgres\n\
            217; 1259 16410 TABLE public tickets_archive postgres\n";
        assert_eq!(
            schemas_with_table(contents, "_sqlx_migrations"),
            ["tenant_a"]
        );
        assert_eq!(schemas_with_table(contents, "tickets"), ["tenant_a"]);
        assert!(schemas_with_table(contents, "organizations").is_empty());
    }

    #[test]
    fn migrations_are_read_from_the_copy_block() {
        let script = "SET statement_timeout = 0;\n\
            COPY tenant_a._sqlx_migrations (version, description, installed_on, success, checksum, execution_time) FROM stdin;\n\
            1\tfoundation\t2026-12-06 21:00:00+00\tt\t\\\\x00\t12\n\
            2\tpolicy\t2026-12-06 21:00:00+00\tf\t\\\\x00\t3\n\
            \\.\n";
        assert_eq!(
            archived_migrations(script).unwrap(),
            [(1, true), (2, false)]
        );
        assert!(archived_migrations("SET x = 1;\n").is_err());
    }

    #[test]
    fn application_names_carry_the_schema() {
        let plain = DatabaseUrl::parse("postgres://u@h/db").unwrap();
        assert_eq!(postgres_application_name(&plain), "sanad");
        let shared =
            DatabaseUrl::parse("postgres://u@h/db?options=-c%20search_path%3Dtenant_a").unwrap();
        assert_eq!(postgres_application_name(&shared), "sanad:tenant_a");
    }
}
