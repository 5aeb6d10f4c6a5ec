use sanad_domain::LifecycleError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("{0}")]
    UnsupportedUrl(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("no {what} '{key}'")]
    NotFound { what: &'static str, key: String },
    #[error("unknown {what} '{code}' in this organization")]
    UnknownReference { what: &'static str, code: String },
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Lifecycle(#[from] LifecycleError),
    #[error("this Idempotency-Key was already used with a different request body")]
    IdempotencyMismatch,
    #[error("{0}")]
    Invalid(String),
    #[error("attachment storage failed: {0}")]
    Attachment(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("record the root cause of the breached target(s) {} before closing", targets.join(", "))]
    RootCauseRequired { targets: Vec<String> },
    #[error("backup failed: {0}")]
    Backup(String),
    #[error("{0}")]
    Restore(String),
}

impl StoreError {
    /// Whether the failure is the database being unreachable or failing, as opposed to a
    /// request that cannot succeed as made.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            StoreError::Database(_) | StoreError::Migrate(_) | StoreError::Attachment(_)
        )
    }
}
