//! Sloth: `version: prometheus/v1` files and the `sloth.slok.dev/v1`
//! `PrometheusServiceLevel` CRD, validated as Sloth's `validation.ValidateSLO`.

use super::has_window_template;
use super::model::{SliCategory, SloDocument, SloSpec};
use super::read::{at, categorise, empty_spec, objective_at, placeholder, query, text};
use crate::yaml::{Node, Pos};

/// Sloth's name rule for SLO names, IDs and services (`conventions.NameRegexp`):
/// start and end with an alphanumeric, only alphanumerics, `.`, `_`, `-` inside.
pub fn valid_sloth_name(name: &str) -> bool {
    let b = name.as_bytes();
    let edge = |c: &u8| c.is_ascii_alphanumeric();
    b.len() >= 2
        && b.first().is_some_and(edge)
        && b.last().is_some_and(edge)
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
}

/// A valid Prometheus label name (`[a-zA-Z_][a-zA-Z0-9_]*`), as Sloth requires
/// for its `labels:` keys.
pub fn valid_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A Sloth `prometheus/v1` file (`root` = the document) or the `spec` of a
/// `PrometheusServiceLevel` (`crd`: camelCase keys). Validation follows
/// Sloth's `validation.ValidateSLO`.
pub(super) fn sloth(d: &SloDocument, root: &Node, crd: bool, out: &mut Vec<SloSpec>) {
    let key = |snake: &'static str, camel: &'static str| if crd { camel } else { snake };
    let prefix = if crd { "spec." } else { "" };
    let mut common: Vec<(Pos, String)> = Vec::new();
    let service = match root.get("service") {
        None => {
            common.push((
                root.pos,
                format!("`{prefix}service` is required: the service the SLOs belong to"),
            ));
            None
        }
        Some(v) => {
            let s = v.scalar_text().unwrap_or_default();
            if s.is_empty() {
                common.push((
                    at(root, "service"),
                    format!("`{prefix}service` is empty: name the service the SLOs belong to"),
                ));
            } else if !valid_sloth_name(&s) {
                common.push((
                    at(root, "service"),
                    format!(
                        "service `{s}` is not a valid Sloth name: it must start and end with a letter or digit and contain only letters, digits, `.`, `_` and `-`"
                    ),
                ));
            }
            if s.is_empty() { None } else { Some(s) }
        }
    };
    check_labels(root, &mut common);
    let slos = root.get("slos").map(Node::items).unwrap_or_default();
    if slos.is_empty() {
        let pos = if root.get("slos").is_some() {
            at(root, "slos")
        } else {
            root.pos
        };
        let mut p = placeholder(
            d,
            pos,
            "",
            &format!("`{prefix}slos` needs at least one SLO"),
        );
        p.service = service;
        p.schema_issues.extend(common);
        out.push(p);
        return;
    }
    for item in slos {
        let name = item
            .get("name")
            .and_then(Node::scalar_text)
            .unwrap_or_default();
        let mut s = empty_spec(d, item.pos, &name);
        s.service = service.clone();
        s.schema_issues.extend(common.iter().cloned());
        if item.get("name").is_none() {
            s.schema_issues
                .push((item.pos, "SLO `name` is required".to_string()));
        } else if !valid_sloth_name(&name) {
            s.schema_issues.push((
                at(item, "name"),
                format!("SLO name `{name}` is not a valid Sloth name: it must start and end with a letter or digit and contain only letters, digits, `.`, `_` and `-`"),
            ));
        }
        objective_at(
            item,
            "objective",
            100.0,
            &mut s,
            "`objective` is required (percent, e.g. 99.9)",
            |v| {
                format!(
                    "`objective` must be a number in percent (e.g. 99.9), found {}",
                    v.type_name()
                )
            },
        );
        check_labels(item, &mut s.schema_issues);
        let language = if uses_victoria_metrics(root) || uses_victoria_metrics(item) {
            "metricsql"
        } else {
            "promql"
        };
        sloth_sli(item, crd, language, &mut s);
        // Alerting.
        let alerting = item.get("alerting").unwrap_or(Node::null());
        let page = alerting
            .get(key("page_alert", "pageAlert"))
            .unwrap_or(Node::null());
        let ticket = alerting
            .get(key("ticket_alert", "ticketAlert"))
            .unwrap_or(Node::null());
        let disabled = |n: &Node| n.get("disable").and_then(Node::as_bool) == Some(true);
        s.generates_page_alert = !disabled(page);
        s.generates_ticket_alert = !disabled(ticket);
        s.generates_burn_rate_alerts = s.generates_page_alert && s.generates_ticket_alert;
        if disabled(page) {
            s.alerts_disabled_at
                .push(("page".to_string(), at(page, "disable")));
        }
        if disabled(ticket) {
            s.alerts_disabled_at
                .push(("ticket".to_string(), at(ticket, "disable")));
        }
        if (s.generates_page_alert || s.generates_ticket_alert) && text(alerting, "name").is_none()
        {
            let pos = if alerting.get("name").is_some() {
                at(alerting, "name")
            } else if item.get("alerting").is_some() {
                at(item, "alerting")
            } else {
                item.pos
            };
            s.schema_issues.push((
                pos,
                format!(
                    "`alerting.name` is required while the page or ticket alert is enabled (set it, or `{}: {{disable: true}}` and `{}: {{disable: true}}`)",
                    key("page_alert", "pageAlert"),
                    key("ticket_alert", "ticketAlert")
                ),
            ));
        }
        for n in [alerting, page, ticket] {
            check_labels(n, &mut s.schema_issues);
        }
        let desc = item.get("description").and_then(Node::as_str).unwrap_or("");
        let default = if s.sli.is_empty() && item.path("sli.plugin").is_none() {
            SliCategory::Other
        } else {
            SliCategory::Availability
        };
        let plugin_id = item
            .path("sli.plugin.id")
            .and_then(Node::as_str)
            .unwrap_or("");
        s.category = categorise(&[&name, desc, plugin_id], &s.sli, default);
        out.push(s);
    }
}

/// Sloth `labels:` keys must be Prometheus label names (not `__name__`).
fn check_labels(parent: &Node, issues: &mut Vec<(Pos, String)>) {
    let Some(labels) = parent.get("labels") else {
        return;
    };
    for (k, _) in labels.entries() {
        if !valid_label_name(&k.name) || k.name == "__name__" {
            issues.push((
                k.pos,
                format!(
                    "label name `{}` is not a valid Prometheus label name",
                    k.name
                ),
            ));
        }
    }
}

/// Whether a Sloth spec (or SLO) runs Sloth's VictoriaMetrics validation
/// plugin (`sloth.dev/contrib/validate_victoria_metrics/v1`): its queries are
/// then MetricsQL, not PromQL.
fn uses_victoria_metrics(n: &Node) -> bool {
    ["slo_plugins", "sloPlugins", "plugins"]
        .iter()
        .filter_map(|k| n.get(k))
        .flat_map(|p| p.get("chain").map(Node::items).unwrap_or_default())
        .filter_map(|p| p.get("id").and_then(Node::as_str))
        .any(|id| id.contains("victoria_metrics"))
}

fn sloth_sli(item: &Node, crd: bool, language: &str, s: &mut SloSpec) {
    let key = |snake: &'static str, camel: &'static str| if crd { camel } else { snake };
    let Some(sli) = item.get("sli") else {
        s.schema_issues.push((
            item.pos,
            "`sli` is required: `events`, `raw` or `plugin`".to_string(),
        ));
        return;
    };
    let kinds: Vec<&str> = ["events", "raw", "plugin"]
        .into_iter()
        .filter(|k| sli.get(k).is_some())
        .collect();
    if kinds.is_empty() {
        s.schema_issues.push((
            at(item, "sli"),
            "`sli` needs one SLI type: `events` (error and total queries), `raw` (an error ratio query) or `plugin`".to_string(),
        ));
        return;
    }
    if kinds.len() > 1 {
        s.schema_issues.push((
            at(item, "sli"),
            format!(
                "`sli` must have only one SLI type, found {}",
                kinds.join(", ")
            ),
        ));
    }
    let require = |s: &mut SloSpec, node: &Node, parent_key: &str, k: &str, role: &str| match query(
        role, node, k, language,
    ) {
        Some(q) => {
            if !has_window_template(&q.query) {
                s.schema_issues.push((q.pos, format!("`{k}` must use the `{{{{.window}}}}` template variable for the range (e.g. `rate(x[{{{{.window}}}}])`)")));
            }
            s.sli.push(q);
        }
        None => s.schema_issues.push((
            at(sli, parent_key),
            format!("`sli.{parent_key}.{k}` is required"),
        )),
    };
    if let Some(events) = sli.get("events") {
        let (e, t) = (
            key("error_query", "errorQuery"),
            key("total_query", "totalQuery"),
        );
        require(s, events, "events", e, "errors");
        require(s, events, "events", t, "total");
        if let (Some((eq, _)), Some((tq, tp))) = (text(events, e), text(events, t))
            && eq.trim() == tq.trim()
        {
            s.schema_issues.push((
                tp,
                format!("`{e}` and `{t}` are the same query: the error ratio would always be 1"),
            ));
        }
    }
    if let Some(raw) = sli.get("raw") {
        require(
            s,
            raw,
            "raw",
            key("error_ratio_query", "errorRatioQuery"),
            "error-ratio",
        );
    }
    if let Some(plugin) = sli.get("plugin")
        && text(plugin, "id").is_none()
    {
        s.schema_issues
            .push((at(sli, "plugin"), "`sli.plugin.id` is required".to_string()));
    }
}
