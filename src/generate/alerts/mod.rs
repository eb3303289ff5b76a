//! `prr generate alerts`: multi-window, multi-burn-rate alerts (Google SRE
//! Workbook, ch. 5) and the error-ratio recording rules they read, from an
//! SLO file.
//!
//! Inputs: Sloth `prometheus/v1` files and `PrometheusServiceLevel` objects
//! (`events` and `raw` SLIs), OpenSLO v1/v1alpha ratio SLIs on a
//! Prometheus-compatible source, Pyrra `ratio` and `latency` indicators.
//! Anything else (threshold SLIs, Datadog or other sources, Sloth plugins,
//! Pyrra `latencyNative`/`bool_gauge`, slo-generator) is an error naming the
//! file and the SLO.
//!
//! Output, per SLO, sorted by service and SLO name:
//!
//! - recording rules `slo:sli_error:ratio_rate<W>` for W in 5m, 30m, 1h, 2h,
//!   6h, 1d, 3d (Sloth's names), labelled `service` (when the SLO names one)
//!   and `slo`, so prr's `alerts/burn-rate` check and dashboards find them;
//! - a page alert (`severity: page`): the error ratio above
//!   `factor × (1 − objective)` over 1h and 5m, or over 6h and 30m;
//! - a ticket alert (`severity: ticket`): over 1d and 2h, or over 3d and 6h.
//!
//! Factors: each condition spends a fixed share of the error budget in its
//! long window — 2 % in 1h, 5 % in 6h, 10 % in 1d, 10 % in 3d (the
//! Workbook's table) — so `factor = share × period / long window`. For the
//! Workbook's 30-day period that is 14.4, 6, 3 and 1; for 28 days it is
//! Sloth's built-in 28-day catalogue (13.44, 5.6, 2.8), except that a factor
//! is never below 1 (Sloth's 28-day slow ticket is 0.93): a burn rate below
//! 1 spends less than the budget over the period, so an alert on it fires
//! for an SLO that is being met. Sloth itself refuses periods other than
//! 28 and 30 days without a custom `AlertWindows` catalogue; prr keeps the
//! windows and the budget shares for any period from 7 days (below that the
//! 3-day window is close to half the period) and says which factors it used
//! in the file's header. Sloth files carry no period: 30 days, Sloth's
//! default (`--default-slo-period`).

mod plan;
mod query;
mod render;
mod text;

pub use plan::{Plan, plans};
pub use render::{render, runbook_url};

use std::path::Path;

/// Largest SLO file read, in bytes (the inventory's limit for any file).
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// Shortest SLO period accepted, in seconds (7 days).
pub const MIN_PERIOD_SECS: f64 = 7.0 * 86_400.0;

/// Sloth's default SLO period, used when the format has none: 30 days.
pub const DEFAULT_PERIOD_SECS: f64 = 30.0 * 86_400.0;

/// Every window a recording rule is written for, shortest first.
pub const WINDOWS: [&str; 7] = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"];

/// Alert severity, the value of the `severity` label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Fast burn: wake someone up.
    Page,
    /// Slow burn: a ticket for working hours.
    Ticket,
}

impl Severity {
    /// The label value: `page` or `ticket`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Page => "page",
            Severity::Ticket => "ticket",
        }
    }
}

/// One row of the Workbook's table: alert when the error ratio is above
/// `factor × error budget` over both windows, where the factor spends
/// `budget_share` of the period's error budget in the long window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Condition {
    /// Which alert the condition belongs to.
    pub severity: Severity,
    /// Long window (a Prometheus duration).
    pub long: &'static str,
    /// Short window, 1/12 of the long one: the alert stops soon after recovery.
    pub short: &'static str,
    /// Share of the period's error budget spent in the long window (0–1).
    pub budget_share: f64,
}

/// The Google SRE Workbook's recommended conditions (ch. 5, "Multiwindow,
/// Multi-Burn-Rate Alerts"), as budget shares.
pub const CONDITIONS: [Condition; 4] = [
    Condition {
        severity: Severity::Page,
        long: "1h",
        short: "5m",
        budget_share: 0.02,
    },
    Condition {
        severity: Severity::Page,
        long: "6h",
        short: "30m",
        budget_share: 0.05,
    },
    Condition {
        severity: Severity::Ticket,
        long: "1d",
        short: "2h",
        budget_share: 0.10,
    },
    Condition {
        severity: Severity::Ticket,
        long: "3d",
        short: "6h",
        budget_share: 0.10,
    },
];

/// The burn-rate factor of `c` for an SLO period of `period_secs` seconds:
/// `budget_share × period / long window`, rounded to 4 decimals, at least 1.
/// 14.4, 6, 3 and 1 for 30 days.
pub fn factor(c: &Condition, period_secs: f64) -> f64 {
    let long = crate::formats::parse_duration(c.long).unwrap_or(3600.0);
    let f = c.budget_share * period_secs / long;
    ((f * 1e4).round() / 1e4).max(1.0)
}

/// Which file format to write.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Kind {
    /// A Prometheus rule file (`groups:`), for `rule_files:` / `promtool`.
    #[default]
    RuleFile,
    /// A `monitoring.coreos.com/v1` `PrometheusRule` (Prometheus Operator).
    PrometheusRule,
}

/// Options of [`generate`].
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `runbook_url` of the alerts: a URL or path, with `{service}`, `{slo}`
    /// and `{alert}` replaced. Default `runbooks/{service}-{slo}.md`
    /// (`runbooks/{slo}.md` when the SLO names no service).
    pub runbook_url: Option<String>,
    /// Output format.
    pub kind: Kind,
}

/// Reads `path` and writes the rules (see the module docs). `display` is
/// the file name printed in messages and in the output's header.
///
/// Errors (exit 2 for the CLI): the file cannot be read or parsed, holds no
/// SLO, or an SLO cannot be generated from (the message names the file, the
/// SLO and why).
pub fn generate(path: &Path, display: &str, opts: &Options) -> anyhow::Result<String> {
    let text = crate::fsio::read_text_bounded(path, MAX_FILE_BYTES)
        .map_err(|e| anyhow::anyhow!("{display}: {e}"))?;
    let plans = plans(&text, display)?;
    render(&plans, display, opts)
}

#[cfg(test)]
mod tests;
