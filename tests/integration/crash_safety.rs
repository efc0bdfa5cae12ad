//! `build` is crash-safe and exclusive: killed with SIGKILL at any moment of a build of a
//! 120-baseline book, `output/` is the complete previous build or the complete new one
//! (never a mix, never missing), the next build cleans up what the killed one left, and
//! two builds of one book at once leave one complete build.

use std::collections::hash_map::DefaultHasher;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::*;

/// Every file below a folder by relative path, with its length and a hash of its bytes.
type Tree = BTreeMap<String, (usize, u64)>;

fn tree(dir: &Path) -> Option<Tree> {
    if !dir.is_dir() {
        return None;
    }
    let mut out = Tree::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                let mut h = DefaultHasher::new();
                bytes.hash(&mut h);
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, (bytes.len(), h.finish()));
            }
        }
    }
    Some(out)
}

/// How two trees differ, for a failure message.
fn difference(found: &Tree, expected: &Tree) -> String {
    let missing = expected.keys().filter(|k| !found.contains_key(*k)).count();
    let extra = found.keys().filter(|k| !expected.contains_key(*k)).count();
    let changed: Vec<&String> = found
        .iter()
        .filter(|(k, v)| expected.get(*k).is_some_and(|e| e != *v))
        .map(|(k, _)| k)
        .collect();
    format!(
        "{} files: {missing} missing, {extra} extra, {} changed (first: {:?})",
        found.len(),
        changed.len(),
        changed.first()
    )
}

fn spawn_build(root: &Path) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin("controlbook"))
        .arg("--root")
        .arg(root)
        .arg("build")
        .env_remove("SOURCE_DATE_EPOCH")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Folders a build leaves beside `output/` while it writes, or when it is killed.
fn leftovers(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".output.tmp-") || n.starts_with(".output.old-"))
        .collect();
    names.sort();
    names
}

/// The baseline whose two versions the tests switch between: version 2 has an intro.
struct Versions {
    path: PathBuf,
    v1: String,
    v2: String,
}

impl Versions {
    fn of(path: PathBuf) -> Versions {
        let v1 = std::fs::read_to_string(&path).unwrap();
        assert!(
            !v1.contains("\nintro:"),
            "the baseline already has an intro"
        );
        let v2 = v1.replacen(
            "\nsecurity_profile:",
            "\nintro:\n  - Version two of this baseline, to tell the builds apart.\nsecurity_profile:",
            1,
        );
        assert_ne!(v1, v2, "{}", path.display());
        Versions { path, v1, v2 }
    }

    fn write(&self, second: bool) {
        std::fs::write(&self.path, if second { &self.v2 } else { &self.v1 }).unwrap();
    }
}

#[test]
fn a_build_killed_at_any_moment_leaves_a_complete_output() {
    let Some(shared) = shared_dir() else { return };
    // Kill times follow a measured build: keep other heavy tests from changing its pace
    // (and this one from disturbing the timing-sensitive ones).
    let _alone = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("book");
    controlbook()
        .arg("corpus")
        .arg(&root)
        .args(["--baselines", "120", "--from"])
        .arg(shared.join("fixtures/msft/v3"))
        .assert()
        .success();
    let output = root.join("output");
    let mut baselines: Vec<PathBuf> = std::fs::read_dir(root.join("content/baselines"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    baselines.sort();
    let versions = Versions::of(baselines[0].clone());

    build(&root);
    let first = tree(&output).unwrap();
    // The second known build, timed: the whole build, and the write phase from the moment
    // its staging folder appears.
    versions.write(true);
    let started = Instant::now();
    let mut child = spawn_build(&root);
    let staging = root.join(format!(".output.tmp-{}", child.id()));
    let mut write_started = None;
    while child.try_wait().unwrap().is_none() {
        if write_started.is_none() && staging.exists() {
            write_started = Some(started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let whole = started.elapsed();
    let write_phase = whole - write_started.expect("the staging folder was seen");
    let second = tree(&output).unwrap();
    assert_ne!(first, second, "the two versions build alike");
    assert!(first.len() > 1000, "{} files", first.len());
    eprintln!(
        "build of 120 baselines: {whole:.2?}, writing {write_phase:.2?} of it, {} files",
        second.len()
    );

    // Ten kills spread over the whole build, ten around its end. `build` writes files as it
    // renders them, from the moment its staging folder appears; the swap comes last. Builds
    // run slower or faster than the measured one when other tests share the machine, so
    // when no kill has landed after the swap (or before it), up to ten more kills follow,
    // later (or earlier) each time.
    let mut current_is_second = true;
    let (mut kept_previous, mut got_new) = (0, 0);
    let mut kills = 0;
    for i in 0..40 {
        let delay = match i {
            0..10 => whole.mul_f64((f64::from(i) + 0.5) / 10.0),
            10..20 => whole.mul_f64(0.9 + 0.3 * (f64::from(i - 10) + 0.5) / 10.0),
            20..30 if got_new == 0 => whole.mul_f64(1.2 + 0.2 * f64::from(i - 20)),
            30..40 if kept_previous == 0 => whole.mul_f64(0.5 / f64::from(i - 28)),
            _ => continue,
        };
        let want_second = !current_is_second;
        versions.write(want_second);
        let (previous, new) = if want_second {
            (&first, &second)
        } else {
            (&second, &first)
        };
        let mut child = spawn_build(&root);
        let started = Instant::now();
        if let Some(rest) = delay.checked_sub(started.elapsed()) {
            std::thread::sleep(rest);
        }
        let _ = child.kill(); // SIGKILL
        child.wait().unwrap();
        kills += 1;
        let found =
            tree(&output).unwrap_or_else(|| panic!("kill {i} at {delay:?}: output/ is missing"));
        if &found == new {
            got_new += 1;
            current_is_second = want_second;
        } else if &found == previous {
            kept_previous += 1;
        } else {
            panic!(
                "kill {i} at {delay:?}: output/ is neither build: {} (new: {})",
                difference(&found, previous),
                difference(&found, new)
            );
        }
    }
    eprintln!("{kills} kills: {kept_previous} left the previous build, {got_new} the new one");
    assert!(
        kept_previous > 0 && got_new > 0,
        "the kills missed the swap: {kept_previous} previous, {got_new} new"
    );

    // The next build completes and clears what the killed ones left.
    versions.write(!current_is_second);
    build(&root);
    let expected = if current_is_second { &first } else { &second };
    assert!(tree(&output).as_ref() == Some(expected));
    assert_eq!(leftovers(&root), Vec::<String>::new());
}

#[test]
fn two_builds_at_once_leave_one_complete_build() {
    let _alone = exclusive();
    let book = default_book();
    let root = book.path();
    let output = root.join("output");
    let versions = Versions::of(root.join("content/baselines/container-registry.yaml"));
    build(root);
    let first = tree(&output).unwrap();
    versions.write(true);
    build(root);
    let second = tree(&output).unwrap();
    assert_ne!(first, second);

    // Watch that output/ never goes missing while the builds swap it.
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (stop, output) = (Arc::clone(&stop), output.clone());
        std::thread::spawn(move || {
            let mut missing = 0;
            while !stop.load(Ordering::Relaxed) {
                if !output.is_dir() {
                    missing += 1;
                }
                std::thread::sleep(Duration::from_micros(200));
            }
            missing
        })
    };
    for round in 0..12 {
        let second_version = round % 2 == 0;
        versions.write(second_version);
        let mut a = spawn_build(root);
        let mut b = spawn_build(root);
        let (a, b) = (a.wait().unwrap(), b.wait().unwrap());
        assert!(a.success() && b.success(), "round {round}: {a}, {b}");
        let found = tree(&output).unwrap();
        let expected = if second_version { &second } else { &first };
        assert!(
            &found == expected,
            "round {round}: {}",
            difference(&found, expected)
        );
        assert_eq!(leftovers(root), Vec::<String>::new(), "round {round}");
    }
    stop.store(true, Ordering::Relaxed);
    assert_eq!(watcher.join().unwrap(), 0, "output/ was missing");
}
