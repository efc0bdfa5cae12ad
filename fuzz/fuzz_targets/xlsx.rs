//! `cargo fuzz run xlsx`: a workbook (a zip, or a text archive of its entries that the
//! harness zips, so that mutations reach the XML) through `controlbook_fuzz::xlsx`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = controlbook_fuzz::xlsx(&controlbook_fuzz::xlsx_input(data));
});
