//! What every handler can reach: the database, the clock and the settings.

use crate::routes::Policy;
use liaison_domain::clock::Clock;
use liaison_store::Db;
use std::sync::Arc;

/// Web-facing settings, filled from the server's configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// A session unused for this long is over.
    pub session_idle: chrono::Duration,
    /// Failed logins in a row that lock an account…
    pub lockout_failures: i64,
    /// …and for how long.
    pub lockout_for: chrono::Duration,
    /// Mark cookies `Secure` even without `X-Forwarded-Proto: https`.
    pub secure_cookies: bool,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// The address constituents reach the server at, without a trailing slash; QR codes point
    /// here.
    pub public_url: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            session_idle: chrono::Duration::minutes(30),
            lockout_failures: 5,
            lockout_for: chrono::Duration::minutes(15),
            secure_cookies: false,
            body_limit: 1024 * 1024,
            public_url: "http://127.0.0.1:8080".into(),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<Settings>,
    pub policy: Arc<Policy>,
}

impl AppState {
    pub fn now_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }
}
