//! The notification outbox: messages are written in the transaction of the step that causes them
//! and sent later by a worker, so a send failure never loses or blocks a case.

use crate::Result;
use crate::db::{Db, Tx, on_read, on_tx, values};
use crate::error::ResultExt;
use serde::Serialize;
use sqlx::AssertSqlSafe;

pub struct Message<'a> {
    pub county_code: &'a str,
    /// `log`, `smtp`, `sms`, `wechat`…
    pub channel: &'a str,
    /// Who: `agency:SLUG`, `user:NAME`, `phone:138…`, an e-mail address.
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    /// For a text message: the kind of message, which names the provider's template
    /// (`code`, `reply`…); empty otherwise.
    pub template: &'a str,
    /// For a text message: the template's parameters, as JSON.
    pub params: &'a str,
}

impl<'a> Message<'a> {
    /// A message that names no template (log, e-mail).
    pub fn plain(county_code: &'a str, recipient: &'a str, subject: &'a str, body: &'a str) -> Message<'a> {
        Message { county_code, channel: "log", recipient, subject, body, template: "", params: "" }
    }
}

pub async fn enqueue(tx: &mut Tx, m: &Message<'_>, now_ms: i64) -> Result<()> {
    enqueue_many(tx, std::slice::from_ref(m), now_ms).await
}

/// Writes several messages in one statement.
pub async fn enqueue_many(tx: &mut Tx, messages: &[Message<'_>], now_ms: i64) -> Result<()> {
    if messages.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO outbox (county_code, channel, recipient, subject, body, template, params, next_attempt_at, created_at) VALUES {}",
        values(tx, messages.len(), 9)
    );
    on_tx!(tx, c => {
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for m in messages {
            q = q.bind(m.county_code).bind(m.channel).bind(m.recipient).bind(m.subject).bind(m.body).bind(m.template).bind(m.params)
                .bind(now_ms).bind(now_ms);
        }
        q.execute(&mut *c).await.store().map(|r| r.rows_affected())
    })?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Pending {
    pub id: i64,
    pub county_code: String,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub template: String,
    pub params: String,
    pub attempts: i64,
}

/// Messages due for a (re)try.
pub async fn due(db: &Db, now_ms: i64, limit: i64) -> Result<Vec<Pending>> {
    on_read!(db, p => sqlx::query_as(
        "SELECT id, county_code, channel, recipient, subject, body, template, params, attempts FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY id LIMIT $2")
        .bind(now_ms).bind(limit).fetch_all(p).await.store())
}

pub async fn mark_sent(db: &Db, id: i64, now_ms: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => sqlx::query("UPDATE outbox SET status = 'sent', sent_at = $2, attempts = attempts + 1 WHERE id = $1")
        .bind(id).bind(now_ms).execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    tx.commit().await
}

/// Puts a message off until `until_ms` without counting a try (a text message held through
/// quiet hours).
pub async fn hold(db: &Db, id: i64, until_ms: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => sqlx::query("UPDATE outbox SET next_attempt_at = $2 WHERE id = $1 AND status = 'pending'")
        .bind(id).bind(until_ms).execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    tx.commit().await
}

/// Records a failure and schedules the next try with back-off; gives up after `max_attempts`.
pub async fn mark_failed(db: &Db, id: i64, error: &str, next_attempt_ms: i64, max_attempts: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => sqlx::query(
        "UPDATE outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3,
            status = CASE WHEN attempts + 1 >= $4 THEN 'failed' ELSE 'pending' END WHERE id = $1")
        .bind(id).bind(error).bind(next_attempt_ms).bind(max_attempts).execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    tx.commit().await
}

/// (recipient, subject, status) of everything queued for a recipient; for tests and the admin
/// view.
pub async fn for_recipient(db: &Db, recipient: &str) -> Result<Vec<(String, String, String)>> {
    on_read!(db, p => sqlx::query_as("SELECT recipient, subject, status FROM outbox WHERE recipient = $1 ORDER BY id")
        .bind(recipient).fetch_all(p).await.store())
}

/// A queued message as tests and the admin view see it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Queued {
    pub id: i64,
    pub channel: String,
    pub recipient: String,
    pub template: String,
    pub params: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: String,
}

/// Everything queued on a channel (`sms`…), oldest first.
pub async fn on_channel(db: &Db, channel: &str) -> Result<Vec<Queued>> {
    on_read!(db, p => sqlx::query_as(
        "SELECT id, channel, recipient, template, params, status, attempts, next_attempt_at, last_error FROM outbox WHERE channel = $1 ORDER BY id")
        .bind(channel).fetch_all(p).await.store())
}
