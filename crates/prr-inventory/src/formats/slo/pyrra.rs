//! Pyrra `pyrra.dev/v1alpha1` `ServiceLevelObjective`.

use super::model::{SliCategory, SloDocument, SloSpec, TimeWindow};
use super::read::{at, categorise, named_spec, objective_at, query, spec_of, text};
use crate::yaml::Node;

pub(super) fn pyrra(d: &SloDocument) -> SloSpec {
    let doc = &d.node;
    let mut s = named_spec(d);
    s.window_in_file = true;
    s.service = doc
        .path("metadata.labels")
        .and_then(|l| {
            [
                "service",
                "app.kubernetes.io/part-of",
                "app.kubernetes.io/name",
            ]
            .iter()
            .find_map(|k| l.get(k))
        })
        .and_then(Node::scalar_text);
    let Some(spec) = spec_of(d, &mut s) else {
        return s;
    };
    objective_at(
        spec,
        "target",
        100.0,
        &mut s,
        "`spec.target` is required (percent as a string, e.g. \"99.5\")",
        |v| {
            format!(
                "`spec.target` must be a percent such as \"99.5\", found `{}`",
                v.scalar_text().unwrap_or_else(|| v.type_name().to_string())
            )
        },
    );
    if let Some((raw, pos)) = text(spec, "window") {
        s.window = Some(TimeWindow {
            seconds: crate::formats::parse_duration(&raw),
            raw,
            pos,
        });
    }
    let ind = spec.get("indicator").unwrap_or(Node::null());
    let mut latency = false;
    let metric = |s: &mut SloSpec, parent: &Node, key: &str, role: &str| match parent
        .get(key)
        .and_then(|m| query(role, m, "metric", "promql"))
    {
        Some(q) => s.sli.push(q),
        None => s
            .schema_issues
            .push((parent.pos, format!("`{key}.metric` is required"))),
    };
    if let Some(r) = ind.get("ratio") {
        metric(&mut s, r, "errors", "errors");
        metric(&mut s, r, "total", "total");
    } else if let Some(l) = ind.get("latency") {
        latency = true;
        metric(&mut s, l, "success", "success");
        metric(&mut s, l, "total", "total");
    } else if let Some(l) = ind.get("latencyNative") {
        latency = true;
        metric(&mut s, l, "total", "total");
    } else if let Some(b) = ind.get("bool_gauge").or_else(|| ind.get("boolGauge")) {
        match query("bool-gauge", b, "metric", "promql") {
            Some(q) => s.sli.push(q),
            None => s
                .schema_issues
                .push((b.pos, "`bool_gauge.metric` is required".to_string())),
        }
    } else {
        let pos = if spec.get("indicator").is_some() {
            at(spec, "indicator")
        } else {
            spec.pos
        };
        s.schema_issues.push((
            pos,
            "`spec.indicator` needs `ratio`, `latency`, `latencyNative` or `bool_gauge`"
                .to_string(),
        ));
    }
    // Pyrra generates multi-window multi-burn-rate alerts unless switched off.
    let alerting = spec.get("alerting").unwrap_or(Node::null());
    let off = if alerting.get("disabled").and_then(Node::as_bool) == Some(true) {
        Some(at(alerting, "disabled"))
    } else if alerting.get("burnrates").and_then(Node::as_bool) == Some(false) {
        Some(at(alerting, "burnrates"))
    } else {
        None
    };
    match off {
        Some(pos) => s.alerts_disabled_at.push(("all".to_string(), pos)),
        None => {
            s.generates_page_alert = true;
            s.generates_ticket_alert = true;
            s.generates_burn_rate_alerts = true;
        }
    }
    let desc = spec.get("description").and_then(Node::as_str).unwrap_or("");
    let default = if latency {
        SliCategory::Latency
    } else {
        SliCategory::Availability
    };
    s.category = categorise(&[&s.name, desc], &s.sli, default);
    s
}
