//! The alerting chain: the repository's Alertmanager configuration
//! ([`crate::alertmanager`]) checked as Alertmanager would load it
//! (`alerts/alertmanager-config`), and each alert routed through it
//! (`alerts/route`).
//!
//! Which receivers page: those with a PagerDuty, Opsgenie or VictorOps
//! integration ([`crate::alertmanager::config::PAGING_INTEGRATIONS`]), and
//! those named in prr.yaml's `paging-receivers`.

use super::Context;
use super::alerts::{alerts, fast_burn, label_value, name_pos};
use crate::alertmanager::AmConfig;
use crate::alertmanager::route::{route, routes_on, static_labels};
use crate::finding::{Finding, Level};
use crate::formats::prometheus_rules::{PromRule, RuleGroup};
use crate::rules::Rule;
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
            super::alerts::alerts(ctx).any(|(_, _, r)| {
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
// alerts/alertmanager-config

/// Parameters of `alerts.alertmanager-config` (none).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertmanagerConfig {}

/// Runs `alerts.alertmanager-config`: what Alertmanager would refuse to load.
pub fn alertmanager_config(ctx: &Context, rule: &Rule, _: &AlertmanagerConfig) -> Vec<Finding> {
    configs(ctx)
        .iter()
        .flat_map(|c| {
            c.problems.iter().map(|p| {
                Finding::new(
                    &rule.id,
                    &c.path,
                    p.pos,
                    format!("{} ({}): {}", describe(c), c.source, p.message),
                )
            })
        })
        .collect()
}

fn describe(c: &AmConfig) -> &'static str {
    if c.source.starts_with("AlertmanagerConfig") {
        "prometheus-operator would not load this Alertmanager configuration"
    } else {
        "Alertmanager would not load this configuration"
    }
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
pub fn check(ctx: &Context, rule: &Rule, p: &Route) -> Vec<Finding> {
    let mut out = Vec::new();
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
                out.push(Finding::new(
                    &rule.id,
                    &f.path,
                    name_pos(r),
                    format!(
                        "paging alert `{}` ({why}) reaches only {shown} in {} ({}), a receiver with no integration: nobody is notified; route it to a receiver that pages",
                        r.name(),
                        c.site(),
                        c.source
                    ),
                ));
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
                out.push(
                    Finding::new(
                        &rule.id,
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
    out
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

#[cfg(test)]
mod tests {
    use crate::finding::Level;
    use crate::testutil::{findings, repo};

    /// A fast-burn SLO alert (5m and 1h windows) and a plain one.
    const RULES: &str = "groups:
- name: slo
  rules:
  - alert: CheckoutBurn
    expr: job:errors:ratio_rate5m > 14.4 * 0.001 and job:errors:ratio_rate1h > 14.4 * 0.001
    labels: {severity: critical}
  - alert: DiskFull
    expr: node_filesystem_avail_bytes < 1
    labels: {severity: crit}
";

    fn am(page_receiver: &str) -> String {
        format!(
            "route:
  receiver: chat
  routes:
  - matchers: [severity=\"critical\"]
    receiver: {page_receiver}
  - matchers: [severity=\"warning\"]
    receiver: chat
receivers:
- name: chat
  slack_configs: [{{channel: '#a', api_url: 'https://hooks.slack.invalid/x'}}]
- name: pager
  pagerduty_configs: [{{routing_key: k}}]
- name: \"null\"
"
        )
    }

    /// prometheus-operator's AlertmanagerConfig routes all match
    /// `namespace`, which a PrometheusRule's alerts get from their series,
    /// not from the rule: where such an alert goes is decided at alert
    /// time, so no "nobody is notified" claim is made (the reviewer's case:
    /// a fast burn in `shop` routed to PagerDuty by the operator's tree).
    #[test]
    fn routing_on_a_label_the_rule_does_not_set_makes_no_claim() {
        let operator = "apiVersion: monitoring.coreos.com/v1alpha1
kind: AlertmanagerConfig
metadata: {name: shop, namespace: shop}
spec:
  route:
    receiver: pager
    matchers: [{name: severity, value: critical}]
  receivers:
  - name: pager
    pagerdutyConfigs: [{routingKey: {name: pd, key: k}}]
";
        let dir = repo(&[("rules.yaml", RULES), ("amc.yaml", operator)]);
        let fs = findings(dir.path(), "alerts/route");
        assert!(fs.iter().all(|f| f.level != Level::Error), "{fs:?}");
        // Must fire: the same blackhole routing with only rule labels.
        let dir = repo(&[("rules.yaml", RULES), ("alertmanager.yml", &am("\"null\""))]);
        assert!(
            findings(dir.path(), "alerts/route")
                .iter()
                .any(|f| f.level == Level::Error)
        );
    }

    #[test]
    fn a_page_alert_routed_to_a_blackhole_is_an_error() {
        let dir = repo(&[("rules.yaml", RULES), ("alertmanager.yml", &am("\"null\""))]);
        let fs: Vec<_> = findings(dir.path(), "alerts/route")
            .into_iter()
            .filter(|f| f.level == Level::Error)
            .collect();
        assert_eq!(fs.len(), 1, "{fs:#?}");
        assert_eq!((fs[0].path.as_str(), fs[0].line), ("rules.yaml", 4));
        assert!(
            fs[0].message.contains("paging alert `CheckoutBurn` (a fast-burn SLO alert) reaches only `null` in alertmanager.yml:1"),
            "{}",
            fs[0].message
        );
        // Routed to the pager: no error.
        let dir = repo(&[("rules.yaml", RULES), ("alertmanager.yml", &am("pager"))]);
        let errors = findings(dir.path(), "alerts/route")
            .into_iter()
            .filter(|f| f.level == Level::Error)
            .count();
        assert_eq!(errors, 0);
    }

    #[test]
    fn page_severities_mark_alerts_meant_to_page() {
        let rules = "groups:\n- name: g\n  rules:\n  - alert: Down\n    expr: up == 0\n    labels: {severity: critical}\n";
        let dir = repo(&[("rules.yaml", rules), ("alertmanager.yml", &am("\"null\""))]);
        assert_eq!(findings(dir.path(), "alerts/route"), vec![]);
        let cfg = "rules:\n  alerts/route: {with: {page-severities: [critical]}}\n";
        let dir = repo(&[
            ("rules.yaml", rules),
            ("alertmanager.yml", &am("\"null\"")),
            ("prr.yaml", cfg),
        ]);
        let fs = findings(dir.path(), "alerts/route");
        assert_eq!(fs.len(), 1, "{fs:#?}");
        assert!(
            fs[0]
                .message
                .contains("severity=critical, in page-severities")
        );
    }

    #[test]
    fn falling_through_to_the_root_when_routes_match_severity_is_a_warning() {
        let dir = repo(&[("rules.yaml", RULES), ("alertmanager.yml", &am("pager"))]);
        let fs = findings(dir.path(), "alerts/route");
        assert_eq!(fs.len(), 1, "{fs:#?}");
        assert_eq!(fs[0].level, Level::Warning);
        assert_eq!(fs[0].line, 9, "at the severity value");
        assert!(
            fs[0]
                .message
                .contains("alert `DiskFull` falls through to the root receiver `chat`")
        );
        assert!(
            fs[0]
                .message
                .contains("no route matches its labels (`severity: crit`, …)")
        );
        // A tree that does not route on severity: no warning.
        let by_team = am("pager")
            .replace("severity=\"critical\"", "team=\"a\"")
            .replace("severity=\"warning\"", "team=\"b\"");
        let dir = repo(&[("rules.yaml", RULES), ("alertmanager.yml", &by_team)]);
        assert_eq!(findings(dir.path(), "alerts/route"), vec![]);
    }

    #[test]
    fn severity_values_come_from_the_routes() {
        // `crit` is used once, `critical` once: the vocabulary alone would
        // accept both; the routes match `critical` and `warning` only.
        let dir = repo(&[("rules.yaml", RULES), ("alertmanager.yml", &am("pager"))]);
        let fs = findings(dir.path(), "alerts/severity-label");
        assert_eq!(fs.len(), 1, "{fs:#?}");
        assert_eq!(fs[0].line, 9);
        assert!(
            fs[0].message.contains("`severity: crit`, which no route of the Alertmanager configuration (alertmanager.yml:1) matches (they match critical, warning)"),
            "{}",
            fs[0].message
        );
        // Without the Alertmanager configuration: no finding on `crit`.
        let dir = repo(&[("rules.yaml", RULES)]);
        let fs: Vec<_> = findings(dir.path(), "alerts/severity-label")
            .into_iter()
            .filter(|f| f.line == 9)
            .collect();
        assert_eq!(fs, vec![]);
    }

    #[test]
    fn configuration_problems_are_findings_at_their_line() {
        let bad = am("pagr");
        let dir = repo(&[("rules.yaml", RULES), ("alertmanager.yml", &bad)]);
        let fs = findings(dir.path(), "alerts/alertmanager-config");
        assert_eq!(fs.len(), 1, "{fs:#?}");
        assert_eq!(
            (fs[0].path.as_str(), fs[0].line, fs[0].level),
            ("alertmanager.yml", 5, Level::Error)
        );
        assert!(
            fs[0]
                .message
                .ends_with("undefined receiver \"pagr\" used in route"),
            "{}",
            fs[0].message
        );
        let dir = repo(&[("rules.yaml", RULES), ("alertmanager.yml", &am("pager"))]);
        assert_eq!(findings(dir.path(), "alerts/alertmanager-config"), vec![]);
        // Not YAML of the right shape at all: no crash, no configuration.
        let dir = repo(&[("alertmanager.yml", "route: [1, 2]\nreceivers: 3\n")]);
        assert_eq!(findings(dir.path(), "alerts/alertmanager-config"), vec![]);
        let dir = repo(&[(
            "alertmanager.yml",
            "route: {receiver: x, routes: 3, matchers: 5}\nreceivers: [1, {name: x}]\n",
        )]);
        let fs = findings(dir.path(), "alerts/alertmanager-config");
        assert!(
            fs.iter()
                .any(|f| f.message.contains("a receiver must be a mapping")),
            "{fs:#?}"
        );
    }
}
