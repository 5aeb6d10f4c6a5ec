// Rate-limit counters, written once and included beside `queries.rs` for each backend. Private
// helpers are prefixed with `rate_` so that they never collide with the other included files.

use crate::rate_limits::{MAX_RATE_WINDOW, RateDecision};

/// One in this many recorded hits also deletes the rows that have left every window.
const RATE_CLEANUP_EVERY: i64 = 100;

pub(crate) async fn rate_count_and_record(
    pools: &Pool,
    bucket: &str,
    key: &str,
    limit: i64,
    window: jiff::SignedDuration,
    now: Timestamp,
) -> Result<RateDecision, StoreError> {
    let since = to_micros(now - window);
    let mut tx = pools.writer.begin().await?;
    if DIALECT == crate::BackendKind::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1 || chr(31) || $2))")
            .bind(bucket)
            .bind(key)
            .execute(&mut *tx)
            .await?;
    }
    let row = sqlx::query(
        "SELECT COUNT(*) AS hits, MIN(at) AS oldest FROM rate_limit_hits \
         WHERE bucket = $1 AND key = $2 AND at > $3",
    )
    .bind(bucket)
    .bind(key)
    .bind(since)
    .fetch_one(&mut *tx)
    .await?;
    let hits: i64 = row.try_get("hits")?;
    if hits >= limit {
        let oldest: Option<i64> = row.try_get("oldest")?;
        tx.rollback().await?;
        let leaves_at = oldest.map(|oldest| oldest + window.as_micros() as i64);
        let wait_micros = leaves_at.map_or(0, |at| at - to_micros(now));
        // Rounded up to whole seconds, since Retry-After counts seconds.
        let seconds = (wait_micros + 999_999).div_euclid(1_000_000).max(1);
        return Ok(RateDecision::Limited {
            retry_after: jiff::SignedDuration::from_secs(seconds),
        });
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO rate_limit_hits (bucket, key, at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(bucket)
    .bind(key)
    .bind(to_micros(now))
    .fetch_one(&mut *tx)
    .await?;
    if id % RATE_CLEANUP_EVERY == 0 {
        sqlx::query("DELETE FROM rate_limit_hits WHERE at <= $1")
            .bind(to_micros(now - MAX_RATE_WINDOW))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(RateDecision::Allowed)
}
