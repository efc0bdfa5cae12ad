//! `cargo fuzz run csv`: see `controlbook_fuzz::csv`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = controlbook_fuzz::csv(data);
});
