//! Tests of the legacy layout import: in-memory workbooks and the two fixtures.
use super::*;
use crate::import::workbook;
use crate::load::parse_yaml;
use crate::source::Sources;

const BENCHMARK: &str = "\
id: b1
name: Test benchmark
version: \"1.0\"
link: https://example.org/b1
domains:
  - id: NS
    name: Network security
    workbook_name: Network Security
    link: https://example.org/ns
  - id: DP
    name: Data protection
    workbook_name: Data Protection
    link: https://example.org/dp
controls:
  - id: NS-1
    domain: NS
    title: Establish network segmentation boundaries
    link: https://example.org/ns-1
  - id: NS-2
    domain: NS
    title: Secure cloud native services with network controls
    link: https://example.org/ns-2
    aliases:
      - Secure cloud services with network controls
  - id: DP-2
    domain: DP
    title: Monitor anomalies and threats targeting sensitive data
    link: https://example.org/dp-2
";

const HEADER: [&str; 7] = [
    "Service",
    "Azure Control",
    "Azure ID",
    "CIS Controls v7.1 ID(s)",
    "Benchmark Recommendation",
    "Customer Guidance",
    "Responsibility",
];

fn load_benchmark(path: &str, text: String) -> Benchmark {
    let mut sources = Sources::default();
    let id = sources.add(path.into(), text);
    parse_yaml::<Benchmark>(&sources, id).unwrap_or_else(|d| panic!("{path}: {d:?}"))
}

fn small_benchmark() -> Benchmark {
    load_benchmark("b1.yaml", BENCHMARK.to_string())
}

fn book(rows: &[&[&str]]) -> Workbook {
    let mut all = vec![HEADER.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    all.extend(
        rows.iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect()),
    );
    Workbook {
        file: "svc-security-baseline-v2.0.xlsx".into(),
        sheets: vec![Sheet {
            name: "Security Baseline".into(),
            rows: all,
            first_row: 0,
            first_col: 0,
        }],
    }
}

fn run(workbook: &Workbook) -> (Baseline, Defects) {
    let mut defects = Defects::new(workbook.file.clone());
    let baseline = import(workbook, &small_benchmark(), &mut defects).expect("imports");
    (baseline, defects)
}

fn kinds<'a>(defects: &'a Defects, kind: &str) -> Vec<&'a super::super::Defect> {
    defects.list.iter().filter(|d| d.kind == kind).collect()
}

#[test]
fn mapped_row_becomes_control_guidance() {
    let wb = book(&[&[
        "Container Registry",
        "Network Security",
        "NS-1",
        "9.2: Ports",
        "Establish  network segmentation boundaries",
        "Use virtual networks.\r\n\r\nMore: https://example.org",
        "Customer",
    ]]);
    let (baseline, defects) = run(&wb);
    assert_eq!(baseline.service.value, "Container Registry");
    assert_eq!(baseline.slug.value, "container-registry");
    assert_eq!(baseline.benchmark.value, "b1");
    assert_eq!(baseline.controls.len(), 1);
    let c = &baseline.controls[0];
    assert_eq!(c.id.value, "NS-1");
    assert!(c.title.is_none(), "title matches after whitespace folding");
    assert_eq!(
        c.guidance.as_ref().map(|g| g.value.as_str()),
        Some("Use virtual networks.\n\nMore: https://example.org")
    );
    assert_eq!(c.responsibility, Some(Responsibility::Customer));
    assert!(c.features.is_empty());
    assert!(kinds(&defects, "control-renumbered").is_empty());
    let cis = kinds(&defects, "unmapped-column");
    assert_eq!(cis.len(), 1, "{:?}", defects.list);
    assert_eq!(cis[0].cell.as_deref(), Some("D1"));
    assert_eq!(cis[0].action, Action::Dropped);
    assert_eq!(kinds(&defects, "whitespace").len(), 1);
    let profile = kinds(&defects, "no-security-profile");
    assert_eq!(profile.len(), 1);
    assert_eq!(profile[0].action, Action::Dropped);
    assert!(baseline.security_profile.product_category.is_empty());
    assert_eq!(
        baseline.security_profile.host_os_access,
        HostAccess::NoAccess
    );
}

#[test]
fn unmapped_id_is_reported_not_lost() {
    let wb = book(&[
            &[
                "Container Registry",
                "Network Security",
                "1.1",
                "",
                "Protect Azure resources within virtual networks",
                "Azure Virtual Network provides secure, private networking for your Azure and on-premises resources.",
                "Customer",
            ],
            &["", "", "", "", "", "", ""],
            &["Container Registry", "", "", "", "", "Orphan guidance", "Customer"],
        ]);
    let (baseline, defects) = run(&wb);
    assert!(baseline.controls.is_empty());
    let unmapped = kinds(&defects, "unmapped-control");
    assert_eq!(unmapped.len(), 1);
    let d = unmapped[0];
    assert_eq!(d.cell.as_deref(), Some("C2"));
    assert_eq!(d.sheet.as_deref(), Some("Security Baseline"));
    assert_eq!(d.action, Action::Dropped);
    assert!(d.message.contains("`1.1`"), "{}", d.message);
    assert!(
        d.message
            .contains("\"Azure Virtual Network provides secure, private networking…\""),
        "{}",
        d.message
    );
    // The blank row is not data; the row without an id is reported, not skipped.
    let no_id = kinds(&defects, "missing-control-id");
    assert_eq!(no_id.len(), 1);
    assert_eq!(no_id[0].cell.as_deref(), Some("C4"));
    assert!(no_id[0].message.contains("Orphan guidance"));
}

#[test]
fn duplicate_control_joins_guidance() {
    let wb = book(&[
        &[
            "Svc",
            "",
            "NS-2",
            "",
            "Secure cloud services with network controls",
            "First.",
            "Customer",
        ],
        &["Svc", "", "NS-1", "", "", "Other.", "Microsoft"],
        &["Svc", "", "ns-2 ", "", "", "Second.", "Shared"],
        &["Svc", "", "NS-2", "", "", "First.", "Customer"],
    ]);
    let (baseline, defects) = run(&wb);
    let ids: Vec<&str> = baseline
        .controls
        .iter()
        .map(|c| c.id.value.as_str())
        .collect();
    assert_eq!(ids, ["NS-1", "NS-2"], "benchmark order");
    let ns2 = &baseline.controls[1];
    assert!(ns2.title.is_none(), "an alias is a known title");
    assert_eq!(
        ns2.guidance.as_ref().map(|g| g.value.as_str()),
        Some("First.\n\nSecond.")
    );
    assert_eq!(ns2.responsibility, Some(Responsibility::Customer));
    let dups = kinds(&defects, "duplicate-control");
    assert_eq!(dups.len(), 2);
    assert!(dups.iter().all(|d| d.action == Action::Repaired));
    assert_eq!(dups[0].cell.as_deref(), Some("C4"));
    assert!(
        dups[0].message.contains("first at C2"),
        "{}",
        dups[0].message
    );
    assert!(dups[1].message.contains("kept once"), "{}", dups[1].message);
    let conflict = kinds(&defects, "conflicting-responsibility");
    assert_eq!(conflict.len(), 1);
    assert_eq!(conflict[0].cell.as_deref(), Some("G4"));
    assert_eq!(kinds(&defects, "control-id-normalized").len(), 1);
}

#[test]
fn another_title_is_reported_as_renumbered() {
    let wb = book(&[&[
        "Container Registry_V2_Conversion",
        "Data Protection",
        "DP-2",
        "",
        "Protect sensitive data",
        "Restrict access with Azure RBAC.",
        "Customer",
    ]]);
    let (baseline, defects) = run(&wb);
    assert_eq!(baseline.service.value, "Container Registry");
    let suffix = kinds(&defects, "service-name-suffix");
    assert_eq!(suffix.len(), 1);
    assert_eq!(suffix[0].action, Action::Repaired);
    assert_eq!(suffix[0].cell.as_deref(), Some("A2"));
    let c = &baseline.controls[0];
    assert_eq!(c.id.value, "DP-2");
    assert_eq!(
        c.title.as_ref().map(|t| t.value.as_str()),
        Some("Protect sensitive data")
    );
    let renumbered = kinds(&defects, "control-renumbered");
    assert_eq!(renumbered.len(), 1);
    let d = renumbered[0];
    assert_eq!(d.action, Action::Kept);
    assert_eq!(d.cell.as_deref(), Some("E2"));
    assert!(
        d.message.contains("\"Protect sensitive data\""),
        "{}",
        d.message
    );
    assert!(
        d.message
            .contains("\"Monitor anomalies and threats targeting sensitive data\""),
        "{}",
        d.message
    );
}

#[test]
fn responsibility_vocabulary() {
    let wb = book(&[
        &["Svc", "", "NS-1", "", "", "a", "Not applicable"],
        &["Svc", "", "NS-2", "", "", "b", "Customer/Microsoft"],
        &["Svc", "", "DP-2", "", "", "c", ""],
    ]);
    let (baseline, defects) = run(&wb);
    let resp: Vec<_> = baseline.controls.iter().map(|c| c.responsibility).collect();
    assert_eq!(resp, [Some(Responsibility::NotApplicable); 3]);
    let unknown = kinds(&defects, "unknown-responsibility");
    let cells: Vec<_> = unknown.iter().map(|d| d.cell.as_deref()).collect();
    assert_eq!(cells, [Some("G3"), Some("G4")]);
    assert!(unknown.iter().all(|d| d.action == Action::Kept));
    assert!(unknown[0].message.contains("`Customer/Microsoft`"));
}

#[test]
fn missing_sheet_and_columns_are_errors() {
    let mut wb = book(&[]);
    wb.sheets[0].rows[0].retain(|h| h != "Customer Guidance");
    let e = import(&wb, &small_benchmark(), &mut Defects::new("x")).unwrap_err();
    assert!(
        matches!(e, ImportError::MissingColumn { ref expected, .. } if expected == "Customer Guidance")
    );
    let text = e.to_string();
    assert!(
        text.starts_with("svc-security-baseline-v2.0.xlsx: sheet `Security Baseline`"),
        "{text}"
    );
    assert!(text.contains("`Azure ID`"), "{text}");

    let mut wb = book(&[]);
    wb.sheets[0].rows[0].retain(|h| h != "Azure ID");
    assert!(!is_legacy(&wb));
    let e = import(&wb, &small_benchmark(), &mut Defects::new("x")).unwrap_err();
    assert!(matches!(e, ImportError::MissingColumn { ref expected, .. } if expected == "Azure ID"));

    let mut wb = book(&[]);
    wb.sheets[0].name = "Feature Summary".into();
    assert!(!is_legacy(&wb));
    let e = import(&wb, &small_benchmark(), &mut Defects::new("x")).unwrap_err();
    assert!(
        matches!(e, ImportError::MissingSheet { ref expected, .. } if expected == "Security Baseline")
    );

    let empty = Workbook {
        file: "e.xlsx".into(),
        sheets: vec![Sheet {
            name: "Security Baseline".into(),
            ..Default::default()
        }],
    };
    let e = import(&empty, &small_benchmark(), &mut Defects::new("x")).unwrap_err();
    assert!(e.to_string().contains("the sheet is empty"), "{e}");
}

#[test]
fn ragged_rows_and_missing_service_do_not_panic() {
    let wb = Workbook {
        file: "dir/key-vault-security-baseline-v1.1.xlsx".into(),
        sheets: vec![Sheet {
            name: "security baseline ".into(),
            rows: vec![
                vec!["Legacy baseline".into()],
                vec![
                    "Azure ID".into(),
                    "Customer Guidance".into(),
                    String::new(),
                    "Extra".into(),
                ],
                vec!["NS-1".into()],
                vec![],
                vec![
                    "NS-2".into(),
                    "g".into(),
                    String::new(),
                    String::new(),
                    "stray".into(),
                ],
            ],
            first_row: 3,
            first_col: 1,
        }],
    };
    assert!(is_legacy(&wb));
    let mut defects = Defects::new(wb.file.clone());
    let baseline = import(&wb, &small_benchmark(), &mut defects).expect("imports");
    assert_eq!(baseline.service.value, "Key Vault");
    assert_eq!(baseline.controls.len(), 2);
    assert!(baseline.controls[0].guidance.is_none());
    assert!(baseline.controls[0].responsibility.is_none());
    assert_eq!(
        kinds(&defects, "missing-guidance")[0].cell.as_deref(),
        Some("C6")
    );
    assert_eq!(kinds(&defects, "missing-service").len(), 1);
    assert_eq!(kinds(&defects, "missing-column").len(), 1);
    // "Extra" has no values; the untitled column past the header has one.
    let unmapped = kinds(&defects, "unmapped-column");
    assert_eq!(unmapped.len(), 1, "{:?}", defects.list);
    assert_eq!(unmapped[0].cell.as_deref(), Some("F5"));
}

#[test]
fn conversion_suffixes() {
    assert_eq!(
        strip_conversion_suffix("Container Registry_V2_Conversion"),
        ("Container Registry", Some("_V2_Conversion"))
    );
    assert_eq!(
        strip_conversion_suffix("Key Vault_v1"),
        ("Key Vault", Some("_v1"))
    );
    assert_eq!(strip_conversion_suffix("My_Service"), ("My_Service", None));
    assert_eq!(strip_conversion_suffix("_V2"), ("_V2", None));
}

// Fixtures: Microsoft's published legacy files for Container Registry.

fn fixture(name: &str) -> Option<Workbook> {
    let dir = crate::test_support::shared_fixtures("msft/legacy")?;
    Some(workbook::read(&dir.join(name)).expect("fixture reads"))
}

fn mcsb() -> Benchmark {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/content/benchmarks/mcsb-v1.yaml"
    );
    let text = std::fs::read_to_string(path).expect("catalog reads");
    load_benchmark(path, text)
}

/// Imports a fixture and checks that every data row is imported or reported.
fn import_fixture(name: &str) -> Option<(Baseline, Defects, usize)> {
    let wb = fixture(name)?;
    assert!(is_legacy(&wb));
    let sheet = wb.sheet("Security Baseline").expect("sheet");
    let header = find_header(sheet).expect("header");
    let rows = data_rows(sheet, header).len();
    let mut defects = Defects::new(name);
    let baseline = import(&wb, &mcsb(), &mut defects).expect("imports");
    let reported = [
        "unmapped-control",
        "missing-control-id",
        "duplicate-control",
    ]
    .iter()
    .map(|k| kinds(&defects, k).len())
    .sum::<usize>();
    assert_eq!(
        baseline.controls.len() + reported,
        rows,
        "every data row is imported or reported"
    );
    Some((baseline, defects, rows))
}

fn count(defects: &Defects, kind: &str) -> usize {
    kinds(defects, kind).len()
}

#[test]
fn fixture_v1_1_reports_every_asb_v1_row() {
    let Some((baseline, defects, rows)) =
        import_fixture("container-registry-security-baseline-v1.1.xlsx")
    else {
        return;
    };
    assert_eq!(rows, 88);
    assert_eq!(baseline.service.value, "Container Registry");
    assert_eq!(baseline.slug.value, "container-registry");
    // ASB v1 ids ("1.1") are none of MCSB's: nothing maps, every row is reported.
    assert!(baseline.controls.is_empty());
    assert_eq!(count(&defects, "unmapped-control"), 88);
    let first = kinds(&defects, "unmapped-control")[0];
    assert_eq!(first.cell.as_deref(), Some("C2"));
    assert!(
        first.message.contains("Azure Virtual Network provides"),
        "{}",
        first.message
    );
    let columns: Vec<_> = kinds(&defects, "unmapped-column")
        .iter()
        .map(|d| d.cell.clone().unwrap_or_default())
        .collect();
    assert_eq!(columns, ["D1", "H1"], "CIS v7.1 ids and ASC Monitoring");
    assert_eq!(count(&defects, "no-security-profile"), 1);
    assert_eq!(defects.list.len(), 88 + 2 + 1, "{:#?}", defects.list);
}

#[test]
fn fixture_v2_0_imports_asb_v2_rows_on_mcsb_ids() {
    let Some((baseline, defects, rows)) =
        import_fixture("container-registry-security-baseline-v2.0.xlsx")
    else {
        return;
    };
    assert_eq!(rows, 70);
    assert_eq!(baseline.service.value, "Container Registry");
    assert_eq!(count(&defects, "service-name-suffix"), 1);
    // AM-6 and PV-8 exist in ASB v2 only.
    let unmapped: Vec<_> = kinds(&defects, "unmapped-control")
        .iter()
        .map(|d| d.message.split('`').nth(1).unwrap_or_default().to_string())
        .collect();
    assert_eq!(unmapped, ["AM-6", "PV-8"]);
    assert_eq!(baseline.controls.len(), 68);
    let catalog = mcsb();
    let order: Vec<usize> = baseline
        .controls
        .iter()
        .map(|c| {
            catalog
                .controls
                .iter()
                .position(|k| k.id.value == c.id.value)
                .expect("a catalog id")
        })
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "benchmark order");
    assert!(baseline
        .controls
        .iter()
        .all(|c| c.guidance.is_some() && c.responsibility.is_some()));
    // Titles the catalog knows for the id are not renumberings; the rest are, and keep
    // the workbook's title.
    let renumbered = kinds(&defects, "control-renumbered");
    assert_eq!(
        renumbered.len(),
        baseline
            .controls
            .iter()
            .filter(|c| c.title.is_some())
            .count()
    );
    assert!(renumbered
        .iter()
        .all(|d| d.cell.as_deref().is_some_and(|c| c.starts_with('F'))));
    let lt7 = baseline
        .controls
        .iter()
        .find(|c| c.id.value == "LT-7")
        .expect("LT-7");
    assert!(
        lt7.title.is_none(),
        "LT-7's title is the same in both benchmarks"
    );
    let ns1 = &baseline.controls[0];
    assert_eq!(ns1.id.value, "NS-1");
    assert_eq!(ns1.responsibility, Some(Responsibility::Customer));
    let columns: Vec<_> = kinds(&defects, "unmapped-column")
        .iter()
        .map(|d| d.message.split('`').nth(1).unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        columns,
        [
            "CIS Controls v7.1 ID(s)",
            "NIST SP800-53 r4 ID(s)",
            "ASC Monitoring",
            "Recommendation Scope"
        ]
    );
    assert_eq!(count(&defects, "unknown-responsibility"), 0);
    assert_eq!(count(&defects, "no-security-profile"), 1);
}
