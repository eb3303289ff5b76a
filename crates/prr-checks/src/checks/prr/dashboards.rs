//! `prr.dashboards` (rule `prr/dashboards`): every service has a dashboard
//! showing the golden signals (Grafana JSON, ConfigMaps, GrafanaDashboards,
//! grafonnet).

use super::report_service;
use crate::checks::generic::pos_of;
use crate::checks::{Context, Sink};
use crate::formats::k8s::K8sObject;
use crate::inventory::{FileKind, SourceFile};
use crate::yaml::{Node, Pos};
use serde::Deserialize;
use std::collections::BTreeMap;

fn default_signals() -> BTreeMap<String, Vec<String>> {
    let kw = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    BTreeMap::from([
        (
            "latency".to_string(),
            kw(&[
                "latency",
                "duration",
                "response time",
                "histogram_quantile",
                "_bucket",
                "p50",
                "p95",
                "p99",
            ]),
        ),
        (
            "traffic".to_string(),
            kw(&[
                "traffic",
                "throughput",
                "requests",
                "request rate",
                "rps",
                "qps",
                "_requests_total",
                "_received_total",
            ]),
        ),
        (
            "errors".to_string(),
            kw(&["error", "5xx", "fail", "success rate", "availability"]),
        ),
        (
            "saturation".to_string(),
            kw(&[
                "saturation",
                "cpu",
                "memory",
                "utilization",
                "utilisation",
                "queue",
                "throttl",
                "in-flight",
                "inflight",
                "pool",
                "disk",
            ]),
        ),
    ])
}

fn default_dashboard_files() -> Vec<String> {
    [
        "**/*.json",
        "**/*.yaml",
        "**/*.yml",
        "**/*.jsonnet",
        "**/*.libsonnet",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Parameters of `prr.dashboards`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Dashboards {
    /// Signal → keywords. A signal is covered when a keyword occurs
    /// (case-insensitive substring) in a panel's title, description or
    /// queries (every string of its `targets`). Replacing `signals`
    /// replaces the whole map. Default: the four golden signals (latency,
    /// traffic, errors, saturation) with the keywords of the rule file.
    #[serde(default = "default_signals")]
    pub signals: BTreeMap<String, Vec<String>>,
    /// Globs of files read as dashboards (default `**/*.json`, `**/*.yaml`,
    /// `**/*.yml`, `**/*.jsonnet`, `**/*.libsonnet`).
    #[serde(default = "default_dashboard_files")]
    pub files: Vec<String>,
}

/// A dashboard found in the repository.
struct Dashboard {
    path: String,
    pos: Pos,
    /// Lowercased panel titles, descriptions and queries.
    corpus: Vec<String>,
}

/// The panels of a Grafana dashboard model (`panels`, legacy `rows[].panels`),
/// or of the API envelope `{"dashboard": {…}}`; `None` if `v` is no dashboard.
fn dashboard_panels(v: &serde_json::Value) -> Option<Vec<&serde_json::Value>> {
    let d = match v.get("dashboard") {
        Some(d) if d.is_object() => d,
        _ => v,
    };
    let panels = d.get("panels").and_then(|p| p.as_array());
    let rows = d.get("rows").and_then(|r| r.as_array());
    if panels.is_none() && rows.is_none() {
        return None;
    }
    let mut out: Vec<&serde_json::Value> = panels.map(|p| p.iter().collect()).unwrap_or_default();
    for r in rows.into_iter().flatten() {
        if let Some(p) = r.get("panels").and_then(|p| p.as_array()) {
            out.extend(p);
        }
    }
    Some(out)
}

fn collect_strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.to_lowercase()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}

/// Titles, descriptions and target strings of `panels` and of the panels
/// nested in them (collapsed rows), lowercased.
fn panel_corpus(panels: &[&serde_json::Value], out: &mut Vec<String>, depth: usize) {
    if depth > 8 {
        return;
    }
    for p in panels {
        for k in ["title", "description"] {
            if let Some(s) = p.get(k).and_then(|s| s.as_str()) {
                out.push(s.to_lowercase());
            }
        }
        if let Some(t) = p.get("targets") {
            collect_strings(t, out);
        }
        if let Some(inner) = p.get("panels").and_then(|p| p.as_array()) {
            let inner: Vec<&serde_json::Value> = inner.iter().collect();
            panel_corpus(&inner, out, depth + 1);
        }
    }
}

fn json_dashboard(text: &str) -> Option<Vec<String>> {
    // Most JSON files are no dashboard (package-lock.json, fixtures): skip
    // the parse unless a dashboard key occurs.
    if !text.contains("\"panels\"") && !text.contains("\"rows\"") {
        return None;
    }
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    let panels = dashboard_panels(&v)?;
    let mut corpus = Vec::new();
    panel_corpus(&panels, &mut corpus, 0);
    Some(corpus)
}

/// Dashboards of one file: a dashboard JSON file; in YAML, ConfigMaps
/// whose `data` values are dashboard JSON (the Grafana sidecar's format)
/// and grafana-operator `GrafanaDashboard`s (`spec.json`); a jsonnet file
/// that mentions grafonnet or grafana (its whole text is the corpus).
fn dashboards_in(ctx: &Context, f: &SourceFile) -> Vec<Dashboard> {
    let mut out = Vec::new();
    let lower = f.path.to_lowercase();
    if lower.ends_with(".json") {
        if let Some(text) = ctx.inventory.load_text(f)
            && let Some(corpus) = json_dashboard(&text)
        {
            let pos = text
                .find("\"panels\"")
                .or_else(|| text.find("\"rows\""))
                .map_or(Pos::line(1), |at| pos_of(&text, at));
            out.push(Dashboard {
                path: f.path.clone(),
                pos,
                corpus,
            });
        }
    } else if lower.ends_with(".jsonnet") || lower.ends_with(".libsonnet") {
        if let Some(text) = ctx.inventory.load_text(f) {
            let t = text.to_lowercase();
            if t.contains("grafonnet") || t.contains("grafana") {
                out.push(Dashboard {
                    path: f.path.clone(),
                    pos: Pos::line(1),
                    corpus: vec![t],
                });
            }
        }
    } else if f.kind == FileKind::Yaml {
        for doc in &f.docs {
            let Some(o) = K8sObject::from_node(&f.path, doc) else {
                continue;
            };
            let mut embedded: Vec<(&Node, Pos)> = Vec::new();
            if o.is(&[""], "ConfigMap") {
                for (k, v) in doc.get("data").map_or(&[][..], Node::entries) {
                    embedded.push((v, k.pos));
                }
            } else if o.kind == "GrafanaDashboard"
                && let Some(j) = doc.path("spec.json")
            {
                embedded.push((j, j.pos));
            }
            for (v, pos) in embedded {
                if let Some(corpus) = v.as_str().and_then(json_dashboard) {
                    out.push(Dashboard {
                        path: f.path.clone(),
                        pos,
                        corpus,
                    });
                }
            }
        }
    }
    out
}

/// Runs `prr.dashboards`: per service, its dashboards (in files within its
/// paths) must together cover every signal. One finding per service: at
/// the service when it has no dashboard, else at its first dashboard,
/// naming the signals missing.
pub fn dashboards(ctx: &Context, p: &Dashboards, sink: &mut Sink) {
    let files = crate::inventory::globset(&p.files);
    let found: Vec<Dashboard> = ctx
        .inventory
        .files
        .iter()
        .filter(|f| files.is_match(&f.path))
        .flat_map(|f| dashboards_in(ctx, f))
        .collect();
    for svc in &ctx.services {
        let mine: Vec<&Dashboard> = found
            .iter()
            .filter(|d| ctx.in_service(svc, &d.path))
            .collect();
        let Some(first) = mine.first() else {
            report_service(
                ctx,
                sink,
                svc,
                format!(
                    "service `{}` has no dashboard as code: no Grafana dashboard JSON (an object with `panels`), dashboard ConfigMap or grafonnet file is in its paths — commit the dashboard that shows its {} so it is reviewed and restored with the service",
                    svc.name,
                    p.signals.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            );
            continue;
        };
        let missing: Vec<&String> = p
            .signals
            .iter()
            .filter(|(_, kws)| {
                !mine.iter().any(|d| {
                    d.corpus.iter().any(|s| {
                        kws.iter()
                            .any(|k| !k.is_empty() && s.contains(&k.to_lowercase()))
                    })
                })
            })
            .map(|(name, _)| name)
            .collect();
        if missing.is_empty() {
            continue;
        }
        let hints: Vec<String> = missing
            .iter()
            .map(|m| {
                let kws = p.signals.get(*m).map_or(String::new(), |k| {
                    k.iter().take(3).cloned().collect::<Vec<_>>().join("/")
                });
                format!("{m} (e.g. {kws})")
            })
            .collect();
        let names: Vec<&str> = mine.iter().map(|d| d.path.as_str()).collect();
        let mut names_dedup = names.clone();
        names_dedup.dedup();
        sink.push(
            sink.finding(
                &first.path,
                first.pos,
                format!(
                    "the dashboards of service `{}` ({}) show no {}: add a panel whose title or query covers {}",
                    svc.name,
                    names_dedup.join(", "),
                    missing
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    hints.join(", ")
                ),
            )
            .with_service(&svc.name),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grafana_envelope_and_rows() {
        let c = json_dashboard(r#"{"dashboard": {"panels": [{"title": "P99 Latency"}]}}"#);
        assert_eq!(c, Some(vec!["p99 latency".to_string()]));
        let c = json_dashboard(
            r#"{"rows": [{"panels": [{"title": "CPU", "targets": [{"expr": "rate(x[5m])"}]}]}]}"#,
        );
        assert_eq!(c, Some(vec!["cpu".to_string(), "rate(x[5m])".to_string()]));
        assert_eq!(json_dashboard(r#"{"title": "no panels"}"#), None);
        assert_eq!(json_dashboard("[1, 2"), None);
    }
}
