//! What the `runbook/…` checks share: parameter defaults, exclusions, where
//! a runbook's finding points, heading words.

use crate::formats::runbook::Runbook;
use crate::yaml::Pos;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

pub(super) fn default_runbook_annotations() -> Vec<String> {
    vec!["runbook_url".to_string(), "runbook".to_string()]
}

pub(super) fn default_exclude() -> Vec<String> {
    vec!["**/_index.md".to_string(), "**/README.md".to_string()]
}

/// Case-insensitive glob set (`README.md` also excludes `readme.md`).
pub(super) fn exclude_set(globs: &[String]) -> GlobSet {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        if let Ok(g) = GlobBuilder::new(g)
            .case_insensitive(true)
            .literal_separator(false)
            .build()
        {
            b.add(g);
        }
    }
    b.build().unwrap_or_else(|_| GlobSet::empty())
}

/// Where a finding about a whole runbook points: its first heading, or line 1.
pub(super) fn runbook_pos(rb: &Runbook) -> Pos {
    rb.headings
        .first()
        .map_or(Pos::line(1), |h| Pos::line(h.line))
}

pub(super) fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}
