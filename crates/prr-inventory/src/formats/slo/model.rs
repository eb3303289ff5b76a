//! The normalised SLO model every dialect is read into: format, objective,
//! window, SLI queries and the schema issues found while reading.

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

impl SloFormat {
    /// The format's name as its project spells it, for messages.
    pub fn label(self) -> &'static str {
        match self {
            SloFormat::OpenSlo => "OpenSLO",
            SloFormat::Sloth => "Sloth",
            SloFormat::SlothCrd => "Sloth CRD",
            SloFormat::Pyrra => "Pyrra",
            SloFormat::SloGenerator => "slo-generator",
        }
    }
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
    /// SLO name (for an OpenSLO SLO with several objectives: `name-<index>`,
    /// the name Sloth gives each objective).
    pub name: String,
    /// Objective, when present and numeric.
    pub objective: Option<Objective>,
    /// Time window, when present.
    pub window: Option<TimeWindow>,
    /// Whether the format carries the time window in the file (OpenSLO,
    /// Pyrra). Sloth takes it from `--default-slo-period` (30 days by
    /// default) and slo-generator from its error budget policy.
    pub window_in_file: bool,
    /// SLI queries.
    pub sli: Vec<SliQuery>,
    /// What the SLI measures.
    pub category: SliCategory,
    /// Whether the format will generate multi-window burn-rate alerts for it
    /// (Sloth with page/ticket alerts enabled, Pyrra always).
    pub generates_burn_rate_alerts: bool,
    /// The format generates the fast-burn (page) alert: Sloth `page_alert`
    /// not disabled, Pyrra unless alerting is disabled.
    pub generates_page_alert: bool,
    /// The format generates the slow-burn (ticket) alert: Sloth
    /// `ticket_alert` not disabled, Pyrra unless alerting is disabled.
    pub generates_ticket_alert: bool,
    /// Where generated alerts are switched off (`disable: true`,
    /// `alerting.disabled`), with the alert kind (`page`, `ticket`, `all`).
    pub alerts_disabled_at: Vec<(String, Pos)>,
    /// `true` when the document declares no usable SLO (an empty `slos:`
    /// list, an OpenSLO SLO without objectives): the entry only carries
    /// `schema_issues`, and every other check skips it.
    pub placeholder: bool,
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
