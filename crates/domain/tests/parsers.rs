//! Property tests for every parser the public can reach: whatever the input, a parser returns a
//! value or a Chinese error, never panics; what it accepts round-trips; what it emits it accepts.

use liaison_domain::case::{TrackingCode, parse_content, parse_note, parse_title};
use liaison_domain::org::{derive_slug, parse_levels};
use liaison_domain::phone::{PhoneNumber, mask_phone};
use liaison_domain::region::RegionCode;
use liaison_domain::roster::parse_grid_level;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn tracking_codes_never_panic_and_round_trip(raw in "\\PC{0,40}") {
        if let Ok(code) = TrackingCode::parse(&raw) {
            prop_assert_eq!(TrackingCode::parse(&code.display()).unwrap(), code.clone());
            prop_assert_eq!(code.as_str().len(), 10);
        }
    }

    #[test]
    fn generated_tracking_codes_parse(_n in 0u8..50) {
        let c = TrackingCode::generate();
        prop_assert_eq!(TrackingCode::parse(&c.display().to_lowercase()).unwrap(), c);
    }

    #[test]
    fn region_codes_never_panic(raw in "\\PC{0,20}") {
        if let Ok(code) = RegionCode::parse(&raw) {
            prop_assert!(matches!(code.as_str().len(), 2 | 4 | 6 | 9 | 12));
            prop_assert_eq!(RegionCode::parse(code.as_str()).unwrap(), code.clone());
            if let Some(p) = code.parent() {
                prop_assert!(p.contains(&code));
            }
            prop_assert_eq!(code.county_key().len(), 6);
        } else {
            prop_assert!(!RegionCode::parse(&raw).unwrap_err().message.is_ascii());
        }
    }

    #[test]
    fn digit_strings_of_valid_length(raw in "[1-9][0-9]{1}|[1-9][0-9]{3}|[1-9][0-9]{5}|[1-9][0-9]{8}|[1-9][0-9]{11}") {
        // Accepted unless a segment below the top is all zeros.
        let _ = RegionCode::parse(&raw);
    }

    #[test]
    fn phone_numbers_never_panic_and_mask(raw in "\\PC{0,30}") {
        if let Ok(p) = PhoneNumber::parse(&raw) {
            prop_assert_eq!(PhoneNumber::parse(p.as_str()).unwrap(), p.clone());
            let masked = p.masked();
            prop_assert!(masked.contains('*'));
            prop_assert_ne!(masked, p.as_str().to_owned());
        }
        let _ = mask_phone(&raw);
    }

    #[test]
    fn mobiles_are_accepted(tail in "[3-9][0-9]{9}") {
        let raw = format!("1{tail}");
        let p = PhoneNumber::parse(&raw).unwrap();
        prop_assert_eq!(p.as_str(), raw.as_str());
    }

    #[test]
    fn form_fields_never_panic(raw in "\\PC{0,200}") {
        if let Ok(t) = parse_title(&raw) {
            prop_assert!(!t.is_empty() && t.chars().count() <= 60);
        }
        if let Ok(c) = parse_content(&raw) {
            prop_assert!(!c.is_empty());
        }
        let _ = parse_note("note", "备注", &raw);
        let _ = parse_levels(&raw);
        let _ = parse_grid_level(&raw);
    }

    #[test]
    fn derived_slugs_are_valid_slugs(a in "\\PC{0,30}", b in "\\PC{0,30}") {
        let s = derive_slug("st", &[&a, &b]);
        prop_assert!(liaison_domain::authz::parse_slug(&s).is_ok());
    }
}
