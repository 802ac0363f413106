//! QR codes for deputies (一人一码) and stations: SVG for print, PNG for phones and chat.
//! Codes hold only the public page's URL, built from the stable slug.

use qrcode::types::Color;
use qrcode::{EcLevel, QrCode};

fn code(url: &str) -> QrCode {
    // Medium error correction survives a creased or smudged print on a station wall.
    QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M).expect("a page URL fits in a QR code")
}

/// An SVG with a four-module quiet zone.
pub fn svg(url: &str) -> String {
    code(url).render::<qrcode::render::svg::Color<'_>>().min_dimensions(240, 240).quiet_zone(true).build()
}

/// A grayscale PNG, `scale` pixels per module, with a four-module quiet zone.
pub fn png(url: &str, scale: usize) -> Vec<u8> {
    let c = code(url);
    let modules = c.width();
    let colors = c.to_colors();
    let quiet = 4;
    let side = (modules + 2 * quiet) * scale;
    let mut pixels = vec![255u8; side * side];
    for (i, color) in colors.iter().enumerate() {
        if *color == Color::Dark {
            let (mx, my) = (i % modules + quiet, i / modules + quiet);
            for y in my * scale..(my + 1) * scale {
                pixels[y * side + mx * scale..y * side + (mx + 1) * scale].fill(0);
            }
        }
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, side as u32, side as u32);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().expect("PNG header to a Vec");
        w.write_image_data(&pixels).expect("PNG data to a Vec");
    }
    out
}
