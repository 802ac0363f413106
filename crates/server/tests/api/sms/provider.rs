//! Stand-ins for Tencent Cloud SMS and Alibaba Cloud SMS on a loopback port. Each checks every
//! request the way its provider does — recomputing the signature from the request it received
//! (the signed headers' values, the body or query, the secret), the clock skew and the fixed
//! parameters — written here independently of the sender, and records what would be sent.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use hmac::{KeyInit, Mac};
use liaison_domain::clock::Clock;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

pub const KEY_ID: &str = "AKIDliaisonTEST0000000000000000000";
pub const SECRET: &str = "liaison-test-secret-0123456789abcdef";
pub const APP_ID: &str = "1400123456";
pub const SIGN: &str = "柞水县人大常委会";

/// One text message the provider accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// The mainland number, without +86.
    pub phone: String,
    pub template: String,
    pub params: Vec<String>,
}

#[derive(Clone)]
pub struct Provider {
    pub endpoint: String,
    sent: Arc<Mutex<Vec<Sent>>>,
    refused: Arc<Mutex<Vec<String>>>,
    fail: Arc<AtomicUsize>,
}

impl Provider {
    /// What was sent, and forgets it.
    pub fn take(&self) -> Vec<Sent> {
        std::mem::take(&mut self.sent.lock().unwrap())
    }

    /// Why requests were refused (a bad signature, a stale time…), and forgets it.
    pub fn take_refusals(&self) -> Vec<String> {
        std::mem::take(&mut self.refused.lock().unwrap())
    }

    /// The next `n` well-signed requests are refused as a provider does under load.
    pub fn fail_next(&self, n: usize) {
        self.fail.store(n, Ordering::SeqCst);
    }

    fn should_fail(&self) -> bool {
        self.fail.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok()
    }
}

#[derive(Clone)]
struct Ctx {
    provider: Provider,
    clock: Arc<dyn Clock>,
    nonces: Arc<Mutex<Vec<String>>>,
}

fn sha256_hex(b: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(b))
}

fn hmac(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    m.update(msg);
    m.finalize().into_bytes().to_vec()
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

fn new_provider() -> Provider {
    Provider { endpoint: String::new(), sent: Arc::default(), refused: Arc::default(), fail: Arc::default() }
}

/// Tencent Cloud's SendSms 2021-01-11 behind TC3-HMAC-SHA256.
pub async fn tencent(clock: Arc<dyn Clock>) -> Provider {
    let mut provider = new_provider();
    let ctx = Ctx { provider: provider.clone(), clock, nonces: Arc::default() };
    let router = axum::Router::new().route("/", axum::routing::post(tencent_send)).with_state(ctx);
    provider.endpoint = serve(router).await;
    provider
}

fn tencent_error(code: &str, message: &str) -> axum::Json<Value> {
    axum::Json(json!({"Response": {"Error": {"Code": code, "Message": message}, "RequestId": "mock"}}))
}

/// Checks a TC3 request as Tencent Cloud documents it; the error names what did not match.
fn tencent_verify(ctx: &Ctx, h: &HeaderMap, body: &[u8]) -> Result<(), String> {
    let auth = header(h, "authorization");
    let rest = auth.strip_prefix("TC3-HMAC-SHA256 ").ok_or("not TC3-HMAC-SHA256")?;
    let mut parts = std::collections::HashMap::new();
    for p in rest.split(", ") {
        let (k, v) = p.split_once('=').ok_or("malformed Authorization")?;
        parts.insert(k, v);
    }
    let credential = parts.get("Credential").ok_or("no Credential")?;
    let mut scope = credential.split('/');
    let (id, date, service, term) = (scope.next(), scope.next(), scope.next(), scope.next());
    if id != Some(KEY_ID) {
        return Err("unknown SecretId".into());
    }
    if (service, term) != (Some("sms"), Some("tc3_request")) {
        return Err("scope is not sms/tc3_request".into());
    }
    let ts: i64 = header(h, "x-tc-timestamp").parse().map_err(|_| "no X-TC-Timestamp")?;
    if (ctx.clock.now().timestamp() - ts).abs() > 300 {
        return Err("AuthFailure.SignatureExpire".into());
    }
    let day = DateTime::<Utc>::from_timestamp(ts, 0).unwrap().format("%Y-%m-%d").to_string();
    if date != Some(day.as_str()) {
        return Err("credential date is not the UTC date of the timestamp".into());
    }
    let signed = *parts.get("SignedHeaders").ok_or("no SignedHeaders")?;
    let names: Vec<&str> = signed.split(';').collect();
    if !names.contains(&"content-type") || !names.contains(&"host") {
        return Err("content-type and host must be signed".into());
    }
    let mut sorted = names.clone();
    sorted.sort();
    if sorted != names {
        return Err("SignedHeaders not sorted".into());
    }
    let canonical_headers: String =
        names.iter().map(|n| format!("{n}:{}\n", header(h, n).trim().to_ascii_lowercase())).collect();
    let canonical = format!("POST\n/\n\n{canonical_headers}\n{signed}\n{}", sha256_hex(body));
    let to_sign = format!("TC3-HMAC-SHA256\n{ts}\n{day}/sms/tc3_request\n{}", sha256_hex(canonical.as_bytes()));
    let k = hmac(&hmac(&hmac(format!("TC3{SECRET}").as_bytes(), day.as_bytes()), b"sms"), b"tc3_request");
    if parts.get("Signature").copied() != Some(hex::encode(hmac(&k, to_sign.as_bytes())).as_str()) {
        return Err("AuthFailure.SignatureFailure".into());
    }
    for (name, want) in [("x-tc-action", "SendSms"), ("x-tc-version", "2021-01-11"), ("x-tc-region", "ap-guangzhou")] {
        if header(h, name) != want {
            return Err(format!("{name} is not {want}"));
        }
    }
    Ok(())
}

async fn tencent_send(State(ctx): State<Ctx>, h: HeaderMap, body: Bytes) -> axum::Json<Value> {
    if let Err(e) = tencent_verify(&ctx, &h, &body) {
        ctx.provider.refused.lock().unwrap().push(e.clone());
        return tencent_error("AuthFailure.SignatureFailure", &e);
    }
    let v: Value = serde_json::from_slice(&body).unwrap_or_default();
    if v["SmsSdkAppId"] != APP_ID || v["SignName"] != SIGN {
        return tencent_error("FailedOperation.SignatureIncorrectOrUnapproved", "wrong application or signature");
    }
    let phone = v["PhoneNumberSet"][0].as_str().unwrap_or("").to_owned();
    if ctx.provider.should_fail() {
        return axum::Json(
            json!({"Response": {"SendStatusSet": [{"PhoneNumber": phone, "Code": "LimitExceeded.PhoneNumberThirtySecondLimit",
            "Message": format!("{phone} over the 30-second limit"), "Fee": 0}], "RequestId": "mock"}}),
        );
    }
    let params = v["TemplateParamSet"].as_array().into_iter().flatten().map(|p| p.as_str().unwrap_or("").to_owned());
    ctx.provider.sent.lock().unwrap().push(Sent {
        phone: phone.strip_prefix("+86").unwrap_or(&phone).to_owned(),
        template: v["TemplateId"].as_str().unwrap_or("").to_owned(),
        params: params.collect(),
    });
    axum::Json(json!({"Response": {"SendStatusSet": [{"SerialNo": "2028:mock", "PhoneNumber": phone, "Fee": 1,
        "SessionContext": "", "Code": "Ok", "Message": "send success", "IsoCode": "CN"}], "RequestId": "mock"}}))
}

/// Alibaba Cloud's dysmsapi SendSms 2017-05-25 behind ACS3-HMAC-SHA256.
pub async fn aliyun(clock: Arc<dyn Clock>) -> Provider {
    let mut provider = new_provider();
    let ctx = Ctx { provider: provider.clone(), clock, nonces: Arc::default() };
    let router = axum::Router::new().route("/", axum::routing::post(aliyun_send)).with_state(ctx);
    provider.endpoint = serve(router).await;
    provider
}

fn rfc3986(s: &str) -> String {
    const SET: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
    percent_encoding::utf8_percent_encode(s, SET).to_string()
}

/// Checks an ACS3 request as Alibaba Cloud documents it; returns the decoded query.
fn aliyun_verify(ctx: &Ctx, h: &HeaderMap, query: &str, body: &[u8]) -> Result<Vec<(String, String)>, String> {
    let auth = header(h, "authorization");
    let rest = auth.strip_prefix("ACS3-HMAC-SHA256 ").ok_or("not ACS3-HMAC-SHA256")?;
    let mut parts = std::collections::HashMap::new();
    for p in rest.split(',') {
        let (k, v) = p.split_once('=').ok_or("malformed Authorization")?;
        parts.insert(k.trim(), v.trim());
    }
    if parts.get("Credential") != Some(&KEY_ID) {
        return Err("InvalidAccessKeyId.NotFound".into());
    }
    let date = DateTime::parse_from_rfc3339(header(h, "x-acs-date")).map_err(|_| "bad x-acs-date")?;
    if (ctx.clock.now() - date.with_timezone(&Utc)).num_seconds().abs() > 900 {
        return Err("InvalidTimeStamp.Expired".into());
    }
    let nonce = header(h, "x-acs-signature-nonce").to_owned();
    if nonce.is_empty() || ctx.nonces.lock().unwrap().contains(&nonce) {
        return Err("SignatureNonceUsed".into());
    }
    if header(h, "x-acs-content-sha256") != sha256_hex(body) {
        return Err("x-acs-content-sha256 does not match the body".into());
    }
    let signed = *parts.get("SignedHeaders").ok_or("no SignedHeaders")?;
    let names: Vec<&str> = signed.split(';').collect();
    for required in
        ["host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"]
    {
        if !names.contains(&required) {
            return Err(format!("{required} must be signed"));
        }
    }
    // The query as received, decoded, then encoded and sorted the canonical way.
    let decoded: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let dec = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
            (dec(k), dec(v))
        })
        .collect();
    let mut enc: Vec<(String, String)> = decoded.iter().map(|(k, v)| (rfc3986(k), rfc3986(v))).collect();
    enc.sort();
    let canonical_query = enc.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    let canonical_headers: String = names.iter().map(|n| format!("{n}:{}\n", header(h, n).trim())).collect();
    let canonical = format!("POST\n/\n{canonical_query}\n{canonical_headers}\n{signed}\n{}", sha256_hex(body));
    let to_sign = format!("ACS3-HMAC-SHA256\n{}", sha256_hex(canonical.as_bytes()));
    if parts.get("Signature").copied() != Some(hex::encode(hmac(SECRET.as_bytes(), to_sign.as_bytes())).as_str()) {
        return Err("SignatureDoesNotMatch".into());
    }
    for (name, want) in [("x-acs-action", "SendSms"), ("x-acs-version", "2017-05-25")] {
        if header(h, name) != want {
            return Err(format!("{name} is not {want}"));
        }
    }
    ctx.nonces.lock().unwrap().push(nonce);
    Ok(decoded)
}

async fn aliyun_send(
    State(ctx): State<Ctx>,
    h: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> (StatusCode, axum::Json<Value>) {
    let query = match aliyun_verify(&ctx, &h, q.as_deref().unwrap_or(""), &body) {
        Ok(q) => q,
        Err(e) => {
            ctx.provider.refused.lock().unwrap().push(e.clone());
            return (
                StatusCode::BAD_REQUEST,
                axum::Json(json!({"Code": e, "Message": "refused", "RequestId": "mock"})),
            );
        }
    };
    let get = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    if get("SignName") != SIGN {
        return (StatusCode::OK, axum::Json(json!({"Code": "isv.SMS_SIGNATURE_ILLEGAL", "Message": "签名不合法"})));
    }
    if ctx.provider.should_fail() {
        return (
            StatusCode::OK,
            axum::Json(json!({"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发小时级流控"})),
        );
    }
    let param: Value = serde_json::from_str(&get("TemplateParam")).unwrap_or_default();
    let params = param.as_object().into_iter().flatten().map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")));
    ctx.provider.sent.lock().unwrap().push(Sent {
        phone: get("PhoneNumbers"),
        template: get("TemplateCode"),
        params: params.collect(),
    });
    (StatusCode::OK, axum::Json(json!({"Code": "OK", "Message": "OK", "BizId": "mock", "RequestId": "mock"})))
}
