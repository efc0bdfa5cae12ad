//! Writing the output folder: `build` stages a complete new folder beside `output/` and
//! swaps it in ([`Staging`]); `serve` and `watch` update files in place
//! ([`write_changed`]).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::build::{BuildReport, Timings};
use crate::error::{Error, Result};
use crate::render::OutputFile;

mod spare;

/// A new output folder, written beside `out_dir` while `out_dir` stays as it is, and swapped
/// in by [`Staging::commit`]. Dropped without a commit, it is emptied and kept as the spare
/// folder (below): a failed build changes nothing.
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
///
/// For the same reason the folders are not created anew either: the staging folder is the
/// output before the previous one (the spare folder, see `spare.rs`). Its files that hold
/// the bytes this build makes for their paths stay as they are; the others, and the
/// folders this build does not use, are removed before the swap. The build never writes
/// into a file it did not create: those files are hard links to the published output's.
pub struct Staging {
    out_dir: PathBuf,
    dir: PathBuf,
    retired: PathBuf,
    spare: PathBuf,
    /// The folders that came with the spare folder, relative to `dir`.
    reused: HashSet<PathBuf>,
    /// The files that came with the spare folder, relative to `dir`.
    kept: HashSet<PathBuf>,
    /// The files this build wrote or kept, relative to `dir`.
    produced: Mutex<HashSet<PathBuf>>,
    /// The folders this build writes into, with their parents, relative to `dir`.
    used: Mutex<HashSet<PathBuf>>,
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
        let spare = parent.join(format!(".{name}.spare"));
        let taken = match spare::take(&spare, &dir) {
            Some(taken) => taken,
            None => {
                std::fs::create_dir_all(&dir).map_err(|e| Error::write(&dir, e))?;
                spare::Taken::default()
            }
        };
        Ok(Staging {
            out_dir: out_dir.to_path_buf(),
            retired: parent.join(format!(".{name}.old-{pid}")),
            previous: out_dir.is_dir(),
            dir,
            spare,
            reused: taken.folders,
            kept: taken.files,
            produced: Mutex::default(),
            used: Mutex::default(),
            committed: false,
            files: AtomicUsize::new(0),
            bytes: AtomicU64::new(0),
            _lock: lock,
        })
    }

    /// Writes `files` (paths relative to the output folder) into the staging folder, on
    /// every core. Safe to call from several threads at once.
    pub fn write(&self, files: &[OutputFile]) -> Result<()> {
        let dirs: std::collections::BTreeSet<&Path> =
            files.iter().filter_map(|f| f.path.parent()).collect();
        {
            // Claimed before anything is written in them, so that a folder of the spare
            // in the way of a file is removed only when no file of this build is in it.
            let mut used = self.used_folders();
            for dir in &dirs {
                for folder in dir.ancestors().filter(|a| !a.as_os_str().is_empty()) {
                    if !used.insert(folder.to_path_buf()) {
                        break;
                    }
                }
            }
        }
        for dir in &dirs {
            if !self.reused.contains(*dir) {
                // A file of the spare where this build has a folder goes.
                for file in dir.ancestors().filter(|a| self.kept.contains(*a)) {
                    let _ = std::fs::remove_file(self.dir.join(file));
                }
                let dir = self.dir.join(dir);
                std::fs::create_dir_all(&dir).map_err(|e| Error::write(&dir, e))?;
            }
        }
        whole(&self.produced).extend(files.iter().map(|f| f.path.clone()));
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
        let kept = self.keep(first);
        if kept.is_none() {
            let old = self.previous.then(|| self.out_dir.join(&first.path));
            let linked = old.is_some_and(|old| {
                same_file_content(&old, &first.bytes).is_some() && link(&old, &path)
            });
            if !linked {
                self.write_file(first)?;
            }
        }
        for copy in copies {
            // The spare's copy is a link of the file just kept as a rule (the site's
            // downloads: a third of the bytes): then it holds the same bytes, unread.
            let copy_path = self.dir.join(&copy.path);
            let linked_to_kept = kept.as_ref().is_some_and(|kept| {
                self.kept.contains(&copy.path)
                    && std::fs::symlink_metadata(&copy_path)
                        .is_ok_and(|m| m.file_type().is_file() && same_inode(&m, kept))
            });
            if !linked_to_kept && self.keep(copy).is_none() && !link(&path, &copy_path) {
                self.write_file(copy)?;
            }
        }
        Ok(group.iter().map(|f| f.bytes.len() as u64).sum())
    }

    /// Whether the spare's file at `file`'s path holds its bytes, and stays (then its
    /// metadata); one that does not is removed, never written into.
    fn keep(&self, file: &OutputFile) -> Option<std::fs::Metadata> {
        if !self.kept.contains(&file.path) {
            return None;
        }
        let path = self.dir.join(&file.path);
        let same = same_file_content(&path, &file.bytes);
        if same.is_none() {
            let _ = std::fs::remove_file(&path);
        }
        same
    }

    /// Writes one file, first removing a folder of the spare that is in its way (the
    /// previous output had a folder where this one has a file).
    fn write_file(&self, file: &OutputFile) -> Result<()> {
        let path = self.dir.join(&file.path);
        let Err(e) = write_new(&path, &file.bytes) else {
            return Ok(());
        };
        let spare_in_the_way = path.is_dir() && {
            let used = self.used_folders();
            !used.contains(&file.path) && std::fs::remove_dir_all(&path).is_ok()
        };
        if !spare_in_the_way {
            return Err(Error::write(&path, e));
        }
        write_new(&path, &file.bytes).map_err(|e| Error::write(&path, e))
    }

    /// Removes the spare's files that this build did not produce: one that stayed would be
    /// published, so failing to remove it fails the build.
    fn remove_unproduced_files(&self) -> Result<()> {
        let produced = whole(&self.produced);
        for file in self.kept.iter().filter(|f| !produced.contains(*f)) {
            let path = self.dir.join(file);
            match std::fs::remove_file(&path) {
                // Gone already: with its folder, where this build has a file, or replaced
                // by a folder of this build.
                Err(e)
                    if !matches!(
                        e.kind(),
                        std::io::ErrorKind::NotFound
                            | std::io::ErrorKind::NotADirectory
                            | std::io::ErrorKind::IsADirectory
                    ) =>
                {
                    return Err(Error::write(&path, e));
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn used_folders(&self) -> std::sync::MutexGuard<'_, HashSet<PathBuf>> {
        whole(&self.used)
    }

    /// Removes the folders of the spare that this build wrote nothing into, so that the
    /// new output holds no empty folder the previous one left.
    fn remove_unused_folders(&self) -> Result<()> {
        let used = self.used_folders();
        for folder in &self.reused {
            let parent_used = folder
                .parent()
                .is_none_or(|p| p.as_os_str().is_empty() || used.contains(p));
            // A folder whose parent is unused goes with its parent; one that a file
            // replaced is gone already.
            let path = self.dir.join(folder);
            let still_a_folder = || std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
            if parent_used && !used.contains(folder) && still_a_folder() {
                std::fs::remove_dir_all(&path).map_err(|e| Error::write(&path, e))?;
            }
        }
        Ok(())
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
        self.remove_unproduced_files()?;
        self.remove_unused_folders()?;
        let (staging, out_dir, retired) = (&self.dir, &self.out_dir, &self.retired);
        if !out_dir.exists() {
            std::fs::rename(staging, out_dir).map_err(|e| Error::write(out_dir, e))?;
        } else if exchange(staging, out_dir)? {
            // `staging` now holds the previous output.
            spare::keep(staging, &self.spare);
        } else {
            std::fs::rename(out_dir, retired).map_err(|e| Error::write(out_dir, e))?;
            // Killed here, `out_dir` is missing: the next build's `recover` puts `retired`
            // back.
            if let Err(e) = std::fs::rename(staging, out_dir) {
                // Put the previous output back so the failed build changes nothing.
                let _ = std::fs::rename(retired, out_dir);
                return Err(Error::write(out_dir, e));
            }
            spare::keep(retired, &self.spare);
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            spare::keep(&self.dir, &self.spare);
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

/// Whether `path` is a regular file (not a symbolic link) holding exactly `bytes`: then
/// its metadata.
fn same_file_content(path: &Path, bytes: &[u8]) -> Option<std::fs::Metadata> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    let regular_of_len = meta.file_type().is_file() && meta.len() == bytes.len() as u64;
    (regular_of_len && std::fs::File::open(path).is_ok_and(|file| reads_as(file, bytes)))
        .then_some(meta)
}

/// Whether two files' metadata are of one file (hard links of it).
#[cfg(unix)]
fn same_inode(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

#[cfg(not(unix))]
fn same_inode(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    false
}

/// Whether `reader` gives exactly `expected`. Read a block at a time into one buffer per
/// thread: reading each file whole allocated, and faulted in, the size of the output
/// again (35 MB at 120 baselines).
fn reads_as(mut reader: impl std::io::Read, mut expected: &[u8]) -> bool {
    thread_local! {
        static BLOCK: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0; 64 * 1024]);
    }
    BLOCK.with_borrow_mut(|block| loop {
        let n = match reader.read(block) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return false,
        };
        if n == 0 {
            return expected.is_empty();
        }
        match expected.split_at_checked(n) {
            Some((head, rest)) if *head == block[..n] => expected = rest,
            _ => return false,
        }
    })
}

/// A staging set, locked. A writer that panicked leaves a set that is still whole: its
/// changes are single inserts and extends.
fn whole<T>(set: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    set.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Creates `path` with `bytes`; fails where something is there already, so that no file
/// of the spare (a hard link to a published file) is ever written into.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?
        .write_all(bytes)
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
pub type Written = std::collections::HashMap<PathBuf, crate::render::Bytes>;

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
            .is_some_and(|old| crate::render::same_buffer(old, &f.bytes) || *old == f.bytes);
        if unchanged {
            continue;
        }
        let path = out_dir.join(&f.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::write(dir, e))?;
        }
        replace_file(&path, &f.bytes)?;
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

/// Writes one file through a temporary file beside it and a rename, so that no reader
/// ever sees it half written, and a failed write leaves what was there.
pub fn replace_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let temporary = path.with_file_name(format!(
        ".{}.tmp-{}",
        path.file_name()
            .map_or_else(Default::default, |n| n.to_string_lossy()),
        std::process::id()
    ));
    // Errors name the file asked for; the temporary one is an implementation detail.
    let written = std::fs::write(&temporary, bytes)
        .and_then(|()| std::fs::rename(&temporary, path))
        .map_err(|e| Error::write(path, e));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
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

    /// A reader that gives at most `step` bytes a call, as a pipe or a slow disk might.
    struct Trickle<'a>(&'a [u8], usize);

    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn reads_as_compares_every_block_and_the_length() {
        // Longer than the block, so that the comparison crosses block boundaries.
        let text: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        assert!(reads_as(&text[..], &text));
        assert!(reads_as(Trickle(&text, 1000), &text));
        assert!(reads_as(&b""[..], b""));
        assert!(!reads_as(&text[..text.len() - 1], &text), "shorter");
        assert!(!reads_as(&text[..], &text[..text.len() - 1]), "longer");
        assert!(!reads_as(&b"x"[..], b""));
        for at in [0, 65_535, 65_536, 150_000, text.len() - 1] {
            let mut other = text.clone();
            other[at] ^= 1;
            assert!(!reads_as(&other[..], &text), "differs at {at}");
            assert!(!reads_as(Trickle(&other, 777), &text), "differs at {at}");
        }
    }

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

    /// The names beside the output folder, without the lock file and the spare folder.
    fn beside_out(parent: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(parent)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != ".output.lock" && n != ".output.spare")
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

    /// Every path below `dir`, folders with a trailing `/`, sorted.
    fn listing(dir: &Path) -> Vec<String> {
        let mut found = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).unwrap() {
                let entry = entry.unwrap();
                let rel = entry.path().strip_prefix(dir).unwrap().to_owned();
                let rel = rel.to_string_lossy().replace('\\', "/");
                if entry.file_type().unwrap().is_dir() {
                    found.push(format!("{rel}/"));
                    stack.push(entry.path());
                } else {
                    found.push(rel);
                }
            }
        }
        found.sort();
        found
    }

    fn files(paths: &[&str]) -> Vec<OutputFile> {
        paths
            .iter()
            .map(|p| OutputFile::new(*p, p.to_string()))
            .collect()
    }

    /// A copy in the spare that is a link of its kept file stays unread; one that is a
    /// file of its own is read, and replaced when its bytes differ.
    #[cfg(unix)]
    #[test]
    fn the_spares_copies_stay_when_they_are_links_of_the_kept_file() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let (out, spare) = (dir.path().join("output"), dir.path().join(".output.spare"));
        let workbook = OutputFile::new("xlsx/a.xlsx", "workbook");
        let group = [
            workbook.clone(),
            OutputFile {
                path: "site/downloads/a.xlsx".into(),
                bytes: workbook.bytes.clone(),
            },
        ];
        write_atomically(&out, &group).unwrap();
        write_atomically(&out, &group).unwrap();
        let ino = |p: &Path| std::fs::metadata(p).unwrap().ino();
        let kept = ino(&spare.join("xlsx/a.xlsx"));
        assert_eq!(ino(&spare.join("site/downloads/a.xlsx")), kept);
        write_atomically(&out, &group).unwrap();
        assert_eq!(ino(&out.join("xlsx/a.xlsx")), kept, "kept file made anew");
        assert_eq!(
            ino(&out.join("site/downloads/a.xlsx")),
            kept,
            "linked copy made anew"
        );

        // The spare's copy, a file of its own now, with other bytes.
        let copy = spare.join("site/downloads/a.xlsx");
        std::fs::remove_file(&copy).unwrap();
        std::fs::write(&copy, "tampered").unwrap();
        write_atomically(&out, &group).unwrap();
        let read = |p: &str| std::fs::read_to_string(out.join(p)).unwrap();
        assert_eq!(read("site/downloads/a.xlsx"), "workbook");
        assert_eq!(
            ino(&out.join("site/downloads/a.xlsx")),
            ino(&out.join("xlsx/a.xlsx"))
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_output_before_is_the_spare_and_its_unchanged_files_stay() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let (out, spare) = (dir.path().join("output"), dir.path().join(".output.spare"));
        let build = files(&["site/a/index.html", "xlsx/a.xlsx", "index.html"]);
        let listed = [
            "index.html",
            "site/",
            "site/a/",
            "site/a/index.html",
            "xlsx/",
            "xlsx/a.xlsx",
        ];
        write_atomically(&out, &build).unwrap();
        assert!(!spare.exists(), "a first build has no output before it");
        write_atomically(&out, &build).unwrap();
        let mut with_ignore = vec![".gitignore"];
        with_ignore.extend(listed);
        assert_eq!(listing(&spare), with_ignore);
        assert_eq!(
            std::fs::read_to_string(spare.join(".gitignore")).unwrap(),
            "*\n"
        );
        let ino = |p: &Path| std::fs::metadata(p).unwrap().ino();
        let (spare_folder, spare_file) = (
            ino(&spare.join("site/a")),
            ino(&spare.join("site/a/index.html")),
        );
        // The third build stages into the first one's folder: its folders and its file
        // with the same bytes are used as they are.
        write_atomically(&out, &build).unwrap();
        assert_eq!(
            ino(&out.join("site/a")),
            spare_folder,
            "the folder was made anew"
        );
        assert_eq!(
            ino(&out.join("site/a/index.html")),
            spare_file,
            "the unchanged file was made anew"
        );
        assert_eq!(listing(&out), listed);
        assert_eq!(listing(&spare), with_ignore);
        assert_eq!(beside_out(dir.path()), ["output"]);

        // A changed file is a new file: the one in the spare is replaced, never written
        // into, so the published output it is a link of stays as it is until the swap.
        let mut changed = build.clone();
        changed[0] = OutputFile::new("site/a/index.html", "changed");
        let published = ino(&out.join("site/a/index.html"));
        write_atomically(&out, &changed).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("site/a/index.html")).unwrap(),
            "changed"
        );
        assert_ne!(ino(&out.join("site/a/index.html")), published);
        assert_eq!(
            std::fs::read_to_string(spare.join("site/a/index.html")).unwrap(),
            "site/a/index.html"
        );
        // A file no longer made is gone from the output.
        write_atomically(&out, &changed[..2]).unwrap();
        write_atomically(&out, &changed[..2]).unwrap();
        assert_eq!(
            listing(&out),
            [
                "site/",
                "site/a/",
                "site/a/index.html",
                "xlsx/",
                "xlsx/a.xlsx"
            ]
        );
    }

    #[test]
    fn folders_the_new_output_does_not_use_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        let both = files(&["site/a/index.html", "site/b/c/index.html", "md/b.md"]);
        write_atomically(&out, &both).unwrap();
        write_atomically(&out, &both).unwrap();
        // The spare now holds a, b, b/c and md; only a is used.
        write_atomically(&out, &files(&["site/a/index.html"])).unwrap();
        assert_eq!(listing(&out), ["site/", "site/a/", "site/a/index.html"]);
    }

    #[cfg(unix)]
    #[test]
    fn nothing_put_in_the_spare_reaches_the_output_or_is_followed() {
        let dir = tempfile::tempdir().unwrap();
        let (out, spare) = (dir.path().join("output"), dir.path().join(".output.spare"));
        let build = files(&["site/a/index.html"]);
        write_atomically(&out, &build).unwrap();
        write_atomically(&out, &build).unwrap();
        let outside = dir.path().join("elsewhere");
        std::fs::create_dir(&outside).unwrap();
        std::fs::write(outside.join("keep.txt"), "keep").unwrap();
        std::fs::write(spare.join("site/a/stray.html"), "stray").unwrap();
        // Replaced, not written into: the spare's files are links of the published ones.
        std::fs::remove_file(spare.join("site/a/index.html")).unwrap();
        std::fs::write(spare.join("site/a/index.html"), "stale").unwrap();
        std::os::unix::fs::symlink(outside.join("keep.txt"), spare.join("site/a/linked.html"))
            .unwrap();
        std::os::unix::fs::symlink(&outside, spare.join("site/link")).unwrap();
        write_atomically(&out, &build).unwrap();
        assert_eq!(listing(&out), ["site/", "site/a/", "site/a/index.html"]);
        assert_eq!(
            std::fs::read_to_string(out.join("site/a/index.html")).unwrap(),
            "site/a/index.html"
        );
        assert_eq!(
            std::fs::read_to_string(outside.join("keep.txt")).unwrap(),
            "keep"
        );
    }

    #[test]
    fn a_folder_of_the_spare_where_a_file_now_goes_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        let before = files(&["assets/img/logo.svg", "index.html"]);
        write_atomically(&out, &before).unwrap();
        write_atomically(&out, &before).unwrap();
        write_atomically(&out, &files(&["assets/img", "index.html"])).unwrap();
        assert_eq!(listing(&out), ["assets/", "assets/img", "index.html"]);
        assert_eq!(
            std::fs::read_to_string(out.join("assets/img")).unwrap(),
            "assets/img"
        );
    }

    #[test]
    fn a_file_of_the_spare_where_a_folder_now_goes_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        let before = files(&["assets/img", "index.html"]);
        write_atomically(&out, &before).unwrap();
        write_atomically(&out, &before).unwrap();
        write_atomically(&out, &files(&["assets/img/logo.svg", "index.html"])).unwrap();
        assert_eq!(
            listing(&out),
            [
                "assets/",
                "assets/img/",
                "assets/img/logo.svg",
                "index.html"
            ]
        );
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
