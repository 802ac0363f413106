//! Configuration: defaults in code, then an optional TOML file, then `LIAISON_*` environment
//! variables. Secrets never print.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `sqlite://PATH` or `postgres://USER:PASSWORD@HOST/DB`; empty means
    /// `sqlite://{data_dir}/liaison.db`.
    pub database_url: String,
    /// The CJK font (TrueType or OpenType, a collection's first face) embedded in printable
    /// reports; empty: the first of Debian's fonts-wqy-microhei or fonts-noto-cjk found.
    pub report_font: String,
    /// Address to listen on.
    pub listen: String,
    /// Where the SQLite file and uploaded files live.
    pub data_dir: PathBuf,
    /// Minutes a session may stay unused.
    pub session_idle_minutes: i64,
    /// Failed logins in a row that lock an account.
    pub lockout_failures: i64,
    /// Minutes an account stays locked.
    pub lockout_minutes: i64,
    /// Always mark cookies Secure (set when serving over TLS without a proxy header).
    pub secure_cookies: bool,
    /// Largest request body, in bytes.
    pub body_limit_bytes: usize,
    /// Log filter, e.g. `info` or `liaison=debug,info`.
    pub log: String,
    /// The address constituents reach this server at (QR codes point here), e.g.
    /// `https://lianluo.zhashui.gov.cn`; empty means `http://{listen}`.
    pub public_url: String,
    /// Case categories offered on forms.
    pub categories: Vec<String>,
    /// Working days to handle a township-level case.
    pub deadline_township_days: u32,
    /// Working days to handle a county-level case.
    pub deadline_county_days: u32,
    /// Exceptions by level and category: `"township:道路交通" = 10`.
    pub deadline_rules: std::collections::BTreeMap<String, u32>,
    /// Working days to first answer an online message.
    pub first_reply_days: u32,
    /// Days after a reply before an unrated case closes as 未评价.
    pub survey_days: i64,
    /// Working days before a deadline from which a case shows as due soon.
    pub due_soon_days: u32,
    /// Public submissions, and tracking codes looked up, per minute from one address (separate
    /// buckets; code recovery gets a sixth).
    pub public_per_minute: u32,
    /// Code-recovery text messages to one phone number per hour.
    pub recover_per_phone_per_hour: u32,
    /// Login attempts per minute from one address, across accounts.
    pub login_per_minute: u32,
    /// Reverse proxies (addresses or CIDR blocks, e.g. `127.0.0.1/32`) whose
    /// `X-Forwarded-For`/`Forwarded` headers are believed; empty: the peer is the client.
    pub trusted_proxies: Vec<String>,
    /// Hours after sign-in when a session ends, however busy.
    pub session_max_hours: i64,
    /// An SMTP relay for e-mail notifications; empty disables e-mail.
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_from: String,
    /// Who gets e-mail: notification recipients (`agency:SLUG`, `station:SLUG`, `county:CODE`…)
    /// mapped to addresses. Others are only logged.
    pub email_routes: std::collections::BTreeMap<String, String>,
    /// Text messages: `tencent` (Tencent Cloud SMS) or `aliyun` (Alibaba Cloud SMS); empty
    /// sends none, and the pages say so.
    pub sms_provider: String,
    /// Tencent Cloud SecretId, or Alibaba Cloud AccessKey ID.
    #[serde(deserialize_with = "text")]
    pub sms_access_key_id: String,
    /// Tencent Cloud SecretKey, or Alibaba Cloud AccessKey secret. Never printed.
    #[serde(deserialize_with = "text")]
    pub sms_access_key_secret: String,
    /// The approved SMS signature (签名), without the 【】.
    pub sms_sign_name: String,
    /// Tencent Cloud only: the SMS application's SmsSdkAppId (1400…).
    #[serde(deserialize_with = "text")]
    pub sms_app_id: String,
    /// Tencent Cloud only: the API region (ap-guangzhou, ap-beijing or ap-nanjing).
    pub sms_region: String,
    /// The provider's API address; empty: https://sms.tencentcloudapi.com or
    /// https://dysmsapi.aliyuncs.com.
    pub sms_endpoint: String,
    /// The approved template for each kind of message: `code`, `reply`, `reopen`, `close`,
    /// `assign`, `urge`. A kind without a template is not sent.
    #[serde(deserialize_with = "texts")]
    pub sms_templates: std::collections::BTreeMap<String, String>,
    /// No text message from this hour (China time) until `sms_quiet_until`, except the codes a
    /// constituent asks for; held messages go at the end of the quiet hours.
    pub sms_quiet_from: u32,
    pub sms_quiet_until: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: String::new(),
            listen: "127.0.0.1:8080".into(),
            report_font: String::new(),
            data_dir: PathBuf::from("./data"),
            session_idle_minutes: 30,
            lockout_failures: 5,
            lockout_minutes: 15,
            secure_cookies: false,
            body_limit_bytes: 1024 * 1024,
            log: "info".into(),
            public_url: String::new(),
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
            session_max_hours: 12,
            smtp_host: String::new(),
            smtp_port: 25,
            smtp_from: "liaison@localhost".into(),
            email_routes: Default::default(),
            sms_provider: String::new(),
            sms_access_key_id: String::new(),
            sms_access_key_secret: String::new(),
            sms_sign_name: String::new(),
            sms_app_id: String::new(),
            sms_region: "ap-guangzhou".into(),
            sms_endpoint: String::new(),
            sms_templates: Default::default(),
            sms_quiet_from: 22,
            sms_quiet_until: 8,
        }
    }
}

const KEYS: [&str; 37] = [
    "report_font",
    "sms_provider",
    "sms_access_key_id",
    "sms_access_key_secret",
    "sms_sign_name",
    "sms_app_id",
    "sms_region",
    "sms_endpoint",
    "sms_templates",
    "sms_quiet_from",
    "sms_quiet_until",
    "recover_per_phone_per_hour",
    "login_per_minute",
    "trusted_proxies",
    "session_max_hours",
    "deadline_rules",
    "smtp_host",
    "smtp_port",
    "smtp_from",
    "email_routes",
    "public_url",
    "categories",
    "deadline_township_days",
    "deadline_county_days",
    "first_reply_days",
    "survey_days",
    "due_soon_days",
    "public_per_minute",
    "database_url",
    "listen",
    "data_dir",
    "session_idle_minutes",
    "lockout_failures",
    "lockout_minutes",
    "secure_cookies",
    "body_limit_bytes",
    "log",
];

impl Config {
    /// Loads defaults, then `file` (or `./liaison.toml` when present), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Config, Box<figment::Error>> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(f) => fig = fig.merge(Toml::file_exact(f)),
            None if Path::new("liaison.toml").exists() => fig = fig.merge(Toml::file_exact("liaison.toml")),
            None => {}
        }
        // Only the keys of `Config`: other LIAISON_* variables (LIAISON_PASSWORD, test settings)
        // are not configuration, while an unknown key in the file is a typo worth refusing.
        fig = fig.merge(Env::prefixed("LIAISON_").only(&KEYS));
        fig.extract().map_err(Box::new)
    }

    /// The database URL in force.
    pub fn database_url(&self) -> String {
        if self.database_url.trim().is_empty() {
            format!("sqlite://{}", self.data_dir.join("liaison.db").display())
        } else {
            self.database_url.trim().to_owned()
        }
    }

    /// The address QR codes and links point to: `public_url`, or the listen address.
    pub fn public_url(&self) -> String {
        match self.public_url.trim().trim_end_matches('/') {
            "" => format!("http://{}", self.listen.trim()),
            url => url.to_owned(),
        }
    }

    /// A warning when QR codes would point at an address constituents cannot reach: no
    /// `public_url` while listening on a non-loopback address.
    pub fn public_url_warning(&self, bound: std::net::SocketAddr) -> Option<String> {
        (self.public_url.trim().is_empty() && !bound.ip().is_loopback()).then(|| {
            format!(
                "未设置 public_url：二维码和链接将指向 {}，群众的手机可能无法访问。请设置 public_url（或 LIAISON_PUBLIC_URL）为群众访问的地址。",
                self.public_url()
            )
        })
    }

    /// The trusted proxies, parsed; a bad entry is a configuration error.
    pub fn trusted_proxies(&self) -> anyhow::Result<Vec<ipnet::IpNet>> {
        self.trusted_proxies
            .iter()
            .map(|raw| {
                let raw = raw.trim();
                raw.parse::<ipnet::IpNet>()
                    .or_else(|_| raw.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| anyhow::anyhow!("trusted_proxies: “{raw}” is not an address or a CIDR block"))
            })
            .collect()
    }

    pub fn web_settings(&self) -> liaison_web::Settings {
        liaison_web::Settings {
            session_idle: chrono_minutes(self.session_idle_minutes),
            lockout_failures: self.lockout_failures.max(1),
            lockout_for: chrono_minutes(self.lockout_minutes),
            secure_cookies: self.secure_cookies,
            body_limit: self.body_limit_bytes,
            public_url: self.public_url(),
            data_dir: self.data_dir.clone(),
            categories: self.categories.clone(),
            deadline_township_days: self.deadline_township_days,
            deadline_county_days: self.deadline_county_days,
            deadline_rules: self.deadline_rules.clone(),
            first_reply_days: self.first_reply_days,
            survey_days: self.survey_days,
            due_soon_days: self.due_soon_days,
            public_per_minute: self.public_per_minute,
            recover_per_phone_per_hour: self.recover_per_phone_per_hour,
            login_per_minute: self.login_per_minute,
            // Checked at start-up (`trusted_proxies()`); an entry that does not parse is dropped here.
            trusted_proxies: self.trusted_proxies().unwrap_or_default(),
            session_max: chrono::Duration::hours(self.session_max_hours.max(1)),
            // Checked at start-up (`sms()`); a configuration that does not parse sends nothing.
            sms_kinds: self.sms().ok().flatten().map(|c| c.templates.into_keys().collect()).unwrap_or_default(),
            report_font: Some(PathBuf::from(&self.report_font)).filter(|p| !p.as_os_str().is_empty()),
        }
    }

    /// The SMS provider's settings, when one is configured; an incomplete or unknown one is an
    /// error.
    pub fn sms(&self) -> anyhow::Result<Option<liaison_app::notify::SmsConfig>> {
        use liaison_app::notify::{Provider, SmsConfig, SmsKind};
        let name = self.sms_provider.trim();
        if name.is_empty() {
            return Ok(None);
        }
        let provider = Provider::parse(name)
            .ok_or_else(|| anyhow::anyhow!("sms_provider: “{name}” is neither tencent nor aliyun"))?;
        let mut templates = std::collections::BTreeMap::new();
        for (kind, id) in &self.sms_templates {
            let k = SmsKind::parse(kind.trim()).ok_or_else(|| {
                anyhow::anyhow!("sms_templates: unknown kind “{kind}” (code, reply, reopen, close, assign, urge, duty)")
            })?;
            if !id.trim().is_empty() {
                templates.insert(k, id.trim().to_owned());
            }
        }
        let endpoint = match self.sms_endpoint.trim().trim_end_matches('/') {
            "" => provider.default_endpoint().to_owned(),
            e => e.to_owned(),
        };
        let c = SmsConfig {
            provider,
            access_key_id: self.sms_access_key_id.trim().to_owned(),
            access_key_secret: self.sms_access_key_secret.trim().to_owned(),
            sign_name: self.sms_sign_name.trim().to_owned(),
            app_id: self.sms_app_id.trim().to_owned(),
            region: self.sms_region.trim().to_owned(),
            endpoint,
            templates,
            quiet_from: self.sms_quiet_from,
            quiet_until: self.sms_quiet_until,
        };
        c.check().map_err(|e| anyhow::anyhow!(e))?;
        Ok(Some(c))
    }

    /// The effective configuration as TOML, with the database password and the SMS secret
    /// hidden.
    pub fn redacted_toml(&self) -> String {
        let mut shown = self.clone();
        shown.database_url = liaison_store::redact_url(&self.database_url());
        if !shown.sms_access_key_secret.is_empty() {
            shown.sms_access_key_secret = "***".into();
        }
        toml_string(&shown)
    }
}

/// A string, or a number taken as its digits: an application id or a template id given in the
/// environment (`LIAISON_SMS_APP_ID=1400123456`) reads as a number.
#[derive(Deserialize)]
#[serde(untagged)]
enum Text {
    S(String),
    N(u64),
}

impl From<Text> for String {
    fn from(t: Text) -> String {
        match t {
            Text::S(s) => s,
            Text::N(n) => n.to_string(),
        }
    }
}

fn text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Text::deserialize(d).map(String::from)
}

fn texts<'de, D: serde::Deserializer<'de>>(d: D) -> Result<std::collections::BTreeMap<String, String>, D::Error> {
    let map = std::collections::BTreeMap::<String, Text>::deserialize(d)?;
    Ok(map.into_iter().map(|(k, v)| (k, v.into())).collect())
}

fn chrono_minutes(m: i64) -> chrono::Duration {
    chrono::Duration::minutes(m.max(1))
}

fn toml_string(c: &Config) -> String {
    // figment has no serializer; the shape is flat but for one table, so write it by hand.
    let v = serde_json::to_value(c).expect("config serialises");
    let mut out = String::new();
    let mut tables = String::new();
    if let serde_json::Value::Object(map) = v {
        for (k, v) in map {
            match v {
                serde_json::Value::Object(t) => {
                    tables.push_str(&format!("\n[{k}]\n"));
                    for (tk, tv) in t {
                        tables.push_str(&format!("{tk:?} = {tv}\n"));
                    }
                }
                v => out.push_str(&format!("{k} = {v}\n")),
            }
        }
    }
    out + &tables
}

impl Config {
    /// The notification senders the configuration asks for, besides the log; `clock` dates the
    /// SMS provider's signatures.
    pub fn senders(
        &self,
        clock: std::sync::Arc<dyn liaison_domain::clock::Clock>,
    ) -> anyhow::Result<Vec<std::sync::Arc<dyn liaison_app::notify::Sender>>> {
        let mut senders: Vec<std::sync::Arc<dyn liaison_app::notify::Sender>> = vec![];
        if let Some(sms) = self.sms()? {
            let sender = liaison_app::notify::SmsSender::new(sms, clock).map_err(|e| anyhow::anyhow!(e))?;
            senders.push(std::sync::Arc::new(sender));
        }
        if !self.smtp_host.trim().is_empty() {
            let smtp = liaison_app::notify::SmtpSender::new(
                &self.smtp_host,
                self.smtp_port,
                &self.smtp_from,
                self.email_routes.clone(),
            )
            .map_err(|e| anyhow::anyhow!(e))?;
            senders.push(std::sync::Arc::new(smtp));
        }
        Ok(senders)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_serve_sqlite_from_data_dir() {
        let c = Config::default();
        assert_eq!(c.listen, "127.0.0.1:8080");
        assert_eq!(c.database_url(), "sqlite://./data/liaison.db");
    }

    #[test]
    fn public_url_defaults_to_the_listen_address() {
        let c = Config { listen: "127.0.0.1:9000".into(), ..Config::default() };
        assert_eq!(c.public_url(), "http://127.0.0.1:9000");
        assert_eq!(c.public_url_warning("127.0.0.1:9000".parse().unwrap()), None);
        let c = Config { listen: "0.0.0.0:8080".into(), ..Config::default() };
        assert!(c.public_url_warning("0.0.0.0:8080".parse().unwrap()).unwrap().contains("public_url"));
        let c = Config { public_url: "https://lianluo.example.cn/".into(), ..c };
        assert_eq!(c.public_url(), "https://lianluo.example.cn");
        assert_eq!(c.public_url_warning("0.0.0.0:8080".parse().unwrap()), None);
    }

    #[test]
    fn redacts_database_password() {
        let c = Config { database_url: "postgres://liaison:s3cret@db/liaison".into(), ..Config::default() };
        let shown = c.redacted_toml();
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("liaison:***@db"), "{shown}");
    }

    fn tencent() -> Config {
        Config {
            sms_provider: "tencent".into(),
            sms_access_key_id: "AKIDexample".into(),
            sms_access_key_secret: "s3cret-sms-key".into(),
            sms_sign_name: "柞水县人大常委会".into(),
            sms_app_id: "1400000000".into(),
            sms_templates: [("code".to_owned(), "101".to_owned()), ("reply".to_owned(), "102".to_owned())].into(),
            ..Config::default()
        }
    }

    #[test]
    fn no_sms_provider_sends_none() {
        let c = Config::default();
        assert!(c.sms().unwrap().is_none());
        assert!(c.web_settings().sms_kinds.is_empty());
    }

    #[test]
    fn an_sms_provider_needs_its_keys_sign_and_templates() {
        use liaison_app::notify::{Provider, SmsKind};
        let c = tencent().sms().unwrap().unwrap();
        assert_eq!((c.provider, c.endpoint.as_str()), (Provider::Tencent, "https://sms.tencentcloudapi.com"));
        assert_eq!(tencent().web_settings().sms_kinds, vec![SmsKind::Code, SmsKind::Reply]);
        let missing = Config { sms_access_key_secret: String::new(), sms_app_id: " ".into(), ..tencent() };
        let e = missing.sms().unwrap_err().to_string();
        assert!(e.contains("sms_access_key_secret") && e.contains("sms_app_id"), "{e}");
        let e = Config { sms_provider: "huawei".into(), ..tencent() }.sms().unwrap_err().to_string();
        assert!(e.contains("tencent nor aliyun"), "{e}");
        let typo = Config { sms_templates: [("replay".to_owned(), "1".to_owned())].into(), ..tencent() };
        assert!(typo.sms().unwrap_err().to_string().contains("replay"));
        let none = Config { sms_templates: Default::default(), ..tencent() };
        assert!(none.sms().is_err());
        let aliyun = Config { sms_provider: "aliyun".into(), sms_app_id: String::new(), ..tencent() };
        assert_eq!(aliyun.sms().unwrap().unwrap().endpoint, "https://dysmsapi.aliyuncs.com");
        let local = Config { sms_endpoint: "http://127.0.0.1:9/".into(), ..tencent() };
        assert_eq!(local.sms().unwrap().unwrap().endpoint, "http://127.0.0.1:9");
    }

    #[test]
    fn sms_settings_load_from_the_file_and_the_secret_is_hidden() {
        let dir = std::env::temp_dir().join(format!("liaison-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("liaison.toml");
        std::fs::write(
            &file,
            "sms_provider = \"aliyun\"\nsms_access_key_id = \"LTAI\"\nsms_access_key_secret = \"s3cret-sms-key\"\n\
             sms_sign_name = \"柞水县人大\"\nsms_app_id = 1400123456\n[sms_templates]\ncode = \"SMS_1\"\nurge = 2002\n",
        )
        .unwrap();
        let c = Config::load(Some(&file)).unwrap();
        std::fs::remove_dir_all(&dir).ok();
        let sms = c.sms().unwrap().unwrap();
        assert_eq!(sms.templates.get(&liaison_app::notify::SmsKind::Urge).map(String::as_str), Some("2002"));
        assert_eq!(sms.app_id, "1400123456", "numbers, as the environment gives them, are read as text");
        let shown = c.redacted_toml();
        assert!(!shown.contains("s3cret-sms-key") && shown.contains("sms_access_key_secret = \"***\""), "{shown}");
        assert!(shown.contains("[sms_templates]"), "{shown}");
    }
}
