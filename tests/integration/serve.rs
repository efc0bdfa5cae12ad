//! `serve` and `watch` as a writer uses them: pages with the right types, no way out of the
//! site, a reload event and the new text after a save, the error overlay over the last
//! good page, one rebuild per burst of writes, and a clean Ctrl-C.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::*;

const BASELINE: &str = "content/baselines/container-registry.yaml";

/// A running `controlbook serve --port 0`, stopped when dropped. The load test uses it too.
pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) addr: SocketAddr,
    pub(crate) stderr: Arc<Mutex<String>>,
}

impl Server {
    pub(crate) fn start(root: &Path) -> Server {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("controlbook"))
            .arg("--root")
            .arg(root)
            .args(["serve", "--port", "0"])
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .split_whitespace()
            .nth(1)
            .unwrap_or_else(|| panic!("no URL in {line:?}"));
        let addr = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&stderr);
        let mut err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        Server {
            child,
            addr,
            stderr,
        }
    }

    /// A raw GET, the path sent exactly as given: (status, headers, body).
    fn get(&self, path: &str) -> (u16, String, Vec<u8>) {
        let mut stream = TcpStream::connect(self.addr).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let split = response
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a response head");
        let head = String::from_utf8_lossy(&response[..split]).into_owned();
        let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
        let mut body = response[split + 4..].to_vec();
        if head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            body = dechunk(&body);
        }
        (status, head, body)
    }

    fn text(&self, path: &str) -> String {
        String::from_utf8(self.get(path).2).unwrap()
    }

    /// Collects the event stream in the background.
    fn events(&self) -> Arc<Mutex<String>> {
        let mut stream = TcpStream::connect(self.addr).unwrap();
        write!(
            stream,
            "GET /__controlbook/events HTTP/1.1\r\nHost: localhost\r\n\r\n"
        )
        .unwrap();
        let seen = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&seen);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stream.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        // Let the subscription reach the server before anything changes.
        std::thread::sleep(Duration::from_millis(200));
        seen
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn dechunk(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(end) = rest.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&rest[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&rest[end + 2..end + 2 + size]);
        rest = &rest[end + 2 + size + 2..];
    }
    out
}

fn wait_for(what: &str, timeout: Duration, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ok() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

fn edit(root: &Path, from: &str, to: &str) {
    let path = root.join(BASELINE);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from} not in the baseline");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn pages_and_assets_are_served_with_their_types() {
    let book = default_book();
    let server = Server::start(book.path());
    for (path, kind) in [
        ("/", "text/html"),
        ("/index.html", "text/html"),
        ("/container-registry/", "text/html"),
        ("/assets/style.css", "text/css"),
        ("/assets/theme.js", "text/javascript"),
        (
            "/downloads/container-registry-security-baseline.xlsx",
            "spreadsheetml",
        ),
        ("/downloads/container-registry.json", "application/json"),
    ] {
        let (status, head, _) = server.get(path);
        assert_eq!(status, 200, "{path}");
        let content_type = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-type:"))
            .unwrap_or("");
        assert!(content_type.contains(kind), "{path}: {head}");
    }
    let (status, head, _) = server.get("/container-registry");
    assert_eq!(status, 301);
    assert!(
        head.to_ascii_lowercase()
            .contains("location: /container-registry/"),
        "{head}"
    );
    let (status, _, body) = server.get("/no/such/page");
    assert_eq!(status, 404);
    assert!(String::from_utf8_lossy(&body).contains("Page not found"));
    // Served pages get the reload script; built files never do.
    assert!(server
        .text("/container-registry/")
        .contains("/__controlbook/reload.js"));
    let built = std::fs::read_to_string(
        book.path()
            .join("output/site/container-registry/index.html"),
    )
    .unwrap();
    assert!(!built.contains("__controlbook"));
    assert!(server
        .text("/__controlbook/reload.js")
        .contains("EventSource"));
}

#[test]
fn nothing_outside_the_site_is_served() {
    let book = default_book();
    // A symlink inside the site that leads out of it.
    let server = Server::start(book.path());
    let site = book.path().join("output/site");
    #[cfg(unix)]
    std::os::unix::fs::symlink(book.path().join("book.toml"), site.join("leak.toml")).unwrap();
    let payloads = [
        "/../book.toml",
        "/../../etc/passwd",
        "/%2e%2e/book.toml",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/..%2fbook.toml",
        "/assets/..%2f..%2fbook.toml",
        "/..%5cbook.toml",
        "/%2e%2e%5c%2e%2e%5cetc%5cpasswd",
        "/%252e%252e/book.toml",
        "/./../book.toml",
        "/assets/../../content/baselines/container-registry.yaml",
        "/leak.toml",
        "/%00/etc/passwd",
        "/content/baselines/container-registry.yaml",
        "/output/site/index.html",
    ];
    for payload in payloads {
        let (status, _, body) = server.get(payload);
        let body = String::from_utf8_lossy(&body);
        assert_eq!(status, 404, "{payload}");
        assert!(
            !body.contains("[book]")
                && !body.contains("root:")
                && !body.contains("slug: container-registry"),
            "{payload} leaked: {body}"
        );
    }
}

#[test]
fn a_save_reloads_and_a_broken_save_shows_the_error_over_the_last_good_page() {
    let book = default_book();
    let server = Server::start(book.path());
    let events = server.events();

    edit(
        book.path(),
        "title: Disable public network access",
        "title: Disable public network access everywhere",
    );
    wait_for("a reload event", Duration::from_secs(10), || {
        events.lock().unwrap().contains("event: reload")
    });
    // Browsers drop an event without data: the reload names the pages that changed.
    let stream = events.lock().unwrap().clone();
    let data = stream
        .split("event: reload\ndata: ")
        .nth(1)
        .and_then(|rest| rest.lines().next())
        .unwrap_or_default();
    assert!(
        data.starts_with('[') && data.contains("\"container-registry/index.html\""),
        "the reload event does not name the edited page: {stream}"
    );
    assert!(server
        .text("/container-registry/")
        .contains("Disable public network access everywhere"));

    edit(
        book.path(),
        "deployable_into_vnet: false",
        "deployable_into_vnet: yes",
    );
    wait_for("a build-error event", Duration::from_secs(10), || {
        events.lock().unwrap().contains("event: build-error")
    });
    let stream = events.lock().unwrap().clone();
    assert!(stream.contains(&format!("{BASELINE}:10:25")), "{stream}");
    let page = server.text("/container-registry/");
    assert!(
        page.contains("__controlbook_overlay") && page.contains("invalid boolean"),
        "overlay missing"
    );
    assert!(
        page.contains("Disable public network access everywhere"),
        "the last good content is gone"
    );
    assert!(server
        .stderr
        .lock()
        .unwrap()
        .contains(&format!("--> {BASELINE}:10:25")));

    let reloads = stream.matches("event: reload").count();
    edit(
        book.path(),
        "deployable_into_vnet: yes",
        "deployable_into_vnet: false",
    );
    wait_for("the next reload", Duration::from_secs(10), || {
        events.lock().unwrap().matches("event: reload").count() > reloads
    });
    assert!(!server
        .text("/container-registry/")
        .contains("id=\"__controlbook_overlay\""));
}

#[test]
fn ctrl_c_stops_cleanly() {
    let book = default_book();
    let mut server = Server::start(book.path());
    assert_eq!(server.get("/").0, 200);
    let status = Command::new("kill")
        .args(["-INT", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = server.child.wait().unwrap();
    assert_eq!(exit.code(), Some(0));
    std::thread::sleep(Duration::from_millis(100));
    assert!(!server.stderr.lock().unwrap().contains("panicked"));
}

/// `watch`, with its stderr collected.
fn start_watch(root: &Path) -> (Child, Arc<Mutex<String>>) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("controlbook"))
        .arg("--root")
        .arg(root)
        .arg("watch")
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&log);
    let err = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines() {
            let Ok(line) = line else { break };
            let mut l = sink.lock().unwrap();
            l.push_str(&line);
            l.push('\n');
        }
    });
    wait_for("the watcher", Duration::from_secs(10), || {
        log.lock().unwrap().contains("watching")
    });
    (child, log)
}

#[test]
fn watch_rebuilds_once_per_burst_and_per_atomic_save() {
    // The debounce is 10 ms: a busy machine could split the burst below.
    let _alone = exclusive();
    let book = default_book();
    let (child, log) = start_watch(book.path());
    let _child = KillOnDrop(child);
    let rebuilds = || log.lock().unwrap().matches("rebuilt ").count();

    // A burst of ten writes gives one rebuild. The debounce is 10 ms, and a writer that
    // the scheduler pauses longer than that mid-burst (a loaded CI machine) splits it in
    // two; so the burst gets three tries, and a watcher that does not merge at all (ten
    // rebuilds each time) still fails.
    let path = book.path().join(BASELINE);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut per_burst = Vec::new();
    for attempt in 0..3 {
        let before = rebuilds();
        for i in 0..10 {
            std::fs::write(
                &path,
                text.replace(
                    "title: Disable public network access",
                    &format!("title: Disable public network access {attempt}{i}"),
                ),
            )
            .unwrap();
        }
        wait_for("a rebuild", Duration::from_secs(10), || rebuilds() > before);
        std::thread::sleep(Duration::from_millis(600));
        per_burst.push(rebuilds() - before);
        if per_burst.last() == Some(&1) {
            break;
        }
    }
    assert_eq!(
        per_burst.last(),
        Some(&1),
        "rebuilds per burst: {per_burst:?}\n{}",
        log.lock().unwrap()
    );
    let done = rebuilds();

    // An editor's atomic save: write a temporary file, rename it over the original.
    let temp = path.with_extension("yaml.tmp");
    std::fs::write(
        &temp,
        text.replace(
            "title: Disable public network access",
            "title: Disable public access",
        ),
    )
    .unwrap();
    std::fs::rename(&temp, &path).unwrap();
    wait_for(
        "a rebuild after the rename",
        Duration::from_secs(10),
        || rebuilds() > done,
    );
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(rebuilds(), done + 1, "{}", log.lock().unwrap());

    // Output and editor swap files cause nothing.
    std::fs::write(
        book.path()
            .join("content/baselines/.container-registry.yaml.swp"),
        "x",
    )
    .unwrap();
    std::fs::write(book.path().join("output/site/extra.html"), "x").unwrap();
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(rebuilds(), done + 1, "{}", log.lock().unwrap());
    let built = std::fs::read_to_string(
        book.path()
            .join("output/site/container-registry/index.html"),
    )
    .unwrap();
    assert!(built.contains("Disable public access"));
}
