//! `alerts/route`: each alert routed through the repository's Alertmanager
//! configuration ([`crate::alertmanager`]; whether that configuration loads
//! is `alerts/alertmanager-config`, in `alertmanager_config.rs`), and the
//! routing helpers other checks share.
//!
//! Which receivers page: those with a PagerDuty, Opsgenie or VictorOps
//! integration ([`crate::alertmanager::config::PAGING_INTEGRATIONS`]), and
//! those named in prr.yaml's `paging-receivers`.

use super::{alerts, fast_burn, label_value, name_pos};
use crate::alertmanager::AmConfig;
use crate::alertmanager::route::{route, routes_on, static_labels};
use crate::checks::{Context, Sink};
use crate::finding::Level;
use crate::formats::prometheus_rules::{PromRule, RuleGroup};
use serde::Deserialize;

/// The repository's Alertmanager configurations (outside the
/// non-production trees), read once per run.
pub(crate) fn configs<'a>(ctx: &'a Context) -> &'a [AmConfig] {
    ctx.memo
        .alertmanager
        .get_or_init(|| crate::alertmanager::discover(ctx.inventory, &ctx.config.non_production))
}

/// Why receiver `name` of `c` pages (`pagerduty_configs`, `paging-receivers
/// in prr.yaml`), or `None`.
pub(crate) fn pages_why(ctx: &Context, c: &AmConfig, name: &str) -> Option<String> {
    if ctx.config.paging_receivers.iter().any(|n| n == name) {
        return Some("listed in paging-receivers".to_string());
    }
    let r = c.receiver(name)?;
    r.pages().then(|| r.integrations.join(", "))
}

/// The first receiver the alert reaches that pages, as `receiver `x`
/// (pagerduty_configs) of path:line`; `None` when none does. Only
/// configurations with a routing tree count.
pub(crate) fn paging_route(ctx: &Context, g: &RuleGroup, r: &PromRule) -> Option<String> {
    let labels = static_labels(g, r);
    configs(ctx).iter().find_map(|c| {
        let root = c.route.as_ref()?;
        route(root, &labels).into_iter().find_map(|x| {
            pages_why(ctx, c, &x.receiver)
                .map(|why| format!("receiver `{}` ({why}) of {}", x.receiver, c.site()))
        })
    })
}

/// Whether a rule running analyzer `check` has something to judge in this
/// repository: the alerting-chain analyzers need an Alertmanager
/// configuration, `alerts.template` and `alerts.template-labels` an alert
/// value with `{{`; every other
/// analyzer is taken to (for the readiness
/// score, [`crate::score`]).
pub fn has_something_to_judge(ctx: &Context, check: &str) -> bool {
    match check {
        "alerts.route" | "alerts.alertmanager-config" => !configs(ctx).is_empty(),
        // Templates to parse: an alert value with `{{`.
        "alerts.template" | "alerts.template-labels" => *ctx.memo.templated.get_or_init(|| {
            super::alerts(ctx).any(|(_, _, r)| {
                r.labels
                    .iter()
                    .chain(&r.annotations)
                    .any(|(_, v)| v.value.contains("{{"))
            })
        }),
        _ => true,
    }
}

/// Whether the repository has a configuration with a routing tree.
pub(crate) fn has_routing(ctx: &Context) -> bool {
    configs(ctx).iter().any(|c| c.route.is_some())
}

// ---------------------------------------------------------------------------
// alerts/route

/// Parameters of `alerts.route`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Route {
    /// The severity label routes match on (default `severity`).
    #[serde(default = "default_label")]
    pub label: String,
    /// Severity values of alerts meant to page, besides fast-burn SLO
    /// alerts (default: none).
    #[serde(default)]
    pub page_severities: Vec<String>,
}

fn default_label() -> String {
    "severity".to_string()
}

/// Why the alert is meant to page, if it is: a fast-burn SLO alert, a
/// Sloth page alert, or a severity in `page-severities`.
fn meant_to_page(g: &RuleGroup, r: &PromRule, p: &Route) -> Option<String> {
    if r.expr.as_ref().is_some_and(|e| fast_burn(&e.value)) {
        return Some("a fast-burn SLO alert".to_string());
    }
    if label_value(g, r, "sloth_severity").is_some_and(|v| v.value == "page") {
        return Some("Sloth's page alert".to_string());
    }
    let v = label_value(g, r, &p.label)?;
    p.page_severities
        .iter()
        .any(|s| s == v.value.trim())
        .then(|| format!("{}={}, in page-severities", p.label, v.value.trim()))
}

/// Runs `alerts.route`.
pub fn check(ctx: &Context, p: &Route, sink: &mut Sink) {
    for c in configs(ctx) {
        let Some(root) = &c.route else { continue };
        let on_label = routes_on(root, &p.label);
        let mut matched = std::collections::BTreeSet::new();
        crate::alertmanager::route::matched_labels(root, &mut matched);
        for (f, g, r) in alerts(ctx) {
            let labels = static_labels(g, r);
            // Routing on a label the rule does not set (`namespace`, `team`,
            // `cluster`: the series bring them, and the operator's
            // AlertmanagerConfig routes all match `namespace`) is decided at
            // alert time: no claim about where this alert goes is certain.
            if matched
                .iter()
                .any(|l| l != "alertname" && *l != p.label && !labels.contains_key(l))
            {
                continue;
            }
            let reached = route(root, &labels);
            let names: Vec<&str> = reached.iter().map(|x| x.receiver.as_str()).collect();
            let shown = names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let silent = reached.iter().all(|x| {
                c.receiver(&x.receiver)
                    .is_some_and(|rc| rc.integrations.is_empty())
                    && pages_why(ctx, c, &x.receiver).is_none()
            });
            if silent && let Some(why) = meant_to_page(g, r, p) {
                sink.report(
                    &f.path,
                    name_pos(r),
                    format!(
                        "paging alert `{}` ({why}) reaches only {shown} in {} ({}), a receiver with no integration: nobody is notified; route it to a receiver that pages",
                        r.name(),
                        c.site(),
                        c.source
                    ),
                );
                continue;
            }
            if on_label && reached.iter().all(|x| x.root) {
                let value = label_value(g, r, &p.label);
                let (pos, what) = match &value {
                    Some(v) => (
                        v.pos,
                        format!(
                            "no route matches its labels (`{}: {}`, …)",
                            p.label,
                            v.value.trim()
                        ),
                    ),
                    None => (name_pos(r), format!("it has no `{}` label", p.label)),
                };
                sink.push(
                    sink.finding(
                        &f.path,
                        pos,
                        format!(
                            "alert `{}` falls through to the root receiver {shown} of {}: the routes match on `{}` but {what}; use a value the routes match, or add a route",
                            r.name(),
                            c.site(),
                            p.label
                        ),
                    )
                    .with_level(Level::Warning),
                );
            }
        }
    }
}

/// The values routes select `label` by, over every configuration with a
/// routing tree: `=` values and plain `=~` alternatives, and where
/// (`path:line`, comma-separated). `None` when no route has a positive
/// (`=`, `=~`) matcher on the label.
pub(crate) fn routed_values(ctx: &Context, label: &str) -> Option<(Vec<String>, String)> {
    let mut values = Vec::new();
    let mut sites = Vec::new();
    for c in configs(ctx) {
        let Some(root) = &c.route else { continue };
        if positive_matchers(root, label).is_empty() {
            continue;
        }
        crate::alertmanager::route::values_routed_on(root, label, &mut values);
        sites.push(c.site());
    }
    (!sites.is_empty()).then(|| (values, sites.join(", ")))
}

/// Whether some route's positive matcher on `label` accepts `value`.
pub(crate) fn value_routed(ctx: &Context, label: &str, value: &str) -> bool {
    configs(ctx)
        .iter()
        .filter_map(|c| c.route.as_ref())
        .any(|root| {
            positive_matchers(root, label)
                .iter()
                .any(|m| m.matches(value))
        })
}

fn positive_matchers<'a>(
    r: &'a crate::alertmanager::config::Route,
    label: &str,
) -> Vec<&'a crate::alertmanager::matcher::Matcher> {
    use crate::alertmanager::matcher::MatchOp;
    let mut out: Vec<_> = r
        .matchers
        .iter()
        .filter(|m| m.name == label && matches!(m.op, MatchOp::Equal | MatchOp::Regex))
        .collect();
    for c in &r.routes {
        out.extend(positive_matchers(c, label));
    }
    out
}
