//! The spare folder: the output before the current one, kept beside the output folder as
//! `.<name>.spare`, for the next build to stage into.
//!
//! Why: a build swaps in a complete new folder. Made from nothing, it would create its
//! ~130 folders and its files anew, and delete the previous ones. Where ext4 runs without
//! a journal (as on this project's development machine), creating a folder soon after many
//! were deleted scans the inode table past every recently freed inode: up to a tenth of the
//! CPU of a rebuild of 120 baselines went to `mkdir`. A folder taken from the spare costs a
//! rename. And a file of the spare that already holds the bytes this build makes for its
//! path is kept as it is: a rebuild that changes little links and removes little (a build
//! of 120 unchanged baselines linked and later removed 1,094 files, 5% of its CPU).
//!
//! What makes this safe: a build never writes into a file it did not create (the spare's
//! files are hard links to the published output's), only compares its bytes, removes it,
//! or leaves it; the spare keeps regular files and folders only; and everything the build
//! does not produce is removed before the swap (see `Staging`).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

/// What a spare folder held when a build took it, relative to it.
#[derive(Default)]
pub(super) struct Taken {
    pub folders: HashSet<PathBuf>,
    pub files: HashSet<PathBuf>,
}

/// Renames the spare folder to `staging` and removes whatever in it is neither a folder
/// nor a regular file. `None` when there is no usable spare, in which case `staging` does
/// not exist.
pub(super) fn take(spare: &Path, staging: &Path) -> Option<Taken> {
    std::fs::rename(spare, staging).ok()?;
    match list(staging, Path::new("")) {
        Ok((folders, files)) => Some(Taken {
            folders: folders.into_iter().collect(),
            files: files.into_iter().collect(),
        }),
        Err(_) => {
            let _ = std::fs::remove_dir_all(staging);
            None
        }
    }
}

/// Keeps `root` (the previous output, or a staging folder a build left) as the spare
/// folder, with a `.gitignore` that hides it from git (it holds files now, and a book's
/// `.gitignore` may name only its output folder); removes it when a spare already exists
/// or the rename fails. Best effort: what is left here is removed by the next build's
/// recovery, and the `.gitignore`, which no build produces, before the next swap.
pub(super) fn keep(root: &Path, spare: &Path) {
    if spare.exists() || std::fs::rename(root, spare).is_err() {
        let _ = std::fs::remove_dir_all(root);
        return;
    }
    let ignore = spare.join(".gitignore");
    if !ignore.exists() {
        let _ = std::fs::write(ignore, "*\n");
    }
}

/// The folders and regular files under `root/rel`, relative to `root`, read on every core;
/// anything else (a symbolic link, a socket) is removed, so nothing is ever followed.
fn list(root: &Path, rel: &Path) -> std::io::Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let mut folders = Vec::new();
    let mut files = Vec::new();
    for entry in std::fs::read_dir(root.join(rel))? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            folders.push(rel.join(entry.file_name()));
        } else if kind.is_file() {
            files.push(rel.join(entry.file_name()));
        } else {
            std::fs::remove_file(entry.path())?;
        }
    }
    let below = folders
        .par_iter()
        .map(|folder| list(root, folder))
        .collect::<std::io::Result<Vec<_>>>()?;
    for (more_folders, more_files) in below {
        folders.extend(more_folders);
        files.extend(more_files);
    }
    Ok((folders, files))
}
