//! The mapping workbook read back with calamine: Microsoft's sheets and columns, one row
//! per catalog feature, and the values the published article shows.

use calamine::{open_workbook, Reader, Xlsx};

use crate::common::*;

const SUMMARY_HEADERS: [&str; 12] = [
    "Control Domain",
    "ASB Control ID",
    "ASB Control Title",
    "Guidance",
    "Responsibility",
    "Feature Name",
    "Feature Description",
    "Feature Supported",
    "Feature Enabled by Default",
    "Feature Reference",
    "Feature Notes",
    "Guidance Notes",
];

/// The default book, built (kept until dropped), and the path of its workbook.
fn built_workbook() -> (tempfile::TempDir, std::path::PathBuf) {
    let book = built_default_book();
    let path = book
        .path()
        .join("output/xlsx/container-registry-security-baseline.xlsx");
    (book, path)
}

fn rows(path: &std::path::Path, sheet: &str) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = open_workbook(path).expect("workbook opens");
    text_rows(&mut wb, sheet)
}

/// (description, supported, enabled by default, responsibility) of every feature block of
/// the seed, found by its "Description:" line and the values line under the table header.
fn seed_features(seed: &str) -> Vec<(String, String, String, String)> {
    let lines: Vec<&str> = seed
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(desc) = line.strip_prefix("Description: ") else {
            continue;
        };
        if lines.get(i + 1) != Some(&"Supported Enabled By Default Configuration Responsibility") {
            continue;
        }
        let values = lines[i + 2];
        let tokens: Vec<&str> = values.split(' ').collect();
        // Values are True / False / Not Applicable / Customer / Microsoft / Shared.
        let mut cells = Vec::new();
        let mut j = 0;
        while j < tokens.len() {
            if tokens[j] == "Not" {
                cells.push(format!("Not {}", tokens[j + 1]));
                j += 2;
            } else {
                cells.push(tokens[j].to_string());
                j += 1;
            }
        }
        assert_eq!(cells.len(), 3, "unexpected values line {values:?}");
        let desc = desc.trim_end_matches(" Learn more.").to_string();
        out.push((desc, cells[0].clone(), cells[1].clone(), cells[2].clone()));
    }
    out
}

#[test]
fn workbook_has_microsofts_sheets_and_columns() {
    let (_book, path) = built_workbook();
    let wb: Xlsx<_> = open_workbook(&path).expect("workbook opens");
    let names = wb.sheet_names();
    assert_eq!(names[..2], ["Security Profile", "Feature Summary"]);
    assert!(names.contains(&"Azure Policy".to_string()));

    let profile = rows(&path, "Security Profile");
    assert_eq!(profile[0], ["Behavior Attribute", "Description", "Value"]);
    assert_eq!(profile.len(), 5);
    assert_eq!(profile[1][0], "Product Category");
    assert_eq!(profile[1][2], "Compute, Containers");
    assert_eq!(profile[2][2], "No Access");
    assert_eq!(profile[3][2], "False");
    assert_eq!(profile[4][2], "True");

    let summary = rows(&path, "Feature Summary");
    assert_eq!(summary[0], SUMMARY_HEADERS);
    assert_eq!(summary.len() - 1, 35, "one row per catalog feature");
    let mut names: Vec<&str> = summary[1..].iter().map(|r| r[5].as_str()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 35, "every feature exactly once");
    for row in &summary[1..] {
        assert!(
            ["True", "False", "Not Applicable"].contains(&row[7].as_str()),
            "{row:?}"
        );
        assert!(
            ["True", "False", "Not Applicable"].contains(&row[8].as_str()),
            "{row:?}"
        );
        assert!(
            ["Customer", "Microsoft", "Shared", "Not Applicable"].contains(&row[4].as_str()),
            "{row:?}"
        );
    }
}

#[test]
fn workbook_values_match_the_published_article() {
    let Some(seed) = seed_text() else { return };
    let (_book, path) = built_workbook();
    let summary = rows(&path, "Feature Summary");
    let features = seed_features(&seed);
    assert_eq!(features.len(), 23, "feature blocks in the seed");
    for (desc, supported, enabled, responsibility) in features {
        let row = summary
            .iter()
            .find(|r| r[6] == desc)
            .unwrap_or_else(|| panic!("no row for {desc:?}"));
        assert_eq!(
            (&row[7], &row[8], &row[4]),
            (&supported, &enabled, &responsibility),
            "values of {}",
            row[5]
        );
    }
    // Spot checks of guidance, references and notes as Microsoft writes them.
    let lockbox = summary.iter().find(|r| r[5] == "Customer Lockbox").unwrap();
    assert_eq!(lockbox[1], "PA-8");
    assert_eq!(
        lockbox[2],
        "Determine access process for cloud provider support"
    );
    assert_eq!(
        lockbox[9],
        "Customer Lockbox for Microsoft Azure: https://docs.microsoft.com/azure/security/fundamentals/customer-lockbox-overview"
    );
    let local = summary
        .iter()
        .find(|r| r[5] == "Local Admin Accounts")
        .unwrap();
    assert!(local[10].starts_with("Avoid the usage of local authentication methods"));
    let sp = summary
        .iter()
        .find(|r| r[5] == "Service Principals")
        .unwrap();
    assert!(
        sp[3].starts_with("Though service principals are supported"),
        "{sp:?}"
    );
}

#[test]
fn policy_sheet_lists_the_articles_policies() {
    let (_book, path) = built_workbook();
    let policies = rows(&path, "Azure Policy");
    assert_eq!(policies.len(), 3, "header and two policies");
    assert_eq!(policies[1][0], "NS-2");
    assert_eq!(
        policies[1][2],
        "Container registries should not allow unrestricted network access"
    );
    assert_eq!(policies[1][5], "2.0.0");
    assert_eq!(policies[2][0], "DP-5");
    assert_eq!(policies[2][6], "5b9159ae-1701-4a6f-9a7a-aa9c8ddd0580");
}

#[test]
fn csv_has_the_same_rows() {
    let book = built_default_book();
    let text = std::fs::read_to_string(
        book.path()
            .join("output/csv/container-registry-security-baseline.csv"),
    )
    .unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(headers, SUMMARY_HEADERS);
    assert_eq!(reader.records().count(), 35);
}

/// LibreOffice and most readers other than Excel keep a row's height from the file, so
/// every row must carry one that fits its wrapped text: rows are written out one by one,
/// and a height set too late is lost.
#[test]
fn every_row_is_as_high_as_its_wrapped_text() {
    let (_book, path) = built_workbook();
    let sheets = [
        "Security Profile",
        "Feature Summary",
        "Azure Policy",
        "Framework Mappings",
        "About",
    ];
    for (i, name) in sheets.iter().enumerate() {
        let cells = rows(&path, name);
        let heights = row_heights(&path, i + 1);
        assert_eq!(
            heights.len(),
            cells.len(),
            "{name}: one row element per row"
        );
        for ((r, height), row) in heights.iter().zip(&cells) {
            assert!(*height >= 15.0, "{name} row {r} has no height: {height}");
            assert!(
                *height <= 409.0,
                "{name} row {r} is over Excel's 409 points: {height}"
            );
            // Microsoft's longest texts (hundreds of characters) need several lines.
            let longest = row.iter().map(|c| c.chars().count()).max().unwrap_or(0);
            if longest > 400 {
                assert!(
                    *height > 60.0,
                    "{name} row {r} ({longest} chars) is {height} high"
                );
            }
        }
    }
    let summary = row_heights(&path, 2);
    assert!(
        summary.iter().filter(|(_, h)| *h > 60.0).count() > 5,
        "{summary:?}"
    );
}
