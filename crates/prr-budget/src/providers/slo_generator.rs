//! Google slo-generator reports (<https://github.com/google/slo-generator>),
//! read with `GET {url}`, the URL templated with `{service}`, `{slo}`,
//! `{id}` (an slo-generator API deployment, or any server that returns its
//! JSON reports). The body is one report, or an array of reports (one per
//! error-budget-policy step): prr uses those whose `metadata.name` or
//! `metadata.labels.slo_name` is the SLO (else all), and among them the one
//! with the longest `window`.
//!
//! The remaining ratio comes, in this order, from:
//! 1. `sli_measurement` and `goal` (ratios): `(sli − goal) / (1 − goal)` —
//!    slo-generator's own `gap / error_budget_target` (report.py `build()`);
//! 2. `error_budget_remaining_minutes / error_budget_minutes` (same quantity in minutes);
//! 3. `error_budget_consumed_ratio`, which despite its name is a *percent*
//!    consumed: `1 − v / 100`.
//!
//! The bundled fixture `slo_report_v2.json` shows why the order matters: its
//! `sli_measurement` 0.5 and `goal` 0.9 give −4.0 (burn rate 5, the budget
//! spent five times over, `alert: true`), as do its minutes (−288 / 72),
//! while its `error_budget_consumed_ratio` 19.9999999999999 would read as
//! 0.8 remaining. When (3) disagrees with (1) or (2), the reading keeps the
//! measured value and the provenance says the consumed field was ignored.
//!
//! `window` (seconds) is the step's measurement window; the burn rate
//! `error_budget_burn_rate` is stored under its label (`43200` → `12h`);
//! `timestamp` (Unix seconds) is `as_of`; `events_count` the event count.
//! A report with `valid: false` (slo-generator could not compute it) is no data.

use super::http_json::{
    credential_headers, fill_template, number, optional_number, raw_text, strip_query, window_label,
};
use crate::config::ProviderConfig;
use crate::http::Http;
use crate::{BoxFuture, FetchError, Provenance, Provider, Reading, Target, finite};
use serde_json::Value;

http_options! {
    /// The options of a `type: slo-generator` provider (Google slo-generator API) in
    /// `budget.providers`; a key of another provider type is refused at its line.
    pub struct Options {
        /// Base URL of the slo-generator API.
        #[serde(default)]
        pub url: Option<String>,
    }
}

/// Difference above which two derivations of the remaining ratio disagree.
const AGREE: f64 = 0.01;

/// The provider.
#[derive(Debug)]
pub struct SloGenerator {
    name: String,
    http: Http,
    url: String,
    cfg: Options,
}

impl SloGenerator {
    /// Builds it from its config. Errors: `url` missing.
    pub fn from_config(name: &str, cfg: &ProviderConfig, http: Http) -> Result<Self, String> {
        let cfg: Options = super::options(name, cfg)?;
        let url = cfg.url.clone().ok_or_else(|| {
            format!(
                "provider `{name}` (type slo-generator) needs `url` (may use {{service}}, {{slo}}, {{id}})"
            )
        })?;
        let url = super::check_url(name, "slo-generator", &url)?;
        Ok(SloGenerator {
            name: name.to_string(),
            http,
            url,
            cfg: cfg.clone(),
        })
    }

    async fn fetch(&self, target: &Target) -> Result<Reading, FetchError> {
        let url = fill_template(&self.url, target)?;
        let headers = credential_headers(self.cfg.auth.as_ref(), &self.cfg.headers_env)?;
        let body = self.http.get_json(&url, &headers, &[]).await?;
        let report = pick_report(&body, &target.slo)?;
        convert(report, &self.name, format!("GET {}", strip_query(&url)))
    }
}

/// The report to use from a body holding one report or an array of them.
fn pick_report<'a>(body: &'a Value, slo: &str) -> Result<&'a Value, FetchError> {
    let reports: Vec<&Value> = match body {
        Value::Array(list) => list.iter().collect(),
        Value::Object(_) => vec![body],
        other => {
            return Err(FetchError::Malformed(format!(
                "expected a report object or an array of reports, got {}",
                super::http_json::type_name(other)
            )));
        }
    };
    if reports.is_empty() {
        return Err(FetchError::Empty(
            "no slo-generator report in the response".to_string(),
        ));
    }
    let is_slo = |r: &&&Value| {
        r.pointer("/metadata/name").and_then(Value::as_str) == Some(slo)
            || r.pointer("/metadata/labels/slo_name")
                .and_then(Value::as_str)
                == Some(slo)
    };
    let named: Vec<&Value> = reports.iter().filter(is_slo).copied().collect();
    let pool = if named.is_empty() { reports } else { named };
    let window = |r: &Value| r.get("window").and_then(Value::as_f64).unwrap_or(0.0);
    pool.into_iter()
        .max_by(|a, b| window(a).total_cmp(&window(b)))
        .ok_or_else(|| FetchError::Empty("no slo-generator report in the response".to_string()))
}

/// Converts one slo-generator report to a reading (see the module docs).
pub fn convert(report: &Value, provider: &str, source: String) -> Result<Reading, FetchError> {
    if !report.is_object() {
        return Err(FetchError::Malformed(
            "the report is not a JSON object".to_string(),
        ));
    }
    if report.get("valid").and_then(Value::as_bool) == Some(false) {
        let errors = report.get("errors").map(raw_text).unwrap_or_default();
        return Err(FetchError::Empty(format!(
            "slo-generator marked the report invalid: {errors}"
        )));
    }
    let sli = optional_number(report, "/sli_measurement")?;
    let goal = optional_number(report, "/goal")?;
    let rem_min = optional_number(report, "/error_budget_remaining_minutes")?;
    let eb_min = optional_number(report, "/error_budget_minutes")?;
    let consumed = optional_number(report, "/error_budget_consumed_ratio")?;

    let from_sli = match (sli, goal) {
        (Some(s), Some(g)) if g < 1.0 => Some((
            (s - g) / (1.0 - g),
            raw_json(report, &["sli_measurement", "goal"]),
            "(sli_measurement − goal) / (1 − goal)",
        )),
        (Some(_), Some(g)) => {
            return Err(FetchError::Malformed(format!(
                "goal = {g} leaves no error budget"
            )));
        }
        _ => None,
    };
    let from_minutes = match (rem_min, eb_min) {
        (Some(r), Some(m)) if m > 0.0 => Some((
            r / m,
            raw_json(
                report,
                &["error_budget_remaining_minutes", "error_budget_minutes"],
            ),
            "error_budget_remaining_minutes / error_budget_minutes",
        )),
        _ => None,
    };
    let from_consumed = consumed.map(|c| {
        (
            1.0 - c / 100.0,
            raw_json(report, &["error_budget_consumed_ratio"]),
            "1 − error_budget_consumed_ratio / 100 (a percent consumed)",
        )
    });
    let Some((remaining, raw, how)) = from_sli
        .clone()
        .or(from_minutes.clone())
        .or(from_consumed.clone())
    else {
        return Err(FetchError::Missing(
            "sli_measurement and goal, error_budget_remaining_minutes and error_budget_minutes, or error_budget_consumed_ratio"
                .to_string(),
        ));
    };
    let mut conversion = how.to_string();
    if let (Some((a, _, _)), Some((b, _, _))) = (&from_sli, &from_minutes)
        && (a - b).abs() > AGREE
    {
        return Err(FetchError::Malformed(format!(
            "the report contradicts itself: (sli − goal)/(1 − goal) = {a:.4} but remaining/budget minutes = {b:.4}"
        )));
    }
    if let Some((c, _, _)) = from_consumed
        && (from_sli.is_some() || from_minutes.is_some())
        && (c - remaining).abs() > AGREE
    {
        conversion.push_str(&format!(
            "; error_budget_consumed_ratio {} ignored: as a percent consumed it gives {c:.4}, inconsistent with the measurement",
            consumed.map(|v| v.to_string()).unwrap_or_default()
        ));
    }
    let window = optional_number(report, "/window")?;
    let mut reading = Reading {
        remaining: finite(remaining, "remaining")?,
        window_seconds: window,
        as_of: match report.get("timestamp") {
            None | Some(Value::Null) => None,
            Some(t) => Some(super::http_json::timestamp(t, "timestamp")?),
        },
        events: optional_number(report, "/events_count")?,
        provenance: Provenance {
            provider: provider.to_string(),
            source,
            raw,
            conversion,
        },
        ..Reading::default()
    };
    if let Some(br) = report
        .get("error_budget_burn_rate")
        .filter(|v| !v.is_null())
    {
        let br = number(br, "error_budget_burn_rate")?;
        let label = window.map_or_else(|| super::http_json::CURRENT.to_string(), window_label);
        reading.burn_rates.insert(label, br);
    }
    Ok(reading)
}

/// `{"a": …, "b": …}` of the named fields, for provenance.
fn raw_json(report: &Value, keys: &[&str]) -> String {
    let parts: Vec<String> = keys
        .iter()
        .map(|k| format!("{k}={}", report.get(*k).map(raw_text).unwrap_or_default()))
        .collect();
    parts.join(", ")
}

impl Provider for SloGenerator {
    fn name(&self) -> &str {
        &self.name
    }

    fn read<'a>(&'a self, target: &'a Target) -> BoxFuture<'a, Result<Reading, FetchError>> {
        Box::pin(self.fetch(target))
    }
}
