//! `prr/min-level`: its parameters (`with:` of the rule: area weights,
//! level thresholds, the minimum level per tier) and its registry analyzer,
//! which reports nothing: the readiness gate needs the other rules'
//! findings after suppression, so it runs as a post-pass (`crate::score`).

use crate::checks::{Context, Sink};
use crate::config::Tier;
use prr_core::readiness::{Area, ReadinessLevel};
use serde::Deserialize;

/// The registry analyzer of `prr/min-level`: reports nothing. The gate needs
/// the other rules' findings after suppression, which a check (a pure
/// function of the context) cannot see; `crate::score::gate` runs it as a
/// post-pass.
pub fn min_level_check(_ctx: &Context, _p: &MinLevel, _sink: &mut Sink) {}

/// Area weights (relative; renormalised over the areas that apply). Each is
/// a finite number ≥ 0; a key left out is 20.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Weights {
    /// SLO coverage.
    #[serde(default = "twenty")]
    pub slo: f64,
    /// Monitoring and alerts.
    #[serde(default = "twenty")]
    pub alerts: f64,
    /// Incident response.
    #[serde(default = "twenty")]
    pub incident_response: f64,
    /// Rollout safety.
    #[serde(default = "twenty")]
    pub rollout: f64,
    /// Secrets hygiene.
    #[serde(default = "twenty")]
    pub secrets: f64,
}

fn twenty() -> f64 {
    20.0
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            slo: 20.0,
            alerts: 20.0,
            incident_response: 20.0,
            rollout: 20.0,
            secrets: 20.0,
        }
    }
}

impl Weights {
    /// The weight of `area`.
    pub fn of(&self, area: Area) -> f64 {
        match area {
            Area::Slo => self.slo,
            Area::Alerts => self.alerts,
            Area::IncidentResponse => self.incident_response,
            Area::Rollout => self.rollout,
            Area::Secrets => self.secrets,
        }
    }
}

/// Score thresholds of the levels (0–100, gold ≥ silver ≥ bronze).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// Minimum score for gold (default 90).
    #[serde(default = "gold")]
    pub gold: u32,
    /// Minimum score for silver (default 75).
    #[serde(default = "silver")]
    pub silver: u32,
    /// Minimum score for bronze (default 50).
    #[serde(default = "bronze")]
    pub bronze: u32,
}

fn gold() -> u32 {
    90
}

fn silver() -> u32 {
    75
}

fn bronze() -> u32 {
    50
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            gold: 90,
            silver: 75,
            bronze: 50,
        }
    }
}

/// The minimum level per tier. A tier left out takes the built-in rule's
/// minimum (critical silver, important bronze, standard and experimental
/// none), so an override naming one tier keeps the others.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MinByTier {
    /// Tier `critical` (default silver).
    #[serde(default = "silver_level")]
    pub critical: ReadinessLevel,
    /// Tier `important` (default bronze).
    #[serde(default = "bronze_level")]
    pub important: ReadinessLevel,
    /// Tier `standard` (default none).
    #[serde(default = "no_level")]
    pub standard: ReadinessLevel,
    /// Tier `experimental` (default none).
    #[serde(default = "no_level")]
    pub experimental: ReadinessLevel,
}

fn silver_level() -> ReadinessLevel {
    ReadinessLevel::Silver
}

fn bronze_level() -> ReadinessLevel {
    ReadinessLevel::Bronze
}

fn no_level() -> ReadinessLevel {
    ReadinessLevel::None
}

impl Default for MinByTier {
    fn default() -> Self {
        MinByTier {
            critical: ReadinessLevel::Silver,
            important: ReadinessLevel::Bronze,
            standard: ReadinessLevel::None,
            experimental: ReadinessLevel::None,
        }
    }
}

impl MinByTier {
    /// The minimum level of `tier`.
    pub fn of(&self, tier: Tier) -> ReadinessLevel {
        match tier {
            Tier::Critical => self.critical,
            Tier::Important => self.important,
            Tier::Standard => self.standard,
            Tier::Experimental => self.experimental,
        }
    }
}

/// Parameters of `prr.min-level` (the `with:` of `prr/min-level`),
/// validated when the rule is loaded.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(try_from = "RawMinLevel")]
pub struct MinLevel {
    /// Minimum level per tier.
    pub min: MinByTier,
    /// Area weights.
    pub weights: Weights,
    /// Level thresholds.
    pub levels: Thresholds,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMinLevel {
    #[serde(default)]
    min: MinByTier,
    #[serde(default)]
    weights: Weights,
    #[serde(default)]
    levels: Thresholds,
}

impl TryFrom<RawMinLevel> for MinLevel {
    type Error = String;

    fn try_from(r: RawMinLevel) -> Result<Self, String> {
        for a in Area::ALL {
            let w = r.weights.of(a);
            if !w.is_finite() || w < 0.0 {
                return Err(format!("weights.{}: {w} is not a number ≥ 0", a.as_str()));
            }
        }
        if Area::ALL.iter().all(|a| r.weights.of(*a) == 0.0) {
            return Err("weights: at least one area needs a weight above 0".into());
        }
        let l = &r.levels;
        if l.gold > 100 || l.silver > 100 || l.bronze > 100 {
            return Err("levels: thresholds are scores from 0 to 100".into());
        }
        if !(l.gold >= l.silver && l.silver >= l.bronze) {
            return Err(format!(
                "levels: need gold ≥ silver ≥ bronze, got gold {}, silver {}, bronze {}",
                l.gold, l.silver, l.bronze
            ));
        }
        Ok(MinLevel {
            min: r.min,
            weights: r.weights,
            levels: r.levels,
        })
    }
}
