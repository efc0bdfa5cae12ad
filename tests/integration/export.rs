//! `controlbook export FORMAT`: the same bytes as `build` writes, to a file or stdout; every
//! baseline in one file; and nothing written when the book has errors.

use std::path::Path;

use crate::common::*;

const SLUG: &str = "container-registry";

/// Runs `controlbook --root ROOT export ARGS…` and returns exit code, stdout bytes, stderr.
fn export(root: &Path, args: &[&str]) -> (Option<i32>, Vec<u8>, String) {
    let out = controlbook()
        .arg("--root")
        .arg(root)
        .arg("export")
        .args(args)
        .output()
        .expect("controlbook runs");
    (
        out.status.code(),
        out.stdout,
        String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    )
}

fn read(path: impl AsRef<Path>) -> Vec<u8> {
    std::fs::read(path.as_ref()).unwrap_or_else(|e| panic!("{}: {e}", path.as_ref().display()))
}

#[test]
fn one_baseline_is_the_file_build_writes() {
    let book = built_default_book();
    let root = book.path();
    let built = |rel: &str| read(root.join("output").join(rel));
    let cases = [
        ("xlsx", format!("xlsx/{SLUG}-security-baseline.xlsx")),
        ("csv", format!("csv/{SLUG}-security-baseline.csv")),
        ("md", format!("md/{SLUG}-security-baseline.md")),
        ("json", format!("json/{SLUG}.json")),
    ];
    for (format, rel) in &cases {
        // To a file, named explicitly.
        let target = root.join(format!("exported.{format}"));
        let (code, stdout, stderr) = export(root, &[format, "-o", target.to_str().unwrap()]);
        assert_eq!(code, Some(0), "{format}: {stderr}");
        assert!(stdout.is_empty(), "{format}: a file export prints nothing");
        assert!(stderr.contains("exported 1 baseline to"), "{stderr}");
        assert_eq!(read(&target), built(rel), "{format} to a file");
        // To stdout (not a terminal here), naming the baseline.
        let (code, stdout, stderr) = export(root, &[format, "--baseline", SLUG]);
        assert_eq!(code, Some(0), "{format}: {stderr}");
        assert_eq!(stdout, built(rel), "{format} to stdout");
    }
    // Into a folder, under the name build gives the file.
    let folder = root.join("exports");
    std::fs::create_dir(&folder).unwrap();
    let (code, _, stderr) = export(root, &["csv", "-o", folder.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        read(folder.join(format!("{SLUG}-security-baseline.csv"))),
        built(&cases[1].1)
    );
}

#[test]
fn every_baseline_goes_into_one_file() {
    let Some(book) = corpus_book(3) else { return };
    let root = book.path().to_path_buf();
    build(&root);
    let output = root.join("output");

    let (code, workbook, stderr) = export(&root, &["xlsx"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(workbook, read(output.join("xlsx/all-baselines.xlsx")));

    // One array of what each baseline's JSON file holds, in service order.
    let (code, json, stderr) = export(&root, &["json"]);
    assert_eq!(code, Some(0), "{stderr}");
    let all: Vec<serde_json::Value> = serde_json::from_slice(&json).unwrap();
    let slugs: Vec<&str> = all.iter().map(|d| d["slug"].as_str().unwrap()).collect();
    assert_eq!(
        slugs,
        [
            "api-management",
            "app-service",
            "azure-kubernetes-service-aks"
        ]
    );
    for doc in &all {
        let file = output.join(format!("json/{}.json", doc["slug"].as_str().unwrap()));
        let one: serde_json::Value = serde_json::from_slice(&read(file)).unwrap();
        assert_eq!(*doc, one);
    }

    // One CSV: each baseline's rows under a leading Service column.
    let (code, csv, stderr) = export(&root, &["csv"]);
    assert_eq!(code, Some(0), "{stderr}");
    let mut rows = csv::Reader::from_reader(csv.as_slice());
    let header: Vec<String> = rows.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[0], "Service");
    assert_eq!(header[1], "Control Domain");
    let all_rows: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    for doc in &all {
        let slug = doc["slug"].as_str().unwrap();
        let service = doc["service"].as_str().unwrap();
        let file = read(output.join(format!("csv/{slug}-security-baseline.csv")));
        let own: Vec<csv::StringRecord> = csv::Reader::from_reader(file.as_slice())
            .records()
            .map(Result::unwrap)
            .collect();
        let in_all: Vec<Vec<&str>> = all_rows
            .iter()
            .filter(|r| &r[0] == service)
            .map(|r| r.iter().skip(1).collect())
            .collect();
        let own: Vec<Vec<&str>> = own.iter().map(|r| r.iter().collect()).collect();
        assert_eq!(in_all, own, "{slug}");
    }

    // Markdown is one article per baseline: the book's slugs are listed.
    let (code, stdout, stderr) = export(&root, &["md"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("name one with --baseline SLUG (api-management, app-service, azure-kubernetes-service-aks)"),
        "{stderr}"
    );
    let (code, article, stderr) = export(&root, &["markdown", "--baseline", "app-service"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        article,
        read(output.join("md/app-service-security-baseline.md"))
    );
}

#[test]
fn nothing_is_written_when_the_book_has_errors() {
    let book = default_book();
    let root = book.path();
    let baseline = root.join(format!("content/baselines/{SLUG}.yaml"));
    let text = std::fs::read_to_string(&baseline).unwrap();
    // Longer than an Excel cell: an error for the workbook alone.
    let long = "word ".repeat(8_000);
    let needle = "guidance: This feature is not supported to secure this service.";
    assert!(text.contains(needle));
    std::fs::write(
        &baseline,
        text.replacen(needle, &format!("guidance: {long}"), 1),
    )
    .unwrap();
    let target = root.join("out.xlsx");
    let (code, _, stderr) = export(root, &["xlsx", "-o", target.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("error[cell-too-long]"), "{stderr}");
    assert!(
        stderr.contains(&format!("--> content/baselines/{SLUG}.yaml:")),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert!(!target.exists());
    assert!(
        std::fs::read_dir(root).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains(".tmp")),
        "no temporary file is left"
    );
    // The text itself is fine for the other formats.
    let (code, csv, stderr) = export(root, &["csv"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(String::from_utf8(csv)
        .unwrap()
        .contains(&long.trim_end()[..100]));
}

#[test]
fn bad_requests_exit_2_and_say_what_was_expected() {
    let book = default_book();
    let root = book.path();
    let (code, stdout, stderr) = export(root, &["json", "--baseline", "nope"]);
    assert_eq!(code, Some(2));
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("no baseline has the slug `nope`; the book's slugs: container-registry"),
        "{stderr}"
    );
    let (code, _, stderr) = export(root, &["pdf"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("possible values: xlsx, csv, md, json"),
        "{stderr}"
    );
    let (code, _, stderr) = export(root, &["json", "-o", "/nonexistent/folder/x.json"]);
    assert_eq!(code, Some(2));
    assert_eq!(
        stderr.trim(),
        "error: cannot write /nonexistent/folder/x.json: No such file or directory (os error 2)"
    );
}
