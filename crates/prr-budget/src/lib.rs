//! Error-budget readings: fetch the remaining error budget of each gated
//! SLO from the SLO API a team uses, normalised to one set of units
//! (docs/design.md §5, a contract), then apply the error-budget policy.
//!
//! Units of a [`Reading`]:
//! - `remaining`: the fraction of the error budget left over the SLO's time
//!   window — 1.0 untouched, 0.0 spent, negative overspent. Providers
//!   convert (Sloth: ratio; Datadog: percent; Dynatrace: percentage points
//!   of the target; slo-generator: consumed percent) and record the raw
//!   value and the conversion in [`Provenance`].
//! - burn rate: the rate of budget spending relative to the rate that
//!   spends exactly the budget over the window (1.0); the Google SRE
//!   Workbook, ch. 5.
//!
//! This is the only part of prr that does network I/O. Checks and the
//! policy are pure functions of the readings.

/// The `budget:` section of prr.yaml (providers, per-service budgets).
pub use prr_config::budget as config;
// The lower crates' modules under the names this crate's files use.
pub(crate) use prr_core::{finding, fsio, yaml};
pub(crate) use prr_inventory::formats;

pub mod definitions;
pub mod gate;
pub mod http;
pub mod policy;
pub mod providers;

pub use prr_core::budget::{HistoryPoint, Provenance, Reading};

use crate::formats::slo::SliQuery;
use std::future::Future;
use std::pin::Pin;

/// A boxed, sendable future (providers are trait objects).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What to read: one SLO of one service.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Target {
    /// Service name.
    pub service: String,
    /// SLO name (as in the SLO file, or as configured).
    pub slo: String,
    /// Provider-side SLO identifier (Datadog SLO ID, Nobl9 SLO name, …), when configured.
    pub id: Option<String>,
    /// Objective as a ratio 0–1 (`0.999`), from the SLO file or the config.
    pub objective: Option<f64>,
    /// SLO time window in seconds (30 days = 2 592 000).
    pub window_seconds: Option<f64>,
    /// SLI queries from the SLO file (for computing the budget from raw series).
    pub sli: Vec<SliQuery>,
    /// Format of the SLO file the target came from (picks the Prometheus mode), if any.
    pub format: Option<crate::formats::slo::SloFormat>,
}

/// Why a reading could not be had. Every variant is "unknown" to the
/// policy, never healthy.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum FetchError {
    /// Connection refused, DNS failure, TLS failure.
    #[error("unreachable: {0}")]
    Unreachable(String),
    /// No answer within the configured timeout.
    #[error("timed out after {0:.1} s")]
    Timeout(f64),
    /// A non-success HTTP status (after retries for 5xx and 429).
    #[error("HTTP {status}: {detail}")]
    Http {
        /// Status code.
        status: u16,
        /// A short, credential-free excerpt of the body.
        detail: String,
    },
    /// The body is not the documented shape (bad JSON, wrong types).
    #[error("malformed response: {0}")]
    Malformed(String),
    /// A field the reading needs is missing.
    #[error("missing field: {0}")]
    Missing(String),
    /// A value is NaN or infinite.
    #[error("not a finite number: {0}")]
    NotFinite(String),
    /// The query returned no series / no data.
    #[error("no data: {0}")]
    Empty(String),
    /// The provider or target is misconfigured (no SLO id, missing env var).
    #[error("configuration: {0}")]
    Config(String),
    /// The backend answered with a partial result (Thanos `warnings`,
    /// VictoriaMetrics `isPartial`): some stores or shards did not answer,
    /// so the numbers may leave out errors. Never a reading.
    #[error("partial response: {0}")]
    Partial(String),
    /// The backend answered, but the value cannot be a true reading
    /// (remaining above 100 %, a negative burn rate, an error budget of 0,
    /// a series of another SLO); the text carries the raw value.
    #[error("implausible reading: {0}")]
    Implausible(String),
}

impl FetchError {
    /// The error with every remembered credential removed from its text
    /// ([`providers::scrub`]).
    pub fn scrubbed(self) -> FetchError {
        use providers::scrub;
        match self {
            FetchError::Unreachable(m) => FetchError::Unreachable(scrub(&m)),
            FetchError::Timeout(t) => FetchError::Timeout(t),
            FetchError::Http { status, detail } => FetchError::Http {
                status,
                detail: scrub(&detail),
            },
            FetchError::Malformed(m) => FetchError::Malformed(scrub(&m)),
            FetchError::Missing(m) => FetchError::Missing(scrub(&m)),
            FetchError::NotFinite(m) => FetchError::NotFinite(scrub(&m)),
            FetchError::Empty(m) => FetchError::Empty(scrub(&m)),
            FetchError::Config(m) => FetchError::Config(scrub(&m)),
            FetchError::Partial(m) => FetchError::Partial(scrub(&m)),
            FetchError::Implausible(m) => FetchError::Implausible(scrub(&m)),
        }
    }
}

/// A source of error-budget readings. Implementations are async and
/// cancel-safe; they must not log or return credentials.
pub trait Provider: Send + Sync {
    /// Provider name for reports (`prometheus`).
    fn name(&self) -> &str;
    /// Reads the error budget of `target`.
    fn read<'a>(&'a self, target: &'a Target) -> BoxFuture<'a, Result<Reading, FetchError>>;
}

/// Checks that `x` is finite; the error names `what`.
pub fn finite(x: f64, what: &str) -> Result<f64, FetchError> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(FetchError::NotFinite(format!("{what} = {x}")))
    }
}

/// Readings above this remaining fraction are refused: 1.0 (100 %) plus
/// room for floating-point rounding.
const MAX_REMAINING: f64 = 1.0 + 1e-9;

/// Refuses a reading that cannot be right, whatever the provider:
/// remaining above 100 % of the budget (no SLO earns budget back beyond
/// untouched) or a negative burn rate (errors do not un-happen). The error
/// ([`FetchError::Implausible`]) carries the raw value; the SLO's reading is
/// then unknown and its service's `on-error` decides.
pub fn plausible(r: Reading) -> Result<Reading, FetchError> {
    if r.remaining > MAX_REMAINING {
        return Err(FetchError::Implausible(format!(
            "remaining budget {:.4} % (raw {}) is above 100 %",
            r.remaining * 100.0,
            if r.provenance.raw.is_empty() {
                r.remaining.to_string()
            } else {
                format!("\"{}\"", r.provenance.raw)
            }
        )));
    }
    if let Some((w, b)) = r.burn_rates.iter().find(|(_, b)| **b < 0.0) {
        return Err(FetchError::Implausible(format!(
            "burn rate over {w} = {b} is below 0"
        )));
    }
    Ok(r)
}

/// Current time as Unix seconds.
pub fn now_unix() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// `reading` with every remembered credential removed from its provenance
/// ([`providers::scrub`]).
pub fn scrubbed(mut reading: Reading) -> Reading {
    use providers::scrub;
    let p = &mut reading.provenance;
    p.source = scrub(&p.source);
    p.raw = scrub(&p.raw);
    p.conversion = scrub(&p.conversion);
    reading
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(remaining: f64, burn: &[(&str, f64)]) -> Reading {
        Reading {
            remaining,
            burn_rates: burn.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            provenance: Provenance {
                raw: remaining.to_string(),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn impossible_readings_are_refused_with_the_raw_value() {
        // Must pass: untouched, overspent, fast burn.
        assert!(plausible(reading(1.0, &[("5m", 0.0)])).is_ok());
        assert!(plausible(reading(-3.0, &[("5m", 500.0)])).is_ok());
        // Must refuse: above 100 %, negative burn.
        let e = plausible(reading(1.25, &[])).expect_err("125 %");
        assert_eq!(
            e.to_string(),
            "implausible reading: remaining budget 125.0000 % (raw \"1.25\") is above 100 %"
        );
        let e = plausible(reading(0.5, &[("1h", -0.2)])).expect_err("negative burn");
        assert!(
            e.to_string()
                .contains("burn rate over 1h = -0.2 is below 0"),
            "{e}"
        );
    }
}
