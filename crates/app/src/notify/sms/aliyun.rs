//! Alibaba Cloud SMS: dysmsapi SendSms (API version 2017-05-25), an RPC-style API called with
//! the "V3 版本请求体&签名机制" (ACS3-HMAC-SHA256): the parameters go in the query string, the
//! body is empty, and the canonical request is signed with the AccessKey secret.

use super::{SmsConfig, SmsKind, endpoint, hmac_sha256, sha256_hex};
use chrono::{DateTime, Utc};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

const ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// RFC 3986: everything but letters, digits and `-_.~` is encoded (a space as %20, `*` as %2A).
const ENCODE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

pub(crate) fn encode(s: &str) -> String {
    utf8_percent_encode(s, ENCODE).to_string()
}

/// Every step of an ACS3 signature.
#[derive(Debug)]
pub struct Acs3 {
    pub canonical_query: String,
    pub canonical_request: String,
    pub string_to_sign: String,
    pub signature: String,
    pub authorization: String,
}

/// Signs a request to `/` with `query` (unencoded name, value pairs) and an empty body.
/// `headers` are the `host` and `x-acs-*` headers, all signed.
pub fn acs3_signature(
    key_id: &str,
    key_secret: &str,
    method: &str,
    query: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> Acs3 {
    let mut q: Vec<(String, String)> = query.iter().map(|(k, v)| (encode(k), encode(v))).collect();
    q.sort();
    let canonical_query = q.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    let mut h: Vec<(String, String)> =
        headers.iter().map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned())).collect();
    h.sort();
    let canonical_headers: String = h.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let signed_headers = h.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(";");
    let payload_hash = sha256_hex(b"");
    let canonical_request =
        format!("{method}\n/\n{canonical_query}\n{canonical_headers}\n{signed_headers}\n{payload_hash}");
    let string_to_sign = format!("{ALGORITHM}\n{}", sha256_hex(canonical_request.as_bytes()));
    let signature = hex::encode(hmac_sha256(key_secret.as_bytes(), string_to_sign.as_bytes()));
    let authorization = format!("{ALGORITHM} Credential={key_id},SignedHeaders={signed_headers},Signature={signature}");
    Acs3 { canonical_query, canonical_request, string_to_sign, signature, authorization }
}

/// The signed SendSms request for one mainland number.
pub(super) fn request(
    c: &SmsConfig,
    template: &str,
    phone: &str,
    kind: SmsKind,
    values: &[String],
    now: DateTime<Utc>,
    nonce: &str,
) -> Result<super::Signed, String> {
    let (base, host) = endpoint(c)?;
    // TemplateParam is a JSON object named after the template's ${…} variables.
    let param: serde_json::Map<String, serde_json::Value> =
        kind.params().iter().zip(values).map(|(k, v)| ((*k).to_owned(), v.clone().into())).collect();
    let param = serde_json::Value::Object(param).to_string();
    let query =
        [("PhoneNumbers", phone), ("SignName", &c.sign_name), ("TemplateCode", template), ("TemplateParam", &param)];
    let date = now.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let empty = sha256_hex(b"");
    let headers = [
        ("host", host.as_str()),
        ("x-acs-action", "SendSms"),
        ("x-acs-content-sha256", &empty),
        ("x-acs-date", &date),
        ("x-acs-signature-nonce", nonce),
        ("x-acs-version", "2017-05-25"),
    ];
    let signed = acs3_signature(&c.access_key_id, &c.access_key_secret, "POST", &query, &headers);
    let mut out: Vec<(&'static str, String)> = vec![("Authorization", signed.authorization)];
    for (name, value) in [
        ("Host", host.clone()),
        ("x-acs-action", "SendSms".into()),
        ("x-acs-content-sha256", empty.clone()),
        ("x-acs-date", date),
        ("x-acs-signature-nonce", nonce.to_owned()),
        ("x-acs-version", "2017-05-25".into()),
    ] {
        out.push((name, value));
    }
    Ok(super::Signed { url: format!("{base}/?{}", signed.canonical_query), headers: out, body: String::new() })
}

/// Reads the answer: `"Code": "OK"` is sent; any other code (or an HTTP error) is a refusal.
pub(super) fn outcome(status: u16, body: &str) -> Result<(), String> {
    let v: serde_json::Value =
        serde_json::from_str(body).map_err(|_| format!("HTTP {status}: not an Alibaba Cloud answer"))?;
    match v["Code"].as_str() {
        Some("OK") if (200..300).contains(&status) => Ok(()),
        code => Err(format!("{}: {}", code.unwrap_or("?"), v["Message"].as_str().unwrap_or(""))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixed-value example of Alibaba Cloud's "V3 版本请求体&签名机制" document
    /// (https://help.aliyun.com/zh/sdk/product-overview/v3-request-structure-and-signature):
    /// RunInstances on ecs.cn-shanghai.aliyuncs.com with YourAccessKeyId / YourAccessKeySecret.
    #[test]
    fn reproduces_the_documented_example() {
        let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_eq!(sha256_hex(b""), empty);
        let s = acs3_signature(
            "YourAccessKeyId",
            "YourAccessKeySecret",
            "POST",
            &[("RegionId", "cn-shanghai"), ("ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd")],
            &[
                ("host", "ecs.cn-shanghai.aliyuncs.com"),
                ("x-acs-action", "RunInstances"),
                ("x-acs-version", "2014-05-26"),
                ("x-acs-date", "2023-10-26T10:22:32Z"),
                ("x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d"),
                ("x-acs-content-sha256", empty),
            ],
        );
        assert_eq!(
            s.canonical_query,
            "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai"
        );
        assert_eq!(
            s.string_to_sign,
            "ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
        );
        assert_eq!(
            s.authorization,
            "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;\
             x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
        );
    }

    #[test]
    fn encodes_as_rfc_3986() {
        assert_eq!(encode("a b*c~d/é"), "a%20b%2Ac~d%2F%C3%A9");
        assert_eq!(encode(r#"{"code":"7KQ2M-9XH3P"}"#), "%7B%22code%22%3A%227KQ2M-9XH3P%22%7D");
    }

    #[test]
    fn reads_success_and_refusals() {
        assert_eq!(
            outcome(200, r#"{"Code":"OK","Message":"OK","BizId":"9006197469364984400","RequestId":"F655A8D5"}"#),
            Ok(())
        );
        assert_eq!(
            outcome(200, r#"{"Code":"isv.BUSINESS_LIMIT_CONTROL","Message":"触发流控","RequestId":"x"}"#),
            Err("isv.BUSINESS_LIMIT_CONTROL: 触发流控".into())
        );
        assert!(outcome(400, r#"{"Code":"SignatureDoesNotMatch","Message":"bad"}"#).is_err());
        assert!(outcome(503, "busy").is_err());
    }
}
