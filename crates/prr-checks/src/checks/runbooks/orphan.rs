//! `runbook.orphan` (rule `runbook/orphan`): a runbook some alert links to
//! or names.

use super::common::{default_exclude, default_runbook_annotations, exclude_set, runbook_pos};
use crate::checks::alerts::alerts;
use crate::checks::links::{Link, resolve_link, target_file};
use crate::checks::{Context, Sink};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};

/// Parameters of `runbook.orphan`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Orphan {
    /// Annotations that link a runbook (default `[runbook_url, runbook]`).
    #[serde(default = "default_runbook_annotations")]
    pub annotations: Vec<String>,
    /// URL prefix → repository folder, as in `alerts/runbook-resolves`.
    #[serde(default)]
    pub base_urls: BTreeMap<String, String>,
    /// Runbook paths that are not runbooks (default `**/_index.md`, `**/README.md`).
    #[serde(default = "default_exclude")]
    pub exclude: Vec<String>,
}

/// Lowercase letters and digits only: `High-Errors` ≈ `HighErrors`.
fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Runs `runbook.orphan`: a runbook that no alert links to and whose file
/// name or first heading is no alert's name. Does nothing when the
/// repository has no alerting rules (the alerts live elsewhere).
pub fn orphan(ctx: &Context, p: &Orphan, sink: &mut Sink) {
    let exclude = exclude_set(&p.exclude);
    let mut linked: HashSet<String> = HashSet::new();
    let mut folders: Vec<String> = Vec::new();
    let mut names: HashSet<String> = HashSet::new();
    let mut any_alert = false;
    for (f, _, r) in alerts(ctx) {
        any_alert = true;
        names.insert(norm(r.name()));
        for a in &p.annotations {
            let Some(t) = r.annotation(a) else { continue };
            match resolve_link(&f.path, &ctx.own_link(&t.value), &p.base_urls) {
                Link::Repo { path, .. } => {
                    if let Some(target) = target_file(ctx, &path) {
                        linked.insert(target);
                    }
                    linked.insert(path);
                }
                Link::RepoFolder(dir) => folders.push(dir),
                Link::Escapes | Link::FileUrl | Link::External => {}
            }
        }
    }
    if !any_alert {
        return;
    }
    for rb in ctx
        .inventory
        .runbooks
        .iter()
        .filter(|rb| !exclude.is_match(&rb.path))
    {
        let in_folder = folders
            .iter()
            .any(|d| d.is_empty() || rb.path.starts_with(&format!("{d}/")));
        let stem = rb.path.rsplit('/').next().unwrap_or(&rb.path);
        let stem = stem.rsplit_once('.').map_or(stem, |(s, _)| s);
        let named = names.contains(&norm(stem))
            || rb
                .headings
                .first()
                .is_some_and(|h| names.contains(&norm(&h.text)));
        if linked.contains(&rb.path) || in_folder || named {
            continue;
        }
        sink.report(
            &rb.path,
            runbook_pos(rb),
            "runbook is not linked from any alert and is not named after one: link it from the alert it documents (`runbook_url`), or delete it if the alert is gone",
        );
    }
}
