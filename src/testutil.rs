//! Test helpers: build a throw-away repository and run the whole pipeline.

use crate::finding::Finding;
use std::path::Path;

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

/// Runs config + rules + inventory + checks on `root` and returns the
/// findings of rule `rule` (all findings when `rule` is empty).
pub fn findings(root: &Path, rule: &str) -> Vec<Finding> {
    let run = crate::analyze(root, None).expect("analyze");
    run.findings
        .into_iter()
        .filter(|f| rule.is_empty() || f.rule == rule)
        .collect()
}

/// The fixtures folder of this crate (`tests/fixtures`).
pub fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Runs the full pipeline on `root` (no budget options) for reporter tests:
/// `let run = testutil::check_run(dir); let report = run.report();`.
pub fn check_run(root: &Path) -> crate::CheckRun {
    crate::analyze(root, None).expect("analyze")
}
