//! `cargo fuzz run book_toml`: see `controlbook_fuzz::book_toml`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = controlbook_fuzz::book_toml(data);
});
