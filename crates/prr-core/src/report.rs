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
