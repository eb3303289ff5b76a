//! GitLab Code Quality report (`artifacts:reports:codequality`), the
//! subset of the Code Climate engine spec GitLab reads
//! (<https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format>):
//! a JSON array of issues, each with `description`, `check_name`,
//! `fingerprint`, `severity` and `location { path, lines { begin } }`.
//!
//! - `severity`: an error-level finding blocks the gate, so it is
//!   `critical`; a warning is `minor`; a notice is `info`.
//! - `fingerprint`: the SARIF `primaryLocationLineHash` (hash of rule ID,
//!   path and the trimmed redacted source line, plus the occurrence
//!   counter, see [`super::sarif::fingerprints`]): stable when lines move,
//!   unique within a report, so GitLab can tell new issues from fixed ones.
//! - Repository-level findings (no file) point at the config file, or `.`,
//!   line 1 (GitLab requires a path and a line).
//! - Suppressed findings are left out: GitLab has no notion of a
//!   suppressed issue, and showing them in the merge request would
//!   contradict the gate.
//! - The readiness scores are not in this report: the format is a bare
//!   array of issues with no place for run-level data (an extra top-level
//!   object would be rejected, an extra field on an issue would misplace a
//!   service score on one line of one file). A service below its tier's
//!   level is an issue like any other (`prr/min-level`), and the scores are
//!   in the JSON and JUnit reports of the same run.

use super::RunReport;
use crate::finding::Level;
use serde_json::{Value, json};

file_reporter!(
    /// The `gitlab` (Code Quality) format.
    Gitlab,
    "gitlab",
    "GitLab Code Quality JSON (`artifacts:reports:codequality`)",
    render
);

/// The Code Quality `severity` of a prr level.
pub fn severity(l: Level) -> &'static str {
    match l {
        Level::Error => "critical",
        Level::Warning => "minor",
        Level::Notice | Level::Off => "info",
    }
}

/// Renders the issues as a pretty JSON array followed by a newline.
pub fn render(r: &RunReport) -> String {
    let fps = super::sarif::fingerprints(r);
    let issues: Vec<Value> = r
        .findings
        .iter()
        .zip(fps)
        .filter(|(f, _)| !f.suppressed)
        .map(|(f, fp)| {
            let path = if f.path.is_empty() {
                super::sarif::repository_artifact(r).to_string()
            } else {
                f.path.clone()
            };
            json!({
                "type": "issue",
                "description": f.message,
                "check_name": f.rule,
                "fingerprint": fp,
                "severity": severity(f.level),
                "location": { "path": path, "lines": { "begin": f.line.max(1) } },
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".to_string());
    s.push('\n');
    s
}
