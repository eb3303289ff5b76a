//! Test helpers every crate of the workspace shares (feature `testutil`,
//! enabled by the crates' dev-dependencies): throw-away repositories and
//! the fixtures folder. Running the whole pipeline is the app's
//! (`prr::testutil`).

use std::path::PathBuf;

/// Writes `files` (path, contents) under a new temporary folder.
pub fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (rel, body) in files {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, body).expect("write");
    }
    dir
}

/// The workspace's fixtures folder (`tests/fixtures` at the root).
pub fn fixtures() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures"))
}
