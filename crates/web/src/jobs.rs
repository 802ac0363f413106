//! Background work of a running server: the deadline sweep (under a lease, so that one instance
//! runs it at a time) and the outbox worker that hands notifications to their sender. Neither can
//! block or lose a case: both only read what the loop already committed.

use crate::casework;
use crate::state::AppState;
use liaison_store::{leases, outbox};
use std::time::Duration;

/// Something that delivers a notification: the log now; SMTP, SMS or WeChat later.
pub trait Sender: Send + Sync + 'static {
    fn channel(&self) -> &'static str;
    fn send(&self, m: &outbox::Pending) -> Result<(), String>;
}

/// Writes notifications to the log, without their body (which may hold personal data).
pub struct LogSender;

impl Sender for LogSender {
    fn channel(&self) -> &'static str {
        "log"
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

/// Sends what is due once; returns how many were sent.
pub async fn drain_outbox(state: &AppState, senders: &[Box<dyn Sender>]) -> usize {
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
        let result = match senders.iter().find(|s| s.channel() == m.channel) {
            Some(s) => s.send(&m),
            None => Err(format!("no sender for channel {}", m.channel)),
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

/// The loops, until the task is aborted.
pub async fn run(state: AppState) {
    let holder = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4());
    let senders: Vec<Box<dyn Sender>> = vec![Box::new(LogSender)];
    let mut sweep_tick = tokio::time::interval(Duration::from_secs(60));
    let mut outbox_tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tokio::select! {
            _ = sweep_tick.tick() => sweep_once(&state, &holder).await,
            _ = outbox_tick.tick() => { drain_outbox(&state, &senders).await; }
        }
    }
}
