//! Reporters: one per output format behind one trait. Each turns the run's
//! [`RunReport`] into a string; the CLI writes it to stdout or a file.

use crate::finding::{Finding, Level};
use crate::inventory::Inventory;
use crate::rules::Rule;
use serde::Serialize;

pub use prr_core::report::ConfigUsed;
pub use prr_core::text::{escape_char, is_unsafe_char, visible};

pub mod budget;
pub mod chart;
pub mod coverage;
pub mod github;
pub mod gitlab;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod text;
pub mod verdict;

/// The gate's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GateResult {
    /// No unsuppressed error-level finding: exit 0.
    Pass,
    /// At least one unsuppressed error-level finding: exit 1.
    Fail,
}

/// Counts for the summary (docs/json-report.md).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Summary {
    /// Unsuppressed error-level findings.
    pub errors: usize,
    /// Unsuppressed warnings.
    pub warnings: usize,
    /// Unsuppressed notices.
    pub notices: usize,
    /// Suppressed findings of any level.
    pub suppressed: usize,
    /// Files walked.
    pub files_scanned: usize,
}

/// Everything a reporter needs.
pub struct RunReport<'a> {
    /// The verdict.
    pub result: GateResult,
    /// Findings, sorted by path, line, column, rule.
    pub findings: &'a [Finding],
    /// The rules that ran (for descriptions and help).
    pub rules: &'a [Rule],
    /// Counts.
    pub summary: Summary,
    /// The inventory (source lines for snippets).
    pub inventory: &'a Inventory,
    /// Error-budget entries (empty without a `budget:` section).
    pub budget: &'a [crate::budget::gate::BudgetEntry],
    /// Readiness score and level per service (empty when not computed).
    pub readiness: &'a [crate::score::Readiness],
    /// The config the run used.
    pub config: &'a ConfigUsed,
}

impl RunReport<'_> {
    /// The rule with `id`, if it is a rule-file rule (not a built-in `prr/…` one).
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The source line to show for `f` and the 1-based column in it: the
    /// finding's own (redacted) snippet when it has one, never the raw line
    /// of a sensitive finding; long lines clipped around the column.
    pub fn snippet(&self, f: &Finding) -> Option<(String, u32)> {
        if let Some(s) = &f.snippet {
            return Some((s.clone(), f.snippet_column.unwrap_or(f.column)));
        }
        if f.sensitive || f.line == 0 {
            return None;
        }
        let line = self.inventory.line(&f.path, f.line)?;
        Some(crate::finding::clip_line(line, f.column.max(1)))
    }
}

/// Computes summary counts and the verdict.
pub fn summarize(findings: &[Finding], files_scanned: usize) -> (Summary, GateResult) {
    let mut s = Summary {
        files_scanned,
        ..Default::default()
    };
    for f in findings {
        if f.suppressed {
            s.suppressed += 1;
            continue;
        }
        match f.level {
            Level::Error => s.errors += 1,
            Level::Warning => s.warnings += 1,
            Level::Notice => s.notices += 1,
            Level::Off => {}
        }
    }
    let result = if s.errors > 0 {
        GateResult::Fail
    } else {
        GateResult::Pass
    };
    (s, result)
}

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human text with the offending lines.
    Text,
    /// The JSON report (docs/json-report.md).
    Json,
    /// GitHub workflow commands (`::error file=…,line=…::msg`).
    Github,
    /// SARIF 2.1.0 (code scanning).
    Sarif,
    /// JUnit XML (test reports in CI systems).
    Junit,
    /// GitLab Code Quality JSON (`artifacts:reports:codequality`).
    Gitlab,
    /// Markdown (the GitHub job summary).
    Markdown,
}

/// A report format: turns a run into the bytes of one report.
pub trait Reporter {
    /// Renders `report`. `color` is a hint for terminal formats; file
    /// formats ignore it.
    fn render(&self, report: &RunReport, color: bool) -> String;
}

impl Format {
    /// The reporter for this format.
    pub fn reporter(self) -> &'static dyn Reporter {
        match self {
            Format::Text => &text::Text,
            Format::Json => &json::Json,
            Format::Github => &github::Github,
            Format::Sarif => &sarif::Sarif,
            Format::Junit => &junit::Junit,
            Format::Gitlab => &gitlab::Gitlab,
            Format::Markdown => &markdown::Markdown,
        }
    }
}

/// Renders the report in `format`. `color` applies to text only.
pub fn render(format: Format, report: &RunReport, color: bool) -> String {
    format.reporter().render(report, color)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil;

    #[test]
    fn unsafe_characters_are_shown_escaped() {
        assert_eq!(visible("plain"), "plain");
        assert_eq!(
            visible("x\n::error file=y::forged\r\u{202e}\u{2028}\u{85}"),
            "x\\n::error file=y::forged\\r\\u{202e}\\u{2028}\\u{85}"
        );
    }

    #[test]
    fn every_format_renders_the_same_verdict() {
        let dir = testutil::repo(&[("broken.yaml", "a: [\n"), ("CODEOWNERS", "* @x\n")]);
        let run = testutil::check_run(dir.path());
        let r = run.report();
        assert_eq!(r.result, GateResult::Fail);
        assert_eq!(r.summary.files_scanned, 2);
        assert!(r.summary.errors >= 1);
        let json: serde_json::Value =
            serde_json::from_str(&Format::Json.reporter().render(&r, false)).unwrap();
        assert_eq!(json["result"], "fail");
        assert!(
            Format::Text
                .reporter()
                .render(&r, false)
                .contains("prr: FAIL")
        );
        assert!(
            Format::Github
                .reporter()
                .render(&r, false)
                .contains("::error file=broken.yaml,line=1")
        );
    }
}
