//! `runbook.present` (rule `runbook/present`): each service that has
//! alerting rules has runbooks.

use super::common::default_runbook_annotations;
use crate::checks::alerts::{alerts, first_annotation};
use crate::checks::{Context, Sink};
use serde::Deserialize;

/// Parameters of `runbook.present`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Present {
    /// Annotations that link a runbook (default `[runbook_url, runbook]`).
    #[serde(default = "default_runbook_annotations")]
    pub annotations: Vec<String>,
}

/// Runs `runbook.present`: each service that has alerting rules has
/// runbooks somewhere: a runbook file within its paths, or at least one of
/// its alerts links one. One finding per service, at its first alert. (Each
/// alert's own link is `alerts/runbook-annotation`; where links lead is
/// `alerts/runbook-resolves`.)
pub fn present(ctx: &Context, p: &Present, sink: &mut Sink) {
    for svc in &ctx.services {
        let svc_alerts: Vec<_> = alerts(ctx)
            .filter(|(f, _, _)| ctx.in_service(svc, &f.path))
            .collect();
        let Some((first_file, _, first_rule)) = svc_alerts.first() else {
            continue;
        };
        let linked = svc_alerts
            .iter()
            .any(|(_, _, r)| first_annotation(r, &p.annotations).is_some());
        let has_file = ctx
            .inventory
            .runbooks
            .iter()
            .any(|rb| ctx.in_service(svc, &rb.path));
        if linked || has_file {
            continue;
        }
        let pos = first_rule.alert.as_ref().map_or(first_rule.pos, |a| a.pos);
        sink.push(
            sink.finding(
                &first_file.path,
                pos,
                format!(
                    "service `{}` has {} alert{} but no runbook: none of them links one and no Markdown file matching the runbook globs ({}) is in its paths; write one (e.g. runbooks/{}.md with what it means, diagnosis, mitigation, escalation) and link it with `{}`",
                    svc.name,
                    svc_alerts.len(),
                    if svc_alerts.len() == 1 { "" } else { "s" },
                    ctx.config.runbooks.join(", "),
                    first_rule.name(),
                    p.annotations.first().map_or("runbook_url", String::as_str),
                ),
            )
            .with_service(&svc.name),
        );
    }
}
