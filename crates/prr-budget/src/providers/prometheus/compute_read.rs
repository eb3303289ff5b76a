//! `compute` mode's reading: the error ratio over the SLO window and each
//! burn-rate window from one query of the rewritten SLI parts.

use super::{
    BURN_WINDOWS, DEFAULT_WINDOW_SECONDS, Parts, Prometheus, duration_text, error_budget,
    error_ratio, parts_by_key,
};
use crate::{FetchError, Provenance, Reading, Target, finite};
use std::collections::BTreeMap;

impl Prometheus {
    pub(super) async fn read_compute(&self, target: &Target) -> Result<Reading, FetchError> {
        let objective = target.objective.ok_or_else(|| {
            FetchError::Config(format!(
                "SLO `{}`: compute mode needs an objective (in the SLO file or `budget.slos[].objective`)",
                target.slo
            ))
        })?;
        let budget = error_budget(objective)?;
        let window = match target.window_seconds {
            Some(w) if w.is_finite() && w >= 60.0 => w.round() as u64,
            Some(w) => {
                return Err(FetchError::Config(format!(
                    "SLO `{}`: time window of {w} s is too short",
                    target.slo
                )));
            }
            None => DEFAULT_WINDOW_SECONDS,
        };
        let parts = Parts::from_target(target)?;
        let mut windows = vec![("window".to_string(), window)];
        windows.extend(BURN_WINDOWS.iter().map(|(l, s)| (l.to_string(), *s)));
        let promql = parts.promql(&windows);
        let samples = self.query(&promql).await?;
        let got = parts_by_key(&samples)?;
        let w_label = duration_text(window);
        let Some(ratio) = error_ratio(&got, "window", true, parts.good)? else {
            return Err(FetchError::Empty(format!(
                "no requests in the {w_label} window of SLO `{}` (total is 0)",
                target.slo
            )));
        };
        let remaining = finite(1.0 - ratio / budget, "remaining")?;
        let mut burn_rates = BTreeMap::new();
        for (label, _) in BURN_WINDOWS {
            if let Some(r) = error_ratio(&got, label, false, parts.good)? {
                burn_rates.insert(
                    label.to_string(),
                    finite(r / budget, &format!("burn rate {label}"))?,
                );
            }
        }
        let events = got.get("total:window").map(|s| s.value);
        let as_of = got.values().map(|s| s.time).next();
        let raw = got
            .iter()
            .filter(|(k, _)| k.ends_with(":window"))
            .map(|(k, s)| format!("{}={}", k.trim_end_matches(":window"), s.raw))
            .collect::<Vec<_>>()
            .join(", ");
        Ok(Reading {
            remaining,
            burn_rates,
            window_seconds: Some(window as f64),
            as_of,
            events,
            provenance: Provenance {
                source: format!("/api/v1/query {promql}"),
                raw,
                conversion: format!(
                    "error ratio over {w_label} = {} = {ratio}; remaining = 1 − error ratio / (1 − objective {objective}); burn rate over w = error ratio over w / (1 − objective){}",
                    parts.formula(),
                    if target.window_seconds.is_none() {
                        "; window 30d by default (none in the SLO file)"
                    } else {
                        ""
                    }
                ),
                ..Default::default()
            },
            history: Vec::new(),
        })
    }
}
