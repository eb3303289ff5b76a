//! SLO definitions, normalised across formats: OpenSLO (`openslo/v1`,
//! `openslo/v1alpha`), Sloth (`version: prometheus/v1` files and the
//! `sloth.slok.dev/v1` `PrometheusServiceLevel` CRD), Pyrra
//! (`pyrra.dev/v1alpha1` `ServiceLevelObjective`) and slo-generator
//! (`sre.google.com/v2` `ServiceLevelObjective`).

use crate::yaml::{Node, Pos};

/// Which format an SLO came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SloFormat {
    /// OpenSLO v1 or v1alpha.
    OpenSlo,
    /// Sloth `prometheus/v1` file.
    Sloth,
    /// Sloth `PrometheusServiceLevel` Kubernetes object.
    SlothCrd,
    /// Pyrra `ServiceLevelObjective`.
    Pyrra,
    /// Google slo-generator v2.
    SloGenerator,
}

/// What an SLI measures, as far as can be told from the definition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SliCategory {
    /// Success ratio of requests/events.
    Availability,
    /// Share of requests faster than a threshold.
    Latency,
    /// Anything else (freshness, correctness, …) or unknown.
    Other,
}

/// The objective: target as a ratio in (0, 1) — `0.999` for 99.9 %.
#[derive(Clone, Debug, PartialEq)]
pub struct Objective {
    /// Ratio 0–1 (converted from percent where the format uses percent).
    pub ratio: f64,
    /// The value as written (`99.9`, `"99.5"`, `0.999`).
    pub raw: String,
    /// Where it is written.
    pub pos: Pos,
}

/// The SLO time window.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeWindow {
    /// As written (`30d`, `4w`).
    pub raw: String,
    /// Length in seconds, when it parses.
    pub seconds: Option<f64>,
    /// Where it is written.
    pub pos: Pos,
}

/// One PromQL (or other) query of an SLI.
#[derive(Clone, Debug, PartialEq)]
pub struct SliQuery {
    /// `errors`, `total`, `good`, `bad`, `raw` … as the format names it.
    pub role: String,
    /// The query text.
    pub query: String,
    /// Where it is written.
    pub pos: Pos,
    /// Query language: `promql` when the source is Prometheus-compatible.
    pub language: String,
}

/// One SLO, normalised.
#[derive(Clone, Debug)]
pub struct SloSpec {
    /// Source format.
    pub format: SloFormat,
    /// Repository-relative path.
    pub path: String,
    /// Where the SLO is declared.
    pub pos: Pos,
    /// Service the SLO belongs to (`service:` / `spec.service` / label), if stated.
    pub service: Option<String>,
    /// SLO name.
    pub name: String,
    /// Objective, when present and numeric.
    pub objective: Option<Objective>,
    /// Time window, when present.
    pub window: Option<TimeWindow>,
    /// SLI queries.
    pub sli: Vec<SliQuery>,
    /// What the SLI measures.
    pub category: SliCategory,
    /// Whether the format will generate multi-window burn-rate alerts for it
    /// (Sloth with page/ticket alerts enabled, Pyrra always).
    pub generates_burn_rate_alerts: bool,
    /// Required-field problems found while reading (for `slo/schema`).
    pub schema_issues: Vec<(Pos, String)>,
}

/// A YAML document recognised as an SLO definition, before extraction.
#[derive(Clone, Debug)]
pub struct SloDocument {
    /// Repository-relative path.
    pub path: String,
    /// Which format the document is in.
    pub format: SloFormat,
    /// The document.
    pub node: Node,
}

/// Recognises an SLO document by content (never by file name).
pub fn classify(doc: &Node) -> Option<SloFormat> {
    let api = doc.get("apiVersion").and_then(Node::as_str).unwrap_or("");
    let kind = doc.get("kind").and_then(Node::as_str).unwrap_or("");
    if api.starts_with("openslo/") {
        return Some(SloFormat::OpenSlo);
    }
    if api.starts_with("sloth.slok.dev/") && kind == "PrometheusServiceLevel" {
        return Some(SloFormat::SlothCrd);
    }
    if api.starts_with("pyrra.dev/") && kind == "ServiceLevelObjective" {
        return Some(SloFormat::Pyrra);
    }
    if api.starts_with("sre.google.com/") && kind == "ServiceLevelObjective" {
        return Some(SloFormat::SloGenerator);
    }
    if api.is_empty() && doc.get("version").and_then(Node::as_str) == Some("prometheus/v1") {
        return Some(SloFormat::Sloth);
    }
    None
}

/// Extracts every SLO from the recognised documents (all of a repository at
/// once, so OpenSLO `indicatorRef`s can resolve across files).
pub fn extract(docs: &[SloDocument]) -> Vec<SloSpec> {
    let _ = docs;
    Vec::new()
}
