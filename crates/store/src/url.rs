use crate::StoreError;

/// A database URL that Sanad knows how to open. Anything else is refused up front rather than
/// silently creating an empty database somewhere unexpected.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `sqlite://path/to/file.db` or `sqlite:path`; the file is created if absent.
    Sqlite(String),
    /// `postgres://…` or `postgresql://…`.
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, StoreError> {
        let trimmed = raw.trim();
        if trimmed.starts_with("sqlite:") {
            let path = trimmed
                .trim_start_matches("sqlite://")
                .trim_start_matches("sqlite:");
            if path.is_empty() || path.starts_with(":memory:") {
                return Err(StoreError::UnsupportedUrl(
                    "an in-memory SQLite database would lose every ticket on restart; give a file path such as sqlite://sanad.db".into(),
                ));
            }
            Ok(DatabaseUrl::Sqlite(trimmed.to_owned()))
        } else if trimmed.starts_with("postgres://") || trimmed.starts_with("postgresql://") {
            Ok(DatabaseUrl::Postgres(trimmed.to_owned()))
        } else {
            Err(StoreError::UnsupportedUrl(format!(
                "'{}' is not a database URL Sanad supports; use sqlite://PATH or postgres://USER@HOST/DB",
                redact(trimmed)
            )))
        }
    }

    /// The URL with any password replaced, safe to log or print.
    pub fn redacted(&self) -> String {
        match self {
            DatabaseUrl::Sqlite(url) | DatabaseUrl::Postgres(url) => redact(url),
        }
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// Hides the password of `scheme://user:password@host/...`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match authority.rsplit_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split(':').next().unwrap_or("");
            let hidden = if credentials.contains(':') {
                format!("{user}:***")
            } else {
                user.to_owned()
            };
            format!("{scheme}://{hidden}@{host}{}", &rest[authority_end..])
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_recognised_or_refused() {
        assert!(matches!(
            DatabaseUrl::parse("sqlite://sanad.db"),
            Ok(DatabaseUrl::Sqlite(_))
        ));
        assert!(matches!(
            DatabaseUrl::parse("sqlite:data/sanad.db"),
            Ok(DatabaseUrl::Sqlite(_))
        ));
        assert!(matches!(
            DatabaseUrl::parse("postgres://u@h/db"),
            Ok(DatabaseUrl::Postgres(_))
        ));
        assert!(matches!(
            DatabaseUrl::parse("postgresql://u@h/db"),
            Ok(DatabaseUrl::Postgres(_))
        ));
        for bad in [
            "mysql://root@localhost/db",
            "sanad.db",
            "",
            "sqlite::memory:",
            "http://x",
        ] {
            assert!(
                matches!(DatabaseUrl::parse(bad), Err(StoreError::UnsupportedUrl(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn passwords_never_reach_messages() {
        let url = DatabaseUrl::parse("postgres://sanad:s3cret@db.example.sa:5432/sanad").unwrap();
        assert_eq!(
            url.redacted(),
            "postgres://sanad:***@db.example.sa:5432/sanad"
        );
        assert!(!format!("{url:?}").contains("s3cret"));
        let error = DatabaseUrl::parse("mysql://root:hunter2@h/db").unwrap_err();
        assert!(!error.to_string().contains("hunter2"), "{error}");
    }
}
