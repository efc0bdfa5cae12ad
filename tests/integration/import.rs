//! `init` and `import`: Microsoft's published v3 workbooks come in, pass `check` once the
//! defects that cannot be repaired are capped, build, and survive a round trip through the
//! workbook that `build` writes. Broken input changes nothing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use calamine::{open_workbook, Data, Reader, Xlsx};

use crate::common::*;

fn v3_fixtures() -> Option<Vec<PathBuf>> {
    let dir = shared_dir()?.join("fixtures/msft/v3");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 12);
    Some(files)
}

fn new_book() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    controlbook().arg("init").arg(dir.path()).assert().success();
    dir
}

/// Rows of a Feature Summary sheet as header -> value maps, Microsoft's `None` as empty and
/// whitespace folded (the documented normalisations).
fn summary_rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let range = wb.worksheet_range("Feature Summary").unwrap();
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string().trim().to_string())
        .collect();
    rows.filter(|r| r.iter().any(|c| *c != Data::Empty))
        .map(|r| {
            header
                .iter()
                .zip(r.iter())
                .map(|(h, c)| {
                    let v = c.to_string();
                    let v = if v.trim() == "None" { String::new() } else { v };
                    let folded = v
                        .split('\n')
                        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                        .collect::<Vec<_>>()
                        .join("\n");
                    (h.clone(), folded.trim().to_string())
                })
                .collect()
        })
        .collect()
}

#[test]
fn init_creates_a_book_that_builds_and_refuses_to_overwrite() {
    let book = new_book();
    for f in [
        "book.toml",
        "content/benchmarks/mcsb-v1.yaml",
        "content/features.yaml",
        "schemas/baseline.schema.json",
    ] {
        assert!(book.path().join(f).is_file(), "{f}");
    }
    build(book.path());
    assert!(book.path().join("output/site/index.html").is_file());
    let before = std::fs::read(book.path().join("book.toml")).unwrap();
    controlbook().arg("init").arg(book.path()).assert().code(2);
    assert_eq!(
        before,
        std::fs::read(book.path().join("book.toml")).unwrap()
    );
}

#[test]
fn every_v3_fixture_imports_checks_and_builds() {
    let Some(fixtures) = v3_fixtures() else {
        return;
    };
    let book = new_book();
    let dir = fixtures[0].parent().unwrap().to_str().unwrap().to_string();
    let (code, stdout, stderr) = run(book.path(), &["import", "xlsx", &dir]);
    assert_eq!(code, Some(0), "{stderr}");
    let written: Vec<_> = std::fs::read_dir(book.path().join("content/baselines"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "yaml")
        })
        .collect();
    assert_eq!(written.len(), 12);
    // One summary line per file.
    assert_eq!(
        stdout
            .lines()
            .filter(|l| l.contains(" features in ") && l.contains(" controls -> "))
            .count(),
        12,
        "{stdout}"
    );
    // The defects that cannot be repaired are flagged by check; capped, the book passes.
    let (code, _, stderr) = run(book.path(), &["check"]);
    assert_eq!(
        code,
        Some(1),
        "Microsoft's files have unrepairable defects: {stderr}"
    );
    let (code, _, stderr) = run(book.path(), &["check", "--cap-lints", "warn"]);
    assert_eq!(code, Some(0), "{stderr}");
    let (code, _, stderr) = run(book.path(), &["build", "--cap-lints", "warn"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(book
        .path()
        .join("output/site/key-vault/index.html")
        .is_file());
}

#[test]
fn defect_report_names_the_known_defects() {
    let Some(fixtures) = v3_fixtures() else {
        return;
    };
    let book = new_book();
    let dir = fixtures[0].parent().unwrap().to_str().unwrap().to_string();
    let (code, stdout, _) = run(book.path(), &["import", "xlsx", &dir, "--format", "json"]);
    assert_eq!(code, Some(0));
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let defects = |name: &str| -> Vec<serde_json::Value> {
        report["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["source"].as_str().unwrap().contains(name))
            .unwrap()["defects"]
            .as_array()
            .unwrap()
            .clone()
    };
    let cr = defects("container-registry");
    assert!(
        cr.iter().any(|d| d["kind"] == "missing-control-id"
            && d["sheet"] == "Feature Summary"
            && d["cell"] == "B34"
            && d["action"] == "repaired"),
        "{cr:#?}"
    );
    let kv = defects("key-vault");
    assert!(
        kv.iter().any(|d| d["kind"] == "duplicate-row"
            && d["message"]
                .as_str()
                .unwrap()
                .contains("data-in-transit-encryption")),
        "{kv:#?}"
    );
    let lb = defects("azure-load-balancer");
    assert!(
        lb.iter()
            .any(|d| d["kind"] == "unsupported-with-responsibility" && d["action"] == "kept"),
        "{lb:#?}"
    );
}

#[test]
fn v3_fixtures_round_trip_through_the_built_workbook() {
    let Some(fixtures) = v3_fixtures() else {
        return;
    };
    let book = new_book();
    let dir = fixtures[0].parent().unwrap().to_str().unwrap().to_string();
    run(book.path(), &["import", "xlsx", &dir]);
    let (code, _, stderr) = run(book.path(), &["build", "--cap-lints", "warn"]);
    assert_eq!(code, Some(0), "{stderr}");
    let first_yaml: HashMap<String, String> =
        std::fs::read_dir(book.path().join("content/baselines"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
            .map(|p| {
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    std::fs::read_to_string(&p).unwrap(),
                )
            })
            .collect();

    for fixture in &fixtures {
        let slug = first_yaml.keys().find(|k| {
            let stem = k.trim_end_matches(".yaml");
            fixture
                .file_name()
                .unwrap()
                .to_string_lossy()
                .replace(' ', "-")
                .starts_with(&format!("{stem}-azure"))
        });
        let slug = slug
            .unwrap_or_else(|| panic!("no baseline for {}", fixture.display()))
            .trim_end_matches(".yaml")
            .to_string();
        let built = book
            .path()
            .join(format!("output/xlsx/{slug}-security-baseline.xlsx"));
        let original = summary_rows(fixture);
        let ours = summary_rows(&built);
        let mut seen = std::collections::HashSet::new();
        for row in &original {
            let name = &row["Feature Name"];
            let found = ours.iter().find(|r| {
                &r["Feature Name"] == name
                    && (row["ASB Control ID"].is_empty()
                        || r["ASB Control ID"] == row["ASB Control ID"])
            });
            let found = found.unwrap_or_else(|| {
                panic!(
                    "{slug}: row for {name} / {} is missing",
                    row["ASB Control ID"]
                )
            });
            // Merged duplicates: the extra row's guidance is a paragraph of the merged row.
            assert!(
                found["Guidance"].contains(&row["Guidance"]),
                "{slug}: guidance of {name}"
            );
            // Only the first row of a (control, feature) pair keeps its values, in sheet
            // order; a row whose control id was missing counts under the repaired id.
            if !seen.insert((found["ASB Control ID"].clone(), name.clone())) {
                continue;
            }
            for col in [
                "Control Domain",
                "ASB Control Title",
                "Responsibility",
                "Feature Description",
                "Feature Supported",
                "Feature Enabled by Default",
                "Feature Reference",
                "Feature Notes",
                "Guidance Notes",
            ] {
                if col == "Control Domain" && row["ASB Control ID"].is_empty() {
                    continue; // the row lacked its control; the import filled it in
                }
                if col == "ASB Control Title" && row["ASB Control ID"].is_empty() {
                    continue;
                }
                assert_eq!(found[col], row[col], "{slug}: {col} of {name}");
            }
        }
    }

    // Importing the built workbooks again gives the same YAML.
    let again = tempfile::tempdir().unwrap();
    let xlsx_dir = book.path().join("output/xlsx");
    let (code, _, stderr) = run(
        book.path(),
        &[
            "import",
            "xlsx",
            xlsx_dir.to_str().unwrap(),
            "--out",
            again.path().to_str().unwrap(),
        ],
    );
    assert_eq!(code, Some(0), "{stderr}");
    for (name, yaml) in &first_yaml {
        let second = std::fs::read_to_string(again.path().join(name))
            .unwrap_or_else(|_| panic!("{name} not re-imported"));
        assert!(
            second == *yaml,
            "{name} changed on re-import:\n--- first\n{yaml}\n--- second\n{second}"
        );
    }
}

#[test]
fn csv_round_trips_features() {
    let book = built_default_book();
    let csv = book
        .path()
        .join("output/csv/container-registry-security-baseline.csv");
    let out = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(
        book.path(),
        &[
            "import",
            "csv",
            csv.to_str().unwrap(),
            "--out",
            out.path().to_str().unwrap(),
        ],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let text = std::fs::read_to_string(out.path().join("container-registry.yaml")).unwrap();
    assert_eq!(text.matches("- feature: ").count(), 35);
    assert!(text.contains("Though service principals are supported by the service"));
    assert!(text.contains(
        "url: https://docs.microsoft.com/azure/container-registry/container-registry-private-link"
    ));
}

#[test]
fn broken_workbooks_are_refused_and_nothing_is_written() {
    let book = new_book();
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("text.xlsx");
    std::fs::write(&text, "this is not a workbook").unwrap();
    let cases: Vec<(PathBuf, &str)> = {
        let mut cases = vec![(text, "not an XLSX workbook")];
        if let Some(fixtures) = v3_fixtures() {
            let bytes = std::fs::read(&fixtures[0]).unwrap();
            let truncated = dir.path().join("truncated.xlsx");
            std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
            cases.push((truncated, "not a readable XLSX workbook"));
            let catalog = shared_dir()
                .unwrap()
                .join("fixtures/msft/catalog/Microsoft_cloud_security_benchmark_v1.xlsx");
            cases.push((catalog, "no sheet named `Feature Summary`"));
        }
        cases
    };
    for (path, message) in cases {
        let (code, _, stderr) = run(book.path(), &["import", "xlsx", path.to_str().unwrap()]);
        assert_eq!(code, Some(2), "{}: {stderr}", path.display());
        assert!(stderr.contains(message), "{}: {stderr}", path.display());
        assert!(
            stderr.contains(path.file_name().unwrap().to_str().unwrap()),
            "{stderr}"
        );
    }
    let baselines: Vec<_> = std::fs::read_dir(book.path().join("content/baselines"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(baselines, [std::ffi::OsString::from(".gitkeep")]);
}

#[test]
fn a_workbook_with_unexpected_headers_is_refused() {
    let book = new_book();
    let path = book.path().join("odd.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.set_name("Feature Summary").unwrap();
    for (c, h) in ["Domain", "Control", "Title", "Text"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 1, "NS-1").unwrap();
    wb.save(&path).unwrap();
    let (code, _, stderr) = run(book.path(), &["import", "xlsx", path.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("odd.xlsx: sheet `Feature Summary` lacks the column `ASB Control ID`"),
        "{stderr}"
    );
    assert!(!book.path().join("content/baselines/odd.yaml").exists());
}

#[test]
fn wrong_headers_are_refused() {
    let book = new_book();
    let csv = book.path().join("bad.csv");
    std::fs::write(&csv, "Control,Feature\nNS-1,Virtual Network Integration\n").unwrap();
    let (code, _, stderr) = run(book.path(), &["import", "csv", csv.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("lacks the column `ASB Control ID`"),
        "{stderr}"
    );
}

#[test]
fn existing_yaml_is_kept_without_force() {
    let Some(fixtures) = v3_fixtures() else {
        return;
    };
    let book = new_book();
    let cr = fixtures
        .iter()
        .find(|f| f.to_string_lossy().contains("container-registry"))
        .unwrap();
    let target = book
        .path()
        .join("content/baselines/container-registry.yaml");
    let (code, _, _) = run(book.path(), &["import", "xlsx", cr.to_str().unwrap()]);
    assert_eq!(code, Some(0));
    let mine = format!(
        "# edited by hand\n{}",
        std::fs::read_to_string(&target).unwrap()
    );
    std::fs::write(&target, &mine).unwrap();
    let (code, _, stderr) = run(book.path(), &["import", "xlsx", cr.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("use --force"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), mine);
    let (code, _, _) = run(
        book.path(),
        &["import", "xlsx", cr.to_str().unwrap(), "--force"],
    );
    assert_eq!(code, Some(0));
    let text = std::fs::read_to_string(&target).unwrap();
    assert!(text.contains("slug: container-registry") && !text.contains("edited by hand"));
}

#[test]
fn benchmark_import_reproduces_the_committed_catalog() {
    let Some(shared) = shared_dir() else { return };
    let book = default_book();
    let catalog = shared.join("fixtures/msft/catalog");
    let (code, _, stderr) = run(
        book.path(),
        &[
            "import",
            "benchmark",
            catalog
                .join("Microsoft_cloud_security_benchmark_v1.xlsx")
                .to_str()
                .unwrap(),
            "--aliases-from",
            catalog
                .join("azure-security-benchmark-v3.0.xlsx")
                .to_str()
                .unwrap(),
            "--force",
        ],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let imported =
        std::fs::read_to_string(book.path().join("content/benchmarks/mcsb-v1.yaml")).unwrap();
    let committed =
        std::fs::read_to_string(repo_root().join("content/benchmarks/mcsb-v1.yaml")).unwrap();
    assert!(
        imported == committed,
        "the import differs from content/benchmarks/mcsb-v1.yaml"
    );
}

#[test]
fn legacy_layouts_import_as_far_as_their_columns_carry() {
    let Some(shared) = shared_dir() else { return };
    let book = new_book();
    let legacy = shared.join("fixtures/msft/legacy");
    let out = tempfile::tempdir().unwrap();
    for (file, imported, unmapped) in [
        ("container-registry-security-baseline-v1.1.xlsx", 0, 88),
        ("container-registry-security-baseline-v2.0.xlsx", 68, 2),
    ] {
        let (code, stdout, stderr) = run(
            book.path(),
            &[
                "import",
                "xlsx",
                legacy.join(file).to_str().unwrap(),
                "--out",
                out.path().to_str().unwrap(),
                "--force",
                "--format",
                "json",
            ],
        );
        assert_eq!(code, Some(0), "{file}: {stderr}");
        let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let f = &report["files"][0];
        assert_eq!(f["controls"].as_u64(), Some(imported), "{file}");
        let defects = f["defects"].as_array().unwrap();
        let count = defects
            .iter()
            .filter(|d| d["kind"] == "unmapped-control")
            .count();
        assert_eq!(
            count, unmapped,
            "{file}: every row that cannot be mapped is reported"
        );
        assert!(
            defects.iter().any(|d| d["kind"] == "unmapped-column"),
            "{file}"
        );
    }
}

#[test]
fn policies_come_from_the_initiative() {
    let Some(shared) = shared_dir() else { return };
    let book = default_book();
    let policy = shared.join("fixtures/azure-policy");
    let (code, stdout, stderr) = run(
        book.path(),
        &[
            "import",
            "policies",
            policy.join("mcsb-v1-initiative.json").to_str().unwrap(),
            "--definitions",
            policy.join("definitions").to_str().unwrap(),
        ],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.contains("container-registry.yaml: 5 policies in 4 controls"),
        "{stdout}"
    );
    let yaml = std::fs::read_to_string(
        book.path()
            .join("content/baselines/container-registry.yaml"),
    )
    .unwrap();
    // The seed's NS-2 and DP-5 tables are there, with their versions and links.
    for (guid, version) in [
        ("d0793b48-0edc-4296-a390-4c75d1bdfd71", "2.0.0"),
        ("5b9159ae-1701-4a6f-9a7a-aa9c8ddd0580", "1.1.2"),
    ] {
        let at = yaml.find(guid).unwrap_or_else(|| panic!("{guid} missing"));
        assert!(
            yaml[..at]
                .rsplit("- name:")
                .next()
                .unwrap()
                .contains(&format!("version: {version}")),
            "{guid}"
        );
    }
    assert!(yaml.contains("path: Container Registry/ACR_CMKEncryptionEnabled_Audit.json"));
    let (code, _, stderr) = run(book.path(), &["build"]);
    assert_eq!(code, Some(0), "{stderr}");
    let md = std::fs::read_to_string(
        book.path()
            .join("output/md/container-registry-security-baseline.md"),
    )
    .unwrap();
    assert!(
        md.contains("[Container registries should use private link]"),
        "the newer initiative adds it"
    );

    // A missing definitions folder is an input error and changes nothing.
    let (code, _, stderr) = run(
        book.path(),
        &[
            "import",
            "policies",
            policy.join("mcsb-v1-initiative.json").to_str().unwrap(),
            "--definitions",
            "/nonexistent",
        ],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(
        yaml,
        std::fs::read_to_string(
            book.path()
                .join("content/baselines/container-registry.yaml")
        )
        .unwrap()
    );
}
