//! `all-baselines.xlsx`: four of Microsoft's v3 workbooks imported into a new book, the
//! workbook of every service rendered and read back with calamine: its sheets, one Feature
//! Summary row per row of each service's own workbook, the service x feature matrix, the
//! security profiles, and values known from the fixtures.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::Path;

use calamine::{open_workbook, open_workbook_from_rs, Reader, Xlsx};
use controlbook::render::mapping::FEATURE_SUMMARY_HEADERS;
use controlbook::render::workbook_all;
use controlbook::render::xlsx::XlsxOptions;

use crate::common::*;

const SERVICES: [(&str, &str); 4] = [
    ("azure-monitor", "Azure Monitor"),
    ("container-registry", "Container Registry"),
    ("key-vault", "Key Vault"),
    ("azure-load-balancer", "Azure Load Balancer"),
];

type Sheet = Vec<Vec<String>>;

/// A new book holding the four baselines, built.
fn imported_book() -> Option<tempfile::TempDir> {
    let v3 = shared_dir()?.join("fixtures/msft/v3");
    let book = tempfile::tempdir().unwrap();
    controlbook()
        .arg("init")
        .arg(book.path())
        .assert()
        .success();
    for (slug, _) in SERVICES {
        let file = v3.join(format!(
            "{slug}-azure-security-benchmark-v3-latest-security-baseline.xlsx"
        ));
        let (code, _, stderr) = run(book.path(), &["import", "xlsx", file.to_str().unwrap()]);
        assert_eq!(code, Some(0), "{slug}: {stderr}");
    }
    // Microsoft's files have defects that check reports as errors; they do not matter here.
    let (code, _, stderr) = run(book.path(), &["build", "--cap-lints", "warn"]);
    assert_eq!(code, Some(0), "{stderr}");
    Some(book)
}

/// The workbook from the library renderer, as `build` would pass the book's documents.
fn render_from_library(root: &Path) -> Vec<u8> {
    let loaded = controlbook::load(root).unwrap();
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let docs = controlbook::resolve::resolve(&loaded.book);
    assert_eq!(docs.len(), SERVICES.len());
    workbook_all::render(&docs, XlsxOptions::default()).unwrap()
}

/// Every assertion on one all-baselines workbook; `root` holds the built per-service files.
fn check_workbook(bytes: &[u8], root: &Path) {
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    assert_eq!(wb.sheet_names(), workbook_all::SHEETS);
    let mut services: Vec<&str> = SERVICES.iter().map(|(_, name)| *name).collect();
    services.sort();

    // Feature Summary: the service, then exactly Microsoft's 12 columns; per service, the
    // rows of its own workbook in the same order.
    let summary = text_rows(&mut wb, "Feature Summary");
    let mut header = vec!["Service"];
    header.extend(FEATURE_SUMMARY_HEADERS);
    assert_eq!(summary[0], header);
    let mut own_rows: HashMap<&str, Sheet> = HashMap::new();
    for (slug, name) in SERVICES {
        let path = root.join(format!("output/xlsx/{slug}-security-baseline.xlsx"));
        let mut own: Xlsx<_> = open_workbook(&path).unwrap();
        let rows = text_rows(&mut own, "Feature Summary");
        let features = std::fs::read_to_string(root.join(format!("content/baselines/{slug}.yaml")))
            .unwrap()
            .matches("- feature: ")
            .count();
        assert_eq!(features, 35, "{slug}");
        assert!(rows.len() > features, "{slug}: a row per feature");
        let ours: Sheet = summary[1..]
            .iter()
            .filter(|r| r[0] == name)
            .map(|r| r[1..].to_vec())
            .collect();
        assert_eq!(
            ours.len(),
            rows.len() - 1,
            "{name}: one row per row of its own workbook"
        );
        assert_eq!(ours, rows[1..], "{name}: rows differ from its own workbook");
        own_rows.insert(name, rows);
    }
    assert_eq!(
        summary.len() - 1,
        own_rows.values().map(|r| r.len() - 1).sum::<usize>(),
        "rows of no service"
    );
    // Services come in the book's order, each in one block.
    let mut blocks: Vec<&str> = summary[1..].iter().map(|r| r[0].as_str()).collect();
    blocks.dedup();
    assert_eq!(blocks, services);

    // Matrix: a row per service, a column per feature, in an order every service agrees with.
    let matrix = text_rows(&mut wb, "Matrix");
    assert_eq!(matrix.len(), 1 + SERVICES.len(), "services x features");
    assert!(
        matrix.iter().all(|r| r.len() == 1 + 35),
        "services x features"
    );
    assert_eq!(matrix[0][0], "Service");
    let column: HashMap<&str, usize> = matrix[0]
        .iter()
        .enumerate()
        .skip(1)
        .map(|(i, name)| (name.as_str(), i))
        .collect();
    assert_eq!(column.len(), 35, "feature columns are distinct");
    let row_services: Vec<&str> = matrix[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(row_services, services);
    for (name, rows) in &own_rows {
        let indices: Vec<usize> = rows[1..]
            .iter()
            .filter(|r| r[5] != "No Related Feature")
            .map(|r| column[r[5].as_str()])
            .collect();
        assert!(
            indices.windows(2).all(|w| w[0] < w[1]),
            "{name}: columns out of its order {indices:?}"
        );
    }
    let cell = |service: &str, feature: &str| -> &str {
        let row = matrix
            .iter()
            .find(|r| r[0] == service)
            .unwrap_or_else(|| panic!("no row for {service}"));
        &row[column[feature]]
    };
    for (service, feature, expected) in [
        (
            "Azure Monitor",
            "Virtual Network Integration",
            "Supported (Customer)",
        ),
        (
            "Azure Monitor",
            "Local Authentication Methods for Data Plane Access",
            "Not supported",
        ),
        (
            "Azure Monitor",
            "Azure RBAC for Data Plane",
            "Supported (Microsoft)",
        ),
        (
            "Container Registry",
            "Virtual Network Integration",
            "Not supported",
        ),
        (
            "Key Vault",
            "Certificate Management in Azure Key Vault",
            "Supported (Customer)",
        ),
        (
            "Azure Load Balancer",
            "Azure Private Link",
            "Not applicable",
        ),
        (
            "Azure Load Balancer",
            "Azure Policy Support",
            "Supported (Customer)",
        ),
    ] {
        assert_eq!(cell(service, feature), expected, "{service} x {feature}");
    }

    // Security Profile: a row per service, the attributes as columns.
    let profile = text_rows(&mut wb, "Security Profile");
    assert_eq!(
        profile[0],
        [
            "Service",
            "Product Category",
            "Customer can access HOST / OS",
            "Service can be deployed into customer's virtual network",
            "Stores customer content at rest",
        ]
    );
    assert_eq!(profile.len(), 1 + SERVICES.len());
    let row = |service: &str| profile.iter().find(|r| r[0] == service).unwrap().clone();
    assert_eq!(
        row("Key Vault"),
        ["Key Vault", "Security", "No Access", "True", "True"]
    );
    assert_eq!(
        row("Azure Monitor"),
        [
            "Azure Monitor",
            "DevOps, Security",
            "No Access",
            "False",
            "True"
        ]
    );
    assert_eq!(
        row("Azure Load Balancer")[1..],
        ["Networking", "No Access", "False", "False"]
    );
}

#[test]
fn all_baselines_workbook_puts_every_service_side_by_side() {
    let Some(book) = imported_book() else { return };
    let bytes = render_from_library(book.path());
    check_workbook(&bytes, book.path());
    assert_eq!(
        bytes,
        render_from_library(book.path()),
        "the same book gives the same bytes"
    );
    // Once `build` writes it, the built file passes the same checks.
    let built = book.path().join("output/xlsx/all-baselines.xlsx");
    if built.is_file() {
        check_workbook(&std::fs::read(&built).unwrap(), book.path());
    }
}

/// Each row once, in order, and the rows that fit their text keep their height up to the
/// last one: rust_xlsxwriter's low memory mode, which wrote this workbook once, wrote the
/// last row twice (Excel repairs such a file).
#[test]
fn all_baselines_rows_come_once_and_in_order() {
    let book = built_default_book();
    let path = book.path().join("output/xlsx/all-baselines.xlsx");
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    for (i, name) in workbook_all::SHEETS.iter().enumerate() {
        let rows = row_heights(&path, i + 1);
        assert!(
            rows.windows(2).all(|w| w[0].0 < w[1].0),
            "{name}: rows in order, each once: {rows:?}"
        );
        let cells = text_rows(&mut wb, name);
        assert!(cells.len() >= 2, "{name}: a header and a service");
        if *name != "Matrix" {
            for (r, height) in &rows[..cells.len()] {
                assert!(*height >= 15.0, "{name}: row {r} has no height");
            }
        }
    }
}

/// The combined workbook's Feature Summary rows are as high as the same rows of each
/// service's own workbook, whose measures it shares, and as high as a long service name
/// in its first column needs.
#[test]
fn combined_rows_are_as_high_as_their_own_rows_and_their_service() {
    use controlbook::render::xlsx::{self, SummaryLines};

    let Some(book) = imported_book() else { return };
    let loaded = controlbook::load(book.path()).unwrap();
    let mut docs = controlbook::resolve::resolve(&loaded.book);
    // 104 characters in a column of 28: four lines at least.
    docs[0].service = "A service whose name is far too long for its column ".repeat(2);
    let options = XlsxOptions::default();
    let out = tempfile::tempdir().unwrap();
    let lines: Vec<SummaryLines> = docs.iter().map(|_| SummaryLines::default()).collect();
    let mut own_heights = Vec::new();
    for (doc, lines) in docs.iter().zip(&lines) {
        let path = out.path().join(format!("{}.xlsx", doc.slug));
        std::fs::write(&path, xlsx::render_with(doc, lines, options).unwrap()).unwrap();
        // Sheet 2 is the Feature Summary; its first row is the header.
        own_heights.push(row_heights(&path, 2).split_off(1));
    }
    let refs: Vec<&controlbook::resolve::Doc> = docs.iter().collect();
    let line_refs: Vec<&SummaryLines> = lines.iter().collect();
    let combined = out.path().join("all.xlsx");
    let bytes = workbook_all::render_with(&refs, &line_refs, options).unwrap();
    std::fs::write(&combined, bytes).unwrap();

    let combined_heights = row_heights(&combined, 1).split_off(1);
    let own: Vec<(usize, f64)> = own_heights
        .iter()
        .enumerate()
        .flat_map(|(i, rows)| rows.iter().map(move |(_, h)| (i, *h)))
        .collect();
    assert_eq!(combined_heights.len(), own.len(), "a row per own row");
    for ((r, combined), (i, own)) in combined_heights.iter().zip(&own) {
        if *i == 0 {
            assert!(
                *combined >= 62.0 && combined >= own,
                "row {r}: {combined}, own {own}"
            );
        } else {
            assert_eq!(combined, own, "row {r} of {}", docs[*i].slug);
        }
    }
}
