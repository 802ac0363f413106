//! Photos attached to cases: the type is told by content, not by name; size is limited; EXIF
//! (with its GPS position), comments and XMP are stripped; files are stored under the data
//! directory by the hash of what remains.

use crate::error::ApiError;
use axum::http::StatusCode;
use img_parts::{Bytes, ImageEXIF};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;
pub const MAX_PHOTOS: usize = 9;

#[derive(Debug, Clone)]
pub struct Photo {
    pub hash: String,
    pub mime: &'static str,
    pub bytes: Vec<u8>,
}

fn refuse(code: &'static str, message: String) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message).with_field("photos")
}

/// Checks and cleans one uploaded photo.
pub fn clean(raw: &[u8]) -> Result<Photo, ApiError> {
    if raw.len() > MAX_PHOTO_BYTES {
        return Err(refuse("photo_too_large", format!("每张照片不能超过 {} MB", MAX_PHOTO_BYTES / 1024 / 1024)));
    }
    let unsupported = || refuse("unsupported_photo", "只能上传 JPEG、PNG 或 WebP 格式的照片".into());
    let broken = || refuse("broken_photo", "照片文件已损坏，无法读取".into());
    let bytes = Bytes::copy_from_slice(raw);
    let (mime, cleaned) = if raw.starts_with(&[0xFF, 0xD8, 0xFF]) {
        let mut jpeg = img_parts::jpeg::Jpeg::from_bytes(bytes).map_err(|_| broken())?;
        jpeg.set_exif(None);
        // APP1 also carries XMP (which can hold a position), APP13 Photoshop data, COM comments.
        jpeg.segments_mut().retain(|s| !matches!(s.marker(), 0xE1 | 0xED | 0xFE));
        ("image/jpeg", jpeg.encoder().bytes())
    } else if raw.starts_with(b"\x89PNG\r\n\x1a\n") {
        let mut png = img_parts::png::Png::from_bytes(bytes).map_err(|_| broken())?;
        for kind in [*b"eXIf", *b"tEXt", *b"iTXt", *b"zTXt"] {
            png.remove_chunks_by_type(kind);
        }
        ("image/png", png.encoder().bytes())
    } else if raw.len() > 12 && &raw[..4] == b"RIFF" && &raw[8..12] == b"WEBP" {
        let mut webp = img_parts::webp::WebP::from_bytes(bytes).map_err(|_| broken())?;
        webp.set_exif(None);
        ("image/webp", webp.encoder().bytes())
    } else {
        return Err(unsupported());
    };
    let bytes = cleaned.to_vec();
    let hash = hex::encode(Sha256::digest(&bytes));
    Ok(Photo { hash, mime, bytes })
}

fn extension(mime: &str) -> &'static str {
    match mime {
        "image/png" => "png",
        "image/webp" => "webp",
        _ => "jpg",
    }
}

/// Where a photo lives: `DATA/photos/ab/abcdef….jpg`.
pub fn path(data_dir: &Path, hash: &str, mime: &str) -> PathBuf {
    data_dir.join("photos").join(&hash[..2]).join(format!("{hash}.{}", extension(mime)))
}

/// Writes a photo durably (temporary file, fsync, rename) unless it is already there.
pub fn store(data_dir: &Path, p: &Photo) -> std::io::Result<()> {
    use std::io::Write;
    let target = path(data_dir, &p.hash, p.mime);
    if target.exists() {
        return Ok(());
    }
    let dir = target.parent().expect("photo paths have a folder");
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{}.tmp-{}", p.hash, std::process::id()));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&p.bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, &target)
}
