//! Restoring a backup written by `Store::backup_to`.
//!
//! SQLite: the backup (a `VACUUM INTO` copy) is copied beside the target, checked there (an
//! intact SQLite file whose `_sqlx_migrations` holds every migration this build knows, all
//! successful) and renamed over the target, so the target is at every moment either the old
//! database or the whole new one. PostgreSQL is restored with `pg_restore`, the tool made for
//! the `pg_dump` custom format `backup_to` writes; see docs/operations.md.

use crate::{DatabaseUrl, StoreError};
use sqlx::ConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreReport {
    pub target: PathBuf,
    pub organizations: i64,
    pub tickets: i64,
}

fn io_error(error: std::io::Error) -> StoreError {
    StoreError::Backup(format!("restore failed: {error}"))
}

fn restore_error(message: impl Into<String>) -> StoreError {
    StoreError::Backup(message.into())
}

/// Restores the SQLite backup `source` into the database named by `target`.
///
/// Refuses, unless `force`, a target that is in use (its write-ahead log exists: SQLite
/// removes it when the last connection closes cleanly) or that already holds a database with
/// any organization. With `force` the target's log is discarded too, since replaying an old
/// log over the restored file would corrupt it; never force while a server has it open.
pub async fn restore_sqlite(
    source: &Path,
    target: &DatabaseUrl,
    force: bool,
) -> Result<RestoreReport, StoreError> {
    let DatabaseUrl::Sqlite(raw) = target else {
        return Err(restore_error(
            "sanad restore writes SQLite databases only; restore a PostgreSQL backup (pg_dump's \
             custom format, as `sanad backup` writes it) with `pg_restore --clean --if-exists \
             --no-owner --dbname=URL FILE`, or use a pg_basebackup base backup",
        ));
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
        target: target_path,
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
    for migration in crate::backend::SQLITE_MIGRATOR.iter() {
        if !applied
            .iter()
            .any(|(version, success)| *version == migration.version && *success)
        {
            return Err(not_sanad(format!(
                "migration {} ({}) is not applied; run `sanad migrate` on it with the version \
                 that wrote it, or restore a newer backup",
                migration.version, migration.description
            )));
        }
    }
    Ok(())
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
