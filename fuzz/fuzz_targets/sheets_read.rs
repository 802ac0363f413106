//! Any bytes uploaded as a roster: a table or a refusal, never a panic, a hang or a blow-up.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = liaison_sheets::read(data);
});
