//! Helpers shared by the library's unit tests.

use std::path::PathBuf;

/// `../shared/fixtures/<rel>`, beside the repository. In CI (`CI` set) its absence fails
/// the test; elsewhere the test is skipped with a notice.
pub(crate) fn shared_fixtures(rel: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures")
        .join(rel);
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} is missing: CI must provide the shared fixtures",
        dir.display()
    );
    eprintln!(
        "notice: {} is absent; skipping a test that needs it",
        dir.display()
    );
    None
}
