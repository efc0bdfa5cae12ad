//! The built and served site in real tools: the Nu Html Checker over every page, the
//! browser gates of `tests/browser/site-gates.mjs` at the root and under a sub-path, and
//! live reload in Chromium. Outside CI a missing tool skips with a notice; in CI it fails.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

/// Longest a script may run before it is stopped and the test fails.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(90);

fn browser_dir() -> PathBuf {
    repo_root().join("tests/browser")
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

#[derive(Clone, Copy)]
enum Tool {
    Node,
    Chromium,
    Java,
}

/// Why `tool` cannot be used here, if it cannot.
fn missing(tool: Tool) -> Option<String> {
    match tool {
        Tool::Node => {
            let version = Command::new("node").arg("--version").output();
            let Ok(out) = version.as_ref() else {
                return Some("node is not installed (needs Node.js 18 or later)".into());
            };
            let text = String::from_utf8_lossy(&out.stdout);
            let major: u32 = text
                .trim()
                .trim_start_matches('v')
                .split('.')
                .next()
                .and_then(|m| m.parse().ok())
                .unwrap_or(0);
            if !out.status.success() || major < 18 {
                return Some(format!(
                    "node {} is too old (needs 18 or later)",
                    text.trim()
                ));
            }
            let modules = browser_dir().join("node_modules");
            ["playwright-core", "axe-core", "vnu-jar"]
                .iter()
                .find(|p| !modules.join(p).join("package.json").is_file())
                .map(|p| format!("{p} is not installed: run `npm ci --prefix tests/browser`"))
        }
        Tool::Chromium => {
            let path = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
            (!Path::new(&path).is_file()).then(|| {
                format!("no Chromium at {path} (install the `chromium` package or set CHROMIUM)")
            })
        }
        Tool::Java => {
            let ok = Command::new("java")
                .arg("-version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            (!ok).then(|| "java is not installed (vnu.jar needs Java 11 or later)".into())
        }
    }
}

/// True when every tool is there. Otherwise fails in CI, or prints why the test is
/// skipped and returns false.
fn have(tools: &[Tool]) -> bool {
    let why: Vec<String> = tools.iter().filter_map(|t| missing(*t)).collect();
    if why.is_empty() {
        return true;
    }
    let why = why.join("; ");
    assert!(!in_ci(), "browser test cannot run in CI: {why}");
    eprintln!("skipped: {why}");
    false
}

/// Runs `node SCRIPT ARGS…` in tests/browser, stopped after SCRIPT_TIMEOUT; panics with
/// its output unless it exits 0.
fn node(script: &str, args: &[&Path], extra: &[&str]) {
    let started = Instant::now();
    let mut child = Command::new("node")
        .arg(script)
        .args(args)
        .args(extra)
        .current_dir(browser_dir())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node starts");
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > SCRIPT_TIMEOUT {
            // SIGTERM first so the script can stop its server and browser.
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            std::thread::sleep(Duration::from_secs(2));
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let output = format!(
        "{}{}",
        stdout.join().unwrap_or_default(),
        stderr.join().unwrap_or_default()
    );
    match status {
        Some(s) if s.success() => eprintln!(
            "{script} passed in {:.1} s:\n{output}",
            started.elapsed().as_secs_f64()
        ),
        Some(s) => panic!("{script} failed ({s}):\n{output}"),
        None => panic!(
            "{script} did not finish within {} s:\n{output}",
            SCRIPT_TIMEOUT.as_secs()
        ),
    }
}

/// Sets `[site] site-url` in the book's book.toml.
fn set_site_url(root: &Path, url: &str) {
    let path = root.join("book.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let line = format!("site-url = \"{url}\"");
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    if let Some(l) = lines
        .iter_mut()
        .find(|l| l.trim_start().starts_with("site-url"))
    {
        *l = line;
    } else if let Some(i) = lines.iter().position(|l| l.trim() == "[site]") {
        lines.insert(i + 1, line);
    } else {
        lines.extend(["[site]".to_owned(), line]);
    }
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
}

#[test]
fn every_built_page_is_valid_html() {
    if !have(&[Tool::Node, Tool::Java]) {
        return;
    }
    let book = built_default_book();
    node("vnu.mjs", &[&book.path().join("output/site")], &[]);
}

#[test]
fn the_site_passes_the_browser_gates_at_the_root() {
    if !have(&[Tool::Node, Tool::Chromium]) {
        return;
    }
    let book = built_default_book();
    // One Chromium at a time, and not beside the tests that time things.
    let _one = exclusive();
    node(
        "site-gates.mjs",
        &[&book.path().join("output/site")],
        &["/"],
    );
}

#[test]
fn the_site_passes_the_browser_gates_under_a_sub_path() {
    if !have(&[Tool::Node, Tool::Chromium]) {
        return;
    }
    let book = default_book();
    set_site_url(book.path(), "/some/path/");
    build(book.path());
    // One Chromium at a time, and not beside the tests that time things.
    let _one = exclusive();
    node(
        "site-gates.mjs",
        &[&book.path().join("output/site")],
        &["/some/path/"],
    );
}

#[test]
fn a_save_reloads_the_open_page_and_a_broken_save_shows_the_overlay_in_chromium() {
    if !have(&[Tool::Node, Tool::Chromium]) {
        return;
    }
    let book = default_book();
    let binary = assert_cmd::cargo::cargo_bin("controlbook");
    // One Chromium at a time, and not beside the tests that time things.
    let _one = exclusive();
    node("live-reload.mjs", &[&binary, book.path()], &[]);
}
