//! `sloth` mode: the remaining budget and burn rates from Sloth's recording
//! rules (labels `sloth_service`, `sloth_slo`).

use super::{BURN_WINDOWS, Prometheus, escape, index, partial};
use crate::{FetchError, Provenance, Reading, Target, finite};
use std::collections::BTreeMap;

impl Prometheus {
    pub(super) async fn read_sloth(&self, target: &Target) -> Result<Reading, FetchError> {
        let promql = format!(
            r#"{{__name__=~"slo:period_error_budget_remaining:ratio|slo:current_burn_rate:ratio|slo:error_budget:ratio|slo:time_period:days|slo:sli_error:ratio_rate(5m|30m|1h|6h|1d|3d)",sloth_service="{}",sloth_slo="{}"}}"#,
            escape(&target.service),
            escape(&target.slo)
        );
        let samples = self.query(&promql).await.map_err(|e| match e {
            FetchError::Empty(_) => FetchError::Empty(format!(
                "no Sloth series for sloth_service=\"{}\", sloth_slo=\"{}\" (are Sloth's recording rules loaded?)",
                target.service, target.slo
            )),
            e => e,
        })?;
        partial::check_labels(
            &samples,
            &[
                ("sloth_service", target.service.as_str()),
                ("sloth_slo", target.slo.as_str()),
            ],
        )?;
        let series = index(&samples, |s| {
            let name = s.label("__name__");
            match name {
                "slo:sli_error:ratio_rate" => None,
                _ if name.starts_with("slo:sli_error:ratio_rate") => {
                    Some(format!("{name}|{}", s.label("sloth_window")))
                }
                _ => Some(name.to_string()),
            }
        })?;
        let key = "slo:period_error_budget_remaining:ratio";
        let Some(rem) = series.get(key) else {
            return Err(FetchError::Empty(format!(
                "no `{key}` series for sloth_service=\"{}\", sloth_slo=\"{}\" (are Sloth's recording rules loaded?)",
                target.service, target.slo
            )));
        };
        let remaining = finite(rem.value, key)?;
        let budget = match series.get("slo:error_budget:ratio") {
            Some(b) => Some((
                finite(b.value, "slo:error_budget:ratio")?,
                format!("slo:error_budget:ratio = {}", b.raw),
            )),
            None => target
                .objective
                .map(|o| (1.0 - o, format!("1 − objective {o}"))),
        };
        // A budget of 0 (or less, or the whole) cannot divide an error
        // ratio: dropping the burn rates instead would read a 500× burn
        // as healthy.
        let budget = match budget {
            Some((b, _)) if b > 0.0 && b < 1.0 => Some(b),
            Some((_, what)) => {
                return Err(FetchError::Implausible(format!(
                    "error budget {what}: an error budget is above 0 and below 1, so no burn rate can be read against it"
                )));
            }
            None => None,
        };
        let mut burn_rates = BTreeMap::new();
        let mut conv = vec![format!("remaining = {key} (ratio)")];
        if let Some(budget) = budget {
            for (label, _) in BURN_WINDOWS {
                let name = format!("slo:sli_error:ratio_rate{label}");
                if let Some(s) = series.get(&format!("{name}|{label}")) {
                    let ratio = finite(s.value, &name)?;
                    burn_rates.insert(
                        label.to_string(),
                        finite(ratio / budget, &format!("burn rate {label}"))?,
                    );
                }
            }
            conv.push(format!(
                "burn rate over w = slo:sli_error:ratio_rate<w> / error budget {budget}"
            ));
        }
        if !burn_rates.contains_key("5m")
            && let Some(s) = series.get("slo:current_burn_rate:ratio")
        {
            burn_rates.insert(
                "5m".to_string(),
                finite(s.value, "slo:current_burn_rate:ratio")?,
            );
            conv.push("5m burn rate = slo:current_burn_rate:ratio".to_string());
        }
        let window_seconds = match series.get("slo:time_period:days") {
            Some(d) => Some(finite(d.value, "slo:time_period:days")? * 86_400.0),
            None => target.window_seconds,
        };
        Ok(Reading {
            remaining,
            burn_rates,
            window_seconds,
            as_of: Some(rem.time),
            events: None,
            provenance: Provenance {
                source: format!("/api/v1/query {promql}"),
                raw: rem.raw.clone(),
                conversion: conv.join("; "),
                ..Default::default()
            },
            history: Vec::new(),
        })
    }
}
