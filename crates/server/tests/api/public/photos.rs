//! Photos sent with the contact form keep their orientation (a phone's EXIF "turn 90°" is applied
//! to the pixels before the EXIF goes), and their thumbnails are shown only to whoever may see
//! the photo.

use super::{contact, organisation};
use image::{GenericImageView, Rgb, RgbImage};
use liaison_testkit::{Backend, TestApp, on_both_backends};
use reqwest::StatusCode;
use serde_json::Value;

/// A JPEG as a phone held upright writes it: landscape pixels (`w` × `h`, a red block in the
/// top-left corner) and EXIF Orientation 6 with a position after it.
fn sideways_jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, y| if x < w / 8 && y < h / 8 { Rgb([255, 0, 0]) } else { Rgb([250; 3]) });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90).encode_image(&img).unwrap();
    let mut app1 = b"Exif\0\0MM\0*\0\0\0\x08\0\x01".to_vec();
    app1.extend([0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0]);
    app1.extend(b"GPSLatitude=33.68N");
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(((app1.len() + 2) as u16).to_be_bytes());
    out.extend(app1);
    out.extend(&jpeg[2..]);
    out
}

fn red(img: &image::DynamicImage, x: u32, y: u32) -> bool {
    let p = img.get_pixel(x, y);
    p[0] > 200 && p[1] < 80 && p[2] < 80
}

async fn a_sideways_photo_is_kept_upright_and_its_thumbnail_is_for_those_who_may_see_it(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let sup = organisation(&app).await;
    let photo = sideways_jpeg(800, 400);
    let fields = [("station", "renhe"), ("title", "边坡落石"), ("content", "村道边坡有落石")];
    let res = contact(&app, &fields, &[&photo]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    let cases: Value = app.get("/api/v1/cases", Some(&sup)).await.json().await.unwrap();
    let id = cases["items"][0]["id"].as_i64().unwrap();
    let detail: Value = app.get(&format!("/api/v1/cases/{id}"), Some(&sup)).await.json().await.unwrap();
    let hash = detail["photos"][0].as_str().unwrap().to_owned();
    let path = format!("/api/v1/cases/{id}/photos/{hash}");

    // Upright: portrait, the red corner now at the top right, no EXIF left.
    let res = app.get(&path, Some(&sup)).await;
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    let stored = res.bytes().await.unwrap();
    assert!(!stored.windows(4).any(|w| w == b"Exif") && !stored.windows(3).any(|w| w == b"GPS"));
    let img = image::load_from_memory(&stored).unwrap();
    assert_eq!(img.dimensions(), (400, 800));
    assert!(red(&img, 395, 4) && !red(&img, 4, 4) && !red(&img, 395, 795));

    // The thumbnail: a JPEG of at most 320 pixels a side, the same way up; the second request
    // reads the one kept on disk.
    for _ in 0..2 {
        let res = app.get(&format!("{path}?size=thumb"), Some(&sup)).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "image/jpeg");
        let thumb = image::load_from_memory(&res.bytes().await.unwrap()).unwrap();
        assert_eq!(thumb.dimensions(), (160, 320));
        assert!(red(&thumb, 157, 3) && !red(&thumb, 3, 3));
    }
    assert_eq!(app.get(&format!("{path}?size=full"), Some(&sup)).await.bytes().await.unwrap(), stored);
    let res = app.get(&format!("{path}?size=huge"), Some(&sup)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(liaison_testkit::error_code(res).await, "invalid_size");

    // The same authorization as the photo: the other county's supervisor, an administrator and
    // a stranger get neither.
    let other = app.token_for("sup-b", "county_supervisor", "region:611025", "611025").await;
    let admin = app.token_for("sys", "system_admin", "region:611026", "611026").await;
    for size in ["", "?size=thumb"] {
        for (who, status) in [
            (Some(&other), StatusCode::FORBIDDEN),
            (Some(&admin), StatusCode::FORBIDDEN),
            (None, StatusCode::UNAUTHORIZED),
        ] {
            let res = app.get(&format!("{path}{size}"), who.map(String::as_str)).await;
            assert_eq!(res.status(), status, "{size} {who:?}");
            assert!(!res.headers()["content-type"].to_str().unwrap().starts_with("image/"));
        }
    }
}

on_both_backends!(a_sideways_photo_is_kept_upright_and_its_thumbnail_is_for_those_who_may_see_it);
