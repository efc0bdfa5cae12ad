//! Snapshots of the Markdown article and of the `<main>` of the HTML page: any change to
//! the rendered structure shows up in review (`cargo insta review`).

use crate::common::*;

#[test]
fn markdown_article() {
    let book = built_default_book();
    let md = std::fs::read_to_string(
        book.path()
            .join("output/md/container-registry-security-baseline.md"),
    )
    .unwrap();
    insta::assert_snapshot!("container_registry_md", md);
}

#[test]
fn html_page_main() {
    let book = built_default_book();
    let html = std::fs::read_to_string(
        book.path()
            .join("output/site/container-registry/index.html"),
    )
    .unwrap();
    let start = html.find("<main").expect("page has <main>");
    let end = html.find("</main>").expect("page closes <main>") + "</main>".len();
    insta::assert_snapshot!("container_registry_html_main", &html[start..end]);
}
