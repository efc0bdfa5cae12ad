//! `cargo fuzz run baseline`: see `controlbook_fuzz::baseline`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = controlbook_fuzz::baseline(data);
});
