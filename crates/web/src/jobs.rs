//! Background work of a running server: the deadline sweep (under a lease, so that one instance
//! runs it at a time), the outbox worker that hands notifications to their sender, and the daily
//! anchor of the audit chains. None can block or lose a case: they only read what the loop
//! already committed.

use crate::casework;
use crate::state::AppState;
use liaison_store::{leases, outbox};
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
async fn anchor_daily(state: &AppState) {
    let now = state.now_ms();
    match liaison_store::audit::last_anchor_at(&state.db).await {
        Ok(Some(at)) if now - at < 24 * 3600 * 1000 => {}
        Ok(_) => match write_anchor(&state.db, &state.settings.data_dir.join(ANCHOR_FILE), now).await {
            Ok(n) => tracing::info!(counties = n, "audit chain heads anchored"),
            Err(e) => tracing::warn!(error = %e, "audit anchor failed"),
        },
        Err(e) => tracing::warn!(error = %e, "audit anchor check failed"),
    }
}

/// Something that delivers a notification: the log and SMTP now; SMS or WeChat later. The
/// worker hands each message to the first sender that accepts it.
pub trait Sender: Send + Sync + 'static {
    fn accepts(&self, m: &outbox::Pending) -> bool;
    fn send(&self, m: &outbox::Pending) -> Result<(), String>;
}

/// E-mail through an SMTP relay (a county's intranet mail server), for recipients that have an
/// address in the routing table, e.g. `agency:zs-transport` → `jtj@zhashui.gov.cn`.
pub struct SmtpSender {
    transport: lettre::SmtpTransport,
    from: lettre::message::Mailbox,
    routes: std::collections::BTreeMap<String, String>,
}

impl SmtpSender {
    /// A plain-text SMTP relay at `host:port` (no TLS: the relay is on the county's network).
    pub fn new(
        host: &str,
        port: u16,
        from: &str,
        routes: std::collections::BTreeMap<String, String>,
    ) -> Result<SmtpSender, String> {
        let from = from.parse().map_err(|e| format!("smtp_from: {e}"))?;
        let transport =
            lettre::SmtpTransport::builder_dangerous(host).port(port).timeout(Some(Duration::from_secs(10))).build();
        Ok(SmtpSender { transport, from, routes })
    }
}

impl Sender for SmtpSender {
    fn accepts(&self, m: &outbox::Pending) -> bool {
        self.routes.contains_key(&m.recipient)
    }

    fn send(&self, m: &outbox::Pending) -> Result<(), String> {
        use lettre::Transport;
        let to = self.routes.get(&m.recipient).ok_or("no address")?;
        let mail = lettre::Message::builder()
            .from(self.from.clone())
            .to(to.parse().map_err(|e| format!("{to}: {e}"))?)
            .subject(m.subject.clone())
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(m.body.clone())
            .map_err(|e| e.to_string())?;
        self.transport.send(&mail).map(|_| ()).map_err(|e| e.to_string())
    }
}

/// Writes notifications to the log, without their body (which may hold personal data); takes
/// whatever no other sender does.
pub struct LogSender;

impl Sender for LogSender {
    fn accepts(&self, _: &outbox::Pending) -> bool {
        true
    }

    fn send(&self, m: &outbox::Pending) -> Result<(), String> {
        let recipient = match m.recipient.split_once(':') {
            Some(("phone", p)) => format!("phone:{}", liaison_domain::phone::mask_phone(p)),
            _ => m.recipient.clone(),
        };
        tracing::info!(id = m.id, %recipient, subject = %m.subject, "notification");
        Ok(())
    }
}

/// Sends what is due once; returns how many were sent. Senders may block (SMTP), so they run
/// off the async workers.
pub async fn drain_outbox(state: &AppState, senders: &[std::sync::Arc<dyn Sender>]) -> usize {
    let now = state.now_ms();
    let due = match outbox::due(&state.db, now, 100).await {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!(error = %e, "outbox read failed");
            return 0;
        }
    };
    let mut sent = 0;
    for m in due {
        let result = match senders.iter().find(|s| s.accepts(&m)) {
            Some(s) => {
                let (s, msg) = (s.clone(), m.clone());
                tokio::task::spawn_blocking(move || s.send(&msg)).await.unwrap_or_else(|e| Err(e.to_string()))
            }
            None => Err(format!("no sender for {}", m.recipient)),
        };
        let outcome = match result {
            Ok(()) => {
                sent += 1;
                outbox::mark_sent(&state.db, m.id, now).await
            }
            Err(e) => {
                // Back off: 1, 2, 4 … minutes, at most a day; give up after ten tries.
                let delay = 60_000i64 << m.attempts.clamp(0, 10);
                outbox::mark_failed(&state.db, m.id, &e, now + delay.min(86_400_000), 10).await
            }
        };
        if let Err(e) = outcome {
            tracing::warn!(error = %e, "outbox update failed");
        }
    }
    sent
}

/// Runs the sweep if this instance holds the lease.
pub async fn sweep_once(state: &AppState, holder: &str) {
    match leases::acquire(&state.db, "case-sweep", holder, state.now_ms(), 120_000).await {
        Ok(true) => match casework::sweep(state).await {
            Ok(s) if s != casework::Swept::default() => {
                tracing::info!(
                    overdue = s.overdue,
                    escalated = s.escalated,
                    closed_unrated = s.closed_unrated,
                    "case sweep"
                )
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e.message, "case sweep failed"),
        },
        Ok(false) => {}
        Err(e) => tracing::warn!(error = %e, "lease failed"),
    }
}

/// The loops, until the task is aborted. `senders` are tried in order; the log takes the rest.
pub async fn run(state: AppState, mut senders: Vec<std::sync::Arc<dyn Sender>>) {
    let holder = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4());
    senders.push(std::sync::Arc::new(LogSender));
    let mut sweep_tick = tokio::time::interval(Duration::from_secs(60));
    let mut outbox_tick = tokio::time::interval(Duration::from_secs(5));
    let mut anchor_tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tokio::select! {
            _ = anchor_tick.tick() => anchor_daily(&state).await,
            _ = sweep_tick.tick() => sweep_once(&state, &holder).await,
            _ = outbox_tick.tick() => { drain_outbox(&state, &senders).await; }
        }
    }
}
