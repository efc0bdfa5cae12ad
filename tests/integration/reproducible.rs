//! The same input gives the same bytes, the workbook included.

use crate::common::*;

#[test]
fn two_builds_give_identical_bytes() {
    let book = default_book();
    build(book.path());
    let first = files_below(&book.path().join("output"));
    // Let the clock move so that a timestamp taken from it would differ.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    build(book.path());
    let second = files_below(&book.path().join("output"));
    assert!(first.len() >= 10, "{:?}", first.keys());
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &first {
        assert!(bytes == &second[path], "{path} differs between builds");
    }
}

#[test]
fn source_date_epoch_sets_the_workbook_timestamp() {
    let book = default_book();
    let xlsx = book
        .path()
        .join("output/xlsx/container-registry-security-baseline.xlsx");
    build(book.path());
    let default = std::fs::read(&xlsx).unwrap();
    controlbook()
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .arg("--root")
        .arg(book.path())
        .arg("build")
        .assert()
        .success();
    let stamped = std::fs::read(&xlsx).unwrap();
    assert_ne!(default, stamped, "SOURCE_DATE_EPOCH had no effect");
    controlbook()
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .arg("--root")
        .arg(book.path())
        .arg("build")
        .assert()
        .code(2);
}
