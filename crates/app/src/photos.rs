//! Photos attached to cases: the type is told by content, not by name; size is limited; EXIF
//! (with its GPS position), comments and XMP are stripped, after a JPEG's pixels are turned as
//! its EXIF orientation said; files are stored under the data directory by the hash of what
//! remains, with a thumbnail made on first request.

mod pixels;

use crate::Error;
use img_parts::{Bytes, ImageEXIF, ImageICC};
pub use pixels::THUMB_SIDE;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;
pub const MAX_PHOTOS: usize = 9;
/// The most pixels a photo may declare: the full resolution of a 50 MP phone camera. Whoever
/// views a photo decodes it to about 4 bytes a pixel whatever its file size, and a 875 KB PNG can
/// declare 30000 × 30000 pixels (3.6 GB decoded): the size is checked before anything decodes it.
pub const MAX_PHOTO_PIXELS: u64 = 50_000_000;
/// The longest side a photo may declare, in pixels; a phone's panorama fits.
pub const MAX_PHOTO_SIDE: u32 = 16_384;
/// The most pixels a sideways JPEG may have to be turned upright by decoding it (a 12-megapixel
/// phone photo decodes to 36 MB, twice while it turns): larger ones keep the orientation as their
/// only EXIF, which every current browser follows.
pub const MAX_TURN_PIXELS: u64 = 16_000_000;

/// Decoding a photo (to turn it upright, to make a thumbnail) holds tens of megabytes: one at a
/// time, whatever the number of uploads.
static DECODING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

#[derive(Debug, Clone)]
pub struct Photo {
    pub hash: String,
    pub mime: &'static str,
    pub bytes: Vec<u8>,
}

fn refuse(code: &'static str, message: String) -> Error {
    Error::invalid(code, message).field("photos")
}

/// Checks and cleans one uploaded photo.
pub fn clean(raw: &[u8]) -> Result<Photo, Error> {
    if raw.len() > MAX_PHOTO_BYTES {
        return Err(refuse("photo_too_large", format!("每张照片不能超过 {} MB", MAX_PHOTO_BYTES / 1024 / 1024)));
    }
    let unsupported = || refuse("unsupported_photo", "只能上传 JPEG、PNG 或 WebP 格式的照片".into());
    let broken = || refuse("broken_photo", "照片文件已损坏，无法读取".into());
    let bytes = Bytes::copy_from_slice(raw);
    // The sizes are read from the same parse whose bytes are stored and served.
    // A phone holds the camera sideways and writes "turn by 90°" in the EXIF it is about to lose.
    let mut turn = None;
    let mut icc = None;
    let (mime, sizes, cleaned) = if raw.starts_with(&[0xFF, 0xD8, 0xFF]) {
        let mut jpeg = img_parts::jpeg::Jpeg::from_bytes(bytes).map_err(|_| broken())?;
        let sizes = jpeg_sizes(&jpeg);
        turn = jpeg.exif().and_then(|e| pixels::orientation(&e));
        icc = turn.and_then(|_| jpeg.icc_profile());
        jpeg.set_exif(None);
        // APP1 also carries XMP (which can hold a position), APP13 Photoshop data, COM comments.
        jpeg.segments_mut().retain(|s| !matches!(s.marker(), 0xE1 | 0xED | 0xFE));
        ("image/jpeg", sizes, jpeg.encoder().bytes())
    } else if raw.starts_with(b"\x89PNG\r\n\x1a\n") {
        let mut png = img_parts::png::Png::from_bytes(bytes).map_err(|_| broken())?;
        let sizes = png_sizes(&png);
        for kind in [*b"eXIf", *b"tEXt", *b"iTXt", *b"zTXt"] {
            png.remove_chunks_by_type(kind);
        }
        ("image/png", sizes, png.encoder().bytes())
    } else if raw.len() > 12 && &raw[..4] == b"RIFF" && &raw[8..12] == b"WEBP" {
        let mut webp = img_parts::webp::WebP::from_bytes(bytes).map_err(|_| broken())?;
        // Without a bitstream there is no picture, and cleaning would leave an empty RIFF.
        if !webp.chunks().iter().any(|c| matches!(&c.id(), b"VP8 " | b"VP8L" | b"ANMF")) {
            return Err(broken());
        }
        let sizes = webp_sizes(&webp);
        webp.set_exif(None);
        ("image/webp", sizes, webp.encoder().bytes())
    } else {
        return Err(unsupported());
    };
    for size in sizes.iter().copied() {
        match size {
            Some((w, h)) if w > 0 && h > 0 => {
                if w > MAX_PHOTO_SIDE || h > MAX_PHOTO_SIDE || u64::from(w) * u64::from(h) > MAX_PHOTO_PIXELS {
                    return Err(refuse(
                        "photo_too_large",
                        format!(
                            "照片尺寸过大（{w}×{h} 像素；不能超过 {} 万像素，长边不能超过 {MAX_PHOTO_SIDE} 像素），请缩小后再上传",
                            MAX_PHOTO_PIXELS / 10_000
                        ),
                    ));
                }
            }
            // A frame of no size, or a header too short to tell.
            _ => return Err(broken()),
        }
    }
    let pixels = sizes.iter().flatten().map(|(w, h)| u64::from(*w) * u64::from(*h)).max().unwrap_or(0);
    let bytes = match turn {
        None => cleaned.to_vec(),
        Some(turn) => {
            match (pixels <= MAX_TURN_PIXELS).then(|| pixels::upright(&cleaned, turn, icc.as_deref())).flatten() {
                Some(upright) => upright,
                None => {
                    // Too large to decode here, or a coding not decodable here: keep the turn as the
                    // only EXIF left.
                    let mut jpeg = img_parts::jpeg::Jpeg::from_bytes(cleaned).map_err(|_| broken())?;
                    jpeg.set_exif(Some(pixels::orientation_only(turn).into()));
                    jpeg.encoder().bytes().to_vec()
                }
            }
        }
    };
    let hash = hex::encode(Sha256::digest(&bytes));
    Ok(Photo { hash, mime, bytes })
}

/// [`clean`] away from the async workers, one photo at a time: turning a 12-megapixel photo
/// upright takes a while.
pub async fn clean_blocking(raw: Vec<u8>) -> Result<Photo, Error> {
    let _permit = DECODING.acquire().await.map_err(Error::internal)?;
    tokio::task::spawn_blocking(move || clean(&raw)).await.map_err(Error::internal)?
}

/// [`thumbnail`] away from the async workers, one at a time.
pub async fn thumbnail_blocking(data_dir: PathBuf, hash: String, mime: String) -> Result<Option<Vec<u8>>, Error> {
    let _permit = DECODING.acquire().await.map_err(Error::internal)?;
    tokio::task::spawn_blocking(move || thumbnail(&data_dir, &hash, &mime))
        .await
        .map_err(Error::internal)?
        .map_err(Error::internal)
}

/// (width, height) of every frame a JPEG declares (SOF0–SOF15 but DHT, JPG and DAC), as many as
/// it has; None for a header too short. One without any has no picture to decode.
fn jpeg_sizes(jpeg: &img_parts::jpeg::Jpeg) -> Vec<Option<(u32, u32)>> {
    jpeg.segments()
        .iter()
        .filter(|s| matches!(s.marker(), 0xC0..=0xCF) && !matches!(s.marker(), 0xC4 | 0xC8 | 0xCC))
        .map(|s| match s.contents().get(..5) {
            Some(&[_, h0, h1, w0, w1]) => {
                Some((u32::from(u16::from_be_bytes([w0, w1])), u32::from(u16::from_be_bytes([h0, h1]))))
            }
            _ => None,
        })
        .collect()
}

/// The image header (IHDR) and every animation frame (fcTL) of a PNG.
fn png_sizes(png: &img_parts::png::Png) -> Vec<Option<(u32, u32)>> {
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    png.chunks()
        .iter()
        .filter_map(|c| match &c.kind() {
            b"IHDR" => Some(c.contents().get(..8).map(|b| (be(&b[..4]), be(&b[4..])))),
            b"fcTL" => Some(c.contents().get(4..12).map(|b| (be(&b[..4]), be(&b[4..])))),
            _ => None,
        })
        .collect()
}

/// The canvas (VP8X) and the bitstream headers (VP8 lossy, VP8L lossless) of a WebP.
fn webp_sizes(webp: &img_parts::webp::WebP) -> Vec<Option<(u32, u32)>> {
    let le = |b: &[u8]| b.iter().rev().fold(0u32, |n, x| n << 8 | u32::from(*x));
    webp.chunks()
        .iter()
        .filter_map(|c| {
            let data = c.content().data().map(|d| &d[..]).unwrap_or_default();
            match &c.id() {
                b"VP8X" => Some(data.get(4..10).map(|b| (le(&b[..3]) + 1, le(&b[3..]) + 1))),
                // A key frame: 3 bytes of tag, the start code, then 14 bits of width and of height.
                b"VP8 " => Some(
                    data.get(..10)
                        .filter(|b| b[3..6] == [0x9D, 0x01, 0x2A])
                        .map(|b| (le(&b[6..8]) & 0x3FFF, le(&b[8..10]) & 0x3FFF)),
                ),
                b"VP8L" => Some(
                    data.get(..5)
                        .filter(|b| b[0] == 0x2F)
                        .map(|b| le(&b[1..5]))
                        .map(|v| ((v & 0x3FFF) + 1, ((v >> 14) & 0x3FFF) + 1)),
                ),
                _ => None,
            }
        })
        .collect()
}

fn extension(mime: &str) -> &'static str {
    match mime {
        "image/png" => "png",
        "image/webp" => "webp",
        "application/pdf" => "pdf",
        _ => "jpg",
    }
}

/// Where a photo lives: `DATA/photos/ab/abcdef….jpg`.
pub fn path(data_dir: &Path, hash: &str, mime: &str) -> PathBuf {
    data_dir.join("photos").join(&hash[..2]).join(format!("{hash}.{}", extension(mime)))
}

/// Writes a photo durably (temporary file, fsync, rename) unless it is already there.
pub fn store(data_dir: &Path, p: &Photo) -> std::io::Result<()> {
    let target = path(data_dir, &p.hash, p.mime);
    if target.exists() {
        return Ok(());
    }
    write_new(&target, &p.hash, &p.bytes)
}

fn write_new(target: &Path, hash: &str, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = target.parent().expect("photo paths have a folder");
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{hash}.tmp-{}-{}", std::process::id(), uuid::Uuid::new_v4().simple()));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, target)
}

/// A stored photo's thumbnail: a JPEG of at most [`THUMB_SIDE`] pixels a side, made from the
/// photo on the first request and kept beside it (`….thumb.jpg`), so each is computed once.
/// None when the photo cannot be decoded. Blocking: call it off the async workers.
pub fn thumbnail(data_dir: &Path, hash: &str, mime: &str) -> std::io::Result<Option<Vec<u8>>> {
    let full = path(data_dir, hash, mime);
    let thumb = full.with_extension("thumb.jpg");
    match std::fs::read(&thumb) {
        Ok(bytes) => return Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let Some(bytes) = pixels::thumbnail(&std::fs::read(&full)?) else { return Ok(None) };
    write_new(&thumb, hash, &bytes)?;
    Ok(Some(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real, valid black PNG of any size, one bit a pixel: its rows of zeros deflate to almost
    /// nothing, which is what makes a decompression bomb.
    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::One);
        enc.set_compression(png::Compression::Balanced);
        let mut writer = enc.write_header().unwrap();
        // Small IDAT chunks, so that a seed can keep the first of them only.
        let mut rows = writer.stream_writer_with_size(4096).unwrap();
        let row = vec![0u8; width.div_ceil(8) as usize];
        for _ in 0..height {
            std::io::Write::write_all(&mut rows, &row).unwrap();
        }
        rows.finish().unwrap();
        writer.finish().unwrap();
        out
    }

    /// A JPEG whose frame header (SOF0) declares `width` × `height`, after `fill` 0xFF fill bytes.
    fn jpeg(width: u16, height: u16, fill: usize) -> Vec<u8> {
        let mut j = vec![0xFF, 0xD8];
        j.extend([0xFF, 0xDB, 0, 4, 0, 0]);
        j.extend(std::iter::repeat_n(0xFF, fill));
        j.extend([0xFF, 0xC0, 0, 11, 8]);
        j.extend(height.to_be_bytes());
        j.extend(width.to_be_bytes());
        j.extend([1, 1, 0x11, 0]);
        j.extend([0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0, 0x12, 0x34, 0xFF, 0xD9]);
        j
    }

    /// A WebP of a canvas (VP8X) and a lossless bitstream header (VP8L) of `width` × `height`,
    /// keeping the chunks named in `chunks`.
    fn webp(width: u32, height: u32, chunks: &[&[u8; 4]]) -> Vec<u8> {
        let mut vp8x = vec![0u8; 4];
        vp8x.extend(&(width - 1).to_le_bytes()[..3]);
        vp8x.extend(&(height - 1).to_le_bytes()[..3]);
        let mut vp8l = vec![0x2F];
        vp8l.extend(((width - 1) | (height - 1) << 14).to_le_bytes());
        vp8l.extend([0; 3]);
        let mut body = Vec::new();
        for (id, data) in [(b"VP8X", vp8x), (b"VP8L", vp8l)] {
            if chunks.contains(&id) {
                body.extend(id);
                body.extend((data.len() as u32).to_le_bytes());
                body.extend(data);
            }
        }
        let mut w = b"RIFF".to_vec();
        w.extend((4 + body.len() as u32).to_le_bytes());
        w.extend(b"WEBP");
        w.extend(body);
        w
    }

    fn code(r: Result<Photo, Error>) -> String {
        match r {
            Ok(p) => format!("ok {}", p.mime),
            Err(Error::Invalid { code, .. }) => code.to_owned(),
            Err(e) => format!("{e:?}"),
        }
    }

    #[test]
    fn a_png_bomb_is_refused_from_its_header() {
        let bomb = png(30_000, 30_000);
        assert!(bomb.len() < MAX_PHOTO_BYTES, "the bomb is a small file: {} bytes", bomb.len());
        let Err(Error::Invalid { code, message, field }) = clean(&bomb) else { panic!("a refusal") };
        assert_eq!((code, field.as_deref()), ("photo_too_large", Some("photos")));
        assert_eq!(
            message,
            "照片尺寸过大（30000×30000 像素；不能超过 5000 万像素，长边不能超过 16384 像素），请缩小后再上传"
        );
    }

    #[test]
    fn a_jpeg_declaring_a_huge_frame_is_refused_even_behind_fill_bytes() {
        assert_eq!(code(clean(&jpeg(640, 480, 0))), "ok image/jpeg");
        assert_eq!(code(clean(&jpeg(60_000, 60_000, 0))), "photo_too_large");
        assert_eq!(code(clean(&jpeg(60_000, 60_000, 3))), "photo_too_large");
        assert_eq!(code(clean(&jpeg(640, 0, 0))), "broken_photo", "a height left to a later DNL marker");
        // A JPEG without a frame holds nothing to decode, and is still taken as before.
        assert_eq!(code(clean(&[0xFF, 0xD8, 0xFF, 0xDB, 0, 4, 0, 0, 0xFF, 0xD9])), "ok image/jpeg");
    }

    #[test]
    fn the_limits_are_inclusive() {
        assert_eq!(code(clean(&png(MAX_PHOTO_SIDE, 1))), "ok image/png");
        assert_eq!(code(clean(&png(MAX_PHOTO_SIDE + 1, 1))), "photo_too_large");
        assert_eq!(code(clean(&png(7_071, 7_071))), "ok image/png", "49,999,041 pixels");
        assert_eq!(code(clean(&png(7_072, 7_072))), "photo_too_large", "50,013,184 pixels");
        assert_eq!(code(clean(&webp(4_000, 3_000, &[b"VP8X", b"VP8L"]))), "ok image/webp");
        assert_eq!(code(clean(&webp(16_000, 16_000, &[b"VP8X", b"VP8L"]))), "photo_too_large");
        assert_eq!(code(clean(&webp(16_000, 16_000, &[b"VP8L"]))), "photo_too_large");
        // A canvas with no picture in it.
        assert_eq!(code(clean(&webp(400, 300, &[b"VP8X"]))), "broken_photo");
    }

    /// Writes the image bombs and a few honest images as the photo fuzzer's seeds:
    /// `cargo test -p liaison-web --lib photos::tests::write_fuzz_seeds -- --ignored`.
    #[test]
    #[ignore = "writes files under fuzz/seeds"]
    fn write_fuzz_seeds() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/photos");
        std::fs::create_dir_all(&dir).unwrap();
        // The bomb with only its first IDAT chunk: the header is what matters, and a fuzzer
        // mutates 4 KB far faster than the whole 170 KB.
        let mut bomb = img_parts::png::Png::from_bytes(png(30_000, 30_000).into()).unwrap();
        let mut idat = 0;
        bomb.chunks_mut().retain(|c| {
            idat += usize::from(c.kind() == *b"IDAT");
            c.kind() != *b"IDAT" || idat == 1
        });
        let seeds: [(&str, Vec<u8>); 7] = [
            ("png-bomb-30000x30000.png", bomb.encoder().bytes().to_vec()),
            ("png-64x48.png", png(64, 48)),
            ("jpeg-bomb-60000x60000.jpg", jpeg(60_000, 60_000, 0)),
            ("jpeg-bomb-behind-fill-bytes.jpg", jpeg(60_000, 60_000, 3)),
            ("jpeg-640x480.jpg", jpeg(640, 480, 0)),
            ("webp-bomb-16000x16000.webp", webp(16_000, 16_000, &[b"VP8X", b"VP8L"])),
            ("webp-400x300.webp", webp(400, 300, &[b"VP8X", b"VP8L"])),
        ];
        for (name, bytes) in seeds {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
    }
}
