//! The site's shared pages: the matrix, the controls page, the search index, the services
//! menu and the sitemap, read back from a build of several baselines.

use std::path::Path;

use crate::common::*;

/// A book of the 12 v3 fixtures and two copies, built once per test.
fn built_corpus() -> Option<tempfile::TempDir> {
    let dir = corpus_book(14)?;
    build(dir.path());
    Some(dir)
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join("output/site").join(rel))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn the_matrix_has_a_row_per_service_and_a_cell_per_feature() {
    let Some(book) = built_corpus() else { return };
    let html = read(book.path(), "matrix/index.html");
    let rows = html.matches("<tr><th scope=\"row\" class=\"svc\">").count();
    assert_eq!(rows, 14);
    assert!(html.contains(">Key Vault</a>") && html.contains(">API Management 1</a>"));
    // Every row has the same number of cells, and each says its value in words.
    let body = html.split("<tbody>").nth(1).unwrap();
    let cells: Vec<usize> = body
        .split("<tr>")
        .skip(1)
        .map(|row| row.matches("<td ").count())
        .collect();
    assert!(cells.iter().all(|&n| n == cells[0] && n > 20), "{cells:?}");
    assert!(html.contains("✓ </span>Supported<small>Customer</small>"));
    assert!(html.contains("✗ </span>Not supported"));
    // The domain filter offers each domain whose features appear.
    assert!(html.contains("<option value=\"ns\">NS: Network security"));
    assert!(html.contains("downloads/all-baselines.xlsx"));
}

#[test]
fn the_controls_page_lists_each_control_with_its_mappings_and_services() {
    let Some(book) = built_corpus() else { return };
    let html = read(book.path(), "controls/index.html");
    let ns2 = html
        .split("<h3 id=\"ns-2\">")
        .nth(1)
        .expect("NS-2 section")
        .split("<h3 ")
        .next()
        .unwrap();
    assert!(ns2.starts_with("NS-2: Secure cloud services with network controls"));
    assert!(
        ns2.contains("<dt>CIS Controls v8</dt><dd>3.12, 4.4</dd>"),
        "{ns2}"
    );
    assert!(
        ns2.contains("<dt>NIST SP 800-53 r4</dt><dd>AC-4, SC-2, SC-7</dd>"),
        "{ns2}"
    );
    assert!(ns2.contains("href=\"../key-vault/index.html#ns-2\""));
    assert!(ns2.contains("Azure Private Link: <span class=\"value yes\">Supported</span>"));
    // Controls keep the benchmark's order.
    let position = |id: &str| html.find(&format!("<h3 id=\"{id}\">")).unwrap();
    assert!(position("ns-1") < position("ns-2") && position("ns-2") < position("im-1"));
    assert!(position("dp-3") < position("lt-1"));
}

#[test]
fn the_search_index_covers_every_control_of_every_service_and_stays_small() {
    let Some(book) = built_corpus() else { return };
    let index = read(book.path(), "assets/search-index.js");
    let json = index
        .strip_prefix("window.controlbookSearch = ")
        .and_then(|s| s.trim_end().strip_suffix(';'))
        .expect("a script assigning the index");
    let value: serde_json::Value = serde_json::from_str(json).unwrap();
    let services = value["services"].as_array().unwrap();
    assert_eq!(services.len(), 14);
    let controls = value["controls"].as_array().unwrap();
    assert!(controls.iter().any(|c| c[0] == "NS-2"));
    let entries = value["entries"].as_array().unwrap();
    // One entry per shown control per baseline: the pages' table-of-contents entries.
    let site = book.path().join("output/site");
    let shown: usize = services
        .iter()
        .map(|s| {
            let page = std::fs::read_to_string(site.join(s[1].as_str().unwrap())).unwrap();
            page.matches("<section class=\"control\"").count()
        })
        .sum();
    assert_eq!(entries.len(), shown);
    assert!(entries
        .iter()
        .any(|e| e[2].as_str().unwrap().contains("Customer Lockbox")));
    let html: usize = files_below(&site)
        .iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .map(|(_, b)| b.len())
        .sum();
    assert!(
        index.len() * 10 < html,
        "index {} bytes, HTML {html}",
        index.len()
    );
}

#[test]
fn shared_assets_and_the_sitemap_list_every_baseline() {
    let Some(book) = built_corpus() else { return };
    let nav = read(book.path(), "assets/nav.js");
    assert!(
        nav.starts_with(
            "window.controlbookNav = [[\"API Management\",\"api-management/index.html\"]"
        ),
        "{nav}"
    );
    assert_eq!(nav.matches("/index.html\"]").count(), 14);
    let sitemap = read(book.path(), "sitemap.xml");
    assert_eq!(sitemap.matches("<url>").count(), 14 + 3);
    assert!(sitemap.contains("<loc>/key-vault/</loc>"));
    // Baseline pages do not carry the list of services (it would grow with the square of
    // the book); they load it from the shared asset.
    let page = read(book.path(), "key-vault/index.html");
    assert!(!page.contains("App Service"));
    assert!(page.contains("assets/nav.js"));
}

#[test]
fn an_absolute_site_url_gives_an_absolute_sitemap_and_404_page() {
    let book = default_book();
    let toml = book.path().join("book.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        text.replace(
            "site-url = \"/\"",
            "site-url = \"https://example.org/baselines\"",
        ),
    )
    .unwrap();
    build(book.path());
    let sitemap = read(book.path(), "sitemap.xml");
    assert!(sitemap.contains("<loc>https://example.org/baselines/container-registry/</loc>"));
    let not_found = read(book.path(), "404.html");
    assert!(not_found.contains("href=\"https://example.org/baselines/assets/style.css\""));
}

#[test]
fn a_site_without_the_other_outputs_links_no_missing_download() {
    let book = default_book();
    let toml = book.path().join("book.toml");
    let mut text = std::fs::read_to_string(&toml).unwrap();
    for output in ["markdown", "xlsx", "csv", "json"] {
        text = text.replace(&format!("{output} = true"), &format!("{output} = false"));
    }
    std::fs::write(&toml, text).unwrap();
    // `build` fails on a broken link, so a clean build is the proof.
    build(book.path());
    let page = read(book.path(), "container-registry/index.html");
    assert!(!page.contains("downloads/"), "a download is still linked");
    assert!(page.contains("security baseline mapping file"));
    assert!(!book.path().join("output/xlsx").exists());
}
