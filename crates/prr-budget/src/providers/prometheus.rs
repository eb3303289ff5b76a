//! Prometheus HTTP API provider: reads the error budget of an SLO from the
//! recording rules an SLO tool writes (Sloth, Pyrra, Grafana SLO), or
//! computes it straight from the SLO file's SLI queries.
//!
//! Every value comes from one instant query (`GET /api/v1/query`,
//! <https://prometheus.io/docs/prometheus/latest/querying/api/#instant-queries>)
//! that selects all the series a reading needs at once, optionally at a
//! pinned evaluation time (`eval-time` in the provider config).
//!
//! Modes (`mode:` in the provider config; the default is `sloth` for an SLO
//! from a Sloth file, else `compute` when the SLO has SLI queries, else
//! `sloth`):
//!
//! - `sloth`: Sloth's recording rules, labels `sloth_service`, `sloth_slo`
//!   (names as in Sloth's generated rules):
//!   `slo:period_error_budget_remaining:ratio` is the remaining budget as a
//!   ratio (1 − error ratio over the period / error budget);
//!   `slo:sli_error:ratio_rate<w>` (w = 5m, 30m, 1h, 6h, 1d, 3d) divided by
//!   `slo:error_budget:ratio` (1 − objective) is the burn rate over w, the
//!   same division Sloth records as `slo:current_burn_rate:ratio` (5m);
//!   `slo:time_period:days` is the window.
//! - `pyrra`: Pyrra's generic rules (`--generic-rules`), label `slo`:
//!   `pyrra_availability` (1 − errors/total over the window),
//!   `pyrra_objective` (ratio), `pyrra_window` (seconds); remaining =
//!   (availability − objective) / (1 − objective). Burn rates from
//!   `increase()` of `pyrra_errors_total` / `pyrra_requests_total` (sums of
//!   the SLI's counters) when those are recorded.
//! - `grafana`: Grafana SLO's recorded series, label `grafana_slo_uuid`
//!   (the SLO's UUID = the target's `id`): `grafana_slo_sli_window` (the
//!   SLI over the objective window), `grafana_slo_sli_<w>` for shorter
//!   windows, `grafana_slo_objective`; remaining = 1 − (1 − sli) / (1 −
//!   objective). These names are taken from Grafana SLO alert-rule
//!   expressions seen in public code, not from a Grafana reference page.
//! - `compute`: from the SLI queries, the exact ratio of sums over the SLO
//!   window W: error ratio = `sum(increase(errors[W])) /
//!   sum(increase(total[W]))` (not an average of ratios); remaining = 1 −
//!   error ratio / (1 − objective); burn rate over w = error ratio over w /
//!   (1 − objective) (Google SRE Workbook, ch. 5); events = the total's
//!   increase over W. The queries are rewritten on promql-parser's AST:
//!   every range selector gets the window, `rate` becomes `increase` (the
//!   ratio of two rates over one range equals the ratio of the increases),
//!   a bare counter selector (`…_total`, `…_count`) is wrapped in
//!   `increase(…[W])`, and the whole is wrapped in `sum()`.

mod compute;
mod compute_read;
mod flavor;
mod grafana;
mod history;
mod partial;
mod pyrra;
mod request;
mod response;
mod setup;
pub mod sigv4;
mod sloth;

pub use compute::windowed;
pub use flavor::Flavor;

use compute::{Parts, error_ratio, sli_roles};
pub use response::{Sample, parse_response};
use response::{index, parts_by_key, prometheus_error, sample_pair};

use crate::formats::slo::SloFormat;
use crate::http::Http;
use crate::{BoxFuture, FetchError, Provider, Reading, Target, finite};
use std::collections::BTreeMap;

http_options! {
    /// The options of a `type: prometheus` provider (the Prometheus HTTP API) in
    /// `budget.providers`; a key of another provider type is refused at its line.
    pub struct Options {
        /// Base URL (`http://prometheus.monitoring:9090`).
        #[serde(default)]
        pub url: Option<String>,
        /// `sloth`, `pyrra`, `grafana` (recording rules) or `compute` (from the SLO file's SLI queries); default: by the SLO's format.
        #[serde(default)]
        pub mode: Option<String>,
        /// The backend behind the Prometheus HTTP API: `prometheus` (default), `thanos` (sends `partial_response=false`), `mimir` (path prefix `/prometheus`) or `victoriametrics`; see docs/budget-backends.md.
        #[serde(default)]
        pub flavor: Option<String>,
        /// A path between the URL's host and `/api/v1/…` (`/prometheus` for Mimir, `/select/0/prometheus` for a VictoriaMetrics cluster); default: the flavor's.
        #[serde(default)]
        pub path_prefix: Option<String>,
        /// Evaluate instant queries at this time (Unix seconds or RFC 3339) instead of the server's now; for reproducible runs.
        #[serde(default)]
        pub eval_time: Option<String>,
    }
}

/// Burn-rate windows read in every mode: label and seconds.
pub const BURN_WINDOWS: [(&str, u64); 6] = [
    ("5m", 300),
    ("30m", 1800),
    ("1h", 3600),
    ("6h", 21_600),
    ("1d", 86_400),
    ("3d", 259_200),
];

/// Default SLO window when neither the SLO file nor the config states one:
/// 30 days, Sloth's default `--default-slo-period`.
pub const DEFAULT_WINDOW_SECONDS: u64 = 30 * 86_400;

/// Which series the provider reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Sloth recording rules.
    Sloth,
    /// Pyrra generic recording rules.
    Pyrra,
    /// Grafana SLO recorded series.
    Grafana,
    /// Computed from the SLO's SLI queries.
    Compute,
}

impl Mode {
    fn parse(s: &str) -> Option<Mode> {
        match s {
            "sloth" => Some(Mode::Sloth),
            "pyrra" => Some(Mode::Pyrra),
            "grafana" => Some(Mode::Grafana),
            "compute" => Some(Mode::Compute),
            _ => None,
        }
    }

    /// `sloth`, `pyrra`, `grafana`, `compute`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Sloth => "sloth",
            Mode::Pyrra => "pyrra",
            Mode::Grafana => "grafana",
            Mode::Compute => "compute",
        }
    }
}

/// Credentials by environment variable name (values are read per request).
#[derive(Clone, Debug, Default, PartialEq)]
enum Auth {
    #[default]
    None,
    Bearer(String),
    Basic(String, String),
    SigV4(sigv4::SigV4),
}

/// The provider. Holds environment variable names, never credentials.
#[derive(Debug)]
pub struct Prometheus {
    name: String,
    http: Http,
    base: String,
    mode: Option<Mode>,
    auth: Auth,
    headers_env: BTreeMap<String, String>,
    eval_time: Option<f64>,
    flavor: Flavor,
}

impl Prometheus {
    /// Evaluates every query at `unix_seconds` instead of the server's now.
    pub fn with_eval_time(mut self, unix_seconds: f64) -> Self {
        self.eval_time = Some(unix_seconds);
        self
    }

    /// The mode used for `target`: the configured one, else by the SLO's
    /// format and SLI queries.
    pub fn mode_for(&self, target: &Target) -> Mode {
        if let Some(m) = self.mode {
            return m;
        }
        match target.format {
            Some(SloFormat::Sloth | SloFormat::SlothCrd) => Mode::Sloth,
            _ if sli_roles(target).is_some() => Mode::Compute,
            _ => Mode::Sloth,
        }
    }

    /// The flavor in force.
    pub fn flavor(&self) -> Flavor {
        self.flavor
    }

    async fn read_target(&self, target: &Target) -> Result<Reading, FetchError> {
        let mode = self.mode_for(target);
        let read = async {
            match mode {
                Mode::Sloth => self.read_sloth(target).await,
                Mode::Pyrra => self.read_pyrra(target).await,
                Mode::Grafana => self.read_grafana(target).await,
                Mode::Compute => self.read_compute(target).await,
            }
        };
        // The chart's range query runs beside the reading's queries (one
        // round trip for both); its failure costs the chart, never the reading.
        // Bounded by one request timeout: the chart never holds the
        // budget phase longer than a single attempt would.
        let limit = self.http.options().timeout;
        let history = async {
            tokio::time::timeout(limit, self.history(target, mode))
                .await
                .unwrap_or(Err(FetchError::Timeout(limit.as_secs_f64())))
        };
        let (reading, history) = futures_util::future::join(read, history).await;
        let mut reading = reading?;
        match history {
            Ok(h) => reading.history = h,
            Err(e) => {
                reading
                    .provenance
                    .conversion
                    .push_str(&format!("; no budget history for the chart: {e}"));
            }
        }
        reading.provenance.provider = match self.flavor {
            Flavor::Prometheus => format!("prometheus ({})", mode.as_str()),
            f => format!("prometheus ({}, {})", mode.as_str(), f.as_str()),
        };
        Ok(reading)
    }
}

impl Provider for Prometheus {
    fn name(&self) -> &str {
        &self.name
    }

    fn read<'a>(&'a self, target: &'a Target) -> BoxFuture<'a, Result<Reading, FetchError>> {
        Box::pin(self.read_target(target))
    }
}

/// `1 − objective`, checked to be a usable error budget.
fn error_budget(objective: f64) -> Result<f64, FetchError> {
    let b = 1.0 - finite(objective, "objective")?;
    if b > 0.0 && b < 1.0 {
        Ok(b)
    } else {
        Err(FetchError::Config(format!(
            "objective {objective} is not a ratio between 0 and 1 (exclusive)"
        )))
    }
}

/// Escapes a PromQL double-quoted string.
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// A window of whole seconds as a PromQL duration (`30d`, `6h`, `5m`,
/// `90s`): [`prr_core::duration::format_duration`].
pub fn duration_text(seconds: u64) -> String {
    prr_core::duration::format_duration(seconds as f64)
}

/// Unix seconds as the API's `time` parameter (decimal seconds).
fn format_time(t: f64) -> String {
    if t.fract() == 0.0 {
        format!("{t:.0}")
    } else {
        format!("{t:.3}")
    }
}

/// Unix seconds or RFC 3339.
fn parse_time(s: &str) -> Option<f64> {
    let s = s.trim();
    if let Ok(t) = s.parse::<f64>() {
        return t.is_finite().then_some(t);
    }
    let t = humantime::parse_rfc3339_weak(s).ok()?;
    t.duration_since(std::time::UNIX_EPOCH)
        .ok()
        .map(|d| d.as_secs_f64())
}

#[cfg(test)]
mod tests;
