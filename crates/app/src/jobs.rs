//! Background work of a running server: the deadline sweep (under a lease, so that one instance
//! runs it at a time), the outbox worker, and the daily anchor of the audit chains. None can
//! block or lose a case: they only read what the loop already committed.

use crate::App;
use crate::notify::{LogSender, Sender, drain_outbox};
use liaison_store::leases;
use std::time::Duration;

/// Where anchors of the audit chains are appended, in the data directory (copy it elsewhere).
pub const ANCHOR_FILE: &str = "audit-anchors.jsonl";

/// Anchors every county's audit chain head in the database and appends the heads, one JSON
/// line per county, to `file`. Returns how many counties were anchored.
pub async fn write_anchor(db: &liaison_store::Db, file: &std::path::Path, now_ms: i64) -> std::io::Result<usize> {
    use std::io::Write;
    let heads = liaison_store::audit::anchor(db, now_ms).await.map_err(std::io::Error::other)?;
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(file)?;
    for h in &heads {
        let line = serde_json::json!({"at_ms": now_ms, "county_code": h.county_code, "seq": h.seq, "hash": h.hash});
        writeln!(f, "{line}")?;
    }
    f.sync_all()?;
    Ok(heads.len())
}

/// Reads the anchors `write_anchor` appended.
pub fn read_anchors(file: &std::path::Path) -> std::io::Result<Vec<liaison_store::audit::Anchor>> {
    let text = std::fs::read_to_string(file)?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
        .collect()
}

/// Writes an anchor when the last is a day old (several instances may both write one: harmless).
async fn anchor_daily(app: &App) {
    let now = app.now_ms();
    match liaison_store::audit::last_anchor_at(&app.db).await {
        Ok(Some(at)) if now - at < 24 * 3600 * 1000 => {}
        Ok(_) => match write_anchor(&app.db, &app.config.data_dir.join(ANCHOR_FILE), now).await {
            Ok(n) => tracing::info!(counties = n, "audit chain heads anchored"),
            Err(e) => tracing::warn!(error = %e, "audit anchor failed"),
        },
        Err(e) => tracing::warn!(error = %e, "audit anchor check failed"),
    }
}

/// Runs the sweep (and the reception-day reminders, the suggestions' and the meeting commitments' warnings) if this instance
/// holds the lease.
pub async fn sweep_once(app: &App, holder: &str) {
    match leases::acquire(&app.db, "case-sweep", holder, app.now_ms(), 120_000).await {
        Ok(true) => {
            match crate::receptions::remind(app).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(reminded = n, "duty deputies reminded of their reception days"),
                Err(e) => tracing::warn!(error = %e, "duty reminders failed"),
            }
            match crate::suggestions::sweep(app).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(warned = n, "suggestion deadlines and promises warned"),
                Err(e) => tracing::warn!(error = %e, "suggestion sweep failed"),
            }
            match crate::meetings::sweep(app).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(warned = n, "overdue meeting commitments warned"),
                Err(e) => tracing::warn!(error = %e, "commitment sweep failed"),
            }
            match crate::ballots::sweep(app).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(closed = n, "ballots closed at their closing time"),
                Err(e) => tracing::warn!(error = %e, "ballot sweep failed"),
            }
            sweep_cases(app).await
        }
        Ok(false) => {}
        Err(e) => tracing::warn!(error = %e, "lease failed"),
    }
}

async fn sweep_cases(app: &App) {
    match crate::cases::sweep(app).await {
        Ok(s) if s != crate::cases::Swept::default() => {
            tracing::info!(
                overdue = s.overdue,
                escalated = s.escalated,
                closed_unrated = s.closed_unrated,
                "case sweep"
            )
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "case sweep failed"),
    }
}

/// The loops, until the task is aborted. `senders` are tried in order; the log takes the rest.
pub async fn run(app: App, mut senders: Vec<std::sync::Arc<dyn Sender>>) {
    let holder = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4());
    senders.push(std::sync::Arc::new(LogSender));
    let mut sweep_tick = tokio::time::interval(Duration::from_secs(60));
    let mut outbox_tick = tokio::time::interval(Duration::from_secs(5));
    let mut anchor_tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tokio::select! {
            _ = anchor_tick.tick() => anchor_daily(&app).await,
            _ = sweep_tick.tick() => sweep_once(&app, &holder).await,
            _ = outbox_tick.tick() => { drain_outbox(&app, &senders).await; }
        }
    }
}
