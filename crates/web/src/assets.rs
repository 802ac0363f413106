//! Static assets, embedded in the binary: no CDN, no file system at run time.

use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "static/"]
struct Assets;

pub async fn serve(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let Some(file) = Assets::get(&path) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let etag = format!("\"{}\"", hex_prefix(&file.metadata.sha256_hash()));
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let mime = match path.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    };
    (
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (header::ETAG, etag),
            (header::CACHE_CONTROL, "public, max-age=86400".to_owned()),
        ],
        file.data.into_owned(),
    )
        .into_response()
}

fn hex_prefix(bytes: &[u8]) -> String {
    bytes.iter().take(12).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::Assets;

    /// Every block of the stylesheet is closed: one brace left open hides every rule after it
    /// (a print rule, a phone layout) without any error.
    #[test]
    fn the_stylesheet_closes_every_block() {
        let css = Assets::get("app.css").expect("app.css is embedded");
        let css = std::str::from_utf8(&css.data).expect("UTF-8");
        let mut depth = 0i32;
        for (n, line) in css.lines().enumerate() {
            if line.starts_with("@media") {
                assert_eq!(depth, 0, "app.css line {}: a media rule inside another block", n + 1);
            }
            for c in line.chars() {
                depth += match c {
                    '{' => 1,
                    '}' => -1,
                    _ => 0,
                };
                assert!(depth >= 0, "app.css line {}: a brace closes nothing", n + 1);
            }
        }
        assert_eq!(depth, 0, "app.css ends with a block left open");
    }
}
