//! `serve` under load: 100 keep-alive connections (std threads, HTTP/1.1 by hand) against
//! `controlbook serve --port 0` on a copy of the default book while a baseline is edited
//! every 500 ms. No error, no partial response, every page a complete document with the
//! reload script, traversal payloads still 404, memory steady. Runs 5 s in `cargo test`;
//! `CONTROLBOOK_LOAD_SECONDS=20` runs the full version. Prints requests per second and
//! the 99th percentile latency.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::*;
use crate::serve::Server;

const CONNECTIONS: usize = 100;
const BASELINE: &str = "content/baselines/container-registry.yaml";
const SCRIPT: &str = "<script src=\"/__controlbook/reload.js\"></script>";

/// Paths that must never leave the site.
const TRAVERSAL: &[&str] = &[
    "/..%2f..%2fetc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/../../etc/passwd",
    "/assets/..%2f..%2f..%2fbook.toml",
    "/%2e%2e%5c%2e%2e%5cbook.toml",
    "/container-registry/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/..%252f..%252fetc/passwd",
    "/%00/etc/passwd",
];

/// The server's resident memory in KiB, from /proc.
fn rss_kib(server: &Server) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.child.id())).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/PID/status")
}

/// One response read off a keep-alive connection.
struct Response {
    status: u16,
    content_type: String,
    body: Vec<u8>,
}

/// Sends a GET on `stream` and reads exactly one response: the head, then a body of
/// exactly Content-Length bytes. A response without Content-Length, or cut short, is an
/// error.
fn get(reader: &mut BufReader<TcpStream>, path: &str) -> Result<Response, String> {
    write!(
        reader.get_mut(),
        "GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n"
    )
    .map_err(|e| format!("write: {e}"))?;
    let mut status_line = String::new();
    reader
        .read_line(&mut status_line)
        .map_err(|e| format!("status line: {e}"))?;
    let status = status_line
        .strip_prefix("HTTP/1.1 ")
        .and_then(|s| s.get(..3))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let (mut length, mut content_type) = (None, String::new());
    loop {
        let mut line = String::new();
        reader
            .read_line(&mut line)
            .map_err(|e| format!("header: {e}"))?;
        if line.is_empty() {
            return Err("connection closed inside the head".into());
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').ok_or(format!("bad header {line:?}"))?;
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse::<usize>().ok(),
            "content-type" => content_type = value.trim().to_string(),
            "transfer-encoding" => return Err(format!("{path}: chunked, no Content-Length")),
            _ => {}
        }
    }
    let length = length.ok_or_else(|| format!("{path}: no Content-Length"))?;
    let mut body = vec![0; length];
    reader
        .read_exact(&mut body)
        .map_err(|e| format!("{path}: body shorter than Content-Length {length}: {e}"))?;
    Ok(Response {
        status,
        content_type,
        body,
    })
}

/// What a response must be: a page is a whole document with the reload script injected,
/// an asset is the built file, a traversal attempt is the site's 404 page.
fn verify(path: &str, expected: Option<&[u8]>, r: &Response) -> Result<(), String> {
    let traversal = TRAVERSAL.contains(&path);
    let want = if traversal { 404 } else { 200 };
    if r.status != want {
        return Err(format!("{path}: status {} instead of {want}", r.status));
    }
    if r.content_type.starts_with("text/html") {
        let text = std::str::from_utf8(&r.body).map_err(|_| format!("{path}: not UTF-8"))?;
        let whole = text.trim_start().starts_with("<!DOCTYPE html>")
            && text.trim_end().ends_with("</html>")
            && text.contains(&format!("{SCRIPT}</body>"));
        if !whole {
            return Err(format!("{path}: partial page of {} bytes", r.body.len()));
        }
        if traversal && (!text.contains("Page not found") || text.contains("root:")) {
            return Err(format!("{path}: not the 404 page"));
        }
    } else if let Some(expected) = expected {
        if r.body != expected {
            return Err(format!(
                "{path}: {} bytes differ from the built file",
                r.body.len()
            ));
        }
    }
    Ok(())
}

#[derive(Default)]
struct Tally {
    requests: u64,
    errors: Vec<String>,
    latencies_us: Vec<u32>,
}

#[test]
fn serve_stays_correct_under_load_while_rebuilding() {
    let seconds: u64 = std::env::var("CONTROLBOOK_LOAD_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    // 100 busy connections would disturb the timing-sensitive tests (and skew the figures).
    let _alone = exclusive();
    let book = default_book();
    let root = book.path().to_path_buf();
    // The paths to request: every page and asset of a build, the theme's assets with
    // their bytes (they do not change when a baseline does).
    build(&root);
    let site = root.join("output/site");
    let theme = controlbook::theme::Theme::embedded();
    let mut targets: Vec<(String, Option<Vec<u8>>)> = files_below(&site)
        .into_iter()
        .filter(|(p, _)| !p.starts_with("downloads/"))
        .map(|(path, bytes)| {
            let url = format!("/{path}");
            let fixed = theme
                .assets()
                .any(|(name, _)| path == format!("assets/{name}"))
                .then_some(bytes);
            (url, fixed)
        })
        .collect();
    assert!(targets.iter().filter(|(_, b)| b.is_some()).count() >= 3);
    targets.extend(TRAVERSAL.iter().map(|p| ((*p).to_string(), None)));
    let targets = Arc::new(targets);

    let server = Server::start(&root);
    let addr = server.addr;
    // Warm up: every target once.
    {
        let mut reader = BufReader::new(TcpStream::connect(addr).unwrap());
        for (path, expected) in targets.iter() {
            let r = get(&mut reader, path).unwrap();
            verify(path, expected.as_deref(), &r).unwrap();
        }
    }
    let rss_start = rss_kib(&server);

    let stop = Arc::new(AtomicBool::new(false));
    // Edit the baseline every 500 ms, each time as an editor saves: a temporary file
    // renamed over it.
    let editor = {
        let (stop, root) = (Arc::clone(&stop), root.clone());
        std::thread::spawn(move || {
            let path = root.join(BASELINE);
            let original = std::fs::read_to_string(&path).unwrap();
            let mut edits = 0u32;
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(500));
                edits += 1;
                let text = original.replacen(
                    "guidance: Deploy private endpoints",
                    &format!("guidance: Edit {edits}. Deploy private endpoints"),
                    1,
                );
                let temporary = root.join("content/baselines/.container-registry.yaml.tmp");
                std::fs::write(&temporary, text).unwrap();
                std::fs::rename(&temporary, &path).unwrap();
            }
            edits
        })
    };

    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..CONNECTIONS)
        .map(|n| {
            let targets = Arc::clone(&targets);
            std::thread::spawn(move || {
                let mut tally = Tally::default();
                let connect = || {
                    let stream = TcpStream::connect(addr).unwrap();
                    stream
                        .set_read_timeout(Some(Duration::from_secs(10)))
                        .unwrap();
                    stream.set_nodelay(true).unwrap();
                    BufReader::new(stream)
                };
                let mut reader = connect();
                let mut i = n * 7;
                while Instant::now() < deadline {
                    let (path, expected) = &targets[i % targets.len()];
                    i += 1;
                    let sent = Instant::now();
                    let result =
                        get(&mut reader, path).and_then(|r| verify(path, expected.as_deref(), &r));
                    tally.latencies_us.push(sent.elapsed().as_micros() as u32);
                    tally.requests += 1;
                    if let Err(e) = result {
                        tally.errors.push(e);
                        // The stream may be out of step after an error: start a new one.
                        reader = connect();
                    }
                }
                tally
            })
        })
        .collect();

    std::thread::sleep(Duration::from_secs(seconds) / 2);
    let rss_middle = rss_kib(&server);
    let mut total = Tally::default();
    for w in workers {
        let t = w.join().unwrap();
        total.requests += t.requests;
        total.errors.extend(t.errors);
        total.latencies_us.extend(t.latencies_us);
    }
    let elapsed = started.elapsed();
    let rss_end = rss_kib(&server);
    stop.store(true, Ordering::Relaxed);
    let edits = editor.join().unwrap();

    total.latencies_us.sort_unstable();
    let p = |q: f64| {
        let i = ((total.latencies_us.len() as f64 * q) as usize).min(total.latencies_us.len() - 1);
        Duration::from_micros(u64::from(total.latencies_us[i]))
    };
    let log = server.stderr.lock().unwrap().clone();
    let rebuilds = log.lines().filter(|l| l.starts_with("rebuilt ")).count();
    eprintln!(
        "serve under load: {CONNECTIONS} connections, {:.1} s, {} requests, {:.0} req/s, \
         p50 {:.2?}, p99 {:.2?}, max {:.2?}; {edits} edits, {rebuilds} rebuilds; \
         VmRSS {rss_start} -> {rss_middle} -> {rss_end} KiB; {} errors",
        elapsed.as_secs_f64(),
        total.requests,
        total.requests as f64 / elapsed.as_secs_f64(),
        p(0.50),
        p(0.99),
        p(1.0),
        total.errors.len()
    );
    assert!(
        total.errors.is_empty(),
        "{} errors, first: {:?}",
        total.errors.len(),
        &total.errors[..total.errors.len().min(5)]
    );
    assert!(!log.contains("rebuild failed"), "{log}");
    assert!(
        rebuilds as u32 * 3 >= edits,
        "only {rebuilds} rebuilds for {edits} edits:\n{log}"
    );
    // Steady memory: what the server holds after warming up may grow with buffers for
    // 100 connections, but not with the number of requests or rebuilds.
    let bound = rss_start.max(rss_middle) * 3 / 2 + 32 * 1024;
    assert!(
        rss_end <= bound,
        "VmRSS grew from {rss_start} KiB (middle {rss_middle}) to {rss_end} KiB"
    );
    // Every edit reached the served page.
    let mut reader = BufReader::new(TcpStream::connect(addr).unwrap());
    let marker = format!("Edit {edits}.");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let page = get(&mut reader, "/container-registry/").unwrap();
        if String::from_utf8_lossy(&page.body).contains(&marker) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the last edit never reached the page"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
