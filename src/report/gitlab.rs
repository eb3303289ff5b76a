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

use super::Reporter;
use super::RunReport;
use crate::finding::Level;
use serde_json::{Value, json};

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

/// The `gitlab` (Code Quality) format.
pub struct Gitlab;

impl Reporter for Gitlab {
    fn name(&self) -> &'static str {
        "gitlab"
    }

    fn help(&self) -> &'static str {
        "GitLab Code Quality JSON (`artifacts:reports:codequality`)"
    }

    fn render(&self, r: &RunReport, color: bool) -> String {
        let _ = color;
        render(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::path::Path;

    #[test]
    fn legacy_example_issues_are_complete_and_unique() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/legacy");
        let run = crate::analyze(&root, None).unwrap();
        let r = run.report();
        let text = render(&r);
        let issues: Vec<Value> = serde_json::from_str(&text).unwrap();
        let unsuppressed = r.findings.iter().filter(|f| !f.suppressed).count();
        assert_eq!(issues.len(), unsuppressed);
        assert!(issues.len() >= 10, "{}", issues.len());
        let mut fps = HashSet::new();
        for i in &issues {
            for key in ["description", "check_name", "fingerprint", "severity"] {
                assert!(i[key].as_str().is_some_and(|s| !s.is_empty()), "{key}: {i}");
            }
            assert!(
                ["info", "minor", "major", "critical", "blocker"]
                    .contains(&i["severity"].as_str().unwrap())
            );
            assert!(!i["location"]["path"].as_str().unwrap().is_empty());
            assert!(i["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
            assert!(fps.insert(i["fingerprint"].as_str().unwrap().to_string()));
        }
        // One exact issue.
        let rb = issues
            .iter()
            .find(|i| i["check_name"] == "alerts/runbook-annotation")
            .unwrap();
        assert_eq!(rb["location"]["path"], "alerts/rules.yaml");
        assert_eq!(rb["location"]["lines"]["begin"], 4);
        assert_eq!(rb["severity"], "critical");
        // Repository-level: the config file, line 1.
        let owners = issues
            .iter()
            .find(|i| i["check_name"] == "prr/codeowners")
            .unwrap();
        assert_eq!(owners["location"]["path"], "prr.yaml");
        assert_eq!(owners["location"]["lines"]["begin"], 1);
        let key = regex::Regex::new(r"AKIA[0-9A-Z]{16}").unwrap();
        assert!(!key.is_match(&text));
    }

    #[test]
    fn suppressed_findings_are_left_out_and_a_clean_run_is_an_empty_array() {
        let dir = crate::testutil::repo(&[("broken.yaml", "a: [\n")]);
        let mut run = crate::testutil::check_run(dir.path());
        let before: Vec<Value> = serde_json::from_str(&render(&run.report())).unwrap();
        assert!(before.iter().any(
            |i| i["check_name"] == "prr/parse-error" && i["location"]["path"] == "broken.yaml"
        ));
        for f in &mut run.findings {
            f.suppressed = true;
        }
        assert_eq!(render(&run.report()), "[]\n");
    }
}
