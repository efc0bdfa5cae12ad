//! Input that tries to exhaust the machine or escape the book: YAML alias bombs, deep
//! nesting, a 100 MB file, invalid UTF-8, symbolic links out of the book. Each is refused
//! with a diagnostic or an error that names the file, in bounded time and memory; a BOM
//! and CRLF line endings are ordinary input.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::common::*;

const BASELINE: &str = "content/baselines/container-registry.yaml";

/// What a run cost.
struct Measured {
    code: Option<i32>,
    stderr: String,
    elapsed: Duration,
    /// Peak resident memory in KiB, when GNU time is installed.
    peak_kib: Option<u64>,
}

/// Runs `controlbook --root ROOT ARGS…` under GNU time when it is there, for the peak
/// memory; the figures are printed for the README's notes.
fn measured(root: &Path, args: &[&str]) -> Measured {
    let binary = assert_cmd::cargo::cargo_bin("controlbook");
    let time = Path::new("/usr/bin/time");
    let mut cmd = if time.exists() {
        let mut cmd = std::process::Command::new(time);
        cmd.args(["-f", "peak-rss-kib=%M"]).arg(binary);
        cmd
    } else {
        std::process::Command::new(binary)
    };
    cmd.arg("--root").arg(root).args(args);
    cmd.env_remove("SOURCE_DATE_EPOCH").env("NO_COLOR", "1");
    let start = Instant::now();
    let out = cmd.output().unwrap();
    let elapsed = start.elapsed();
    let mut stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let mut peak_kib = None;
    if let Some(at) = stderr.rfind("peak-rss-kib=") {
        peak_kib = stderr[at + "peak-rss-kib=".len()..].trim().parse().ok();
        stderr.truncate(at);
    }
    Measured {
        code: out.status.code(),
        stderr,
        elapsed,
        peak_kib,
    }
}

/// The run was refused as bad input (exit 2) with `expect` in the message, at a position
/// in `file`, quickly and in little memory, without a panic.
fn assert_refused(m: &Measured, file: &str, expect: &str, what: &str) {
    eprintln!(
        "{what}: exit {:?} in {:.2} s, peak {} KiB",
        m.code,
        m.elapsed.as_secs_f64(),
        m.peak_kib.map_or("?".into(), |k| k.to_string())
    );
    assert_eq!(m.code, Some(2), "{what}: {}", m.stderr);
    assert!(!m.stderr.contains("panicked"), "{what}: {}", m.stderr);
    assert!(
        m.stderr.contains(expect),
        "{what}: {expect:?} not in {}",
        m.stderr
    );
    assert!(
        m.stderr.contains(&format!("--> {file}")),
        "{what}: {}",
        m.stderr
    );
    // Debug build on a busy 2-core machine: release is an order of magnitude faster.
    assert!(
        m.elapsed < Duration::from_secs(10),
        "{what}: {:?}",
        m.elapsed
    );
    if let Some(kib) = m.peak_kib {
        assert!(kib < 512 * 1024, "{what}: {kib} KiB");
    }
    // The output stays as it was: nothing was built.
    assert!(m.stderr.lines().count() < 40, "{what}: {}", m.stderr);
}

fn with_baseline(text: impl AsRef<[u8]>) -> tempfile::TempDir {
    let book = default_book();
    std::fs::write(book.path().join(BASELINE), text).unwrap();
    book
}

fn default_text() -> String {
    std::fs::read_to_string(repo_root().join(BASELINE)).unwrap()
}

#[test]
fn yaml_alias_bombs_are_refused() {
    // The classic "billion laughs": nine levels of nine aliases, 9^9 strings if expanded.
    let lol = ["\"lol\""; 9].join(",");
    let mut levels = vec![format!("&a [{lol}]")];
    let names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'];
    for pair in names.windows(2) {
        let refs = vec![format!("*{}", pair[0]); 9].join(",");
        levels.push(format!("&{} [{refs}]", pair[1]));
    }
    let bomb: String = names
        .iter()
        .zip(&levels)
        .map(|(name, level)| format!("{name}: {}\n", level))
        .collect();
    // The same where the baseline expects a list of strings: the first element is refused.
    let in_field = default_text().replace(
        "product_category: [Compute, Containers]",
        &format!("product_category: [{}, *i]", levels.join(", ")),
    );
    // Many aliases of one 1 MB string, in a field that takes them: 20 GB if expanded.
    let storm = default_text().replace(
        "product_category: [Compute, Containers]",
        &format!(
            "product_category: [&a \"{}\", {}]",
            "x".repeat(1_000_000),
            vec!["*a"; 20_000].join(", ")
        ),
    );
    for (what, text, expect) in [
        ("billion laughs", bomb, "invalid-yaml"),
        ("billion laughs in a field", in_field, "invalid-yaml"),
        ("alias storm", storm, "over the parser's limits"),
    ] {
        let book = with_baseline(&text);
        let m = measured(book.path(), &["check"]);
        assert_refused(&m, &format!("{BASELINE}:"), expect, what);
    }
}

#[test]
fn deep_nesting_is_refused() {
    let deep_seq = "[".repeat(100_000);
    let deep_map = "{a: ".repeat(100_000);
    let in_field = default_text().replace(
        "product_category: [Compute, Containers]",
        &format!("product_category: {deep_seq}"),
    );
    for (what, text) in [
        ("100k [", deep_seq.clone()),
        ("100k {", deep_map),
        ("100k [ in a field", in_field),
        ("100k - ", "- ".repeat(100_000)),
    ] {
        let book = with_baseline(&text);
        let m = measured(book.path(), &["check"]);
        assert_refused(&m, &format!("{BASELINE}:"), "invalid-yaml", what);
    }
}

#[test]
fn a_file_over_the_limit_is_refused_without_reading_it() {
    for (what, len) in [
        ("100 MB", 100 * 1024 * 1024),
        ("16 MiB + 1", 16 * 1024 * 1024 + 1),
    ] {
        let book = default_book();
        // Sparse: the size is real, the disk stays free.
        let file = std::fs::File::create(book.path().join("content/baselines/huge.yaml")).unwrap();
        file.set_len(len).unwrap();
        let m = measured(book.path(), &["build"]);
        assert_refused(&m, "content/baselines/huge.yaml", "file-too-large", what);
        assert!(m.stderr.contains(&len.to_string()), "{}", m.stderr);
        assert!(!book.path().join("output").exists());
    }
}

#[test]
fn invalid_utf8_names_file_line_and_column() {
    let mut text = default_text().into_bytes();
    // Line 5 is `resource_provider: Microsoft.ContainerRegistry`; break it at column 10.
    let line5 = text
        .split(|b| *b == b'\n')
        .take(4)
        .map(|l| l.len() + 1)
        .sum::<usize>();
    text.splice(line5 + 9..line5 + 9, [0xff, 0xfe]);
    let book = with_baseline(&text);
    let m = measured(book.path(), &["build"]);
    assert_refused(
        &m,
        &format!("{BASELINE}:5:10"),
        "invalid-utf8",
        "invalid UTF-8",
    );
    assert!(m.stderr.contains("not valid UTF-8"), "{}", m.stderr);
}

/// Every YAML and TOML file of the book with a byte-order mark and CRLF line endings.
fn bom_and_crlf(dir: &Path) {
    for (rel, bytes) in files_below(dir) {
        if rel.ends_with(".yaml") || rel.ends_with(".toml") {
            let text = String::from_utf8(bytes).unwrap().replace('\n', "\r\n");
            let mut out = b"\xef\xbb\xbf".to_vec();
            out.extend_from_slice(text.as_bytes());
            std::fs::write(dir.join(rel), out).unwrap();
        }
    }
}

#[test]
fn a_byte_order_mark_and_crlf_give_the_same_output() {
    let plain = built_default_book();
    let windows = default_book();
    bom_and_crlf(windows.path());
    let converted = std::fs::read(windows.path().join(BASELINE)).unwrap();
    assert!(converted.starts_with(b"\xef\xbb\xbf") && converted.ends_with(b"\r\n"));
    build(windows.path());
    let a = files_below(&plain.path().join("output"));
    let b = files_below(&windows.path().join("output"));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{path} differs with a BOM and CRLF");
    }
    // Errors still point at the right line and column.
    let path = windows.path().join(BASELINE);
    let text = std::fs::read_to_string(&path).unwrap().replacen(
        "deployable_into_vnet: false",
        "deployable_into_vnet: yes",
        1,
    );
    std::fs::write(&path, text).unwrap();
    let (code, _, stderr) = run(windows.path(), &["check"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains(&format!("{BASELINE}:10:25")), "{stderr}");
}

/// A cell longer than Excel allows (32,767 characters) is found by `check`, at the text,
/// and stops `build` before it renders anything, leaving `output/` as it was.
#[test]
fn text_over_excels_cell_limit_is_reported_at_the_text() {
    let book = built_default_book();
    let before = files_below(&book.path().join("output"));
    // YAML drops the trailing space: 39,999 characters.
    let long = "word ".repeat(8_000);
    let needle = "guidance: This feature is not supported to secure this service.";
    let original = default_text();
    let at = original
        .find(needle)
        .expect("the default baseline has the text");
    let line = original[..at].matches('\n').count() + 1;
    let column = at - original[..at].rfind('\n').map_or(0, |n| n + 1) + 1 + "guidance: ".len();
    let text = original.replacen(needle, &format!("guidance: {long}"), 1);
    std::fs::write(book.path().join(BASELINE), text).unwrap();
    let expect_at = format!("--> {BASELINE}:{line}:{column}");
    for command in ["check", "build"] {
        let m = measured(book.path(), &[command]);
        assert_eq!(m.code, Some(1), "{command}: {}", m.stderr);
        assert!(!m.stderr.contains("panicked"), "{command}: {}", m.stderr);
        assert!(
            m.stderr.contains("error[cell-too-long]"),
            "{command}: {}",
            m.stderr
        );
        assert!(
            m.stderr.contains("39999 characters"),
            "{command}: {}",
            m.stderr
        );
        assert!(m.stderr.contains(&expect_at), "{command}: {}", m.stderr);
    }
    assert_eq!(before, files_below(&book.path().join("output")));
}

#[cfg(unix)]
mod symlinks {
    use std::os::unix::fs::symlink;

    use super::*;

    /// A valid baseline outside the book, so that only the link can be the problem.
    fn outside_baseline() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let text = default_text().replace("slug: container-registry", "slug: outside");
        std::fs::write(dir.path().join("outside.yaml"), text).unwrap();
        dir
    }

    fn assert_link_refused(root: &Path, link: &str) {
        let (code, _, stderr) = run(root, &["build"]);
        assert_eq!(code, Some(2), "{stderr}");
        assert!(stderr.contains(link), "{link} not named in {stderr}");
        assert!(stderr.contains("outside the book"), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(!root.join("output").exists(), "{stderr}");
    }

    #[test]
    fn a_content_file_linked_from_outside_is_refused() {
        let outside = outside_baseline();
        let book = default_book();
        let link = "content/baselines/outside.yaml";
        symlink(outside.path().join("outside.yaml"), book.path().join(link)).unwrap();
        assert_link_refused(book.path(), link);
        // A system file is never read, so never quoted in a diagnostic.
        std::fs::remove_file(book.path().join(link)).unwrap();
        symlink(
            "/etc/passwd",
            book.path().join("content/baselines/passwd.yaml"),
        )
        .unwrap();
        let (code, _, stderr) = run(book.path(), &["check"]);
        assert_eq!(code, Some(2), "{stderr}");
        assert!(!stderr.contains("root:"), "{stderr}");
    }

    #[test]
    fn a_content_folder_linked_from_outside_is_refused() {
        let outside = outside_baseline();
        let book = default_book();
        let baselines = book.path().join("content/baselines");
        std::fs::remove_dir_all(&baselines).unwrap();
        symlink(outside.path(), &baselines).unwrap();
        assert_link_refused(book.path(), "content/baselines");
    }

    #[test]
    fn a_theme_file_linked_from_outside_is_refused() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(
            outside.path().join("404.html"),
            "{% extends \"base.html\" %}",
        )
        .unwrap();
        let book = default_book();
        let link = "themes/default/templates/404.html";
        let _ = std::fs::remove_file(book.path().join(link));
        std::fs::create_dir_all(book.path().join("themes/default/templates")).unwrap();
        symlink(outside.path().join("404.html"), book.path().join(link)).unwrap();
        assert_link_refused(book.path(), link);
    }

    #[test]
    fn links_that_stay_inside_the_book_are_followed() {
        let book = default_book();
        let root = book.path();
        std::fs::create_dir_all(root.join("shared")).unwrap();
        let text = default_text().replace("slug: container-registry", "slug: linked");
        std::fs::write(root.join("shared/linked.yaml"), text).unwrap();
        symlink(
            "../../shared/linked.yaml",
            root.join("content/baselines/linked.yaml"),
        )
        .unwrap();
        let statics = root.join("themes/default/static");
        std::fs::create_dir_all(&statics).unwrap();
        std::fs::write(root.join("shared/extra.css"), "p{}").unwrap();
        symlink("../../../shared/extra.css", statics.join("extra.css")).unwrap();
        // A link back up the tree must not send the theme loader round in circles.
        symlink("..", statics.join("loop")).unwrap();
        let (code, _, stderr) = run(root, &["build"]);
        assert_eq!(code, Some(0), "{stderr}");
        assert!(root.join("output/site/linked/index.html").is_file());
        assert_eq!(
            std::fs::read(root.join("output/site/assets/extra.css")).unwrap(),
            b"p{}"
        );
    }
}
