//! prr-report: the reporters, one per output format behind one trait
//! ([`Reporter`], listed once in [`FORMATS`]). Each turns the run's
//! [`RunReport`] — a view of `prr-core` types only — into a string; the app
//! writes it to stdout or a file. This crate depends on `prr-core` alone
//! (docs/architecture.md), so a reporter cannot reach into checks, rules,
//! budgets or the inventory.

// The core modules under the names this crate's files use.
pub(crate) use prr_core::finding;
#[cfg(test)]
pub(crate) use prr_core::yaml;

use crate::finding::{Finding, Level};
use serde::Serialize;

pub use prr_core::report::{ConfigUsed, NoSources, RuleInfo, Sources};
pub use prr_core::text::{escape_char, is_unsafe_char, visible};

/// Declares a file format: its unit struct (with the docs given) and its
/// [`Reporter`] impl, named `$name`, described by `$help`, rendering with
/// the module's `$render(&RunReport) -> String` (file formats ignore the
/// colour hint).
macro_rules! file_reporter {
    ($(#[$meta:meta])* $ty:ident, $name:literal, $help:literal, $render:path) => {
        $(#[$meta])*
        pub struct $ty;

        impl $crate::Reporter for $ty {
            fn name(&self) -> &'static str {
                $name
            }

            fn help(&self) -> &'static str {
                $help
            }

            fn render(&self, r: &$crate::RunReport, _color: bool) -> String {
                $render(r)
            }
        }
    };
}

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
    pub rules: &'a [RuleInfo],
    /// The rule whose findings are the readiness gate (`prr/min-level`'s
    /// rule), when it is on: JUnit reports it as the gate's test case.
    pub gate_rule: Option<&'a str>,
    /// Counts.
    pub summary: Summary,
    /// The repository's lines, for snippets.
    pub sources: &'a dyn Sources,
    /// What the run read and did not.
    pub coverage: &'a coverage::Coverage,
    /// Error-budget entries (empty without a `budget:` section).
    pub budget: &'a [prr_core::budget::BudgetEntry],
    /// Readiness score and level per service (empty when not computed).
    pub readiness: &'a [prr_core::readiness::Readiness],
    /// The config the run used.
    pub config: &'a ConfigUsed,
}

impl RunReport<'_> {
    /// The rule with `id`, if it is a rule-file rule (not a built-in `prr/…` one).
    pub fn rule(&self, id: &str) -> Option<&RuleInfo> {
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
        let line = self.sources.line(&f.path, f.line)?;
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

/// The report formats, in the order `--format` lists them: one line per
/// format. A new format is a module of this folder (a [`Reporter`] that
/// names itself) and a line here.
pub const FORMATS: &[&dyn Reporter] = &[
    &text::Text,
    &json::Json,
    &github::Github,
    &sarif::Sarif,
    &junit::Junit,
    &gitlab::Gitlab,
    &markdown::Markdown,
];

/// An output format: one of [`FORMATS`], by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Format(&'static str);

/// A report format: turns a run into the bytes of one report.
pub trait Reporter: Sync {
    /// The name `--format` takes (lowercase, unique among [`FORMATS`]).
    fn name(&self) -> &'static str;
    /// What the format is, one line for `--help`.
    fn help(&self) -> &'static str;
    /// Renders `report`. `color` is a hint for terminal formats; file
    /// formats ignore it.
    fn render(&self, report: &RunReport, color: bool) -> String;
}

impl Format {
    /// Human text (the default report).
    pub const TEXT: Format = Format("text");
    /// The JSON report.
    pub const JSON: Format = Format("json");
    /// GitHub workflow commands (written to the log in Actions).
    pub const GITHUB: Format = Format("github");
    /// SARIF 2.1.0.
    pub const SARIF: Format = Format("sarif");

    /// The format named `name` (case-insensitive), if [`FORMATS`] has one.
    pub fn from_name(name: &str) -> Option<Format> {
        FORMATS
            .iter()
            .find(|e| e.name().eq_ignore_ascii_case(name))
            .map(|e| Format(e.name()))
    }

    /// The format's name as `--format` takes it.
    pub fn name(self) -> &'static str {
        self.0
    }

    /// The reporter for this format.
    pub fn reporter(self) -> &'static dyn Reporter {
        FORMATS
            .iter()
            .find(|e| e.name() == self.0)
            .copied()
            .unwrap_or(&text::Text)
    }
}

/// Renders the report in `format`. `color` applies to text only.
pub fn render(format: Format, report: &RunReport, color: bool) -> String {
    format.reporter().render(report, color)
}

#[cfg(test)]
mod tests {

    #[test]
    fn formats_are_one_registry() {
        for f in [Format::TEXT, Format::JSON, Format::GITHUB, Format::SARIF] {
            assert!(FORMATS.iter().any(|e| e.name() == f.name()), "{f:?}");
        }
        for e in FORMATS {
            assert_eq!(
                Format::from_name(&e.name().to_uppercase()).map(Format::name),
                Some(e.name())
            );
        }
        let mut names: Vec<_> = FORMATS.iter().map(|e| e.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FORMATS.len());
        assert_eq!(Format::from_name("yaml"), None);
    }
    use super::*;
}
