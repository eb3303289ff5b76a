//! Reading helpers shared by the dialects: positions, non-empty strings,
//! objectives, query languages and the SLI category guess.

use super::model::{Objective, SliCategory, SliQuery, SloDocument, SloSpec};
use crate::yaml::{Node, Pos};

/// Reads the objective under `key` into `s.objective` as a ratio 0–1,
/// dividing the written value by `scale` (100 for percent: Sloth's
/// `objective: 99.9`, Pyrra's `"99.5"`, OpenSLO's `targetPercent`; 1 for
/// ratios: OpenSLO's `target`, slo-generator's `goal`), or records a schema
/// issue: `missing` when the key is absent (at the parent), `wrong(value)`
/// when the value is not a number (at the value).
pub(super) fn objective_at(
    parent: &Node,
    key: &str,
    scale: f64,
    s: &mut SloSpec,
    missing: &str,
    wrong: impl Fn(&Node) -> String,
) {
    match parent.get(key) {
        None => s.schema_issues.push((parent.pos, missing.to_string())),
        Some(v) => match v.as_f64() {
            Some(x) => {
                s.objective = Some(Objective {
                    ratio: x / scale,
                    raw: v.scalar_text().unwrap_or_default(),
                    pos: at(parent, key),
                })
            }
            None => s.schema_issues.push((at(parent, key), wrong(v))),
        },
    }
}

/// A value's position, or its key's when the value has none (an empty value).
pub(super) fn at(parent: &Node, key: &str) -> Pos {
    match (parent.get(key), parent.key(key)) {
        (Some(v), _) if v.pos.line > 0 => v.pos,
        (_, Some(k)) => k.pos,
        _ => parent.pos,
    }
}

/// A non-empty string value with its position.
pub(super) fn text(parent: &Node, key: &str) -> Option<(String, Pos)> {
    let v = parent.get(key)?;
    let s = v.scalar_text()?;
    if s.trim().is_empty() {
        return None;
    }
    Some((s, at(parent, key)))
}

pub(super) fn empty_spec(d: &SloDocument, pos: Pos, name: &str) -> SloSpec {
    SloSpec {
        format: d.format,
        path: d.path.clone(),
        pos,
        service: None,
        name: name.to_string(),
        objective: None,
        window: None,
        window_in_file: false,
        sli: Vec::new(),
        category: SliCategory::Other,
        generates_burn_rate_alerts: false,
        generates_page_alert: false,
        generates_ticket_alert: false,
        alerts_disabled_at: Vec::new(),
        placeholder: false,
        schema_issues: Vec::new(),
    }
}

/// A spec of a Kubernetes-style SLO object (Pyrra, slo-generator) named by
/// its `metadata.name`, with the issue "`metadata.name` is required" (at
/// `metadata`, else the document) when it has none.
pub(super) fn named_spec(d: &SloDocument) -> SloSpec {
    let doc = &d.node;
    let name = doc
        .path("metadata.name")
        .and_then(Node::scalar_text)
        .unwrap_or_default();
    let mut s = empty_spec(d, doc.pos, &name);
    if name.is_empty() {
        s.schema_issues.push((
            doc.get("metadata").map_or(doc.pos, |m| m.pos),
            "`metadata.name` is required".to_string(),
        ));
    }
    s
}

/// The object's `spec` when it is a mapping; else `None`, with `s` made a
/// placeholder carrying the issue "`spec` is required" (at the document).
pub(super) fn spec_of<'a>(d: &'a SloDocument, s: &mut SloSpec) -> Option<&'a Node> {
    let spec = d.node.get("spec").filter(|s| s.is_map());
    if spec.is_none() {
        s.schema_issues
            .push((d.node.pos, "`spec` is required".to_string()));
        s.placeholder = true;
    }
    spec
}

pub(super) fn placeholder(d: &SloDocument, pos: Pos, name: &str, issue: &str) -> SloSpec {
    let mut s = empty_spec(d, pos, name);
    s.placeholder = true;
    s.schema_issues.push((pos, issue.to_string()));
    s
}

/// Latency hints in a name or description.
pub(super) fn mentions_latency(s: &str) -> bool {
    let s = s.to_ascii_lowercase();
    [
        "latency",
        "duration",
        "slow",
        "response-time",
        "response_time",
        "response time",
    ]
    .iter()
    .any(|w| s.contains(w))
}

/// A histogram-bucket SLI (`…_bucket{…le="0.25"…}`) measures latency.
fn is_bucket_query(q: &str) -> bool {
    q.contains("_bucket") && (q.contains("le=") || q.contains("le =") || q.contains("le=~"))
}

pub(super) fn categorise(hints: &[&str], sli: &[SliQuery], default: SliCategory) -> SliCategory {
    if hints.iter().any(|h| mentions_latency(h)) || sli.iter().any(|q| is_bucket_query(&q.query)) {
        SliCategory::Latency
    } else {
        default
    }
}

pub(super) fn query(role: &str, node: &Node, key: &str, language: &str) -> Option<SliQuery> {
    let (q, pos) = text(node, key)?;
    Some(SliQuery {
        role: role.to_string(),
        query: q,
        pos,
        language: language.to_string(),
    })
}

/// `promql` for Prometheus-compatible sources (Prometheus, Thanos, Cortex,
/// Mimir, VictoriaMetrics, Sloth), else the source type lowercased.
pub(super) fn language_of(source: &str) -> String {
    let s = source.to_ascii_lowercase();
    let promql = [
        "prometheus",
        "sloth",
        "promql",
        "thanos",
        "cortex",
        "mimir",
        "victoriametrics",
        "amazonprometheus",
        "grafana",
    ];
    if promql.iter().any(|p| s == *p) {
        "promql".to_string()
    } else {
        s
    }
}
