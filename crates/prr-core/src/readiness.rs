//! The production-readiness score of a service, as the reports show it:
//! five areas (SLOs, alerting, runbooks, rollout safety, secrets), each the
//! share of its checks passed (percent 0–100), weighted into one score and a
//! level (gold / silver / bronze). Computed by `prr::score::compute`; only
//! the data and its text and JSON forms live here.

use crate::service::Tier;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// A readiness area: a group of rule families of the PRR checklist.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Area {
    /// SLO coverage: `slo/*`.
    Slo,
    /// Monitoring and alerts: `alerts/*`, `prr/dashboards`.
    Alerts,
    /// Incident response: `runbook/*`, `prr/oncall`.
    IncidentResponse,
    /// Rollout safety: `rollout/*`.
    Rollout,
    /// Secrets hygiene: `secrets/*` as one unit.
    Secrets,
}

impl Area {
    /// Every area, in report order.
    pub const ALL: [Area; 5] = [
        Area::Slo,
        Area::Alerts,
        Area::IncidentResponse,
        Area::Rollout,
        Area::Secrets,
    ];

    /// The key used in reports and in `weights:`.
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Slo => "slo",
            Area::Alerts => "alerts",
            Area::IncidentResponse => "incident-response",
            Area::Rollout => "rollout",
            Area::Secrets => "secrets",
        }
    }

    /// The area a rule ID counts in (`None`: not scored).
    pub fn of_rule(id: &str) -> Option<Area> {
        let family = id.split('/').next().unwrap_or("");
        match (family, id) {
            ("slo", _) => Some(Area::Slo),
            ("alerts", _) | (_, "prr/dashboards") => Some(Area::Alerts),
            ("runbook", _) | (_, "prr/oncall") => Some(Area::IncidentResponse),
            ("rollout", _) => Some(Area::Rollout),
            ("secrets", _) => Some(Area::Secrets),
            _ => None,
        }
    }
}

/// A readiness level. Ordered: `None < Bronze < Silver < Gold`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReadinessLevel {
    /// Below bronze.
    None,
    /// At least the bronze threshold.
    Bronze,
    /// At least the silver threshold.
    Silver,
    /// At least the gold threshold and no unsuppressed error finding.
    Gold,
}

impl ReadinessLevel {
    /// The name people read in reports: `unrated` below bronze (a score
    /// is not "none"), else as [`ReadinessLevel::as_str`]. The JSON report
    /// and the config keep `none`.
    pub fn label(self) -> &'static str {
        match self {
            ReadinessLevel::None => "unrated",
            other => other.as_str(),
        }
    }

    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReadinessLevel::None => "none",
            ReadinessLevel::Bronze => "bronze",
            ReadinessLevel::Silver => "silver",
            ReadinessLevel::Gold => "gold",
        }
    }
}

/// A 10-cell bar for a 0–100 score: one `█` per 10 points (rounded), the
/// rest `░`.
pub fn bar(score: u32) -> String {
    let full = usize::try_from((score.min(100) + 5) / 10).unwrap_or(10);
    "█".repeat(full) + &"░".repeat(10 - full)
}

/// One area's result for one service.
#[derive(Clone, Debug, PartialEq)]
pub struct AreaScore {
    /// The area.
    pub area: Area,
    /// Applicable units that pass.
    pub passed: usize,
    /// Applicable units (rules; the secrets area is one unit).
    pub total: usize,
    /// The area's configured weight.
    pub weight: f64,
    /// Some rule of the area applies to the service (enabled at error or
    /// warning for its tier), whether or not the area was assessed.
    pub applies: bool,
    /// IDs of the rules that fail, sorted.
    pub failing: Vec<String>,
    /// How many of the area's inputs prr read in the service's paths (SLO
    /// definitions; alerting rules; runbooks, alerts and a declared owner or
    /// on-call; workload, PodDisruptionBudget and autoscaler objects; files
    /// scanned for secrets). An area with none read and no failing rule is
    /// **not assessed**: its rules passing says nothing, so it has no score
    /// (`total` 0) instead of 100.
    pub read: usize,
}

impl AreaScore {
    /// `passed / total` as a rounded percentage; `None` when nothing applies
    /// or the area is not assessed.
    pub fn score(&self) -> Option<u32> {
        (self.total > 0).then(|| percent(self.passed as f64 / self.total as f64))
    }

    /// Rules apply but nothing of the area was read in the service's paths
    /// (and no rule failed): shown as "not assessed", never as 100.
    pub fn not_assessed(&self) -> bool {
        self.total == 0 && self.read == 0 && self.weight > 0.0 && self.applies
    }
}

/// The readiness of one service.
#[derive(Clone, Debug, PartialEq)]
pub struct Readiness {
    /// Service name.
    pub service: String,
    /// Service tier.
    pub tier: Tier,
    /// Score 0–100 over the assessed areas (0 when no area is assessed:
    /// see [`Readiness::assessed`]).
    pub score: u32,
    /// At least one area was assessed. A service none of whose areas prr
    /// could read (an empty folder, only unrendered charts) has no score:
    /// it is shown as "not assessed" with level `unrated`, never as 100.
    pub assessed: bool,
    /// Level.
    pub level: ReadinessLevel,
    /// The tier's minimum level when `prr/min-level` is enabled and applies
    /// to the tier, else `None` (not gated).
    pub required: Option<ReadinessLevel>,
    /// Unsuppressed error-level findings attributed to the service (or to no
    /// service); any of them keeps the service below gold.
    pub errors: usize,
    /// One entry per area, in [`Area::ALL`] order.
    pub areas: Vec<AreaScore>,
    /// The score with the findings the baseline accepts counted as the
    /// debt they are, when that differs from [`Readiness::score`] (which
    /// gates and accepts them): reports show `24/100 (100 with the
    /// baseline)`.
    pub score_without_baseline: Option<u32>,
}

impl Readiness {
    /// `24/100 (100 with the baseline)`, or `100/100` without baselined debt.
    pub fn score_text(&self) -> String {
        if !self.assessed {
            return "not assessed".to_string();
        }
        match self.score_without_baseline {
            Some(raw) => format!("{raw}/100 ({} with the baseline)", self.score),
            None => format!("{}/100", self.score),
        }
    }
    /// Whether the service meets its tier's minimum (true when not gated).
    pub fn meets(&self) -> bool {
        self.required.is_none_or(|r| self.level >= r)
    }

    /// The scored area with the lowest score (the first of equals, in
    /// [`Area::ALL`] order); `None` when no area applies.
    pub fn weakest(&self) -> Option<&AreaScore> {
        self.areas
            .iter()
            .filter(|a| a.total > 0 && a.weight > 0.0)
            .min_by(|a, b| {
                let fa = a.passed as f64 / a.total as f64;
                let fb = b.passed as f64 / b.total as f64;
                fa.total_cmp(&fb)
            })
    }

    /// `slo 100, alerts 75, …` over the areas that apply.
    pub fn areas_text(&self) -> String {
        self.areas
            .iter()
            .filter_map(|a| match a.score() {
                Some(s) => Some(format!("{} {s}", a.area.as_str())),
                None if a.not_assessed() => Some(format!("{} not assessed", a.area.as_str())),
                None => None,
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// One line per area that applies: name, a 10-cell bar and the score
    /// (`slo                ███████░░░  70`), for the text and Markdown
    /// reports.
    pub fn area_bars(&self) -> Vec<String> {
        self.areas
            .iter()
            .filter_map(|a| match a.score() {
                Some(s) => Some(format!("{:<18} {} {s:>3}", a.area.as_str(), bar(s))),
                None if a.not_assessed() => Some(format!(
                    "{:<18} {} not assessed (nothing read)",
                    a.area.as_str(),
                    "·".repeat(10)
                )),
                None => None,
            })
            .collect()
    }

    /// The JSON object of the report's `readiness[]` (same shape in JSON
    /// and SARIF): `service`, `tier`, `score`, `level`, `required`, `meets`,
    /// `errors`, `areas: { <key>: { score, passed, total, weight, failing } }`
    /// (`score` null when nothing in the area applies).
    pub fn to_json(&self) -> Value {
        let mut areas = serde_json::Map::new();
        for a in &self.areas {
            areas.insert(
                a.area.as_str().to_string(),
                json!({
                    "score": a.score(),
                    "passed": a.passed,
                    "total": a.total,
                    "weight": a.weight,
                    "failing": a.failing,
                    "read": a.read,
                    "assessed": !a.not_assessed() && a.total > 0,
                }),
            );
        }
        json!({
            "service": self.service,
            "tier": self.tier,
            "score": self.assessed.then_some(self.score),
            "assessed": self.assessed,
            "level": self.level,
            "required": self.required,
            "meets": self.meets(),
            "errors": self.errors,
            "areas": areas,
            "score_without_baseline": self.score_without_baseline,
        })
    }
}

/// `fraction × 100` rounded to an integer in 0–100 (halves away from zero).
pub fn percent(fraction: f64) -> u32 {
    let p = (fraction * 100.0).round().clamp(0.0, 100.0);
    // In 0..=100 after the clamp, so the cast is exact.
    p as u32
}
