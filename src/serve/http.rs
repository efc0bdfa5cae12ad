//! The HTTP side of `serve`: the built site from memory, the live-reload events at
//! `/__controlbook/events`, and the error overlay. Paths are resolved against the
//! snapshot's keys, never the file system, so no request can reach outside the site.

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::State as AxumState;
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures_util::stream::{self, Stream};

use super::{Event, State};
use crate::render::text::escape_html;
use crate::render::Bytes;

/// Where browsers listen for reload and build-error events.
pub const EVENTS_PATH: &str = "/__controlbook/events";
const SCRIPT_PATH: &str = "/__controlbook/reload.js";

/// The live-reload script, injected into every page that `serve` hands out.
const RELOAD_JS: &str = r#"// controlbook serve: reload on a new build, show a failed build over the page.
(function () {
  var source = new EventSource("/__controlbook/events");
  // Reload when this page changed, when every page did (`*`), or to clear the overlay.
  source.addEventListener("reload", function (e) {
    if (e.data === "*" || document.getElementById("__controlbook_overlay")) return location.reload();
    var pages;
    try { pages = JSON.parse(e.data); } catch (x) { return location.reload(); }
    var here = decodeURIComponent(location.pathname).replace(/^\//, "");
    if (here === "" || here.slice(-1) === "/") here += "index.html";
    if (pages.indexOf(here) !== -1) location.reload();
  });
  source.addEventListener("build-error", function (e) { show(e.data); });
  function show(text) {
    var box = document.getElementById("__controlbook_overlay");
    if (!box) {
      box = document.createElement("div");
      box.id = "__controlbook_overlay";
      box.setAttribute("role", "alert");
      box.style.cssText = OVERLAY_CSS;
      document.body.appendChild(box);
    }
    box.textContent = "";
    var title = document.createElement("strong");
    title.textContent = "controlbook: the last change does not build; this page shows the last good build.";
    var pre = document.createElement("pre");
    pre.style.cssText = "white-space:pre-wrap;margin:.6rem 0 0;font:13px/1.45 ui-monospace,monospace";
    pre.textContent = text;
    box.appendChild(title);
    box.appendChild(pre);
  }
})();
"#;

const OVERLAY_CSS: &str = "position:fixed;left:0;right:0;bottom:0;max-height:60vh;overflow:auto;z-index:2147483647;background:#2b0b0e;color:#ffe9ea;border-top:4px solid #e5484d;padding:1rem 1.25rem;font:14px/1.45 system-ui,sans-serif;box-shadow:0 -4px 18px rgba(0,0,0,.4)";

pub fn router(state: Arc<State>) -> Router {
    Router::new()
        .route(EVENTS_PATH, get(events))
        .route(SCRIPT_PATH, get(script))
        .fallback(get(file))
        .with_state(state)
}

async fn script() -> Response {
    let js = RELOAD_JS.replace("OVERLAY_CSS", &format!("{OVERLAY_CSS:?}"));
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        js,
    )
        .into_response()
}

async fn events(
    AxumState(state): AxumState<Arc<State>>,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let receiver = state.subscribe();
    // A page opened while the build is broken learns it at once.
    let initial = state
        .error()
        .map(|e| Ok(SseEvent::default().event("build-error").data(e)));
    let updates = stream::unfold(receiver, |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(Event::Reload(pages)) => {
                    return Some((Ok(SseEvent::default().event("reload").data(pages)), rx))
                }
                Ok(Event::BuildError(text)) => {
                    return Some((Ok(SseEvent::default().event("build-error").data(text)), rx))
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(stream::iter(initial).chain(updates)).keep_alive(KeepAlive::default())
}

use futures_util::StreamExt as _;

async fn file(AxumState(state): AxumState<Arc<State>>, request: Request<Body>) -> Response {
    let raw = request.uri().path();
    let snapshot = state.snapshot();
    let Some(path) = resolve(raw) else {
        return not_found(&state);
    };
    if let Some(bytes) = snapshot.files.get(path.as_str()) {
        return respond(&state, &path, bytes, StatusCode::OK);
    }
    // A folder without its slash: send the browser there so relative links resolve.
    if !path.ends_with("index.html")
        && snapshot
            .files
            .contains_key(format!("{path}/index.html").as_str())
    {
        let location = format!("{}/", raw.trim_end_matches('/'));
        if let Ok(value) = HeaderValue::from_str(&location) {
            return (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, value)]).into_response();
        }
    }
    not_found(&state)
}

fn not_found(state: &State) -> Response {
    let snapshot = state.snapshot();
    match snapshot.files.get("404.html") {
        Some(bytes) => respond(state, "404.html", bytes, StatusCode::NOT_FOUND),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

fn respond(state: &State, path: &str, bytes: &Bytes, status: StatusCode) -> Response {
    let kind = content_type(path);
    let body = if kind.starts_with("text/html") {
        Body::from(inject(bytes, state.error().as_deref()))
    } else {
        Body::from(bytes.clone())
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// Adds the reload script, and the error overlay while the build is broken, before
/// `</body>`. Only served pages get them; `build` output never does.
fn inject(html: &[u8], error: Option<&str>) -> Vec<u8> {
    let text = String::from_utf8_lossy(html);
    let mut extra = format!("<script src=\"{SCRIPT_PATH}\"></script>");
    if let Some(error) = error {
        extra.push_str(&format!(
            "<div id=\"__controlbook_overlay\" role=\"alert\" style=\"{OVERLAY_CSS}\"><strong>controlbook: the last change does not build; this page shows the last good build.</strong><pre style=\"white-space:pre-wrap;margin:.6rem 0 0;font:13px/1.45 ui-monospace,monospace\">{}</pre></div>",
            escape_html(error)
        ));
    }
    match text.rfind("</body>") {
        Some(at) => format!("{}{extra}{}", &text[..at], &text[at..]).into_bytes(),
        None => format!("{text}{extra}").into_bytes(),
    }
}

/// Maps a request path to a key of the snapshot: percent-decoded, `.` segments dropped,
/// `..`, backslashes, NUL and invalid UTF-8 refused; a folder gets its `index.html`.
pub fn resolve(raw: &str) -> Option<String> {
    let decoded = percent_decode(raw)?;
    if decoded.contains(['\\', '\0']) {
        return None;
    }
    let mut parts = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return None,
            s => parts.push(s),
        }
    }
    let mut path = parts.join("/");
    if path.is_empty() || decoded.ends_with('/') {
        path = if path.is_empty() {
            "index.html".into()
        } else {
            format!("{path}/index.html")
        };
    }
    Some(path)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

pub fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "md" => "text/markdown; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_is_refused_and_folders_get_their_index() {
        for bad in [
            "/../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/a/..%2f..%2fetc",
            "/..%5cwindows",
            "/a%00b",
            "/%ff",
            "/a/%2E%2E/b",
        ] {
            assert_eq!(resolve(bad), None, "{bad}");
        }
        assert_eq!(resolve("/"), Some("index.html".into()));
        assert_eq!(
            resolve("/container-registry/"),
            Some("container-registry/index.html".into())
        );
        assert_eq!(
            resolve("/./assets/style.css"),
            Some("assets/style.css".into())
        );
        // Double encoding decodes once: a segment literally named `%2e%2e`, not `..`.
        assert_eq!(resolve("/%252e%252e/x"), Some("%2e%2e/x".into()));
    }

    #[test]
    fn injection_adds_the_script_and_the_escaped_overlay() {
        let page = b"<html><body><p>x</p></body></html>";
        let plain = String::from_utf8(inject(page, None)).unwrap();
        assert!(plain.contains("<script src=\"/__controlbook/reload.js\"></script></body>"));
        assert!(!plain.contains("__controlbook_overlay"));
        let broken = String::from_utf8(inject(page, Some("error: <bad> at x.yaml:3:1"))).unwrap();
        assert!(broken.contains("&lt;bad&gt; at x.yaml:3:1"));
        assert!(!broken.contains("<bad>"));
    }

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert!(content_type("x.xlsx").contains("spreadsheetml"));
        assert_eq!(content_type("noext"), "application/octet-stream");
    }
}
