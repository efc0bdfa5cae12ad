//! The spare folder: the previous output's folders, emptied of files and kept beside the
//! output folder as `.<name>.spare`, for the next build to stage into.
//!
//! Why: a build swaps in a complete new folder, so every build used to create its ~130
//! folders anew and delete the previous ones. Where ext4 runs without a journal (as on
//! this project's development machine), creating a folder soon after many were deleted
//! scans the inode table past every recently freed inode: up to a tenth of the CPU of a
//! rebuild of 120 baselines went to `mkdir`. A folder taken from the spare costs a rename.
//!
//! The spare never holds anything but folders: files are removed before a folder becomes
//! the spare, and again when it is taken, in case something was put there since. Files
//! matter because the previous output's files are hard links to the current output's: a
//! build that wrote into one would change the published output.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

/// Renames the spare folder to `staging` and removes whatever in it is not a folder.
/// Returns the folders it holds, relative to it; `None` when there is no usable spare, in
/// which case `staging` does not exist.
pub(super) fn take(spare: &Path, staging: &Path) -> Option<HashSet<PathBuf>> {
    std::fs::rename(spare, staging).ok()?;
    match empty(staging, Path::new("")) {
        Ok(folders) => Some(folders.into_iter().collect()),
        Err(_) => {
            let _ = std::fs::remove_dir_all(staging);
            None
        }
    }
}

/// Removes every file under `root` and keeps its folders as the spare folder; removes it
/// all when that fails, or when a spare already exists. Best effort: what is left here is
/// removed by the next build's recovery (`root` is a staging or retired folder).
pub(super) fn keep(root: &Path, spare: &Path) {
    let emptied = !spare.exists() && empty(root, Path::new("")).is_ok();
    if !(emptied && std::fs::rename(root, spare).is_ok()) {
        let _ = std::fs::remove_dir_all(root);
    }
}

/// Removes the files under `root/rel`, its folders on every core (the build waits for
/// this), and returns the folders, relative to `root`.
fn empty(root: &Path, rel: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut folders = Vec::new();
    for entry in std::fs::read_dir(root.join(rel))? {
        let entry = entry?;
        // Not followed: a link to a folder is removed like a file, so nothing outside the
        // spare is ever touched.
        if entry.file_type()?.is_dir() {
            folders.push(rel.join(entry.file_name()));
        } else {
            std::fs::remove_file(entry.path())?;
        }
    }
    let below = folders
        .par_iter()
        .map(|folder| empty(root, folder))
        .collect::<std::io::Result<Vec<_>>>()?;
    folders.extend(below.into_iter().flatten());
    Ok(folders)
}
