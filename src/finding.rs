//! Findings: what a check reports, with rule ID, level and position.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How serious a finding is. Ordered: `Notice < Warning < Error`.
///
/// `Off` exists only in rule files and overrides (a rule at `off` does not
/// run); no finding carries it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Rule disabled.
    Off,
    /// Informational; never blocks.
    Notice,
    /// Shown and annotated; never blocks.
    Warning,
    /// Blocks the gate (exit 1) unless suppressed.
    Error,
}

impl Level {
    /// The lowercase name used in rule files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::Notice => "notice",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }

    /// Parses `error | warning | notice | off`.
    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "error" => Some(Level::Error),
            "warning" => Some(Level::Warning),
            "notice" => Some(Level::Notice),
            "off" => Some(Level::Off),
            _ => None,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found by a check.
///
/// `path` is relative to the repository root with `/` separators; `line` and
/// `column` are 1-based (0 = the finding is about the whole file, or about the
/// repository when `path` is empty).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// Stable rule ID, `family/name` (design.md §3).
    pub rule: String,
    /// Level after rule overrides.
    pub level: Level,
    /// Repository-relative path with `/` separators; empty for repository-wide findings.
    pub path: String,
    /// 1-based line; 0 when not applicable.
    pub line: u32,
    /// 1-based column; 0 when not applicable.
    pub column: u32,
    /// What is wrong and, briefly, what to do.
    pub message: String,
    /// The service the finding belongs to, when one matches.
    pub service: Option<String>,
    /// Whether a suppression matched (suppressed findings never block).
    pub suppressed: bool,
    /// The source line to show under the message. For secrets this is the
    /// redacted line; checks that handle sensitive values set it themselves
    /// and mark the finding `sensitive` so it is never filled from the file.
    #[serde(skip)]
    pub snippet: Option<String>,
    /// The finding concerns a secret: its source line must never be shown raw.
    #[serde(skip)]
    pub sensitive: bool,
}

impl Finding {
    /// A finding for `rule` at `path:line:column`; the level is filled in by
    /// the engine from the rule definition.
    pub fn new(rule: &str, path: &str, pos: crate::yaml::Pos, message: impl Into<String>) -> Self {
        Finding {
            rule: rule.to_string(),
            level: Level::Error,
            path: path.to_string(),
            line: pos.line,
            column: pos.column,
            message: message.into(),
            service: None,
            suppressed: false,
            snippet: None,
            sensitive: false,
        }
    }

    /// Sets the service.
    pub fn with_service(mut self, service: impl Into<String>) -> Self {
        self.service = Some(service.into());
        self
    }

    /// Sets the level (used by the engine for built-in `prr/…` findings).
    pub fn with_level(mut self, level: Level) -> Self {
        self.level = level;
        self
    }
}
