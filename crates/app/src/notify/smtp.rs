//! E-mail through an SMTP relay.

use super::Sender;
use liaison_store::outbox;
use std::time::Duration;

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
