//! The default book reproduces the published Container Registry article: every line of the
//! seed text appears in the Markdown article and in the HTML page.

use crate::common::*;

fn missing_lines(seed: &str, text: &str) -> Vec<String> {
    seed_lines(seed)
        .into_iter()
        .filter(|line| !text.contains(line.as_str()))
        .collect()
}

#[test]
fn markdown_article_contains_every_seed_line() {
    let Some(seed) = seed_text() else { return };
    let book = built_default_book();
    let md = std::fs::read_to_string(
        book.path()
            .join("output/md/container-registry-security-baseline.md"),
    )
    .unwrap();
    let text = markdown_text(&md);
    let missing = missing_lines(&seed, &text);
    assert!(
        missing.is_empty(),
        "lines missing from the Markdown:\n{}",
        missing.join("\n")
    );
    assert!(seed_lines(&seed).len() > 200, "the seed was not read");
}

#[test]
fn html_page_contains_every_seed_line() {
    let Some(seed) = seed_text() else { return };
    let book = built_default_book();
    let html = std::fs::read_to_string(
        book.path()
            .join("output/site/container-registry/index.html"),
    )
    .unwrap();
    let text = html_text(&html);
    let missing = missing_lines(&seed, &text);
    assert!(
        missing.is_empty(),
        "lines missing from the HTML:\n{}",
        missing.join("\n")
    );
}

#[test]
fn text_extraction_would_notice_a_missing_line() {
    // Guards the two tests above against an extraction that matches everything.
    let seed = "share\nNS-1: Establish network segmentation boundaries\nNote\n";
    assert_eq!(
        missing_lines(seed, "nothing here"),
        ["NS-1: Establish network segmentation boundaries"]
    );
    assert!(missing_lines(
        seed,
        &html_text("<h3>NS-1: Establish network <em>segmentation</em> boundaries</h3>")
    )
    .is_empty());
    assert_eq!(
        markdown_text("**Description**: a [Learn more](https://x.org)."),
        "Description: a Learn more."
    );
    assert_eq!(html_text("<td>True</td><td>False</td>"), "True False");
}
