//! What needs a photo's pixels: turning a JPEG upright as its EXIF orientation says before the
//! EXIF is stripped (so that no viewer shows it on its side), and the small JPEG staff lists show.

use image::codecs::jpeg::JpegEncoder;
use image::metadata::Orientation;
use image::{DynamicImage, ImageFormat, RgbImage};

/// The longest side of a thumbnail, in pixels.
pub const THUMB_SIDE: u32 = 320;
const UPRIGHT_QUALITY: u8 = 90;
const THUMB_QUALITY: u8 = 80;

/// The turn an EXIF block (from its TIFF header on, as img-parts gives it) asks for, if any.
pub(super) fn orientation(exif: &[u8]) -> Option<Orientation> {
    Orientation::from_exif_chunk(exif).filter(|o| *o != Orientation::NoTransforms)
}

fn encode(img: &RgbImage, quality: u8, icc: Option<&[u8]>) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut enc = JpegEncoder::new_with_quality(&mut out, quality);
    if let Some(icc) = icc {
        // A wide-gamut phone photo keeps its colours; a profile the encoder refuses is dropped.
        let _ = image::ImageEncoder::set_icc_profile(&mut enc, icc.to_vec());
    }
    enc.encode_image(img).ok()?;
    Some(out)
}

/// Decodes a JPEG, turns its pixels as `turn` says and encodes it again, with its colour profile;
/// None when it cannot be decoded.
pub(super) fn upright(jpeg: &[u8], turn: Orientation, icc: Option<&[u8]>) -> Option<Vec<u8>> {
    let mut img = image::load_from_memory_with_format(jpeg, ImageFormat::Jpeg).ok()?;
    img.apply_orientation(turn);
    encode(&img.into_rgb8(), UPRIGHT_QUALITY, icc)
}

/// An EXIF block that holds nothing but the orientation, for a JPEG that cannot be decoded here:
/// viewers still turn it upright, and nothing else (position, camera, time) is kept.
pub(super) fn orientation_only(turn: Orientation) -> Vec<u8> {
    let mut tiff = b"MM\0*\0\0\0\x08\0\x01".to_vec();
    tiff.extend([0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, turn.to_exif(), 0, 0]);
    tiff.extend([0, 0, 0, 0]);
    tiff
}

/// A JPEG of at most [`THUMB_SIDE`] pixels a side (never enlarged), transparency on white;
/// None when the photo cannot be decoded.
pub fn thumbnail(photo: &[u8]) -> Option<Vec<u8>> {
    let img = image::load_from_memory(photo).ok()?;
    let small =
        if img.width() > THUMB_SIDE || img.height() > THUMB_SIDE { img.thumbnail(THUMB_SIDE, THUMB_SIDE) } else { img };
    let rgb = match small {
        DynamicImage::ImageRgb8(rgb) => rgb,
        other if other.color().has_alpha() => {
            let rgba = other.to_rgba8();
            RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
                let p = rgba.get_pixel(x, y);
                let a = u16::from(p[3]);
                image::Rgb([0, 1, 2].map(|i| ((u16::from(p[i]) * a + 255 * (255 - a)) / 255) as u8))
            })
        }
        other => other.to_rgb8(),
    };
    encode(&rgb, THUMB_QUALITY, None)
}

#[cfg(test)]
mod tests {
    use super::super::clean;
    use super::*;
    use image::{GenericImageView, Rgb};
    use img_parts::ImageEXIF;

    /// A real JPEG of `w` × `h`, white with a red block in its top-left corner.
    fn photo(w: u32, h: u32) -> Vec<u8> {
        let img = RgbImage::from_fn(w, h, |x, y| if x < w / 8 && y < h / 8 { Rgb([255, 0, 0]) } else { Rgb([255; 3]) });
        encode(&img, 90, None).unwrap()
    }

    /// Inserts after SOI an APP1 EXIF block saying `orientation`, followed by a position.
    fn with_orientation(jpeg: &[u8], orientation: u8) -> Vec<u8> {
        let mut app1 = b"Exif\0\0MM\0*\0\0\0\x08\0\x01".to_vec();
        app1.extend([0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0]);
        app1.extend(b"GPSLatitude=33.68N");
        let mut out = jpeg[..2].to_vec();
        out.extend([0xFF, 0xE1]);
        out.extend(((app1.len() + 2) as u16).to_be_bytes());
        out.extend(app1);
        out.extend(&jpeg[2..]);
        out
    }

    fn is_red(p: image::Rgba<u8>) -> bool {
        p[0] > 200 && p[1] < 80 && p[2] < 80
    }

    #[test]
    fn a_sideways_photo_is_stored_upright_without_its_exif() {
        // The camera's sensor is landscape, 64 × 32; orientation 6 says "turn 90° clockwise".
        let raw = with_orientation(&photo(64, 32), 6);
        let stored = clean(&raw).unwrap();
        assert!(!stored.bytes.windows(4).any(|w| w == b"Exif") && !stored.bytes.windows(3).any(|w| w == b"GPS"));
        let img = image::load_from_memory(&stored.bytes).unwrap();
        assert_eq!(img.dimensions(), (32, 64), "portrait, as it was taken");
        assert!(is_red(img.get_pixel(29, 2)), "the red corner is now at the top right");
        assert!(!is_red(img.get_pixel(2, 2)) && !is_red(img.get_pixel(29, 61)));
        assert_eq!(clean(&stored.bytes).unwrap().hash, stored.hash, "cleaning it again changes nothing");
        // Upright photos are left as they are.
        let plain = photo(64, 32);
        assert_eq!(clean(&with_orientation(&plain, 1)).unwrap().hash, clean(&plain).unwrap().hash, "not decoded");
        assert_eq!(image::load_from_memory(&clean(&plain).unwrap().bytes).unwrap().dimensions(), (64, 32));
    }

    #[test]
    fn a_jpeg_that_cannot_be_decoded_keeps_only_its_orientation() {
        // A frame header and no picture data.
        let mut fake = vec![0xFF, 0xD8, 0xFF, 0xDB, 0, 4, 0, 0, 0xFF, 0xC0, 0, 11, 8, 0, 32, 0, 64, 1, 1, 0x11, 0];
        fake.extend([0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0, 0x12, 0x34, 0xFF, 0xD9]);
        let stored = clean(&with_orientation(&fake, 6)).unwrap();
        let jpeg = img_parts::jpeg::Jpeg::from_bytes(stored.bytes.clone().into()).unwrap();
        let exif = jpeg.exif().expect("the orientation is kept");
        assert_eq!(Orientation::from_exif_chunk(&exif), Some(Orientation::Rotate90));
        assert!(!stored.bytes.windows(3).any(|w| w == b"GPS"), "nothing else");
    }

    #[test]
    fn a_photo_too_large_to_turn_here_keeps_its_orientation_tag() {
        let big = photo(4_100, 4_000);
        let stored = clean(&with_orientation(&big, 6)).unwrap();
        let jpeg = img_parts::jpeg::Jpeg::from_bytes(stored.bytes.clone().into()).unwrap();
        assert_eq!(Orientation::from_exif_chunk(&jpeg.exif().unwrap()), Some(Orientation::Rotate90));
        assert!(!stored.bytes.windows(3).any(|w| w == b"GPS"));
        assert_eq!(image::load_from_memory(&stored.bytes).unwrap().dimensions(), (4_100, 4_000), "not decoded");
        assert_eq!(clean(&stored.bytes).unwrap().hash, stored.hash, "cleaning it again changes nothing");
    }

    #[test]
    fn thumbnails_are_small_jpegs_and_small_photos_are_not_enlarged() {
        let t = image::load_from_memory(&thumbnail(&photo(2000, 1000)).unwrap()).unwrap();
        assert_eq!(t.dimensions(), (THUMB_SIDE, THUMB_SIDE / 2));
        let t = thumbnail(&photo(100, 50)).unwrap();
        assert!(t.starts_with(&[0xFF, 0xD8]));
        assert_eq!(image::load_from_memory(&t).unwrap().dimensions(), (100, 50));
        assert!(thumbnail(b"not a picture").is_none());
    }
}
