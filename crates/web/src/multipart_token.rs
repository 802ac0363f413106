//! The CSRF token of a file upload, read from the first part of its multipart body, so that an
//! upload form carries its token as a hidden field (put first in the form) and never in its URL,
//! where it would stay in the address bar, the history and the server logs. Only the first few
//! kilobytes are read; the body is handed on whole, still streaming.

use axum::body::{Body, Bytes};
use axum::extract::Request;
use futures_util::StreamExt;

/// How far into the body the token may be looked for.
const PEEK_LIMIT: usize = 16 * 1024;

/// The boundary of a `multipart/form-data` content type.
pub(crate) fn boundary(content_type: &str) -> Option<String> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim().eq_ignore_ascii_case("boundary").then(|| v.trim().trim_matches('"').to_owned())
    })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// What the first part says so far: `None` while more bytes are needed; then the token, or
/// `Some(None)` when the first part is something else.
fn first_part_token(prefix: &[u8], boundary: &str, field: &str) -> Option<Option<String>> {
    let opening = format!("--{boundary}\r\n");
    if prefix.len() < opening.len() {
        return None;
    }
    if !prefix.starts_with(opening.as_bytes()) {
        return Some(None);
    }
    let rest = &prefix[opening.len()..];
    let head_end = find(rest, b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&rest[..head_end]).to_ascii_lowercase();
    let named = head.lines().any(|l| {
        l.starts_with("content-disposition:")
            && l.split(';').any(|p| p.trim() == format!("name=\"{field}\""))
            && !l.contains("filename")
    });
    if !named {
        return Some(None);
    }
    let value = &rest[head_end + 4..];
    let end = find(value, format!("\r\n--{boundary}").as_bytes())?;
    Some(String::from_utf8(value[..end].to_vec()).ok())
}

/// Reads the token `field` from the first part of a multipart request, and gives the request
/// back with its body intact.
pub(crate) async fn token(req: Request, boundary: &str, field: &str) -> (Option<String>, Request) {
    let (parts, body) = req.into_parts();
    let mut stream = body.into_data_stream();
    let mut prefix: Vec<u8> = Vec::new();
    let mut failed = None;
    let found = loop {
        if let Some(answer) = first_part_token(&prefix, boundary, field) {
            break answer;
        }
        if prefix.len() >= PEEK_LIMIT {
            break None;
        }
        match stream.next().await {
            Some(Ok(chunk)) => prefix.extend_from_slice(&chunk),
            Some(Err(e)) => {
                failed = Some(e);
                break None;
            }
            None => break None,
        }
    };
    let head = futures_util::stream::iter([Ok::<Bytes, axum::Error>(Bytes::from(prefix))]);
    let body = match failed {
        // The body broke off: whoever reads it next reports the error.
        Some(e) => Body::from_stream(head.chain(futures_util::stream::iter([Err(e)]))),
        None => Body::from_stream(head.chain(stream)),
    };
    (found, Request::from_parts(parts, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_read_from_the_first_part_only() {
        let b = "XyZ";
        assert_eq!(boundary("multipart/form-data; boundary=XyZ").as_deref(), Some(b));
        assert_eq!(boundary("multipart/form-data; boundary=\"XyZ\"").as_deref(), Some(b));
        assert_eq!(boundary("application/x-www-form-urlencoded"), None);
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc123\r\n--XyZ\r\n";
        assert_eq!(first_part_token(body.as_bytes(), b, "csrf_token"), Some(Some("abc123".into())));
        // Not yet complete: more bytes are needed.
        assert_eq!(first_part_token(&body.as_bytes()[..50], b, "csrf_token"), None);
        let other = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nx\r\n--XyZ--";
        assert_eq!(first_part_token(other.as_bytes(), b, "csrf_token"), Some(None));
        let lookalike = "--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token_x\"\r\n\r\nabc\r\n--XyZ";
        assert_eq!(first_part_token(lookalike.as_bytes(), b, "csrf_token"), Some(None));
    }
}
