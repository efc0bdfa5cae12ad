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

/// Copies `from` to `to`, creating entries in reverse name order: directory listings
/// (creation order on many file systems) then differ from the original's.
fn copy_reversed(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    let mut entries: Vec<_> = std::fs::read_dir(from)
        .unwrap()
        .map(|e| e.unwrap())
        .collect();
    entries.sort_by_key(|e| std::cmp::Reverse(e.file_name()));
    for entry in entries {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_reversed(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Two machines: the same book in different folders, its files created in opposite
/// orders, another time zone and locale, the same SOURCE_DATE_EPOCH: the same bytes.
#[test]
fn builds_on_two_machines_give_identical_bytes() {
    let first = default_book();
    let baseline = std::fs::read_to_string(
        first
            .path()
            .join("content/baselines/container-registry.yaml"),
    )
    .unwrap();
    // Several baselines, so that the order files are listed in could show.
    for (slug, service) in [("alpha", "Alpha"), ("middle", "Middle"), ("zulu", "Zulu")] {
        let text = baseline
            .replace("slug: container-registry", &format!("slug: {slug}"))
            .replace(
                "service: Container Registry",
                &format!("service: {service}"),
            );
        std::fs::write(
            first.path().join(format!("content/baselines/{slug}.yaml")),
            text,
        )
        .unwrap();
    }
    let second = tempfile::tempdir().unwrap();
    let second_root = second.path().join("a longer/path/to the same book");
    copy_reversed(first.path(), &second_root);

    for (root, tz, lang) in [
        (first.path(), "UTC", "C"),
        (second_root.as_path(), "Pacific/Kiritimati", "de_DE.UTF-8"),
    ] {
        controlbook()
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .env("TZ", tz)
            .env("LC_ALL", lang)
            .env("LANG", lang)
            .arg("--root")
            .arg(root)
            .arg("build")
            .assert()
            .success();
    }
    let a = files_below(&first.path().join("output"));
    let b = files_below(&second_root.join("output"));
    assert!(a.len() > 40, "{:?}", a.keys());
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{path} differs between the two machines");
    }
}
