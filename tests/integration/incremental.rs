//! An incremental rebuild (what `serve` and `watch` run after each save) gives the same
//! files, byte for byte, as a build from scratch, in memory and on disk, whatever changed:
//! one baseline, a catalog, the theme, a baseline removed or added.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use controlbook::{BuildOptions, Built, Cache, Ready};

use super::common::{corpus_book, files_below};

type Files = BTreeMap<PathBuf, Vec<u8>>;

/// Builds `root` with `cache`; returns the rendered files and how many baselines were
/// rendered again.
fn build(root: &Path, cache: &mut Cache) -> (Files, usize) {
    let (files, rendered, _) = build_with_findings(root, cache);
    (files, rendered)
}

/// [`build`], with the warnings as the terminal shows them.
fn build_with_findings(root: &Path, cache: &mut Cache) -> (Files, usize, String) {
    let (files, _, rendered, warnings) = build_in_stages(root, cache);
    (files, rendered, warnings)
}

/// What a build delivered before it was complete, by stage.
#[derive(Default)]
struct Early {
    /// The changed baselines' files with the previous shared pages.
    baselines: Option<Files>,
    /// Every new page with the previous workbook of all baselines.
    pages: Option<Files>,
    /// The stages in the order they came.
    order: Vec<&'static str>,
}

/// Every file of the build, and what the early stages delivered, if anything.
fn build_in_stages(root: &Path, cache: &mut Cache) -> (Files, Early, usize, String) {
    let files = std::cell::RefCell::new(Files::new());
    let early = std::cell::RefCell::new(Early::default());
    let ready = |f: &[controlbook::render::OutputFile], stage: Ready| {
        let copy: Files = f
            .iter()
            .map(|f| (f.path.clone(), f.bytes.to_vec()))
            .collect();
        let mut early = early.borrow_mut();
        match stage {
            Ready::Baselines => {
                early.order.push("baselines");
                early.baselines = Some(copy);
            }
            Ready::Pages => {
                early.order.push("pages");
                early.pages = Some(copy);
            }
            Ready::Complete => {
                early.order.push("complete");
                *files.borrow_mut() = copy;
            }
        }
    };
    let built =
        controlbook::build_book_cached(root, &BuildOptions::default(), false, cache, &ready)
            .unwrap();
    let Built::Written {
        report,
        findings,
        book,
    } = built
    else {
        panic!("the book did not build");
    };
    let warnings = controlbook::diag::render_human(&findings, &book.sources, false);
    (
        files.into_inner(),
        early.into_inner(),
        report.reuse.rendered,
        warnings,
    )
}

/// The files of a build from scratch, in a copy of `root`.
fn from_scratch(root: &Path) -> Files {
    let copy = tempfile::tempdir().unwrap();
    super::common::copy_dir(root, copy.path());
    std::fs::remove_dir_all(copy.path().join("output")).unwrap();
    let (files, _) = build(copy.path(), &mut Cache::default());
    let on_disk: Files = files_below(&copy.path().join("output"))
        .into_iter()
        .map(|(rel, bytes)| (PathBuf::from(rel), bytes))
        .collect();
    assert_eq!(on_disk.len(), files.len());
    // `build` streams files to disk as it renders them, by another path than `serve`'s
    // cached one: its output must be the same files.
    let streamed = tempfile::tempdir().unwrap();
    super::common::copy_dir(root, streamed.path());
    std::fs::remove_dir_all(streamed.path().join("output")).unwrap();
    let built = controlbook::build_book(streamed.path(), &BuildOptions::default(), false).unwrap();
    assert!(matches!(built, Built::Written { .. }));
    let streamed: Files = files_below(&streamed.path().join("output"))
        .into_iter()
        .map(|(rel, bytes)| (PathBuf::from(rel), bytes))
        .collect();
    assert!(streamed == files, "`build` differs from the cached build");
    files
}

fn assert_same(incremental: &Files, root: &Path, step: &str) {
    let scratch = from_scratch(root);
    let names = |f: &Files| f.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(incremental),
        names(&scratch),
        "{step}: different files"
    );
    for (path, bytes) in &scratch {
        assert!(
            incremental[path] == *bytes,
            "{step}: {} differs from a build from scratch",
            path.display()
        );
    }
    // What serve wrote to disk, file by file, is the same build too.
    let on_disk: Files = files_below(&root.join("output"))
        .into_iter()
        .map(|(rel, bytes)| (PathBuf::from(rel), bytes))
        .collect();
    assert_eq!(
        names(&on_disk),
        names(&scratch),
        "{step}: output/ has other files"
    );
    assert!(
        on_disk == scratch,
        "{step}: output/ differs from a build from scratch"
    );
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} has no `{from}`", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// The workbook of all baselines, in `xlsx/` and among the site's downloads.
fn is_all_workbook(path: &Path) -> bool {
    path.ends_with("xlsx/all-baselines.xlsx") || path.ends_with("downloads/all-baselines.xlsx")
}

#[test]
fn a_rebuild_delivers_the_edited_page_then_every_page_then_every_file() {
    let Some(book) = corpus_book(6) else { return };
    let root = book.path().to_path_buf();
    let mut cache = Cache::default();
    let (before, early, _, _) = build_in_stages(&root, &mut cache);
    assert_eq!(
        early.order,
        ["complete"],
        "a first build has nothing to reuse"
    );

    edit(
        &root.join("content/baselines/api-management.yaml"),
        "service: API Management",
        "service: API Management (edited)",
    );
    let (after, early, rendered, _) = build_in_stages(&root, &mut cache);
    assert_eq!(rendered, 1);
    assert_eq!(early.order, ["baselines", "pages", "complete"]);
    let page = Path::new("site/api-management/index.html");
    let home = Path::new("site/index.html");
    let workbook = Path::new("xlsx/all-baselines.xlsx");
    for path in [page, home, workbook] {
        assert_ne!(
            before[path],
            after[path],
            "{} did not change",
            path.display()
        );
    }

    // First the edited page, with the previous shared pages.
    let baselines = early.baselines.expect("the edited page came early");
    assert_eq!(baselines[page], after[page]);
    assert_eq!(baselines[home], before[home]);

    // Then every new page, with the previous workbook, which was still being rendered.
    let pages = early
        .pages
        .expect("the shared pages came before the workbook");
    assert_eq!(
        pages.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    let mut workbooks = 0;
    for (path, bytes) in &pages {
        if is_all_workbook(path) {
            workbooks += 1;
            assert_eq!(*bytes, before[path], "{}", path.display());
        } else {
            assert_eq!(*bytes, after[path], "{}", path.display());
        }
    }
    assert_eq!(workbooks, 2);
    assert_same(&after, &root, "one baseline edited");

    // Every baseline changed: no page to show early, but the pages still come first.
    for entry in std::fs::read_dir(root.join("content/baselines")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replacen("service: ", "service: Edited ", 1)).unwrap();
    }
    let (all_edited, early, rendered, _) = build_in_stages(&root, &mut cache);
    assert_eq!(rendered, 6);
    assert_eq!(early.order, ["pages", "complete"]);
    let pages = early.pages.expect("the pages came before the workbook");
    for (path, bytes) in &pages {
        let expected = if is_all_workbook(path) {
            &after
        } else {
            &all_edited
        };
        assert_eq!(*bytes, expected[path], "{}", path.display());
    }
}

#[test]
fn without_workbooks_the_pages_are_the_complete_build() {
    let Some(book) = corpus_book(3) else { return };
    let root = book.path().to_path_buf();
    edit(&root.join("book.toml"), "xlsx = true", "xlsx = false");
    let mut cache = Cache::default();
    build_in_stages(&root, &mut cache);
    edit(
        &root.join("content/baselines/api-management.yaml"),
        "service: API Management",
        "service: API Management (edited)",
    );
    let (_, early, _, _) = build_in_stages(&root, &mut cache);
    assert_eq!(early.order, ["baselines", "complete"]);
}

#[test]
fn an_incremental_rebuild_equals_a_build_from_scratch() {
    let Some(book) = corpus_book(14) else { return };
    let root = book.path().to_path_buf();
    let baselines = root.join("content/baselines");
    let mut cache = Cache::default();

    let (_, rendered) = build(&root, &mut cache);
    assert_eq!(rendered, 14, "the first build renders every baseline");

    let (_, rendered) = build(&root, &mut cache);
    assert_eq!(rendered, 0, "nothing changed, nothing is rendered");

    edit(
        &baselines.join("key-vault.yaml"),
        "service: Key Vault",
        "service: Key Vault (edited)",
    );
    let (files, rendered) = build(&root, &mut cache);
    assert_eq!(rendered, 1, "only the edited baseline is rendered again");
    assert_same(&files, &root, "one baseline edited");

    edit(
        &root.join("content/features.yaml"),
        "description: ",
        "description: Edited. ",
    );
    let (files, rendered) = build(&root, &mut cache);
    assert_eq!(rendered, 14, "a catalog change renders every baseline");
    assert_same(&files, &root, "feature catalog edited");

    let templates = root.join("themes/default/templates");
    std::fs::create_dir_all(&templates).unwrap();
    let base = std::fs::read_to_string(
        super::common::repo_root().join("themes/default/templates/base.html"),
    )
    .unwrap();
    std::fs::write(
        templates.join("base.html"),
        base.replace("<footer", "<!-- edited --><footer"),
    )
    .unwrap();
    let (files, _) = build(&root, &mut cache);
    assert_same(&files, &root, "theme overridden");

    std::fs::remove_file(baselines.join("storage.yaml")).unwrap();
    let (files, rendered) = build(&root, &mut cache);
    assert_eq!(rendered, 0);
    assert!(!files
        .keys()
        .any(|p| p.to_string_lossy().contains("storage")));
    assert_same(&files, &root, "baseline removed");

    std::fs::copy(
        baselines.join("azure-sql.yaml"),
        baselines.join("azure-sql-copy.yaml"),
    )
    .unwrap();
    edit(
        &baselines.join("azure-sql-copy.yaml"),
        "slug: azure-sql",
        "slug: azure-sql-copy",
    );
    edit(
        &baselines.join("azure-sql-copy.yaml"),
        "service: Azure SQL",
        "service: Azure SQL Copy",
    );
    let (files, rendered) = build(&root, &mut cache);
    assert_eq!(rendered, 1);
    assert_same(&files, &root, "baseline added");
}
