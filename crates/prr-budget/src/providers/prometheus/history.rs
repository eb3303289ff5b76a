//! The budget chart's data: the remaining budget over the SLO window from
//! one range query (`GET /api/v1/query_range`,
//! <https://prometheus.io/docs/prometheus/latest/querying/api/#range-queries>)
//! at [`POINTS`] steps, run beside the reading's instant queries.
//!
//! Per mode, the series asked and the conversion (the same as the
//! reading's, applied at each step):
//! - `sloth`: `slo:period_error_budget_remaining:ratio` as is;
//! - `pyrra`: `pyrra_availability` and `pyrra_objective` → 1 − (1 −
//!   availability) / (1 − objective);
//! - `grafana`: `grafana_slo_sli_window` (and `grafana_slo_objective`) → 1 −
//!   (1 − sli) / (1 − objective);
//! - `compute`: the windowed SLI parts → 1 − error ratio / (1 − objective),
//!   each step's error ratio over the SLO window ending at that step.
//!
//! A step without a usable value (no data yet, NaN, no requests) is left
//! out; the chart draws the steps it has.

use super::{
    DEFAULT_WINDOW_SECONDS, Mode, Parts, Prometheus, Sample, error_budget, error_ratio, escape,
    format_time, sample_pair,
};
use crate::{FetchError, HistoryPoint, Target, now_unix};
use std::collections::BTreeMap;

/// Steps of the range query over the SLO window (31 points with both ends).
pub const POINTS: u64 = 30;
/// The longest window drawn: ten years, in seconds.
const MAX_WINDOW_SECONDS: u64 = 10 * 365 * 86_400;

/// One series of a range-query answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Series labels.
    pub labels: BTreeMap<String, String>,
    /// (Unix seconds, raw text, value), oldest first.
    pub values: Vec<(f64, String, f64)>,
}

impl Series {
    fn label(&self, name: &str) -> &str {
        self.labels.get(name).map_or("", String::as_str)
    }
}

impl Prometheus {
    /// The remaining budget of `target` over its SLO window (at most
    /// [`MAX_WINDOW_SECONDS`]), oldest first.
    pub(super) async fn history(
        &self,
        target: &Target,
        mode: Mode,
    ) -> Result<Vec<HistoryPoint>, FetchError> {
        let window = target
            .window_seconds
            .filter(|w| w.is_finite() && *w >= 60.0)
            .map_or(DEFAULT_WINDOW_SECONDS, |w| w.round() as u64)
            // At most ten years: `step * POINTS` must not overflow.
            .min(MAX_WINDOW_SECONDS);
        let step = window.div_ceil(POINTS).max(1);
        let end = self.eval_time.unwrap_or_else(now_unix).floor();
        let start = end - step.saturating_mul(POINTS) as f64;
        let (promql, compute) = match mode {
            Mode::Sloth => (
                format!(
                    r#"slo:period_error_budget_remaining:ratio{{sloth_service="{}",sloth_slo="{}"}}"#,
                    escape(&target.service),
                    escape(&target.slo)
                ),
                None,
            ),
            Mode::Pyrra => (
                format!(
                    r#"{{__name__=~"pyrra_availability|pyrra_objective",slo="{}"}}"#,
                    escape(&target.slo)
                ),
                None,
            ),
            Mode::Grafana => {
                let uuid = target.id.as_deref().ok_or_else(|| {
                    FetchError::Config("grafana mode needs the SLO's `id`".to_string())
                })?;
                (
                    format!(
                        r#"{{__name__=~"grafana_slo_sli_window|grafana_slo_objective",grafana_slo_uuid="{}"}}"#,
                        escape(uuid)
                    ),
                    None,
                )
            }
            Mode::Compute => {
                let parts = Parts::from_target(target)?;
                let promql = parts.promql(&[("window".to_string(), window)]);
                (promql, Some(parts))
            }
        };
        let params = vec![
            ("query".to_string(), promql),
            ("start".to_string(), format_time(start)),
            ("end".to_string(), format_time(end)),
            ("step".to_string(), step.to_string()),
        ];
        let body = self.get_api("query_range", params).await?;
        let series = parse_matrix(&body)?;
        convert(mode, &series, target, compute.as_ref())
    }
}

/// Parses a range-query answer (`"resultType": "matrix"`, each series with
/// `values: [[t, "v"], …]`). An empty matrix is `Empty`.
pub fn parse_matrix(body: &serde_json::Value) -> Result<Vec<Series>, FetchError> {
    if body.get("status").and_then(|s| s.as_str()) != Some("success") {
        let text = body
            .get("error")
            .and_then(|e| e.as_str())
            .unwrap_or("no `status: success`");
        return Err(FetchError::Malformed(format!("range query: {text}")));
    }
    let data = body
        .get("data")
        .ok_or_else(|| FetchError::Missing("data".to_string()))?;
    if data.get("resultType").and_then(|v| v.as_str()) != Some("matrix") {
        return Err(FetchError::Malformed(
            "range query: resultType is not matrix".to_string(),
        ));
    }
    let items = data
        .get("result")
        .and_then(|r| r.as_array())
        .ok_or_else(|| FetchError::Missing("data.result".to_string()))?;
    if items.is_empty() {
        return Err(FetchError::Empty(
            "the range query returned no series".to_string(),
        ));
    }
    items
        .iter()
        .map(|item| {
            let labels = item
                .get("metric")
                .and_then(|m| m.as_object())
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                        .collect()
                })
                .unwrap_or_default();
            let values = item
                .get("values")
                .and_then(|v| v.as_array())
                .ok_or_else(|| FetchError::Missing("data.result[].values".to_string()))?
                .iter()
                .map(sample_pair)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Series { labels, values })
        })
        .collect()
}

/// The one series named `name` (several are malformed: a ratio is never
/// summed across series).
fn one<'a>(series: &'a [Series], name: &str) -> Result<Option<&'a Series>, FetchError> {
    let mut found = series.iter().filter(|s| s.label("__name__") == name);
    let first = found.next();
    if found.next().is_some() {
        return Err(FetchError::Malformed(format!(
            "range query: several series for `{name}`"
        )));
    }
    Ok(first)
}

fn at(s: Option<&Series>, t: f64) -> Option<f64> {
    s?.values
        .iter()
        .find(|v| v.0 == t)
        .map(|v| v.2)
        .filter(|v| v.is_finite())
}

fn convert(
    mode: Mode,
    series: &[Series],
    target: &Target,
    parts: Option<&Parts>,
) -> Result<Vec<HistoryPoint>, FetchError> {
    let mut times: Vec<f64> = series
        .iter()
        .flat_map(|s| s.values.iter().map(|v| v.0))
        .collect();
    times.sort_by(f64::total_cmp);
    times.dedup();
    let point = |t: f64, remaining: f64| {
        remaining
            .is_finite()
            .then_some(HistoryPoint { t, remaining })
    };
    let from_sli =
        |sli_name: &str, objective_name: &str| -> Result<Vec<HistoryPoint>, FetchError> {
            let sli = one(series, sli_name)?;
            let objective = one(series, objective_name)?;
            Ok(times
                .iter()
                .filter_map(|&t| {
                    let a = at(sli, t)?;
                    let o = match (target.objective, at(objective, t)) {
                        (_, Some(o)) if mode == Mode::Pyrra => o,
                        (Some(o), _) => o,
                        (None, Some(o)) => o,
                        (None, None) => return None,
                    };
                    let b = error_budget(o).ok()?;
                    point(t, 1.0 - (1.0 - a) / b)
                })
                .collect())
        };
    match mode {
        Mode::Sloth => {
            let s = one(series, "slo:period_error_budget_remaining:ratio")?
                .or(series.first())
                .filter(|_| series.len() == 1)
                .ok_or_else(|| {
                    FetchError::Malformed("range query: several budget series".to_string())
                })?;
            Ok(s.values.iter().filter_map(|v| point(v.0, v.2)).collect())
        }
        Mode::Pyrra => from_sli("pyrra_availability", "pyrra_objective"),
        Mode::Grafana => from_sli("grafana_slo_sli_window", "grafana_slo_objective"),
        Mode::Compute => {
            let (Some(parts), Some(objective)) = (parts, target.objective) else {
                return Ok(Vec::new());
            };
            let budget = error_budget(objective)?;
            let by_part: BTreeMap<&str, &Series> =
                series.iter().map(|s| (s.label("prr_part"), s)).collect();
            Ok(times
                .iter()
                .filter_map(|&t| {
                    let got: BTreeMap<String, Sample> = by_part
                        .iter()
                        .filter_map(|(k, s)| {
                            let v = s.values.iter().find(|v| v.0 == t)?;
                            Some((
                                k.to_string(),
                                Sample {
                                    labels: BTreeMap::new(),
                                    time: t,
                                    raw: v.1.clone(),
                                    value: v.2,
                                },
                            ))
                        })
                        .collect();
                    let r = error_ratio(&got, "window", true, parts.good).ok()??;
                    point(t, 1.0 - r / budget)
                })
                .collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_a_documented_matrix() {
        // https://prometheus.io/docs/prometheus/latest/querying/api/#range-queries
        let body = json!({"status": "success", "data": {"resultType": "matrix", "result": [
            {"metric": {"__name__": "up", "job": "prometheus"},
             "values": [[1435781430.781, "1"], [1435781445.781, "1"], [1435781460.781, "NaN"]]}]}});
        let s = parse_matrix(&body).expect("matrix");
        assert_eq!(s[0].values.len(), 3);
        assert_eq!(s[0].label("job"), "prometheus");
        let sloth = json!({"status": "success", "data": {"resultType": "matrix", "result": [
            {"metric": {"__name__": "slo:period_error_budget_remaining:ratio"},
             "values": [[10, "0.9"], [20, "NaN"], [30, "0.7"]]}]}});
        let s = parse_matrix(&sloth).expect("matrix");
        let h = convert(Mode::Sloth, &s, &Target::default(), None).expect("history");
        assert_eq!(
            h,
            vec![
                HistoryPoint {
                    t: 10.0,
                    remaining: 0.9
                },
                HistoryPoint {
                    t: 30.0,
                    remaining: 0.7
                }
            ]
        );
        let empty = json!({"status": "success", "data": {"resultType": "matrix", "result": []}});
        assert!(matches!(parse_matrix(&empty), Err(FetchError::Empty(_))));
        let pyrra = json!({"status": "success", "data": {"resultType": "matrix", "result": [
            {"metric": {"__name__": "pyrra_availability", "slo": "a"}, "values": [[10, "0.9995"]]},
            {"metric": {"__name__": "pyrra_objective", "slo": "a"}, "values": [[10, "0.999"]]}]}});
        let h = convert(
            Mode::Pyrra,
            &parse_matrix(&pyrra).expect("m"),
            &Target::default(),
            None,
        )
        .expect("history");
        assert!((h[0].remaining - 0.5).abs() < 1e-9, "{h:?}");
    }
}
