//! What every handler can reach: the database, the clock and the settings.

use crate::routes::Policy;
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
    /// Where photos are stored.
    pub data_dir: std::path::PathBuf,
    /// Case categories offered on forms.
    pub categories: Vec<String>,
    /// Working days to handle a township-level and a county-level case.
    pub deadline_township_days: u32,
    pub deadline_county_days: u32,
    /// Exceptions by level and category, keyed `township:道路交通` or `county:社会保障`.
    pub deadline_rules: std::collections::BTreeMap<String, u32>,
    /// Working days to first answer an online message (点军: 3 days).
    pub first_reply_days: u32,
    /// Days after a reply before an unrated case closes as 未评价.
    pub survey_days: i64,
    /// Working days before the deadline from which a case counts as due soon.
    pub due_soon_days: u32,
    /// Public submissions, and tracking codes looked up, allowed per minute from one address
    /// (each a bucket of its own); code recovery gets a sixth of it.
    pub public_per_minute: u32,
    /// Code-recovery messages to one phone number per hour.
    pub recover_per_phone_per_hour: u32,
    /// Login attempts per minute from one address, whatever the accounts.
    pub login_per_minute: u32,
    /// Reverse proxies whose `X-Forwarded-For`/`Forwarded` headers name the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// A session ends this long after sign-in, however busy.
    pub session_max: chrono::Duration,
    /// The kinds of text message an SMS provider sends; empty without one (the pages then say
    /// that nothing is sent by SMS).
    pub sms_kinds: Vec<liaison_app::notify::SmsKind>,
    /// The CJK font printable reports embed; `None`: the first Debian CJK font found.
    pub report_font: Option<std::path::PathBuf>,
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
            data_dir: std::path::PathBuf::from("./data"),
            categories: liaison_domain::case::DEFAULT_CATEGORIES.iter().map(|s| (*s).to_owned()).collect(),
            deadline_township_days: 15,
            deadline_county_days: 30,
            deadline_rules: Default::default(),
            first_reply_days: 3,
            survey_days: 7,
            due_soon_days: 3,
            public_per_minute: 30,
            recover_per_phone_per_hour: 3,
            login_per_minute: 20,
            trusted_proxies: vec![],
            session_max: chrono::Duration::hours(12),
            sms_kinds: vec![],
            report_font: None,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    /// The use-cases and what they share (database, clock, rules, intake queue, search index).
    pub app: liaison_app::App,
    pub settings: Arc<Settings>,
    pub policy: Arc<Policy>,
    pub limits: Arc<crate::limits::Limits>,
}

impl Settings {
    /// The rules the use-cases need.
    pub fn app_config(&self) -> liaison_app::Config {
        liaison_app::Config {
            data_dir: self.data_dir.clone(),
            categories: self.categories.clone(),
            deadline_township_days: self.deadline_township_days,
            deadline_county_days: self.deadline_county_days,
            deadline_rules: self.deadline_rules.clone(),
            first_reply_days: self.first_reply_days,
            survey_days: self.survey_days,
            due_soon_days: self.due_soon_days,
            session_idle: self.session_idle,
            session_max: self.session_max,
            lockout_failures: self.lockout_failures,
            lockout_for: self.lockout_for,
            sms_kinds: self.sms_kinds.clone(),
            report_font: self.report_font.clone(),
        }
    }
}

impl AppState {
    pub fn now_ms(&self) -> i64 {
        self.app.now_ms()
    }

    /// Today's date in China (UTC+8), which deadlines count in.
    pub fn today(&self) -> chrono::NaiveDate {
        self.app.today()
    }
}
