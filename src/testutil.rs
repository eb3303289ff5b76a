//! Test helpers: build a throw-away repository and run the whole pipeline.

use crate::finding::Finding;
pub use prr_core::testutil::{fixtures, repo};
use std::path::Path;

/// Runs config + rules + inventory + checks on `root` and returns the
/// findings of rule `rule` (all findings when `rule` is empty).
pub fn findings(root: &Path, rule: &str) -> Vec<Finding> {
    let run = crate::analyze(root, None).expect("analyze");
    run.findings
        .into_iter()
        .filter(|f| rule.is_empty() || f.rule == rule)
        .collect()
}

/// Runs the full pipeline on `root` (no budget options) for reporter tests:
/// `let run = testutil::check_run(dir); let report = run.report();`.
pub fn check_run(root: &Path) -> crate::CheckRun {
    crate::analyze(root, None).expect("analyze")
}
