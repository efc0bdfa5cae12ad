//! Helpers: a copy of the default book in a temporary folder, the shared fixtures, and
//! text extraction from the Markdown and HTML outputs.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The repository root, which is itself the default book.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared` beside the repository. In CI (`CI` set) its absence fails the test;
/// elsewhere the test is skipped with a notice.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = repo_root().join("../shared");
    if dir.join("seed").is_dir() {
        return Some(dir);
    }
    if std::env::var_os("CI").is_some() {
        panic!("../shared is missing: CI must provide the shared fixtures");
    }
    eprintln!("notice: ../shared is absent; skipping a test that needs the fixtures");
    None
}

/// A book of `baselines` baselines made from Microsoft's v3 workbooks by
/// `controlbook::corpus`, not built; `None` where the fixtures are absent (see
/// [`shared_dir`]).
pub fn corpus_book(baselines: usize) -> Option<tempfile::TempDir> {
    let shared = shared_dir()?;
    let dir = tempfile::tempdir().expect("temp dir");
    controlbook::corpus::generate(&shared.join("fixtures/msft/v3"), baselines, dir.path())
        .expect("the corpus is generated");
    Some(dir)
}

pub fn seed_text() -> Option<String> {
    let path = shared_dir()?.join("seed/container-registry-security-baseline.txt");
    Some(std::fs::read_to_string(path).expect("seed is readable"))
}

/// A copy of the default book (book.toml, content/, themes/) in a fresh temporary folder.
pub fn default_book() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = repo_root();
    std::fs::copy(root.join("book.toml"), dir.path().join("book.toml")).expect("copy book.toml");
    copy_dir(&root.join("content"), &dir.path().join("content"));
    copy_dir(&root.join("themes"), &dir.path().join("themes"));
    dir
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

pub fn controlbook() -> Command {
    let mut cmd = Command::cargo_bin("controlbook").expect("binary");
    cmd.env_remove("SOURCE_DATE_EPOCH").env("NO_COLOR", "1");
    cmd
}

/// Runs `controlbook --root ROOT ARGS…`: exit code, stdout, stderr.
pub fn run(root: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = controlbook()
        .arg("--root")
        .arg(root)
        .args(args)
        .output()
        .expect("controlbook runs");
    (
        out.status.code(),
        String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    )
}

/// Runs `controlbook build` in `root` and asserts success.
pub fn build(root: &Path) {
    controlbook()
        .arg("--root")
        .arg(root)
        .arg("build")
        .assert()
        .success();
}

/// A built copy of the default book.
pub fn built_default_book() -> tempfile::TempDir {
    let dir = default_book();
    build(dir.path());
    dir
}

pub fn fold_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text a reader of the rendered Markdown sees: markup dropped, blocks, table cells
/// and inline HTML (`<br />`) separated by spaces.
pub fn markdown_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, Options, Parser, TagEnd};
    let body = markdown
        .strip_prefix("---\n")
        .and_then(|rest| rest.split_once("\n---\n").map(|(_, body)| body))
        .unwrap_or(markdown);
    let mut out = String::new();
    for event in Parser::new_ext(body, Options::ENABLE_TABLES) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::Html(_) | Event::InlineHtml(_) => {
                out.push(' ')
            }
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::TableCell
                | TagEnd::TableRow
                | TagEnd::TableHead
                | TagEnd::Item
                | TagEnd::BlockQuote(_),
            ) => out.push(' '),
            _ => {}
        }
    }
    fold_whitespace(&out)
}

/// The text a reader of the HTML page sees: tags dropped (block-level ones as spaces),
/// scripts and styles removed, entities decoded.
pub fn html_text(html: &str) -> String {
    const BLOCK: &[&str] = &[
        "p", "div", "td", "th", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "table",
        "thead", "tbody", "section", "article", "aside", "nav", "header", "footer", "main", "ul",
        "ol", "caption", "small", "title",
    ];
    let mut out = String::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let after = &rest[lt + 1..];
        let Some(gt) = after.find('>') else { break };
        let tag = &after[..gt];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        rest = &after[gt + 1..];
        if (name == "script" || name == "style") && !tag.starts_with('/') {
            let close = format!("</{name}>");
            rest = rest.find(&close).map_or("", |i| &rest[i + close.len()..]);
            continue;
        }
        if BLOCK.contains(&name.as_str()) {
            out.push(' ');
        }
    }
    out.push_str(rest);
    let decoded = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    fold_whitespace(&decoded)
}

/// The seed lines the outputs must contain: every non-empty line except the share
/// button on the first line and the callout label `Note`.
pub fn seed_lines(seed: &str) -> Vec<String> {
    seed.lines()
        .skip(1)
        .map(fold_whitespace)
        .filter(|l| !l.is_empty() && l != "Note")
        .collect()
}

/// Every file below `dir` with its bytes, keyed by path relative to `dir`.
pub fn files_below(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// Held by the tests that load the machine (a browser, a load test) and by the ones that
/// measure time (watch's debounce), so that they do not run at the same moment: CI runs
/// on two cores.
pub fn exclusive() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A child process killed when the test ends, also when it fails.
pub struct KillOnDrop(pub std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The rows of a worksheet as text, failing on any cell that is not text: every cell the
/// workbooks write is a string, so that no text can become a formula.
pub fn text_rows<R: std::io::Read + std::io::Seek>(
    wb: &mut calamine::Xlsx<R>,
    sheet: &str,
) -> Vec<Vec<String>> {
    use calamine::{Data, Reader};
    let range = wb
        .worksheet_range(sheet)
        .unwrap_or_else(|e| panic!("sheet {sheet}: {e}"));
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    Data::Empty => String::new(),
                    other => panic!("{sheet}: cell {other:?} is not text"),
                })
                .collect()
        })
        .collect()
}

/// The rows of a workbook's `sheet`-th worksheet as its XML lists them (`<row r="…"
/// ht="…">`): row number and height, 0 when the row has none.
pub fn row_heights(path: &std::path::Path, sheet: usize) -> Vec<(u32, f64)> {
    let file = std::fs::File::open(path).expect("workbook opens");
    let mut zip = zip::ZipArchive::new(file).expect("workbook is a zip");
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zip
            .by_name(&format!("xl/worksheets/sheet{sheet}.xml"))
            .expect("sheet exists"),
        &mut xml,
    )
    .expect("sheet reads");
    let attribute = |tag: &str, name: &str| -> Option<String> {
        let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(tag[start..start + tag[start..].find('"')?].to_string())
    };
    xml.split("<row ")
        .skip(1)
        .map(|row| {
            let tag = format!(" {}", &row[..row.find('>').expect("row tag ends")]);
            let tag = tag.as_str();
            let r = attribute(tag, "r").expect("row number").parse().unwrap();
            let height = attribute(tag, "ht").map_or(0.0, |h| h.parse().unwrap());
            (r, height)
        })
        .collect()
}
