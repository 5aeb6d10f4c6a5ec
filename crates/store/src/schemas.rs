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
    if schema.is_empty()
        || !schema
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(StoreError::Invalid(format!(
            "'{schema}' is not a plain lower-case schema name"
        )));
    }
    let mut connection = sqlx::PgConnection::connect(server_url).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE"
    )))
    .execute(&mut connection)
    .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&mut connection)
        .await?;
    connection.close().await?;
    let separator = if server_url.contains('?') { '&' } else { '?' };
    DatabaseUrl::parse(&format!(
        "{server_url}{separator}options=-c%20search_path%3D{schema}"
    ))
}

/// Drops a schema made by [`fresh_postgres_schema`].
pub async fn drop_postgres_schema(server_url: &str, schema: &str) -> Result<(), StoreError> {
    let mut connection = sqlx::PgConnection::connect(server_url).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE"
    )))
    .execute(&mut connection)
    .await?;
    connection.close().await?;
    Ok(())
}
