//! `alerts.required-annotation` (rule `alerts/runbook-annotation`): every
//! alert has a runbook annotation.

use super::model::{alerts, first_annotation, name_pos};
use super::notice::{non_production_alerts, notice};
use super::params::default_severity_label;
use crate::checks::{Context, Sink};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Parameters of `alerts.required-annotation`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RequiredAnnotation {
    /// The annotation every alert needs (default `runbook_url`).
    #[serde(default = "default_annotation")]
    pub annotation: String,
    /// Other annotation names that satisfy it (default `[runbook]`).
    #[serde(default = "default_also_accept")]
    pub also_accept: Vec<String>,
    /// The severity label (default `severity`).
    #[serde(default = "default_severity_label")]
    pub label: String,
    /// Severity values that page (see [`crate::checks::severity::Paging`]). A
    /// missing annotation on a paging alert is reported at the rule's
    /// level; on any other alert at most as a warning.
    #[serde(default)]
    pub page_severities: Option<Vec<String>>,
    /// Also report non-paging alerts of non-production environments (a
    /// `-dev`/`-staging`/`-uat` namespace or folder, see
    /// [`crate::checks::environment`]); default false: they are counted in one
    /// notice.
    #[serde(default)]
    pub non_production_environments: bool,
}

fn default_annotation() -> String {
    "runbook_url".to_string()
}

fn default_also_accept() -> Vec<String> {
    vec!["runbook".to_string()]
}

/// Runs `alerts.required-annotation`: every alert has a non-empty
/// `annotation` (or one of `also-accept`).
pub fn required_annotation(ctx: &Context, p: &RequiredAnnotation, sink: &mut Sink) {
    let mut names = vec![p.annotation.clone()];
    names.extend(p.also_accept.iter().cloned());
    let paging =
        crate::checks::severity::Paging::resolve(ctx, &p.label, p.page_severities.as_deref());
    let mut skipped: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut unpaged = 0usize;
    for (f, g, r) in alerts(ctx) {
        if first_annotation(r, &names).is_some() {
            continue;
        }
        let pages = paging.pages(ctx, g, r, &p.label);
        if pages.is_none()
            && !p.non_production_environments
            && let Some(env) =
                crate::checks::environment::non_production(&f.path, f.object_namespace.as_deref())
        {
            *skipped.entry(env).or_default() += 1;
            continue;
        }
        // The repository's own Alertmanager pages nobody (a homelab, a
        // chat-only setup): a runbook link is advice, counted in one notice.
        if pages.is_none() && paging.no_pager_in.is_some() {
            unpaged += 1;
            continue;
        }
        let empty = names.iter().find_map(|n| r.annotation(n).map(|t| (n, t)));
        let (pos, what) = match empty {
            Some((n, t)) => (t.pos, format!("has an empty `{n}` annotation")),
            None => (
                r.node.key("annotations").map_or(name_pos(r), |k| k.pos),
                format!("has no `{}` annotation", p.annotation),
            ),
        };
        let (who, why, level) = match &pages {
            Some(sev) => (
                "whoever is paged needs",
                format!(" ({})", paging.why(&p.label, sev)),
                crate::finding::Level::Error,
            ),
            None => (
                "whoever handles it needs",
                String::new(),
                crate::finding::Level::Warning,
            ),
        };
        let finding = sink.finding(
            &f.path,
            pos,
            format!(
                "alert `{}` {what}: {who} a link to what to do; add `{}: <link to the runbook>` under `annotations:`{why}",
                r.name(),
                p.annotation
            ),
        )
        .with_level(level);
        // An alert that pages someone runs in production, wherever it is.
        sink.push(if pages.is_some() {
            finding.in_production()
        } else {
            finding
        });
    }
    if let (true, Some(at)) = (unpaged > 0, &paging.no_pager_in) {
        notice(
            sink,
            at,
            format!(
                "{unpaged} alert{} without a `{}` annotation {} not reported one by one: none of them pages anyone, because the repository's Alertmanager configuration (here) has no receiver that can page (PagerDuty, Opsgenie, VictorOps, Pushover, SNS, webhook); a runbook link still helps whoever reads the notification. Set `page-severities` if alerts page another way",
                if unpaged == 1 { "" } else { "s" },
                p.annotation,
                if unpaged == 1 { "is" } else { "are" },
            ),
        );
    }
    if !skipped.is_empty() {
        let (total, alerts) = non_production_alerts(&skipped, "non-paging ");
        notice(
            sink,
            "",
            format!(
                "{alerts} {} no `{}` annotation: not reported, a runbook is for production response; set `non-production-environments: true` to report them",
                if total == 1 { "has" } else { "have" },
                p.annotation
            ),
        );
    }
}
