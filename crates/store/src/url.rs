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

/// How libpq's own tools (`pg_dump`, `pg_restore`) reach a PostgreSQL database named by a
/// Sanad URL.
#[derive(Clone, PartialEq, Eq)]
pub struct LibpqConnection {
    /// The URL without its password, which would otherwise show in the process list.
    pub url_without_password: String,
    /// The password, percent-decoded, for the `PGPASSWORD` environment variable.
    pub password: Option<String>,
    /// The schema Sanad's tables live in: the first entry of a `search_path` set through the
    /// URL's `options` (as test suites and shared servers do), otherwise `public`.
    pub schema: String,
}

impl std::fmt::Debug for LibpqConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LibpqConnection")
            .field("url_without_password", &self.url_without_password)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("schema", &self.schema)
            .finish()
    }
}

impl DatabaseUrl {
    /// For a PostgreSQL URL, how libpq's tools reach it; `None` for SQLite.
    pub fn libpq_connection(&self) -> Option<LibpqConnection> {
        let DatabaseUrl::Postgres(url) = self else {
            return None;
        };
        let decode = |text: &str| {
            percent_encoding::percent_decode_str(text)
                .decode_utf8_lossy()
                .into_owned()
        };
        let (scheme, rest) = url.split_once("://")?;
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(authority_end);
        let (url_without_password, password) = match authority.rsplit_once('@') {
            Some((credentials, host)) => match credentials.split_once(':') {
                Some((user, password)) => (
                    format!("{scheme}://{user}@{host}{tail}"),
                    Some(decode(password)),
                ),
                None => (url.clone(), None),
            },
            None => (url.clone(), None),
        };
        let schema = tail
            .split_once('?')
            .map(|(_, query)| query)
            .unwrap_or_default()
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .filter(|(key, _)| *key == "options")
            .map(|(_, value)| decode(&value.replace('+', " ")))
            .flat_map(|options| {
                options
                    .split_whitespace()
                    .filter_map(|option| {
                        option
                            .trim_start_matches("-c")
                            .strip_prefix("search_path=")
                            .map(str::to_owned)
                    })
                    .collect::<Vec<_>>()
            })
            .filter_map(|path| {
                path.split(',')
                    .map(|entry| entry.trim().trim_matches('"').to_owned())
                    .find(|entry| !entry.is_empty())
            })
            .next_back()
            .unwrap_or_else(|| "public".to_owned());
        Some(LibpqConnection {
            url_without_password,
            password,
            schema,
        })
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
    fn libpq_tools_get_the_url_without_its_password_and_the_schema() {
        let connection = DatabaseUrl::parse(
            "postgres://sanad:p%40ss@db.example.sa:5432/sanad?sslmode=require&options=-c%20search_path%3Dtenant_a",
        )
        .unwrap()
        .libpq_connection()
        .unwrap();
        assert_eq!(
            connection.url_without_password,
            "postgres://sanad@db.example.sa:5432/sanad?sslmode=require&options=-c%20search_path%3Dtenant_a"
        );
        assert_eq!(connection.password.as_deref(), Some("p@ss"));
        assert_eq!(connection.schema, "tenant_a");
        assert!(!format!("{connection:?}").contains("p@ss"));

        let plain = DatabaseUrl::parse("postgres://postgres@127.0.0.1/test")
            .unwrap()
            .libpq_connection()
            .unwrap();
        assert_eq!(
            plain.url_without_password,
            "postgres://postgres@127.0.0.1/test"
        );
        assert_eq!(plain.password, None);
        assert_eq!(plain.schema, "public");

        let spaced = DatabaseUrl::parse("postgresql://u:x@h/db?options=-csearch_path%3Done,public")
            .unwrap()
            .libpq_connection()
            .unwrap();
        assert_eq!(spaced.schema, "one");
        assert!(
            DatabaseUrl::parse("sqlite://sanad.db")
                .unwrap()
                .libpq_connection()
                .is_none()
        );
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
