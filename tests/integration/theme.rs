//! A book's theme files override the embedded theme file by file; a broken template stops
//! the build without touching the previous output.

use crate::common::*;

#[test]
fn a_book_template_overrides_the_embedded_one() {
    let book = default_book();
    let templates = book.path().join("themes/default/templates");
    std::fs::write(
        templates.join("404.html"),
        "{% extends \"base.html\" %}{% block content %}<h1>Lost in the baselines</h1>{% endblock content %}",
    )
    .unwrap();
    build(book.path());
    let page = std::fs::read_to_string(book.path().join("output/site/404.html")).unwrap();
    assert!(page.contains("Lost in the baselines"), "{page}");
    // Files the book does not override still come from the embedded theme.
    assert!(book.path().join("output/site/assets/style.css").is_file());
}

#[test]
fn overriding_one_template_keeps_the_rest_of_the_default_theme() {
    let book = default_book();
    let themes = book.path().join("themes");
    std::fs::remove_dir_all(&themes).unwrap();
    std::fs::create_dir_all(themes.join("default/templates")).unwrap();
    std::fs::write(
        themes.join("default/templates/baseline-header.html"),
        "<h1 id=\"top\">{{ doc.service }}: our hardening guide</h1>\n",
    )
    .unwrap();
    build(book.path());
    let page = std::fs::read_to_string(
        book.path()
            .join("output/site/container-registry/index.html"),
    )
    .unwrap();
    assert!(
        page.contains("Container Registry: our hardening guide</h1>"),
        "{page}"
    );
    assert!(!page.contains("Azure security baseline for Container Registry</h1>"));
    // The rest of the page and the assets come from the embedded theme.
    assert!(page.contains("id=\"security-profile\""));
    assert!(page.contains("id=\"ns-2\""));
    let site = book.path().join("output/site");
    for asset in [
        "style.css",
        "print.css",
        "theme.js",
        "site.js",
        "favicon.svg",
    ] {
        assert!(site.join("assets").join(asset).is_file(), "{asset} missing");
    }
    assert!(site.join("matrix/index.html").is_file());
}

#[test]
fn a_book_without_themes_builds_from_the_embedded_theme() {
    let book = default_book();
    std::fs::remove_dir_all(book.path().join("themes")).unwrap();
    build(book.path());
    let page = std::fs::read_to_string(
        book.path()
            .join("output/site/container-registry/index.html"),
    )
    .unwrap();
    assert!(page.contains("Azure security baseline for Container Registry"));
}

#[test]
fn a_broken_template_fails_the_build_and_keeps_the_output() {
    let book = built_default_book();
    let before = std::fs::read(book.path().join("output/site/index.html")).unwrap();
    std::fs::write(
        book.path().join("themes/default/templates/index.html"),
        "{% extends \"base.html\" %}{% block content %}{% for x in %}{% endblock content %}",
    )
    .unwrap();
    let (code, _, stderr) = run(book.path(), &["build"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("template"), "{stderr}");
    assert_eq!(
        before,
        std::fs::read(book.path().join("output/site/index.html")).unwrap()
    );
}

/// `build` writes pages as they are rendered and checks the links after: a broken link must
/// still leave the previous output exactly as it was, with no staging folder behind.
#[test]
fn a_broken_link_stops_the_build_and_changes_nothing() {
    let book = built_default_book();
    let before = files_below(&book.path().join("output"));
    let templates = book.path().join("themes/default/templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(
        templates.join("baseline-header.html"),
        "<h1 id=\"top\">{{ doc.service }}</h1><a href=\"../nowhere/index.html\">gone</a>\n",
    )
    .unwrap();
    let (code, _, stderr) = run(book.path(), &["build"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("`site/container-registry/index.html` links to `../nowhere/index.html`, which does not exist"),
        "{stderr}"
    );
    assert!(stderr.contains("output was not changed"), "{stderr}");
    assert!(
        files_below(&book.path().join("output")) == before,
        "the output changed"
    );
    let leftovers: Vec<String> = std::fs::read_dir(book.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".output.tmp") || n.starts_with(".output.old"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
