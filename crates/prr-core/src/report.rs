//! Data about a run that the reports show besides findings.

use crate::text::{plural, visible};
use serde::Serialize;

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
                plural(self.layers.max(1), "layer")
            ),
        }
    }
}

/// The names prr looks for its config under, in order of preference.
pub const CONFIG_NAMES: [&str; 2] = ["prr.yaml", ".prr.yaml"];

/// What a report shows of a rule: its id, title, help and configured level
/// (SARIF 2.1.0 `reportingDescriptor`: `id`, `shortDescription`, `help`,
/// `defaultConfiguration.level`). Built from the loaded rules by the app.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleInfo {
    /// Rule id, `family/name`.
    pub id: String,
    /// One-line title.
    pub title: String,
    /// Help text (Markdown), may be empty.
    pub help: String,
    /// The level the run gives the rule.
    pub level: crate::finding::Level,
}

/// The repository's text as reporters may quote it: the line a finding
/// points at, and whether a file is part of the run. Implemented by the
/// inventory; reporters never read the disk.
pub trait Sources {
    /// Line `line` (1-based) of the repository file `path`, without its
    /// line break; `None` when the file or the line is not in the run.
    fn line(&self, path: &str, line: u32) -> Option<&str>;
    /// Whether the repository file `path` is part of the run.
    fn has_file(&self, path: &str) -> bool;
}

/// [`Sources`] of an empty repository (reports built without one).
pub struct NoSources;

impl Sources for NoSources {
    fn line(&self, _path: &str, _line: u32) -> Option<&str> {
        None
    }
    fn has_file(&self, _path: &str) -> bool {
        false
    }
}
