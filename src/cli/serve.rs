//! `controlbook serve` and `controlbook watch`: rebuild on change; `serve` also serves the
//! site with live reload and shows build errors over the last good page.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use controlbook::serve::rebuild::{watched_paths, Outcome as Rebuilt, Rebuilder};
use controlbook::serve::watch::Watch;
use controlbook::serve::{http, Snapshot, State};

use super::{build_options, use_color, Outcome};

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on; the default keeps the preview private to this machine
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on (0 picks a free one)
    #[arg(long, default_value_t = 3000)]
    port: u16,
    /// Open the site in the default browser
    #[arg(long)]
    open: bool,
    /// Poll for changes instead of using native file events
    #[arg(long)]
    poll: bool,
}

#[derive(Debug, clap::Args)]
pub struct WatchArgs {
    /// Poll for changes instead of using native file events
    #[arg(long)]
    poll: bool,
}

pub fn serve(root: &Path, args: ServeArgs) -> anyhow::Result<Outcome> {
    let options = build_options()?;
    let output = output_dir(root);
    let first = std::sync::Mutex::new(None);
    let mut rebuilder = Rebuilder::new(root, options, use_color());
    let outcome = rebuilder.rebuild(&|site| {
        if let Ok(mut f) = first.lock() {
            *f = Some(site);
        }
    });
    let state = match outcome {
        built @ Rebuilt::Built { .. } => {
            report(built, &[]);
            State::new(first.into_inner().ok().flatten().unwrap_or_default())
        }
        Rebuilt::Failed { plain, terminal } => {
            eprint!("{terminal}");
            // The last good build on disk, if any, stays visible under the error.
            let state = State::new(disk_snapshot(&output.join("site")));
            state.fail(plain);
            state
        }
    };

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        // Registered before the URL is printed, so that a Ctrl-C right after start-up is
        // already a clean stop rather than the default kill.
        let interrupted = interrupt_signal()?;
        let listener = tokio::net::TcpListener::bind((args.host.as_str(), args.port))
            .await
            .with_context(|| format!("cannot listen on {}:{}", args.host, args.port))?;
        let addr = listener.local_addr()?;
        let url = format!("http://{addr}/");
        println!("serving {url} (Ctrl-C to stop)");
        let _ = std::io::stdout().flush();
        if args.open {
            open_browser(&url);
        }
        spawn_watcher(root, rebuilder, args.poll, Arc::clone(&state))?;
        let server = axum::serve(listener, http::router(state));
        tokio::select! {
            result = server => result.context("the server stopped")?,
            _ = interrupted => eprintln!("stopped"),
        }
        Ok::<_, anyhow::Error>(())
    })?;
    // Open event streams and the watcher end with the process.
    runtime.shutdown_background();
    Ok(Outcome::Ok)
}

pub fn watch(root: &Path, args: WatchArgs) -> anyhow::Result<Outcome> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let interrupted = runtime.block_on(async { interrupt_signal() })?;
    let mut rebuilder = Rebuilder::new(root, build_options()?, use_color());
    report(rebuilder.rebuild(&|_| {}), &[]);
    let watch = Watch::start(root, &watched_paths(root), args.poll).map_err(anyhow::Error::msg)?;
    eprintln!("watching {} for changes (Ctrl-C to stop)", root.display());
    std::thread::spawn(move || {
        while let Some(changed) = watch.next_change() {
            report(rebuilder.rebuild(&|_| {}), &changed);
        }
    });
    runtime.block_on(interrupted);
    eprintln!("stopped");
    Ok(Outcome::Ok)
}

fn spawn_watcher(
    root: &Path,
    mut rebuilder: Rebuilder,
    poll: bool,
    state: Arc<State>,
) -> anyhow::Result<()> {
    let watch = Watch::start(root, &watched_paths(root), poll).map_err(anyhow::Error::msg)?;
    std::thread::spawn(move || {
        while let Some(changed) = watch.next_change() {
            // The new site goes live as soon as it is rendered; the disk follows.
            match rebuilder.rebuild(&|site| state.publish(site)) {
                outcome @ Rebuilt::Built { .. } => {
                    report(outcome, &changed);
                }
                Rebuilt::Failed { plain, terminal } => {
                    eprint!("{terminal}");
                    eprintln!(
                        "rebuild failed after changes to {}; serving the last good build",
                        list(&changed)
                    );
                    state.fail(plain);
                }
            }
        }
    });
    Ok(())
}

/// Prints the one-line summary of a rebuild (or its diagnostics).
fn report(outcome: Rebuilt, changed: &[PathBuf]) {
    match &outcome {
        Rebuilt::Built {
            baselines,
            reuse,
            timings,
            files,
            took,
            warnings,
        } => {
            eprint!("{warnings}");
            let why = if changed.is_empty() {
                String::new()
            } else {
                format!(" after changes to {}", list(changed))
            };
            let verb = if changed.is_empty() {
                "built"
            } else {
                "rebuilt"
            };
            let what = if reuse.reused == 0 {
                format!("{baselines} baseline{}", plural(*baselines))
            } else {
                format!(
                    "{} of {baselines} baseline{}",
                    reuse.rendered,
                    plural(*baselines)
                )
            };
            eprintln!("{verb} {what} ({files} files) in {took:.0?}{why}");
            if std::env::var_os("CONTROLBOOK_TIMINGS").is_some() {
                eprintln!("  {timings}");
            }
        }
        Rebuilt::Failed { terminal, .. } => {
            eprint!("{terminal}");
            eprintln!("rebuild failed; output was not changed");
        }
    }
}

fn list(paths: &[PathBuf]) -> String {
    let names: Vec<String> = paths
        .iter()
        .take(3)
        .map(|p| p.display().to_string())
        .collect();
    let more = paths.len().saturating_sub(3);
    if more > 0 {
        format!("{} and {more} more", names.join(", "))
    } else {
        names.join(", ")
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn output_dir(root: &Path) -> PathBuf {
    root.join(controlbook::read_config(root).build.output_dir)
}

/// The site from a previous build on disk; symlinks are not followed.
fn disk_snapshot(site: &Path) -> Snapshot {
    let mut snapshot = Snapshot::default();
    let mut stack = vec![site.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() {
                if let (Ok(bytes), Ok(rel)) = (std::fs::read(&path), path.strip_prefix(site)) {
                    let key = rel
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy())
                        .collect::<Vec<_>>()
                        .join("/");
                    snapshot.files.insert(key.into(), bytes.into());
                }
            }
        }
    }
    snapshot
}

fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(opener).arg(url).spawn().is_err() {
        eprintln!("could not open a browser; visit {url}");
    }
}

/// A future that completes on Ctrl-C (SIGINT), registered when this is called.
fn interrupt_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        let mut signal = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
            .context("cannot listen for Ctrl-C")?;
        Ok(async move {
            signal.recv().await;
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}
