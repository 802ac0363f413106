//! File names for downloads: `Content-Disposition` with an ASCII fallback and the real (Chinese)
//! name in RFC 5987 form (`filename*=UTF-8''…`), which every current browser prefers.

use axum::http::HeaderValue;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// RFC 5987 `attr-char`: what may stand unencoded in `filename*`.
const ATTR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// `inline` (shown, saved under the name) or `attachment` (downloaded), named `name`; `fallback`
/// is an ASCII name for clients that know no RFC 5987.
pub(crate) fn disposition(attachment: bool, fallback: &str, name: &str) -> HeaderValue {
    let kind = if attachment { "attachment" } else { "inline" };
    let ascii: String =
        fallback.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')).collect();
    // Slashes and control characters have no place in a file name.
    let clean: String = name.chars().filter(|c| !c.is_control() && !matches!(c, '/' | '\\' | '"')).collect();
    let value = format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{}", utf8_percent_encode(&clean, ATTR));
    HeaderValue::from_str(&value).expect("percent-encoded ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_names_are_encoded_with_an_ascii_fallback() {
        let v = disposition(true, "qr-station-renhe.png", "仁和社区联络点-二维码.png");
        assert_eq!(
            v.to_str().unwrap(),
            "attachment; filename=\"qr-station-renhe.png\"; filename*=UTF-8''%E4%BB%81%E5%92%8C%E7%A4%BE%E5%8C%BA%E8%81%94%E7%BB%9C%E7%82%B9-%E4%BA%8C%E7%BB%B4%E7%A0%81.png"
        );
        let v = disposition(false, "a\"b.png", "a/b\".png");
        assert_eq!(v.to_str().unwrap(), "inline; filename=\"ab.png\"; filename*=UTF-8''ab.png");
    }
}
