//! Writing the output folder: `build` stages a complete new folder beside `output/` and
//! swaps it in ([`Staging`]); `serve` and `watch` update files in place
//! ([`write_changed`]).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::build::{BuildReport, Timings};
use crate::error::{Error, Result};
use crate::render::OutputFile;

/// A new output folder, written beside `out_dir` while `out_dir` stays as it is, and swapped
/// in by [`Staging::commit`]. Dropped without a commit, it is removed: a failed build
/// changes nothing.
///
/// Crash-safe: at every moment `out_dir` is either the complete previous output or the
/// complete new one. On Linux the two folders are exchanged in one atomic `renameat2`
/// (`RENAME_EXCHANGE`); where the file system cannot exchange, the previous output is
/// renamed aside first, and a build killed between the two renames is repaired by the
/// next one ([`recover`]). A staging holds an exclusive lock on `.<name>.lock` beside
/// `out_dir` from creation to commit, so two builds of one book never interleave.
///
/// A file whose bytes equal the same path's in the previous output is hard-linked from
/// there instead of written, and a file that shares its bytes with another of the same
/// [`Staging::write`] (the site's copy of a download) is a hard link to it. Besides writing
/// less, this allocates no inode for them: on ext4, creating files shortly after deleting
/// many (the previous output) costs about half a millisecond each.
pub struct Staging {
    out_dir: PathBuf,
    dir: PathBuf,
    retired: PathBuf,
    /// Whether `out_dir` held a previous output to link unchanged files from.
    previous: bool,
    committed: bool,
    files: AtomicUsize,
    bytes: AtomicU64,
    _lock: std::fs::File,
}

impl Staging {
    /// Takes the output folder's lock, repairs what a killed build left, and creates the
    /// empty staging folder.
    pub fn new(out_dir: &Path) -> Result<Staging> {
        let (parent, name) = beside(out_dir);
        std::fs::create_dir_all(&parent).map_err(|e| Error::write(&parent, e))?;
        let lock = lock(&parent, &name)?;
        recover(out_dir)?;
        let pid = std::process::id();
        let dir = parent.join(format!(".{name}.tmp-{pid}"));
        std::fs::create_dir_all(&dir).map_err(|e| Error::write(&dir, e))?;
        Ok(Staging {
            out_dir: out_dir.to_path_buf(),
            retired: parent.join(format!(".{name}.old-{pid}")),
            previous: out_dir.is_dir(),
            dir,
            committed: false,
            files: AtomicUsize::new(0),
            bytes: AtomicU64::new(0),
            _lock: lock,
        })
    }

    /// Writes `files` (paths relative to the output folder) into the staging folder, on
    /// every core. Safe to call from several threads at once.
    pub fn write(&self, files: &[OutputFile]) -> Result<()> {
        let dirs: std::collections::BTreeSet<PathBuf> = files
            .iter()
            .filter_map(|f| f.path.parent().map(|d| self.dir.join(d)))
            .collect();
        for dir in &dirs {
            std::fs::create_dir_all(dir).map_err(|e| Error::write(dir, e))?;
        }
        let mut groups: Vec<Vec<&OutputFile>> = Vec::new();
        let mut by_bytes: std::collections::HashMap<*const u8, usize> = Default::default();
        for f in files {
            match by_bytes.entry(f.bytes.as_ptr()) {
                std::collections::hash_map::Entry::Occupied(e) => groups[*e.get()].push(f),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(groups.len());
                    groups.push(vec![f]);
                }
            }
        }
        let bytes: u64 = groups
            .par_iter()
            .map(|group| self.write_group(group))
            .sum::<Result<u64>>()?;
        self.files.fetch_add(files.len(), Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        Ok(())
    }

    /// Files with the same bytes: the first is written (or linked from the previous
    /// output), the others are links to it.
    fn write_group(&self, group: &[&OutputFile]) -> Result<u64> {
        let Some((first, copies)) = group.split_first() else {
            return Ok(0);
        };
        let path = self.dir.join(&first.path);
        let old = self.previous.then(|| self.out_dir.join(&first.path));
        if !old.is_some_and(|old| same_file_content(&old, &first.bytes) && link(&old, &path)) {
            std::fs::write(&path, &first.bytes).map_err(|e| Error::write(&path, e))?;
        }
        for copy in copies {
            let to = self.dir.join(&copy.path);
            if !link(&path, &to) {
                std::fs::write(&to, &copy.bytes).map_err(|e| Error::write(&to, e))?;
            }
        }
        Ok(group.iter().map(|f| f.bytes.len() as u64).sum())
    }

    /// How many files, and bytes, were written so far.
    pub fn written(&self) -> (usize, u64) {
        (
            self.files.load(Ordering::Relaxed),
            self.bytes.load(Ordering::Relaxed),
        )
    }

    /// Swaps the staging folder in as the output folder.
    pub fn commit(mut self) -> Result<()> {
        let (staging, out_dir, retired) = (&self.dir, &self.out_dir, &self.retired);
        if !out_dir.exists() {
            std::fs::rename(staging, out_dir).map_err(|e| Error::write(out_dir, e))?;
        } else if exchange(staging, out_dir)? {
            // `staging` now holds the previous output.
            let _ = std::fs::remove_dir_all(staging);
        } else {
            std::fs::rename(out_dir, retired).map_err(|e| Error::write(out_dir, e))?;
            // Killed here, `out_dir` is missing: the next build's `recover` puts `retired`
            // back.
            if let Err(e) = std::fs::rename(staging, out_dir) {
                // Put the previous output back so the failed build changes nothing.
                let _ = std::fs::rename(retired, out_dir);
                return Err(Error::write(out_dir, e));
            }
            let _ = std::fs::remove_dir_all(retired);
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Writes `files` into a fresh folder beside `out_dir` and swaps it in (see [`Staging`]).
pub fn write_atomically(out_dir: &Path, files: &[OutputFile]) -> Result<BuildReport> {
    let staging = Staging::new(out_dir)?;
    staging.write(files)?;
    let (files, bytes) = staging.written();
    staging.commit()?;
    Ok(BuildReport {
        baselines: 0,
        reuse: crate::Reuse::default(),
        timings: Timings::default(),
        files,
        bytes,
    })
}

/// Whether `path` is a regular file (not a link) holding exactly `bytes`.
fn same_file_content(path: &Path, bytes: &[u8]) -> bool {
    let regular_of_len = std::fs::symlink_metadata(path)
        .is_ok_and(|m| m.file_type().is_file() && m.len() == bytes.len() as u64);
    regular_of_len && std::fs::read(path).is_ok_and(|old| old == bytes)
}

/// Hard-links `from` at `to`; `false` where the file system refuses (the caller writes a
/// copy instead).
fn link(from: &Path, to: &Path) -> bool {
    std::fs::hard_link(from, to).is_ok()
}

/// The folder that holds `out_dir`, and `out_dir`'s name.
fn beside(out_dir: &Path) -> (PathBuf, String) {
    let parent = out_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let name = out_dir
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    (parent, name)
}

/// Takes the exclusive lock of the output folder's write phase, waiting for another
/// build that holds it. Released when the returned file is dropped (or the process dies).
fn lock(parent: &Path, name: &str) -> Result<std::fs::File> {
    let path = parent.join(format!(".{name}.lock"));
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::write(&path, e))?;
    file.lock().map_err(|e| Error::write(&path, e))?;
    Ok(file)
}

/// Repairs what a build killed while writing `out_dir` left beside it: a missing
/// `out_dir` with a retired `.<name>.old-*` folder is the previous output, put back; every
/// other `.<name>.tmp-*` or `.<name>.old-*` folder is removed. Called with the lock held,
/// so no live build owns them.
pub fn recover(out_dir: &Path) -> Result<()> {
    let (parent, name) = beside(out_dir);
    let Ok(entries) = std::fs::read_dir(&parent) else {
        return Ok(());
    };
    let (tmp, old) = (format!(".{name}.tmp-"), format!(".{name}.old-"));
    let mut leftovers: Vec<(bool, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let file_name = e.file_name();
            let file_name = file_name.to_str()?;
            let retired = file_name.starts_with(&old);
            (retired || file_name.starts_with(&tmp)).then(|| (retired, e.path()))
        })
        .collect();
    leftovers.sort();
    if !out_dir.exists() {
        // Retired folders are complete outputs; one is left at most, as every build
        // recovers before it writes.
        if let Some(i) = leftovers.iter().position(|(retired, _)| *retired) {
            let (_, previous) = leftovers.remove(i);
            std::fs::rename(&previous, out_dir).map_err(|e| Error::write(out_dir, e))?;
        }
    }
    for (_, path) in leftovers {
        remove_if_exists(&path)?;
    }
    Ok(())
}

/// Exchanges two folders atomically: `Ok(false)` when the platform or file system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> Result<bool> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    use rustix::io::Errno;
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        // Old kernels (ENOSYS) and file systems without exchange (EINVAL, e.g. some FUSE
        // and network file systems) fall back to two renames.
        Err(Errno::NOSYS | Errno::INVAL | Errno::OPNOTSUPP) => Ok(false),
        Err(e) => Err(Error::write(b, e.into())),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> Result<bool> {
    Ok(false)
}

/// The files as last written to the output folder, so that the next write can skip the
/// ones that did not change.
pub type Written = std::collections::HashMap<PathBuf, std::sync::Arc<[u8]>>;

/// Brings `out_dir`, which holds `previous`, up to date with `files`: writes the files
/// that changed (each through a temporary file and a rename, so no file is ever seen half
/// written), removes the ones that are gone. For `serve` and `watch`, which rebuild after
/// every save; `build` always swaps in a complete folder.
pub fn write_changed(out_dir: &Path, files: &[OutputFile], previous: &Written) -> Result<u64> {
    let (parent, name) = beside(out_dir);
    let _lock = lock(&parent, &name)?;
    let mut total = 0;
    for f in files {
        let unchanged = previous
            .get(&f.path)
            .is_some_and(|old| std::sync::Arc::ptr_eq(old, &f.bytes) || **old == *f.bytes);
        if unchanged {
            continue;
        }
        let path = out_dir.join(&f.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::write(dir, e))?;
        }
        let temporary = path.with_file_name(format!(
            ".{}.tmp-{}",
            f.path
                .file_name()
                .map_or_else(Default::default, |n| n.to_string_lossy()),
            std::process::id()
        ));
        std::fs::write(&temporary, &f.bytes).map_err(|e| Error::write(&temporary, e))?;
        std::fs::rename(&temporary, &path).map_err(|e| Error::write(&path, e))?;
        total += f.bytes.len() as u64;
    }
    let current: std::collections::HashSet<&PathBuf> = files.iter().map(|f| &f.path).collect();
    for gone in previous.keys().filter(|p| !current.contains(p)) {
        let path = out_dir.join(gone);
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(Error::write(&path, e))
            }
            _ => {}
        }
    }
    Ok(total)
}

fn remove_if_exists(path: &Path) -> Result<()> {
    if path.exists() {
        std::fs::remove_dir_all(path).map_err(|e| Error::write(path, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swap_replaces_the_previous_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        std::fs::create_dir_all(out.join("old")).unwrap();
        std::fs::write(out.join("old/stale.txt"), "x").unwrap();
        write_atomically(&out, &[OutputFile::new("site/index.html", "hi")]).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("site/index.html")).unwrap(),
            "hi"
        );
        assert!(!out.join("old").exists());
        assert_eq!(
            beside_out(dir.path()),
            ["output"],
            "staging folders left behind"
        );
    }

    /// The names beside the output folder, without the lock file.
    fn beside_out(parent: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(parent)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != ".output.lock")
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_killed_build_is_repaired_by_the_next_one() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        // Killed between the two renames of the fallback: no output, the previous one
        // retired, the new one staged.
        std::fs::create_dir_all(dir.path().join(".output.old-7/site")).unwrap();
        std::fs::write(dir.path().join(".output.old-7/site/a.html"), "previous").unwrap();
        std::fs::create_dir_all(dir.path().join(".output.tmp-7/site")).unwrap();
        recover(&out).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("site/a.html")).unwrap(),
            "previous"
        );
        assert_eq!(beside_out(dir.path()), ["output"]);
        // Killed while staging, or after the swap before the clean-up: leftovers go.
        std::fs::create_dir_all(dir.path().join(".output.tmp-8/site")).unwrap();
        std::fs::create_dir_all(dir.path().join(".output.old-9/site")).unwrap();
        std::fs::create_dir_all(dir.path().join(".outputs.tmp-1")).unwrap();
        write_atomically(&out, &[OutputFile::new("site/a.html", "new")]).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("site/a.html")).unwrap(),
            "new"
        );
        // Only this output's leftovers: another folder's are not ours to remove.
        assert_eq!(beside_out(dir.path()), [".outputs.tmp-1", "output"]);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn folders_are_exchanged_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::create_dir_all(a.join("x")).unwrap();
        std::fs::create_dir_all(b.join("y")).unwrap();
        // tmpfs and ext4 both support RENAME_EXCHANGE: the fallback must not be taken here.
        assert!(exchange(&a, &b).unwrap());
        assert!(a.join("y").is_dir() && b.join("x").is_dir());
    }

    #[test]
    fn write_changed_rewrites_only_what_changed_and_removes_what_is_gone() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        let first = [
            OutputFile::new("site/a.html", "a"),
            OutputFile::new("site/b.html", "b"),
        ];
        write_atomically(&out, &first).unwrap();
        let previous: Written = first
            .iter()
            .map(|f| (f.path.clone(), f.bytes.clone()))
            .collect();
        // A file the previous write did not produce is left alone by the next one.
        std::fs::write(out.join("site/a.html"), "touched").unwrap();
        let second = [first[0].clone(), OutputFile::new("site/c.html", "c")];
        write_changed(&out, &second, &previous).unwrap();
        let read = |p: &str| std::fs::read_to_string(out.join(p)).ok();
        assert_eq!(
            read("site/a.html").as_deref(),
            Some("touched"),
            "unchanged file rewritten"
        );
        assert_eq!(read("site/b.html"), None, "removed file kept");
        assert_eq!(read("site/c.html").as_deref(), Some("c"));
        let names: Vec<_> = std::fs::read_dir(out.join("site"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "temporary files left behind: {names:?}");
    }

    #[cfg(unix)]
    #[test]
    fn unchanged_files_and_copies_are_hard_links() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        let shared = OutputFile::new("xlsx/a.xlsx", "workbook");
        let copy = OutputFile {
            path: "site/downloads/a.xlsx".into(),
            bytes: shared.bytes.clone(),
        };
        let page = OutputFile::new("site/index.html", "one");
        write_atomically(&out, &[shared.clone(), copy.clone(), page]).unwrap();
        let inode = |p: &str| std::fs::metadata(out.join(p)).unwrap().ino();
        assert_eq!(inode("xlsx/a.xlsx"), inode("site/downloads/a.xlsx"));
        let index = inode("site/index.html");
        // A file edited in the output since is not reused.
        std::fs::write(out.join("xlsx/a.xlsx"), "tampered").unwrap();
        let next = [
            OutputFile::new("xlsx/a.xlsx", "workbook"),
            OutputFile::new("site/index.html", "one"),
            OutputFile::new("site/other.html", "two"),
        ];
        write_atomically(&out, &next).unwrap();
        let read = |p: &str| std::fs::read_to_string(out.join(p)).unwrap();
        assert_eq!(read("xlsx/a.xlsx"), "workbook");
        assert_eq!(inode("site/index.html"), index, "unchanged file rewritten");
        assert_eq!(read("site/other.html"), "two");
        assert!(!out.join("site/downloads/a.xlsx").exists());
        // A changed file gets new bytes, and the previous output's file is not touched.
        let held = std::fs::File::open(out.join("site/index.html")).unwrap();
        write_atomically(&out, &[OutputFile::new("site/index.html", "changed")]).unwrap();
        assert_eq!(read("site/index.html"), "changed");
        let mut before = String::new();
        std::io::Read::read_to_string(&mut &held, &mut before).unwrap();
        assert_eq!(before, "one");
    }

    #[test]
    fn a_failed_write_leaves_the_previous_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("keep.txt"), "previous").unwrap();
        // A file and a folder at the same path cannot both be written.
        let files = [
            OutputFile::new("a", "file"),
            OutputFile::new("a/b", "child"),
        ];
        assert!(write_atomically(&out, &files).is_err());
        assert_eq!(
            std::fs::read_to_string(out.join("keep.txt")).unwrap(),
            "previous"
        );
        assert_eq!(beside_out(dir.path()), ["output"]);
    }
}
