//! `grafana` mode: the remaining budget and burn rates from Grafana SLO's
//! recorded series (label `grafana_slo_uuid`).

use super::{BURN_WINDOWS, Prometheus, error_budget, escape, index, partial};
use crate::{FetchError, Provenance, Reading, Target, finite};
use std::collections::BTreeMap;

impl Prometheus {
    pub(super) async fn read_grafana(&self, target: &Target) -> Result<Reading, FetchError> {
        let Some(uuid) = target.id.as_deref() else {
            return Err(FetchError::Config(format!(
                "SLO `{}`: grafana mode needs the Grafana SLO UUID as the SLO's `id` in the service's `budget.slos`",
                target.slo
            )));
        };
        let promql = format!(
            r#"{{__name__=~"grafana_slo_sli_window|grafana_slo_objective|grafana_slo_sli_(5m|30m|1h|6h|1d|3d)",grafana_slo_uuid="{}"}}"#,
            escape(uuid)
        );
        let samples = self.query(&promql).await.map_err(|e| match e {
            FetchError::Empty(_) => FetchError::Empty(format!(
                "no Grafana SLO series for grafana_slo_uuid=\"{uuid}\""
            )),
            e => e,
        })?;
        partial::check_labels(&samples, &[("grafana_slo_uuid", uuid)])?;
        let series = index(&samples, |s| Some(s.label("__name__").to_string()))?;
        let Some(sli) = series.get("grafana_slo_sli_window") else {
            return Err(FetchError::Empty(format!(
                "no `grafana_slo_sli_window{{grafana_slo_uuid=\"{uuid}\"}}` series"
            )));
        };
        let sli_window = finite(sli.value, "grafana_slo_sli_window")?;
        let objective = match (target.objective, series.get("grafana_slo_objective")) {
            (Some(o), _) => o,
            (None, Some(o)) => finite(o.value, "grafana_slo_objective")?,
            (None, None) => {
                return Err(FetchError::Missing(format!(
                    "objective of Grafana SLO {uuid}: no grafana_slo_objective series and none configured"
                )));
            }
        };
        let budget = error_budget(objective)?;
        let remaining = finite(1.0 - (1.0 - sli_window) / budget, "remaining")?;
        let mut burn_rates = BTreeMap::new();
        for (label, _) in BURN_WINDOWS {
            let name = format!("grafana_slo_sli_{label}");
            if let Some(s) = series.get(&name) {
                let v = finite(s.value, &name)?;
                burn_rates.insert(
                    label.to_string(),
                    finite((1.0 - v) / budget, &format!("burn rate {label}"))?,
                );
            }
        }
        Ok(Reading {
            remaining,
            burn_rates,
            window_seconds: target.window_seconds,
            as_of: Some(sli.time),
            events: None,
            provenance: Provenance {
                source: format!("/api/v1/query {promql}"),
                raw: sli.raw.clone(),
                conversion: format!(
                    "remaining = 1 − (1 − grafana_slo_sli_window {sli_window}) / (1 − objective {objective}); burn rate over w = (1 − grafana_slo_sli_<w>) / (1 − objective)"
                ),
                ..Default::default()
            },
            history: Vec::new(),
        })
    }
}
