//! Fresh PostgreSQL schemas, so that test suites and benchmarks running in parallel against one
//! server never see each other's data.

use crate::{DatabaseUrl, StoreError};
use sqlx::Connection;

/// Creates an empty schema named `schema` on the server at `server_url` and returns a URL whose
/// connections use it (through the `search_path` connection option).
pub async fn fresh_postgres_schema(
    server_url: &str,
    schema: &str,
) -> Result<DatabaseUrl, StoreError> {
    let schema = plain_name(schema)?;
    run_on_server(
        server_url,
        &[
            format!("DROP SCHEMA IF EXISTS {schema} CASCADE"),
            format!("CREATE SCHEMA {schema}"),
        ],
    )
    .await?;
    let separator = if server_url.contains('?') { '&' } else { '?' };
    DatabaseUrl::parse(&format!(
        "{server_url}{separator}options=-c%20search_path%3D{schema}"
    ))
}

/// Drops a schema made by [`fresh_postgres_schema`].
pub async fn drop_postgres_schema(server_url: &str, schema: &str) -> Result<(), StoreError> {
    let schema = plain_name(schema)?;
    run_on_server(
        server_url,
        &[format!("DROP SCHEMA IF EXISTS {schema} CASCADE")],
    )
    .await
}

/// Creates an empty database named `name` on the server at `server_url` (dropping one left by
/// an earlier run) and returns the URL of the server with that database, whose connections use
/// `schema` when given. Restores are tested into a database of their own, since a backup of a
/// schema restores into a schema of the same name.
pub async fn fresh_postgres_database(
    server_url: &str,
    name: &str,
    schema: Option<&str>,
) -> Result<DatabaseUrl, StoreError> {
    let name = plain_name(name)?;
    let schema = schema.map(plain_name).transpose()?;
    run_on_server(
        server_url,
        &[
            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            format!("CREATE DATABASE {name}"),
        ],
    )
    .await?;
    let (address, query) = server_url
        .split_once('?')
        .map_or((server_url, None), |(address, query)| {
            (address, Some(query))
        });
    let (server, _) = address
        .rsplit_once('/')
        .filter(|(server, _)| server.contains("://") && !server.ends_with('/'))
        .unwrap_or((address.trim_end_matches('/'), ""));
    let mut url = format!("{server}/{name}");
    let mut parameters: Vec<String> = query.into_iter().map(str::to_owned).collect();
    if let Some(schema) = schema {
        parameters.push(format!("options=-c%20search_path%3D{schema}"));
    }
    if !parameters.is_empty() {
        url.push('?');
        url.push_str(&parameters.join("&"));
    }
    DatabaseUrl::parse(&url)
}

/// Drops a database made by [`fresh_postgres_database`], closing any connection left on it.
pub async fn drop_postgres_database(server_url: &str, name: &str) -> Result<(), StoreError> {
    let name = plain_name(name)?;
    run_on_server(
        server_url,
        &[format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")],
    )
    .await
}

/// Runs `statements` in order on one connection to the server.
async fn run_on_server(server_url: &str, statements: &[String]) -> Result<(), StoreError> {
    let mut connection = sqlx::PgConnection::connect(server_url).await?;
    for statement in statements {
        sqlx::query(sqlx::AssertSqlSafe(statement.as_str()))
            .execute(&mut connection)
            .await?;
    }
    connection.close().await?;
    Ok(())
}

/// The name, if it can go into a statement unquoted: plain lower-case letters, digits and `_`.
fn plain_name(name: &str) -> Result<&str, StoreError> {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        Ok(name)
    } else {
        Err(StoreError::Invalid(format!(
            "'{name}' is not a plain lower-case name"
        )))
    }
}
