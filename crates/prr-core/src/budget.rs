//! Error-budget data shared by the budget phase, the checks and the
//! reporters: a provider's [`Reading`], the policy's [`State`], [`Action`]
//! and [`Decision`], and one gated SLO's [`BudgetEntry`]. Only data: the
//! policy that computes a decision lives in `prr::budget::policy` and the
//! providers that read budgets in `prr::budget::providers`.
//!
//! Units: budget fractions are ratios (1.0 untouched, 0 spent, < 0
//! overspent), windows and ages are seconds, times are Unix seconds (UTC).
//! The states follow the Google SRE Workbook's error-budget policy
//! ("Implementing SLOs", appendix: example error budget policy).

use crate::yaml::Pos;
use serde::Serialize;
use std::collections::BTreeMap;

crate::named_enum! {
    /// Budget state.
    pub enum State {
        /// More than `warning` of the budget left.
        Healthy = "healthy",
        /// More than `critical`, at most `warning` left.
        Warning = "warning",
        /// More than 0, at most `critical` left.
        Critical = "critical",
        /// None left (≤ 0).
        Exhausted = "exhausted",
        /// No trustworthy reading (error, stale, too few events, not finite).
        Unknown = "unknown",
    }
}

crate::named_enum! {
    /// What the gate does.
    pub enum Action {
        /// Pass silently.
        Pass = "pass",
        /// Pass with a warning annotation.
        Warn = "warn",
        /// Block the change (exit 1).
        Block = "block",
    }
}

/// An exception that changed a decision, recorded in every report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GrantedException {
    /// `label`, `branch` or `trailer`.
    pub kind: String,
    /// What matched (`hotfix`, `hotfix/login`, `Change-Type: security`).
    pub value: String,
    /// The configured pattern that matched (`hotfix/*`), for branches; else
    /// the same as `value`.
    pub rule: String,
    /// What it lifted in this decision (`critical`, `fast-burn`).
    pub lifted: Vec<String>,
    /// For labels read from the GitHub API: who applied the label; for a
    /// trailer: the author of the commit carrying it (`Name <email> (commit
    /// author)`).
    pub applied_by: Option<String>,
}

/// The policy's verdict for one SLO.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decision {
    /// Budget state.
    pub state: State,
    /// What the gate does.
    pub action: Action,
    /// Why, in one sentence a person can act on.
    pub reason: String,
    /// The exception that applied, if any.
    pub exception: Option<GrantedException>,
    /// Fast-burn description when a fast burn was detected.
    pub fast_burn: Option<String>,
}

/// Where a reading came from and how its raw value was converted.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Provenance {
    /// Provider name (`prometheus`, `datadog`, …).
    pub provider: String,
    /// The query or URL asked (never with credentials).
    pub source: String,
    /// The raw value as the API returned it (`"42.5"`).
    pub raw: String,
    /// How `raw` became `remaining` (`"percent / 100"`).
    pub conversion: String,
}

/// A normalised error-budget reading.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Reading {
    /// Fraction of the error budget left: 1.0 untouched, 0 spent, < 0 overspent.
    pub remaining: f64,
    /// Burn rates by window label (`"5m"`, `"30m"`, `"1h"`, `"6h"`, `"1d"`, `"3d"`);
    /// 1.0 spends exactly the budget over the SLO window.
    pub burn_rates: BTreeMap<String, f64>,
    /// SLO window in seconds, when the provider states it.
    pub window_seconds: Option<f64>,
    /// When the value was computed, Unix seconds (UTC).
    pub as_of: Option<f64>,
    /// Total events (requests) in the window, when known (low-traffic guard).
    pub events: Option<f64>,
    /// Provenance.
    pub provenance: Provenance,
    /// The remaining budget over the SLO window, oldest first, for the
    /// budget chart: about 30 points from one range query (providers that
    /// keep history); empty when none was read. Not used by the policy.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryPoint>,
}

/// One point of the remaining budget's course.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct HistoryPoint {
    /// Unix seconds (UTC).
    pub t: f64,
    /// Fraction of the error budget left at `t` (1.0 untouched, < 0 overspent).
    pub remaining: f64,
}

crate::named_enum! {
    /// What an unreadable budget means for the gate.
    #[derive(Default)]
    pub enum OnError {
        /// Block the change (the safe default).
        #[default]
        FailClosed = "fail-closed",
        /// Let the change pass, with a warning that says so.
        FailOpen = "fail-open",
    }
}

/// One gated SLO with its reading (or error) and the policy's decision.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BudgetEntry {
    /// Service name.
    pub service: String,
    /// SLO name.
    pub slo: String,
    /// Provider name from prr.yaml.
    pub provider: String,
    /// What an unreadable budget means for this service.
    pub on_error: OnError,
    /// The reading, when one was had.
    pub reading: Option<Reading>,
    /// Why there is no reading.
    pub error: Option<String>,
    /// The policy's verdict.
    pub decision: Decision,
    /// Where the SLO is defined (for annotations): path and position.
    #[serde(skip)]
    pub location: Option<(String, Pos)>,
    /// The policy's `warning` and `critical` thresholds (ratios 0–1) that
    /// judged this SLO, drawn as reference lines in the budget chart.
    #[serde(skip)]
    pub thresholds: Option<(f64, f64)>,
}
