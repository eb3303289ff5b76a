//! Reporters: one per output format behind one trait. Each turns the run's
//! [`RunReport`] into a string; the CLI writes it to stdout or a file.

use crate::finding::{Finding, Level};
use crate::inventory::Inventory;
use crate::rules::Rule;
use serde::Serialize;

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

/// Which prr config a run used, for the report (`using prr.yaml (2
/// layers)`; the JSON report's `config`).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ConfigUsed {
    /// The config file as shown (relative to the checked folder, or
    /// `prr.yaml at REF` with `--policy-from`); `None`: the built-in defaults.
    pub path: Option<String>,
    /// Layers merged (`extends:` plus the file itself; 1 without extends).
    pub layers: usize,
}

impl std::fmt::Display for ConfigUsed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.path {
            None => write!(f, "the built-in defaults (no prr.yaml)"),
            Some(p) => write!(
                f,
                "{} ({})",
                visible(p),
                verdict::plural(self.layers.max(1), "layer")
            ),
        }
    }
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

/// Whether `c` must not reach a log or terminal raw: C0 and C1 control
/// characters (line breaks and tabs included), DEL, the Unicode line and
/// paragraph separators (U+2028, U+2029) and the bidirectional overrides,
/// embeddings, isolates and marks (U+202A–U+202E, U+2066–U+2069, U+200E,
/// U+200F, U+061C) that make text read differently from what it is.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{061c}'
        )
}

/// The visible escape of an unsafe character ([`is_unsafe_char`]): `\n`,
/// `\r`, `\t`, else `\u{202e}` (lowercase hex).
pub fn escape_char(c: char) -> String {
    match c {
        '\n' => "\\n".to_string(),
        '\r' => "\\r".to_string(),
        '\t' => "\\t".to_string(),
        c => format!("\\u{{{:x}}}", u32::from(c)),
    }
}

/// `s` with every unsafe character ([`is_unsafe_char`]) shown as its escape
/// ([`escape_char`]), for every human-facing output: a line break in a file
/// name or a YAML string can then never start a line of the log (GitHub
/// reads a line starting with `::` as a workflow command), and no bidi
/// override can reorder what a reviewer reads. Borrowed when nothing needed
/// escaping.
pub fn visible(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(is_unsafe_char) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe_char(c) {
            out.push_str(&escape_char(c));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A message for stderr or any other text printed outside a report: secrets
/// redacted ([`crate::secrets::redact::redact_text`]: the default gitleaks
/// pack, private-key blocks, the values the run found) and unsafe
/// characters made visible ([`visible`]), so it is one line of the log.
pub fn safe_message(s: &str) -> String {
    visible(&crate::secrets::redact::redact_text(s)).into_owned()
}

/// [`safe_message`] line by line: multi-line text (a rule's help) keeps its
/// line breaks, each line redacted and escaped.
pub fn safe_lines(s: &str) -> String {
    let mut out: Vec<String> = s.lines().map(safe_message).collect();
    if s.ends_with('\n') {
        out.push(String::new());
    }
    out.join("\n")
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
        assert_eq!(
            safe_message("a\nghp_ph96tgc94ne8e3qkvxj3e2ejicia8tp3ue74"),
            "a\\nghp_…(40 chars)"
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
