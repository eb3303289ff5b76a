//! OpenSLO `openslo/v1` and `openslo/v1alpha` SLOs, with `indicatorRef`s
//! and `metricSourceRef`s resolved across the repository.

use super::has_window_template;
use super::model::{SliCategory, SloDocument, SloFormat, SloSpec, TimeWindow};
use super::read::{
    at, categorise, empty_spec, language_of, mentions_latency, objective_at, placeholder, query,
    text,
};
use crate::yaml::{Node, Pos};
use std::collections::HashMap;

/// The `kind: SLI` and `kind: DataSource` documents of a repository, by name,
/// for `indicatorRef` and `metricSourceRef`.
pub(super) struct OpenSloRefs<'a> {
    slis: HashMap<String, &'a Node>,
    sources: HashMap<String, String>,
}

impl<'a> OpenSloRefs<'a> {
    /// Indexes the OpenSLO `SLI` and `DataSource` documents by name (the
    /// first of a name wins).
    pub(super) fn collect(docs: &'a [SloDocument]) -> Self {
        let kind_of = |d: &SloDocument| {
            d.node
                .get("kind")
                .and_then(Node::as_str)
                .map(str::to_string)
        };
        let name_of = |d: &SloDocument| d.node.path("metadata.name").and_then(Node::scalar_text);
        let mut slis: HashMap<String, &Node> = HashMap::new();
        let mut sources: HashMap<String, String> = HashMap::new();
        for d in docs.iter().filter(|d| d.format == SloFormat::OpenSlo) {
            let (Some(kind), Some(name)) = (kind_of(d), name_of(d)) else {
                continue;
            };
            match kind.as_str() {
                "SLI" => {
                    slis.entry(name).or_insert(&d.node);
                }
                "DataSource" => {
                    if let Some(t) = d.node.path("spec.type").and_then(Node::as_str) {
                        sources.entry(name).or_insert_with(|| t.to_string());
                    }
                }
                _ => {}
            }
        }
        OpenSloRefs { slis, sources }
    }
}

pub(super) fn openslo(d: &SloDocument, refs: &OpenSloRefs, out: &mut Vec<SloSpec>) {
    let doc = &d.node;
    let v1alpha = doc.get("apiVersion").and_then(Node::as_str) == Some("openslo/v1alpha");
    let name = doc
        .path("metadata.name")
        .and_then(Node::scalar_text)
        .unwrap_or_default();
    let mut common = Vec::new();
    if name.is_empty() {
        common.push((
            doc.get("metadata").map_or(doc.pos, |m| m.pos),
            "`metadata.name` is required".to_string(),
        ));
    }
    let Some(spec) = doc.get("spec").filter(|s| s.is_map()) else {
        out.push(placeholder(d, doc.pos, &name, "`spec` is required"));
        return;
    };
    let service = text(spec, "service").map(|(s, _)| s);
    if service.is_none() {
        common.push((
            spec.pos,
            "`spec.service` is required: the service this SLO belongs to".to_string(),
        ));
    }
    let display = doc
        .path("metadata.displayName")
        .and_then(Node::as_str)
        .unwrap_or("");
    let description = spec.get("description").and_then(Node::as_str).unwrap_or("");
    // Time window.
    let window = if v1alpha {
        window_v1alpha(spec)
    } else {
        window_v1(spec)
    };
    let objectives = spec.get("objectives").map(Node::items).unwrap_or_default();
    if objectives.is_empty() {
        let pos = if spec.get("objectives").is_some() {
            at(spec, "objectives")
        } else {
            spec.pos
        };
        let mut p = placeholder(
            d,
            pos,
            &name,
            "`spec.objectives` needs at least one objective with a `target`",
        );
        p.service = service;
        p.schema_issues.extend(common);
        out.push(p);
        return;
    }
    let many = objectives.len() > 1;
    for (idx, obj) in objectives.iter().enumerate() {
        let slo_name = if many {
            format!("{name}-{idx}")
        } else {
            name.clone()
        };
        let mut s = empty_spec(d, if many { obj.pos } else { doc.pos }, &slo_name);
        s.service = service.clone();
        s.window = window.clone();
        s.window_in_file = true;
        s.schema_issues.extend(common.iter().cloned());
        // Objective: `target` (ratio) or `targetPercent` (v1).
        if obj.get("target").is_some() {
            objective_at(obj, "target", 1.0, &mut s, "", |v| {
                format!(
                    "`target` must be a ratio such as 0.999, found {}",
                    v.type_name()
                )
            });
        } else if obj.get("targetPercent").is_some() && !v1alpha {
            objective_at(obj, "targetPercent", 100.0, &mut s, "", |v| {
                format!(
                    "`targetPercent` must be a number such as 99.9, found {}",
                    v.type_name()
                )
            });
        } else {
            let which = if v1alpha {
                "`target` (a ratio such as 0.999)"
            } else {
                "`target` (ratio, e.g. 0.999) or `targetPercent` (e.g. 99.9)"
            };
            s.schema_issues
                .push((obj.pos, format!("objective needs {which}")));
        }
        let obj_name = obj.get("displayName").and_then(Node::as_str).unwrap_or("");
        let mut threshold = false;
        if v1alpha {
            threshold = openslo_v1alpha_sli(spec, obj, &mut s);
        } else {
            // Indicator: per objective (composite SLOs) or for the SLO.
            let holder = if obj.get("indicator").is_some() || obj.get("indicatorRef").is_some() {
                obj
            } else {
                spec
            };
            match resolve_indicator(holder, refs) {
                Ok(Some(ind)) => {
                    let ind_spec = ind.get("spec").unwrap_or(Node::null());
                    threshold = ind_spec.get("thresholdMetric").is_some();
                    openslo_v1_sli(ind_spec, refs, &mut s);
                    let ind_name = ind.path("metadata.name").and_then(Node::as_str).unwrap_or("");
                    let ind_desc = ind_spec.get("description").and_then(Node::as_str).unwrap_or("");
                    if mentions_latency(ind_name) || mentions_latency(ind_desc) {
                        threshold = true;
                    }
                }
                Ok(None) => s.schema_issues.push((
                    spec.pos,
                    "the SLO needs an SLI: `spec.indicator` (inline) or `spec.indicatorRef` (the name of a `kind: SLI`)".to_string(),
                )),
                Err((pos, msg)) => s.schema_issues.push((pos, msg)),
            }
        }
        if v1alpha && s.sli.iter().any(|q| has_window_template(&q.query)) {
            sloth_openslo_rules(spec, &mut s);
        }
        let default = if threshold {
            SliCategory::Latency
        } else {
            SliCategory::Availability
        };
        s.category = categorise(&[&name, display, description, obj_name], &s.sli, default);
        out.push(s);
    }
}

/// An OpenSLO v1alpha SLO whose queries use Sloth's `{{.window}}` is meant
/// for `sloth generate`, which accepts one time window counted in days
/// (Sloth's OpenSLO loader).
fn sloth_openslo_rules(spec: &Node, s: &mut SloSpec) {
    let windows = spec.get("timeWindows").map(Node::items).unwrap_or_default();
    if windows.len() > 1 {
        s.schema_issues.push((
            at(spec, "timeWindows"),
            "Sloth reads OpenSLO SLOs with a single time window only (this SLO uses Sloth's `{{.window}}`)".to_string(),
        ));
    }
    if let Some(w) = windows.first()
        && let Some(unit) = w.get("unit").and_then(Node::as_str)
        && !unit.eq_ignore_ascii_case("day")
    {
        s.schema_issues.push((
            at(w, "unit"),
            format!("Sloth reads only day-based OpenSLO time windows, found `unit: {unit}` (this SLO uses Sloth's `{{{{.window}}}}`)"),
        ));
    }
}

fn resolve_indicator<'a>(
    holder: &'a Node,
    refs: &OpenSloRefs<'a>,
) -> Result<Option<&'a Node>, (Pos, String)> {
    if let Some(ind) = holder.get("indicator") {
        return Ok(Some(ind));
    }
    let Some((r, pos)) = text(holder, "indicatorRef") else {
        return Ok(None);
    };
    match refs.slis.get(&r) {
        Some(n) => Ok(Some(*n)),
        None => Err((
            pos,
            format!("`indicatorRef: {r}` names no `kind: SLI` in the repository"),
        )),
    }
}

/// OpenSLO v1 `ratioMetric` / `thresholdMetric` queries.
fn openslo_v1_sli(ind_spec: &Node, refs: &OpenSloRefs, s: &mut SloSpec) {
    let mut push = |role: &str, metric: &Node| {
        let Some(src) = metric.get("metricSource") else {
            s.schema_issues
                .push((metric.pos, format!("`{role}.metricSource` is required")));
            return;
        };
        let ty = src
            .get("type")
            .and_then(Node::as_str)
            .map(str::to_string)
            .or_else(|| {
                src.get("metricSourceRef")
                    .and_then(Node::as_str)
                    .and_then(|r| refs.sources.get(r).cloned())
            })
            .unwrap_or_default();
        let language = language_of(&ty);
        let qspec = src.get("spec").unwrap_or(Node::null());
        if let Some(q) = query(role, qspec, "query", &language)
            .or_else(|| query(role, qspec, "promql", &language))
        {
            s.sli.push(q);
        }
    };
    if let Some(ratio) = ind_spec.get("ratioMetric") {
        let mut found = false;
        for role in ["good", "bad", "total", "raw"] {
            if let Some(m) = ratio.get(role) {
                found = true;
                push(role, m);
            }
        }
        let has = |k: &str| ratio.get(k).is_some();
        if !has("raw") && (!has("total") || !(has("good") || has("bad"))) {
            s.schema_issues.push((
                ratio.pos,
                "`ratioMetric` needs `total` and one of `good` or `bad` (or a `raw` ratio)"
                    .to_string(),
            ));
        }
        let _ = found;
    } else if let Some(th) = ind_spec.get("thresholdMetric") {
        push("threshold", th);
    } else {
        s.schema_issues.push((
            ind_spec.pos,
            "the SLI needs `ratioMetric` or `thresholdMetric`".to_string(),
        ));
    }
}

/// OpenSLO v1alpha: `objectives[].ratioMetrics` or `spec.indicator.thresholdMetric`.
/// Returns whether the SLI is a threshold metric.
fn openslo_v1alpha_sli(spec: &Node, obj: &Node, s: &mut SloSpec) -> bool {
    let push = |s: &mut SloSpec, role: &str, m: &Node| {
        let src = m.get("source").and_then(Node::as_str).unwrap_or("");
        if let Some(q) = query(role, m, "query", &language_of(src)) {
            s.sli.push(q);
        } else {
            s.schema_issues
                .push((m.pos, format!("`{role}.query` is required")));
        }
    };
    if let Some(ratio) = obj.get("ratioMetrics") {
        for role in ["good", "total"] {
            match ratio.get(role) {
                Some(m) => push(s, role, m),
                None => s
                    .schema_issues
                    .push((ratio.pos, format!("`ratioMetrics.{role}` is required"))),
            }
        }
        false
    } else if let Some(th) = spec.path("indicator.thresholdMetric") {
        push(s, "threshold", th);
        true
    } else {
        s.schema_issues.push((
            obj.pos,
            "objective needs `ratioMetrics` (or `spec.indicator.thresholdMetric`)".to_string(),
        ));
        false
    }
}

fn window_v1(spec: &Node) -> Option<TimeWindow> {
    let first = spec.get("timeWindow")?.items().first()?;
    let (raw, pos) = match text(first, "duration") {
        Some(t) => t,
        None => {
            return Some(TimeWindow {
                raw: String::new(),
                seconds: None,
                pos: first.pos,
            });
        }
    };
    Some(TimeWindow {
        seconds: crate::formats::parse_duration(&raw),
        raw,
        pos,
    })
}

fn window_v1alpha(spec: &Node) -> Option<TimeWindow> {
    let first = spec.get("timeWindows")?.items().first()?;
    let count = first.get("count").and_then(Node::as_f64);
    let unit = first.get("unit").and_then(Node::as_str).unwrap_or("");
    let per = match unit.to_ascii_lowercase().as_str() {
        "second" => Some(1.0),
        "minute" => Some(60.0),
        "hour" => Some(3600.0),
        "day" => Some(86_400.0),
        "week" => Some(604_800.0),
        "month" => Some(30.0 * 86_400.0),
        "quarter" => Some(90.0 * 86_400.0),
        "year" => Some(365.0 * 86_400.0),
        _ => None,
    };
    let raw = format!(
        "{} {}",
        first
            .get("count")
            .and_then(Node::scalar_text)
            .unwrap_or_default(),
        unit
    )
    .trim()
    .to_string();
    let pos = if first.get("count").is_some() {
        at(first, "count")
    } else {
        first.pos
    };
    Some(TimeWindow {
        raw,
        seconds: count.zip(per).map(|(c, p)| c * p),
        pos,
    })
}
