//! `alerts.runbook-resolves` (rule `alerts/runbook-resolves`): an alert's
//! runbook link names a file (and heading) of the repository.

use super::model::alerts;
use super::params::default_runbook_annotations;
use crate::checks::links::{Link, folder_exists, is_markdown, resolve_link, target_file};
use crate::checks::{Context, Sink};
use crate::formats::runbook::Runbook;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Parameters of `alerts.runbook-resolves`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RunbookResolves {
    /// Annotations holding runbook links (default `[runbook_url, runbook]`).
    #[serde(default = "default_runbook_annotations")]
    pub annotations: Vec<String>,
    /// URL prefix → repository folder (`""` = root), for links to this
    /// repository's hosted files, e.g.
    /// `"https://github.com/acme/shop/blob/main/": ""`.
    #[serde(default)]
    pub base_urls: BTreeMap<String, String>,
}

/// Runs `alerts.runbook-resolves`.
pub fn runbook_resolves(ctx: &Context, p: &RunbookResolves, sink: &mut Sink) {
    for (f, _, r) in alerts(ctx) {
        for name in &p.annotations {
            let Some(t) = r.annotation(name) else {
                continue;
            };
            let link = t.value.trim();
            if link.is_empty() {
                continue;
            }
            if let Some(problem) = check_link(ctx, &f.path, link, &p.base_urls) {
                sink.report(
                    &f.path,
                    t.pos,
                    format!("alert `{}`: {name} `{link}` {problem}", r.name()),
                );
            }
        }
    }
}

/// Whether a runbook value is a placeholder rather than a link: no `/`,
/// `.` or `#`, and a placeholder word (`TODO`, `TBD`, `TBA`, `FIXME`,
/// `XXX`, `none`) or a phrase with spaces (`Need to add one`).
fn is_placeholder_text(link: &str) -> bool {
    const WORDS: &[&str] = &["todo", "tbd", "tba", "fixme", "xxx", "none", "placeholder"];
    !link.contains(['/', '.', '#'])
        && (link.contains(' ')
            || link
                .split(|c: char| !c.is_alphanumeric())
                .any(|w| WORDS.contains(&w.to_lowercase().as_str())))
}

/// `None` when the link resolves (or is not checkable), else what is wrong.
fn check_link(
    ctx: &Context,
    rule_path: &str,
    link: &str,
    base_urls: &BTreeMap<String, String>,
) -> Option<String> {
    match resolve_link(rule_path, &ctx.own_link(link), base_urls) {
        Link::External => None,
        Link::Escapes => Some("climbs above the repository root: link to a runbook inside the repository".to_string()),
        Link::FileUrl => Some("is a `file:` URL, a path on one machine that does not resolve in the repository: link to a runbook inside the repository (a relative path, or a URL under `base-urls`)".to_string()),
        Link::RepoFolder(dir) => (!folder_exists(ctx, &dir)).then(|| {
            format!("is templated and its fixed part names folder `{dir}/`, which has no files in the repository")
        }),
        Link::Repo { path, anchor } => {
            let Some(target) = target_file(ctx, &path) else {
                if is_placeholder_text(link) {
                    return Some(
                        "is a placeholder, not a link: whoever handles the alert has no runbook; write one and link it"
                            .to_string(),
                    );
                }
                return Some(format!(
                    "does not resolve: no file `{path}` in the repository (relative links are resolved from the rule file's folder, `/…` from the repository root); fix the link or add the runbook"
                ));
            };
            let anchor = anchor?;
            if !is_markdown(&target) {
                return None;
            }
            let text = ctx.inventory.text(&target)?;
            let rb = Runbook::parse(&target, text);
            let want = anchor.to_lowercase();
            let found = rb.headings.iter().any(|h| h.anchor == want)
                || text.contains(&format!("id=\"{anchor}\""))
                || text.contains(&format!("name=\"{anchor}\""));
            if found {
                return None;
            }
            let known: Vec<String> = rb.headings.iter().take(10).map(|h| format!("#{}", h.anchor)).collect();
            Some(format!(
                "points at heading `#{anchor}`, which `{target}` does not have ({}); fix the anchor or add the heading",
                if known.is_empty() {
                    "it has no headings".to_string()
                } else {
                    format!("its anchors: {}", known.join(", "))
                }
            ))
        }
    }
}
