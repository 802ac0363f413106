//! Text messages through a Chinese SMS provider (Tencent Cloud SMS or Alibaba Cloud SMS): the
//! kinds of message and their template parameters, quiet hours, and the sender that signs each
//! request as the provider documents it (`tencent`, `aliyun`).

mod aliyun;
mod tencent;

pub use aliyun::acs3_signature;
pub use tencent::tc3_signature;

use super::Sender;
use liaison_domain::clock::Clock;
use liaison_domain::phone::mask_phone;
use liaison_store::outbox;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// What a text message is about. Each kind is one template the county registers with the
/// provider; its parameters are fixed (see `params`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SmsKind {
    /// The tracking codes a constituent asked for (忘记查询码). Sent at any hour.
    Code,
    /// The reply to the constituent, with the request to rate it.
    Reply,
    /// The constituent's case is handled again after a 不满意.
    Reopen,
    /// The constituent's case is finished (closed, or not accepted).
    Close,
    /// A case assigned to an agency (交办), to the agency's mobile.
    Assign,
    /// A reminder to the lead agency (催办).
    Urge,
    /// A reminder to a deputy of their reception-day duty (接待日值班).
    Duty,
}

impl SmsKind {
    pub const ALL: [SmsKind; 7] =
        [SmsKind::Code, SmsKind::Reply, SmsKind::Reopen, SmsKind::Close, SmsKind::Assign, SmsKind::Urge, SmsKind::Duty];

    /// The key in `[sms_templates]` and in the outbox.
    pub fn as_str(self) -> &'static str {
        match self {
            SmsKind::Code => "code",
            SmsKind::Reply => "reply",
            SmsKind::Reopen => "reopen",
            SmsKind::Close => "close",
            SmsKind::Assign => "assign",
            SmsKind::Urge => "urge",
            SmsKind::Duty => "duty",
        }
    }

    pub fn parse(raw: &str) -> Option<SmsKind> {
        SmsKind::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    /// The outbox subject (what the log shows: no personal data).
    pub fn label(self) -> &'static str {
        match self {
            SmsKind::Code => "短信：查询码",
            SmsKind::Reply => "短信：答复与评价",
            SmsKind::Reopen => "短信：重新办理",
            SmsKind::Close => "短信：办理结束",
            SmsKind::Assign => "短信：交办",
            SmsKind::Urge => "短信：催办",
            SmsKind::Duty => "短信：接待日值班",
        }
    }

    /// The template's parameters, in order (Tencent Cloud numbers them {1}, {2}…; Alibaba Cloud
    /// names them ${code}, ${case}…).
    pub fn params(self) -> &'static [&'static str] {
        match self {
            SmsKind::Code | SmsKind::Reply | SmsKind::Reopen | SmsKind::Close => &["code"],
            SmsKind::Assign | SmsKind::Urge => &["case", "deadline"],
            SmsKind::Duty => &["time", "place"],
        }
    }

    /// Whether quiet hours hold it: everything but the codes a constituent just asked for.
    pub fn held_at_night(self) -> bool {
        self != SmsKind::Code
    }

    /// What the message says, as the suggested template words it (the outbox body, for the
    /// record; the provider sends its own registered template).
    pub fn text(self, values: &[String]) -> String {
        let v = |i: usize| values.get(i).map(String::as_str).unwrap_or("");
        match self {
            SmsKind::Code => format!("您在人大代表联络站平台的留言查询码：{}。凭码可查看办理进度。", v(0)),
            SmsKind::Reply => format!("您的留言（查询码 {}）已有答复，请凭查询码查看，并对办理结果作出评价。", v(0)),
            SmsKind::Reopen => format!("您的留言（查询码 {}）已转回重新办理，办理后将再次答复您。", v(0)),
            SmsKind::Close => format!("您的留言（查询码 {}）办理已结束，结果可凭查询码查看。", v(0)),
            SmsKind::Assign => {
                format!("贵单位有新交办的意见建议（编号 {}），办理期限至 {}，请登录平台办理。", v(0), v(1))
            }
            SmsKind::Urge => format!("意见建议（编号 {}）被催办，办理期限至 {}，请尽快办理并答复。", v(0), v(1)),
            SmsKind::Duty => {
                format!("您是接待日轮值代表，请于 {} 到 {} 接待群众。如需换班请登录平台申请。", v(0), v(1))
            }
        }
    }
}

/// Which provider's API to speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// Tencent Cloud SMS, SendSms 2021-01-11, signed with TC3-HMAC-SHA256.
    Tencent,
    /// Alibaba Cloud SMS (dysmsapi), SendSms 2017-05-25, signed with ACS3-HMAC-SHA256 (V3).
    Aliyun,
}

impl Provider {
    pub fn parse(raw: &str) -> Option<Provider> {
        match raw.trim() {
            "tencent" => Some(Provider::Tencent),
            "aliyun" => Some(Provider::Aliyun),
            _ => None,
        }
    }

    pub fn default_endpoint(self) -> &'static str {
        match self {
            Provider::Tencent => "https://sms.tencentcloudapi.com",
            Provider::Aliyun => "https://dysmsapi.aliyuncs.com",
        }
    }
}

/// What the sender needs to reach the provider.
#[derive(Clone)]
pub struct SmsConfig {
    pub provider: Provider,
    /// Tencent Cloud SecretId, or Alibaba Cloud AccessKey ID.
    pub access_key_id: String,
    /// Tencent Cloud SecretKey, or Alibaba Cloud AccessKey secret.
    pub access_key_secret: String,
    /// The approved signature (签名), e.g. 柞水县人大常委会.
    pub sign_name: String,
    /// Tencent Cloud only: the SMS application's SmsSdkAppId.
    pub app_id: String,
    /// Tencent Cloud only: X-TC-Region (ap-guangzhou, ap-beijing or ap-nanjing).
    pub region: String,
    /// The API's address, `https://…`; tests point it at a local server.
    pub endpoint: String,
    /// The provider's template id for each kind; kinds without one are not sent.
    pub templates: BTreeMap<SmsKind, String>,
    /// Quiet hours in China time: from this hour to that (22 and 8: 22:00–08:00).
    pub quiet_from: u32,
    pub quiet_until: u32,
}

impl std::fmt::Debug for SmsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsConfig")
            .field("provider", &self.provider)
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"***")
            .field("sign_name", &self.sign_name)
            .field("endpoint", &self.endpoint)
            .field("templates", &self.templates)
            .finish_non_exhaustive()
    }
}

impl SmsConfig {
    /// What is missing or wrong, in one message; `Ok` when the sender can run.
    pub fn check(&self) -> Result<(), String> {
        let mut missing = Vec::new();
        for (value, key) in [
            (&self.access_key_id, "sms_access_key_id"),
            (&self.access_key_secret, "sms_access_key_secret"),
            (&self.sign_name, "sms_sign_name"),
        ] {
            if value.trim().is_empty() {
                missing.push(key);
            }
        }
        if self.provider == Provider::Tencent && self.app_id.trim().is_empty() {
            missing.push("sms_app_id");
        }
        if self.provider == Provider::Tencent && self.region.trim().is_empty() {
            missing.push("sms_region");
        }
        if !missing.is_empty() {
            return Err(format!("SMS provider set but {} missing", missing.join(", ")));
        }
        if self.templates.is_empty() {
            return Err("SMS provider set but [sms_templates] names no template".into());
        }
        if self.quiet_from > 23 || self.quiet_until > 23 {
            return Err("sms_quiet_from and sms_quiet_until are hours, 0 to 23".into());
        }
        let uri: hyper::Uri = self.endpoint.parse().map_err(|e| format!("sms_endpoint: {e}"))?;
        if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none() {
            return Err("sms_endpoint must be an http(s) address".into());
        }
        Ok(())
    }
}

/// When a message that quiet hours hold may go: `None` outside quiet hours, else the end of
/// them (China time, UTC+8, which has no daylight saving).
pub fn quiet_until(now_ms: i64, from: u32, until: u32) -> Option<i64> {
    use chrono::{Duration, FixedOffset, TimeZone, Timelike};
    let tz = FixedOffset::east_opt(8 * 3600).expect("valid offset");
    let local = tz.timestamp_millis_opt(now_ms).single()?;
    let hour = local.hour();
    let quiet = match from.cmp(&until) {
        std::cmp::Ordering::Greater => hour >= from || hour < until,
        std::cmp::Ordering::Less => hour >= from && hour < until,
        std::cmp::Ordering::Equal => false,
    };
    if !quiet {
        return None;
    }
    let day = if hour >= until { local.date_naive() + Duration::days(1) } else { local.date_naive() };
    let end = tz.from_local_datetime(&day.and_hms_opt(until, 0, 0)?).single()?;
    Some(end.timestamp_millis())
}

/// A request ready to go: where, the headers (signature included) and the body.
#[derive(Debug)]
pub(crate) struct Signed {
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

type Https = hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>;
type Body = http_body_util::Full<hyper::body::Bytes>;

/// How long one request to the provider may take, connection included.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Text messages to `phone:` recipients on the `sms` channel, through the provider.
pub struct SmsSender {
    config: SmsConfig,
    clock: Arc<dyn Clock>,
    client: hyper_util::client::legacy::Client<Https, Body>,
}

impl SmsSender {
    /// A sender for `config` (checked); `clock` dates the signatures. An `https` endpoint is
    /// verified against the machine's CA certificates.
    pub fn new(config: SmsConfig, clock: Arc<dyn Clock>) -> Result<SmsSender, String> {
        config.check()?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = hyper_rustls::HttpsConnectorBuilder::new();
        let builder = if config.endpoint.starts_with("https://") {
            builder
                .with_provider_and_native_roots(provider)
                .map_err(|e| format!("no CA certificates to check the SMS provider with: {e}"))?
        } else {
            // Plain HTTP (a gateway on the county's network, or a test): no certificate needed.
            let tls = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map_err(|e| e.to_string())?
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth();
            builder.with_tls_config(tls)
        };
        let connector = builder.https_or_http().enable_http1().build();
        let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build(connector);
        Ok(SmsSender { config, clock, client })
    }

    fn sign(&self, phone: &str, kind: SmsKind, values: &[String]) -> Result<Signed, String> {
        let template = self.config.templates.get(&kind).ok_or_else(|| format!("no template for {}", kind.as_str()))?;
        let now = self.clock.now();
        match self.config.provider {
            Provider::Tencent => tencent::request(&self.config, template, phone, values, now),
            Provider::Aliyun => {
                let nonce = uuid::Uuid::new_v4().simple().to_string();
                aliyun::request(&self.config, template, phone, kind, values, now, &nonce)
            }
        }
    }

    /// Posts the request; the provider's HTTP status and answer. Errors never carry the URL
    /// (which for Alibaba Cloud holds the phone number).
    async fn post(&self, signed: Signed) -> Result<(u16, String), String> {
        use http_body_util::BodyExt;
        let mut req = hyper::Request::builder().method(hyper::Method::POST).uri(&signed.url);
        for (name, value) in signed.headers {
            req = req.header(name, value);
        }
        let req = req.body(Body::from(signed.body)).map_err(|e| format!("SMS request: {e}"))?;
        let unreachable = |e: &dyn std::fmt::Display| format!("SMS provider unreachable: {e}");
        let res = match tokio::time::timeout(TIMEOUT, self.client.request(req)).await {
            Ok(Ok(res)) => res,
            Ok(Err(e)) => return Err(unreachable(&error_chain(&e))),
            Err(_) => return Err(unreachable(&"timed out")),
        };
        let status = res.status().as_u16();
        let body = match tokio::time::timeout(TIMEOUT, res.into_body().collect()).await {
            Ok(Ok(b)) => b.to_bytes(),
            _ => return Err(format!("HTTP {status}: answer unreadable")),
        };
        Ok((status, String::from_utf8_lossy(&body).into_owned()))
    }
}

/// An error with its causes (hyper's own message is only "client error (Connect)").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

impl Sender for SmsSender {
    fn accepts(&self, m: &outbox::Pending) -> bool {
        m.channel == "sms" && m.recipient.starts_with("phone:")
    }

    fn hold_until(&self, m: &outbox::Pending, now_ms: i64) -> Option<i64> {
        let held = SmsKind::parse(&m.template).is_none_or(SmsKind::held_at_night);
        if held { quiet_until(now_ms, self.config.quiet_from, self.config.quiet_until) } else { None }
    }

    fn send(&self, m: &outbox::Pending) -> Result<(), String> {
        let phone = m.recipient.strip_prefix("phone:").ok_or("not a phone")?;
        let outcome = self.deliver(phone, m);
        // The provider may quote the number back: never let it into the log or the outbox.
        let outcome = outcome.map_err(|e| e.replace(phone, &mask_phone(phone)));
        match &outcome {
            Ok(()) => tracing::info!(id = m.id, to = %mask_phone(phone), kind = %m.template, "text message sent"),
            Err(e) => {
                tracing::warn!(id = m.id, to = %mask_phone(phone), kind = %m.template, error = %e, "text message not sent")
            }
        }
        outcome
    }
}

impl SmsSender {
    fn deliver(&self, phone: &str, m: &outbox::Pending) -> Result<(), String> {
        let kind = SmsKind::parse(&m.template).ok_or_else(|| format!("unknown message kind {:?}", m.template))?;
        let values: Vec<String> = serde_json::from_str(&m.params).map_err(|e| format!("bad parameters: {e}"))?;
        let signed = self.sign(phone, kind, &values)?;
        let handle = tokio::runtime::Handle::try_current().map_err(|e| e.to_string())?;
        let (status, body) = handle.block_on(self.post(signed))?;
        match self.config.provider {
            Provider::Tencent => tencent::outcome(status, &body),
            Provider::Aliyun => aliyun::outcome(status, &body),
        }
    }
}

pub(crate) fn sha256_hex(data: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(data))
}

pub(crate) fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    use hmac::{KeyInit, Mac};
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// The endpoint without a trailing slash, and `host` or `host:port` as the Host header
/// carries it.
pub(crate) fn endpoint(c: &SmsConfig) -> Result<(String, String), String> {
    let uri: hyper::Uri = c.endpoint.parse().map_err(|e| format!("sms_endpoint: {e}"))?;
    let host = uri.host().ok_or("endpoint without a host")?;
    let host = match uri.port_u16() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_owned(),
    };
    Ok((c.endpoint.trim_end_matches('/').to_owned(), host))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> i64 {
        let tz = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
        tz.with_ymd_and_hms(2026, 5, 12, h, m, 0).unwrap().timestamp_millis()
    }

    #[test]
    fn quiet_hours_hold_until_eight_in_china() {
        let eight_next_day = at(8, 0) + 24 * 3600 * 1000;
        assert_eq!(quiet_until(at(23, 0), 22, 8), Some(eight_next_day));
        assert_eq!(quiet_until(at(22, 0), 22, 8), Some(eight_next_day));
        assert_eq!(quiet_until(at(3, 30), 22, 8), Some(at(8, 0)));
        assert_eq!(quiet_until(at(7, 59), 22, 8), Some(at(8, 0)));
        assert_eq!(quiet_until(at(8, 0), 22, 8), None);
        assert_eq!(quiet_until(at(21, 59), 22, 8), None);
        // A window within one day, and none.
        assert_eq!(quiet_until(at(13, 0), 12, 14), Some(at(14, 0)));
        assert_eq!(quiet_until(at(3, 0), 0, 0), None);
    }

    #[test]
    fn only_requested_codes_go_at_night() {
        assert!(!SmsKind::Code.held_at_night());
        for k in SmsKind::ALL.into_iter().filter(|k| *k != SmsKind::Code) {
            assert!(k.held_at_night(), "{k:?}");
            assert_eq!(SmsKind::parse(k.as_str()), Some(k));
        }
    }
}
