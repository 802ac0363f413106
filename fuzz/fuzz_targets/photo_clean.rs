//! Any bytes uploaded as a case photo: a cleaned photo within the limits, or a refusal; never a
//! panic, and never an allocation that follows what the file declares (a 30000 × 30000 PNG).
#![no_main]
use liaison_app::photos;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(photo) = photos::clean(data) {
        // What is stored passes again, unchanged: cleaning leaves nothing to clean.
        let again = photos::clean(&photo.bytes).expect("a cleaned photo passes again");
        assert_eq!(again.hash, photo.hash);
    }
});
