//! Nobl9 SLO Status API v2: `GET {url}/api/v2/slos/{name}`
//! (<https://docs.nobl9.com/api/slo-v2>), default `url`
//! `https://app.nobl9.com`.
//!
//! Authentication: Nobl9 issues a one-hour access token from a client id
//! and secret (`POST /api/accessToken`, rate limited to one call per
//! 3 s per organisation). prr does not mint tokens: the CI job fetches one
//! and puts it in the variable named by `token-env`; prr sends it as
//! `Authorization: Bearer …`, with `Organization: {project}` (set `project`
//! to your organisation ID).
//!
//! The SLO name is the target's `id` (else its SLO name). An SLO has
//! `objectives[]`; prr uses the objective named like the SLO, the only
//! one, or the one given as `id: "slo-name/objective-name"`.
//!
//! Units: `errorBudgetRemainingPercentage` is, by its name and the Nobl9
//! docs ("the ratio … multiplied by 100 %"), a percent: remaining = v / 100.
//! When the objective also has `reliability` and `target` (ratios), prr
//! checks the value against `(reliability − target) / (1 − target)` (the
//! documented remaining-budget formula, https://docs.nobl9.com/getting-started/slo-io)
//! and accepts the value as a ratio if that is what matches; `unit: ratio`
//! or `unit: percent` in the provider config settles it explicitly. A
//! value that matches neither reading is refused as malformed. Unresolved,
//! the percent reading is the safe one (it can only under-state the budget
//! of a ratio). `burnRate` is stored under
//! [`CURRENT`](super::http_json::CURRENT); `counts.total` is the event count.

use super::http_json::{
    CURRENT, credential_headers, encode_component, number, optional_number, raw_text,
};
use crate::config::{ProviderConfig, Unit};
use crate::http::Http;
use crate::providers::env_secret;
use crate::{BoxFuture, FetchError, Provenance, Provider, Reading, Target, finite, now_unix};
use serde_json::Value;

http_options! {
    /// The options of a `type: nobl9` provider (Nobl9 SLO status API v2) in
    /// `budget.providers`; a key of another provider type is refused at its line.
    pub struct Options {
        /// Variable holding the access token.
        #[serde(default)]
        pub token_env: Option<String>,
        /// Unit of the remaining budget the API returns (default: ratio).
        #[serde(default)]
        pub unit: Option<Unit>,
        /// Base URL (default `https://app.nobl9.com`).
        #[serde(default)]
        pub url: Option<String>,
        /// Nobl9 organisation, sent as the `Organization` header.
        #[serde(default)]
        pub project: Option<String>,
    }
}

/// Tolerance when telling a ratio from a percent by cross-checking.
const MATCH_TOLERANCE: f64 = 0.02;

/// The provider. Holds only the token's environment variable *name*.
#[derive(Debug)]
pub struct Nobl9 {
    name: String,
    http: Http,
    base: String,
    token_env: String,
    organization: Option<String>,
    unit: Option<Unit>,
    cfg: Options,
}

impl Nobl9 {
    /// Builds it from its config. Errors: `token-env` missing, or `unit`
    /// other than `ratio`/`percent`.
    pub fn from_config(name: &str, cfg: &ProviderConfig, http: Http) -> Result<Self, String> {
        let cfg: Options = super::options(name, cfg)?;
        let token_env = cfg.token_env.clone().ok_or_else(|| {
            format!(
                "provider `{name}` (type nobl9) needs `token-env`: the variable holding a Nobl9 access token"
            )
        })?;
        if let Some(u) = cfg.unit
            && !matches!(u, Unit::Ratio | Unit::Percent)
        {
            return Err(format!(
                "provider `{name}` (type nobl9): unit must be `ratio` or `percent` (of errorBudgetRemainingPercentage)"
            ));
        }
        Ok(Nobl9 {
            name: name.to_string(),
            http,
            base: super::check_url(
                name,
                "nobl9",
                cfg.url.as_deref().unwrap_or("https://app.nobl9.com"),
            )?
            .trim_end_matches('/')
            .to_string(),
            token_env,
            organization: cfg.project.clone(),
            unit: cfg.unit,
            cfg: cfg.clone(),
        })
    }

    async fn fetch(&self, target: &Target) -> Result<Reading, FetchError> {
        let id = target
            .id
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or(&target.slo);
        let (slo_name, objective) = match id.split_once('/') {
            Some((s, o)) => (s, Some(o)),
            None => (id, None),
        };
        let url = format!("{}/api/v2/slos/{}", self.base, encode_component(slo_name)?);
        let mut headers = credential_headers(self.cfg.auth.as_ref(), &self.cfg.headers_env)?;
        headers.push((
            "Authorization".to_string(),
            format!("Bearer {}", env_secret(&self.token_env)?),
        ));
        if let Some(org) = &self.organization {
            headers.push(("Organization".to_string(), org.clone()));
        }
        let body = self.http.get_json(&url, &headers, &[]).await?;
        let objectives = match body.get("objectives") {
            Some(Value::Array(o)) => o,
            None => return Err(FetchError::Missing("objectives".to_string())),
            Some(_) => {
                return Err(FetchError::Malformed(
                    "objectives is not an array".to_string(),
                ));
            }
        };
        let obj = pick_objective(
            objectives,
            objective.unwrap_or(&target.slo),
            objective.is_some(),
        )?;
        self.convert(obj, format!("GET {url}"))
    }

    fn convert(&self, obj: &Value, source: String) -> Result<Reading, FetchError> {
        let raw = obj.get("errorBudgetRemainingPercentage").ok_or_else(|| {
            FetchError::Missing("objectives[].errorBudgetRemainingPercentage".to_string())
        })?;
        let v = number(raw, "errorBudgetRemainingPercentage")?;
        let reliability = optional_number(obj, "/reliability")?;
        let target = optional_number(obj, "/target")?;
        let (remaining, conversion) = match self.unit {
            Some(Unit::Ratio) => (v, "ratio (unit: ratio configured)".to_string()),
            Some(_) => (
                v / 100.0,
                "percent / 100 (unit: percent configured)".to_string(),
            ),
            None => match (reliability, target) {
                (Some(r), Some(t)) if t < 1.0 => {
                    let expected = (r - t) / (1.0 - t);
                    if (v / 100.0 - expected).abs() <= MATCH_TOLERANCE {
                        (
                            v / 100.0,
                            format!(
                                "percent / 100 (agrees with (reliability − target)/(1 − target) = {expected:.4})"
                            ),
                        )
                    } else if (v - expected).abs() <= MATCH_TOLERANCE {
                        (
                            v,
                            format!(
                                "ratio (agrees with (reliability − target)/(1 − target) = {expected:.4})"
                            ),
                        )
                    } else {
                        return Err(FetchError::Malformed(format!(
                            "errorBudgetRemainingPercentage = {v} matches neither a percent nor a ratio of the \
                             remaining budget computed from reliability {r} and target {t} ({expected:.4}); \
                             set `unit:` on the provider"
                        )));
                    }
                }
                _ => (
                    v / 100.0,
                    "percent / 100 (by the field's name; no reliability/target to cross-check)"
                        .to_string(),
                ),
            },
        };
        let mut reading = Reading {
            remaining: finite(remaining, "remaining")?,
            as_of: Some(now_unix()),
            events: optional_number(obj, "/counts/total")?,
            provenance: Provenance {
                provider: self.name.clone(),
                source,
                raw: raw_text(raw),
                conversion,
            },
            ..Reading::default()
        };
        if let Some(br) = optional_number(obj, "/burnRate")? {
            reading.burn_rates.insert(CURRENT.to_string(), br);
        }
        Ok(reading)
    }
}

/// The objective named `want`, else the only one (unless `strict`).
fn pick_objective<'a>(
    objectives: &'a [Value],
    want: &str,
    strict: bool,
) -> Result<&'a Value, FetchError> {
    let named = |o: &&Value| {
        o.get("name").and_then(Value::as_str) == Some(want)
            || o.get("displayName").and_then(Value::as_str) == Some(want)
    };
    if let Some(o) = objectives.iter().find(named) {
        return Ok(o);
    }
    match objectives {
        [] => Err(FetchError::Empty("the SLO has no objectives".to_string())),
        [one] if !strict => Ok(one),
        many => {
            let names: Vec<String> = many
                .iter()
                .map(|o| {
                    o.get("name")
                        .map(raw_text)
                        .unwrap_or_else(|| "?".to_string())
                })
                .collect();
            Err(FetchError::Config(format!(
                "no objective named {want:?} (objectives: {}); set `id: \"<slo>/<objective>\"`",
                names.join(", ")
            )))
        }
    }
}

impl Provider for Nobl9 {
    fn name(&self) -> &str {
        &self.name
    }

    fn read<'a>(&'a self, target: &'a Target) -> BoxFuture<'a, Result<Reading, FetchError>> {
        Box::pin(self.fetch(target))
    }
}
