//! `pyrra` mode: Pyrra's generic recording rules (`--generic-rules`),
//! label `slo` (Pyrra's `GenericRules()` in `slo/rules.go`,
//! <https://github.com/pyrra-dev/pyrra>):
//!
//! - `pyrra_availability` = 1 − errors / total over the SLO window,
//!   `pyrra_objective` (ratio), `pyrra_window` (seconds); remaining =
//!   (availability − objective) / (1 − objective).
//! - Burn rates, newest rule names first:
//!   - Pyrra ≥ 0.9: `pyrra_requests:rate5m` = `sum(rate(total[5m]))` and
//!     `pyrra_errors:rate5m` = `sum(rate(errors[5m])) or vector(0)`,
//!     recorded every 30 s. Burn rate over 5m = errors:rate5m /
//!     requests:rate5m / (1 − objective) at the evaluation time; over a
//!     longer w = `sum_over_time(errors:rate5m[w])` /
//!     `sum_over_time(requests:rate5m[w])` / (1 − objective) — the ratio of
//!     the recorded 5-minute rates summed over w (both sums take the same
//!     evaluations, so it is the request-weighted error ratio over w).
//!   - Older Pyrra: `pyrra_errors_total` / `pyrra_requests_total` (sums of
//!     the SLI's counters): burn rate over w = `increase(errors[w])` /
//!     `increase(total[w])` / (1 − objective).
//!
//!   Both generations are asked in one query; the provenance says which
//!   was found. Neither present: no burn rates (the remaining budget is
//!   still read).

use super::{
    BURN_WINDOWS, Parts, Prometheus, error_budget, error_ratio, escape, index, partial,
    parts_by_key,
};
use crate::{FetchError, Provenance, Reading, Target, finite};
use std::collections::BTreeMap;

/// Which generation of Pyrra's request/error rules answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PyrraRules {
    /// `pyrra_errors:rate5m` / `pyrra_requests:rate5m` (Pyrra ≥ 0.9).
    Rate5m,
    /// `pyrra_errors_total` / `pyrra_requests_total` (before 0.9).
    Totals,
}

impl PyrraRules {
    fn prefix(self) -> &'static str {
        match self {
            PyrraRules::Rate5m => "rate5m-",
            PyrraRules::Totals => "totals-",
        }
    }
}

/// The burn-rate query: both generations, every window, each part
/// labelled `prr_part="<errors|total>:<generation>-<window>"`.
pub fn burn_query(slo: &str) -> String {
    let slo = escape(slo);
    let errors = format!(r#"pyrra_errors:rate5m{{slo="{slo}"}}"#);
    let requests = format!(r#"pyrra_requests:rate5m{{slo="{slo}"}}"#);
    let mut terms = Vec::new();
    for (label, secs) in BURN_WINDOWS {
        let w = super::duration_text(secs);
        for (part, sel) in [("errors", &errors), ("total", &requests)] {
            let expr = if secs <= 300 {
                format!("sum({sel})")
            } else {
                format!("sum(sum_over_time({sel}[{w}]))")
            };
            terms.push(format!(
                r#"label_replace({expr}, "prr_part", "{part}:rate5m-{label}", "", "")"#
            ));
        }
    }
    let old = Parts::counters(
        &format!(r#"pyrra_errors_total{{slo="{slo}"}}"#),
        &format!(r#"pyrra_requests_total{{slo="{slo}"}}"#),
        false,
    );
    let windows: Vec<(String, u64)> = BURN_WINDOWS
        .iter()
        .map(|(l, s)| (format!("totals-{l}"), *s))
        .collect();
    terms.push(old.promql(&windows));
    terms.join(" or ")
}

/// Burn rates by window label (`5m` … `3d`).
pub type BurnRates = BTreeMap<String, f64>;

/// Burn rates by window from the burn query's samples, newest generation
/// first; `None` when neither generation has a request series.
pub fn burn_rates(
    samples: &[super::Sample],
    budget: f64,
) -> Result<Option<(PyrraRules, BurnRates)>, FetchError> {
    let got = parts_by_key(samples)?;
    for rules in [PyrraRules::Rate5m, PyrraRules::Totals] {
        let p = rules.prefix();
        if !got.keys().any(|k| k.starts_with(&format!("total:{p}"))) {
            continue;
        }
        let mut rates = BTreeMap::new();
        for (label, _) in BURN_WINDOWS {
            if let Some(r) = error_ratio(&got, &format!("{p}{label}"), false, false)? {
                rates.insert(
                    label.to_string(),
                    finite(r / budget, &format!("burn rate {label}"))?,
                );
            }
        }
        return Ok(Some((rules, rates)));
    }
    Ok(None)
}

impl Prometheus {
    pub(super) async fn read_pyrra(&self, target: &Target) -> Result<Reading, FetchError> {
        let slo = escape(&target.slo);
        let promql = format!(
            r#"{{__name__=~"pyrra_availability|pyrra_objective|pyrra_window",slo="{slo}"}}"#
        );
        let burn_promql = burn_query(&target.slo);
        // Both queries at once: the budget phase's latency is one round trip.
        let (samples, burn) =
            futures_util::future::join(self.query(&promql), self.query(&burn_promql)).await;
        let samples = samples.map_err(|e| match e {
            FetchError::Empty(_) => FetchError::Empty(format!(
                "no Pyrra generic-rule series for slo=\"{}\" (is Pyrra run with --generic-rules?)",
                target.slo
            )),
            e => e,
        })?;
        partial::check_labels(&samples, &[("slo", target.slo.as_str())])?;
        let series = index(&samples, |s| Some(s.label("__name__").to_string()))?;
        let Some(avail) = series.get("pyrra_availability") else {
            return Err(FetchError::Empty(format!(
                "no `pyrra_availability{{slo=\"{}\"}}` series (is Pyrra run with --generic-rules?)",
                target.slo
            )));
        };
        let availability = finite(avail.value, "pyrra_availability")?;
        let objective = match series.get("pyrra_objective") {
            Some(o) => finite(o.value, "pyrra_objective")?,
            None => target.objective.ok_or_else(|| {
                FetchError::Missing(format!(
                    "pyrra_objective{{slo=\"{}\"}} (and no objective in the SLO file)",
                    target.slo
                ))
            })?,
        };
        let budget = error_budget(objective)?;
        let remaining = finite(1.0 - (1.0 - availability) / budget, "remaining")?;
        let window_seconds = match series.get("pyrra_window") {
            Some(w) => Some(finite(w.value, "pyrra_window")?),
            None => target.window_seconds,
        };
        let mut conv = format!(
            "remaining = 1 − (1 − pyrra_availability {availability}) / (1 − objective {objective})"
        );
        let burn = match burn {
            Ok(samples) => burn_rates(&samples, budget)?,
            Err(FetchError::Empty(_)) => None,
            Err(e) => return Err(e),
        };
        let burn_rates = match burn {
            Some((PyrraRules::Rate5m, rates)) => {
                conv.push_str("; burn rates from Pyrra ≥ 0.9's pyrra_errors:rate5m / pyrra_requests:rate5m (over w: sum_over_time of both) / (1 − objective)");
                rates
            }
            Some((PyrraRules::Totals, rates)) => {
                conv.push_str("; burn rates from the older pyrra_errors_total / pyrra_requests_total: increase over w of both / (1 − objective) (no pyrra_requests:rate5m series)");
                rates
            }
            None => {
                conv.push_str("; no burn rates: neither pyrra_requests:rate5m (Pyrra ≥ 0.9) nor pyrra_requests_total has a series for this SLO");
                BTreeMap::new()
            }
        };
        Ok(Reading {
            remaining,
            burn_rates,
            window_seconds,
            as_of: Some(avail.time),
            events: None,
            provenance: Provenance {
                source: format!("/api/v1/query {promql}; {burn_promql}"),
                raw: avail.raw.clone(),
                conversion: conv,
                ..Default::default()
            },
            history: Vec::new(),
        })
    }
}
