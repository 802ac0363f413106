//! Notifications: the outbox worker that hands each due message to the first sender that
//! accepts it, with back-off on failure, and the senders (the log; SMTP in `smtp`; text
//! messages through an SMS provider in `sms`).

pub mod sms;
mod smtp;

pub use sms::{Provider, SmsConfig, SmsKind, SmsSender};
pub use smtp::SmtpSender;

use crate::App;
use liaison_store::outbox;

/// Something that delivers a notification: the log, SMTP, an SMS provider; WeChat later. The
/// worker hands each message to the first sender that accepts it.
pub trait Sender: Send + Sync + 'static {
    fn accepts(&self, m: &outbox::Pending) -> bool;
    /// When the message must wait (quiet hours), the time it may go; it is then put off
    /// without counting a try.
    fn hold_until(&self, _m: &outbox::Pending, _now_ms: i64) -> Option<i64> {
        None
    }
    fn send(&self, m: &outbox::Pending) -> Result<(), String>;
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
pub async fn drain_outbox(app: &App, senders: &[std::sync::Arc<dyn Sender>]) -> usize {
    let now = app.now_ms();
    let due = match outbox::due(&app.db, now, 100).await {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!(error = %e, "outbox read failed");
            return 0;
        }
    };
    let mut sent = 0;
    for m in due {
        let sender = senders.iter().find(|s| s.accepts(&m));
        if let Some(until) = sender.and_then(|s| s.hold_until(&m, now)) {
            if let Err(e) = outbox::hold(&app.db, m.id, until).await {
                tracing::warn!(error = %e, "outbox update failed");
            }
            continue;
        }
        let result = match sender {
            Some(s) => {
                let (s, msg) = (s.clone(), m.clone());
                tokio::task::spawn_blocking(move || s.send(&msg)).await.unwrap_or_else(|e| Err(e.to_string()))
            }
            None => Err(format!("no sender for {}", m.recipient)),
        };
        let outcome = match result {
            Ok(()) => {
                sent += 1;
                outbox::mark_sent(&app.db, m.id, now).await
            }
            Err(e) => {
                // Back off: 1, 2, 4 … minutes, at most a day; give up after ten tries.
                let delay = 60_000i64 << m.attempts.clamp(0, 10);
                outbox::mark_failed(&app.db, m.id, &e, now + delay.min(86_400_000), 10).await
            }
        };
        if let Err(e) = outcome {
            tracing::warn!(error = %e, "outbox update failed");
        }
    }
    sent
}
