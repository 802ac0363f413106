//! Leases: work that must run once across several instances (deadline sweeps, bulletins) takes a
//! lease in the database first. A lease is held until it expires; its holder may renew it.

use crate::Result;
use crate::db::{Db, on_tx};
use crate::error::ResultExt;

/// Takes or renews the lease `name` for `holder` until `now_ms + ttl_ms`. True when held.
pub async fn acquire(db: &Db, name: &str, holder: &str, now_ms: i64, ttl_ms: i64) -> Result<bool> {
    let mut tx = db.begin().await?;
    let n = on_tx!(&mut tx, c => sqlx::query(
        "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE leases.expires_at < $4 OR leases.holder = excluded.holder")
        .bind(name).bind(holder).bind(now_ms + ttl_ms).bind(now_ms)
        .execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    tx.commit().await?;
    Ok(n > 0)
}
