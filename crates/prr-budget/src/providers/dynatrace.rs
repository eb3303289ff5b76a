//! Dynatrace SLO API v2 (classic SLOs).
//!
//! `GET {url}/api/v2/slo/{id}` with `Authorization: Api-Token …` (scope
//! `slo.read`), or, without an `id`, `GET {url}/api/v2/slo?sloSelector=name("…")`
//! and exactly one SLO in `slo[]`
//! (<https://docs.dynatrace.com/docs/dynatrace-api/environment-api/service-level-objectives-classic/get-slo>).
//! `url` is the environment URL (`https://abc12345.live.dynatrace.com`, or
//! `https://{domain}/e/{environment-id}` for Managed).
//!
//! Units: `target` and `evaluatedPercentage` are percent; `errorBudget` is
//! in *percentage points* above the target (`evaluatedPercentage − target`),
//! so the remaining ratio is `errorBudget / (100 − target)`: target 95,
//! evaluated 97.5 → errorBudget 2.5 → remaining 0.5. A failed evaluation
//! (`error` other than `NONE`, or `evaluatedPercentage` −1) is no data.
//! `errorBudgetBurnRate.burnRateValue`, when present, is stored under
//! [`CURRENT`](super::http_json::CURRENT): the API does not state its window
//! in the response, so it is shown but not used for the multi-window
//! fast-burn rule.

use super::http_json::{
    CURRENT, credential_headers, encode_component, number, optional_number, raw_text,
};
use crate::config::ProviderConfig;
use crate::http::Http;
use crate::providers::env_secret;
use crate::{BoxFuture, FetchError, Provenance, Provider, Reading, Target, finite, now_unix};
use serde_json::Value;

http_options! {
    /// The options of a `type: dynatrace` provider (Dynatrace SLO API v2) in
    /// `budget.providers`; a key of another provider type is refused at its line.
    pub struct Options {
        /// Environment URL (`https://abc12345.live.dynatrace.com`).
        #[serde(default)]
        pub url: Option<String>,
        /// Variable holding the API token (`slo.read` scope).
        #[serde(default)]
        pub token_env: Option<String>,
    }
}

/// The provider. Holds only the token's environment variable *name*.
#[derive(Debug)]
pub struct Dynatrace {
    name: String,
    http: Http,
    base: String,
    token_env: String,
    cfg: Options,
}

impl Dynatrace {
    /// Builds it from its config. Errors: `url` or `token-env` missing.
    pub fn from_config(name: &str, cfg: &ProviderConfig, http: Http) -> Result<Self, String> {
        let cfg: Options = super::options(name, cfg)?;
        let need = |k: &str, what: &str| {
            format!("provider `{name}` (type dynatrace) needs `{k}` ({what})")
        };
        let base = cfg
            .url
            .as_deref()
            .ok_or_else(|| need("url", "the environment URL"))?;
        let base = super::check_url(name, "dynatrace", base)?
            .trim_end_matches('/')
            .to_string();
        let token_env = cfg.token_env.clone().ok_or_else(|| {
            need(
                "token-env",
                "the variable holding an API token with slo.read",
            )
        })?;
        Ok(Dynatrace {
            name: name.to_string(),
            http,
            base,
            token_env,
            cfg: cfg.clone(),
        })
    }

    async fn fetch(&self, target: &Target) -> Result<Reading, FetchError> {
        let mut headers = credential_headers(self.cfg.auth.as_ref(), &self.cfg.headers_env)?;
        headers.push((
            "Authorization".to_string(),
            format!("Api-Token {}", env_secret(&self.token_env)?),
        ));
        let (url, query) = match target.id.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(id) => (
                format!("{}/api/v2/slo/{}", self.base, encode_component(id)?),
                vec![],
            ),
            None => (
                format!("{}/api/v2/slo", self.base),
                vec![
                    (
                        "sloSelector".to_string(),
                        format!("name(\"{}\")", target.slo.replace('"', "\\\"")),
                    ),
                    ("timeFrame".to_string(), "CURRENT".to_string()),
                ],
            ),
        };
        let body = self.http.get_json(&url, &headers, &query).await?;
        let slo = if query.is_empty() {
            &body
        } else {
            match body.get("slo") {
                Some(Value::Array(list)) => match list.as_slice() {
                    [] => {
                        return Err(FetchError::Empty(format!(
                            "no Dynatrace SLO named {:?}; set `id:` or check the name",
                            target.slo
                        )));
                    }
                    [one] => one,
                    many => {
                        return Err(FetchError::Malformed(format!(
                            "{} Dynatrace SLOs named {:?}; set `id:` to choose one",
                            many.len(),
                            target.slo
                        )));
                    }
                },
                None => return Err(FetchError::Missing("slo (the list of SLOs)".to_string())),
                Some(_) => return Err(FetchError::Malformed("slo is not an array".to_string())),
            }
        };
        let source = match query.first() {
            Some((_, sel)) => format!("GET {url}?sloSelector={sel}"),
            None => format!("GET {url}"),
        };
        self.convert(slo, source)
    }

    fn convert(&self, slo: &Value, source: String) -> Result<Reading, FetchError> {
        if !slo.is_object() {
            return Err(FetchError::Malformed(
                "the SLO is not a JSON object".to_string(),
            ));
        }
        if let Some(err) = slo.get("error").and_then(Value::as_str)
            && err != "NONE"
        {
            return Err(FetchError::Empty(format!(
                "Dynatrace could not evaluate the SLO: error {err}"
            )));
        }
        let target_pct = number(
            slo.get("target")
                .ok_or_else(|| FetchError::Missing("target".to_string()))?,
            "target",
        )?;
        if let Some(ev) = optional_number(slo, "/evaluatedPercentage")?
            && ev < 0.0
        {
            return Err(FetchError::Empty(format!(
                "evaluatedPercentage = {ev} (not evaluated)"
            )));
        }
        let raw = slo
            .get("errorBudget")
            .ok_or_else(|| FetchError::Missing("errorBudget".to_string()))?;
        let eb = number(raw, "errorBudget")?;
        let budget = 100.0 - target_pct;
        if budget <= 0.0 {
            return Err(FetchError::Malformed(format!(
                "target = {target_pct} % leaves no error budget (100 − target ≤ 0)"
            )));
        }
        let remaining = finite(eb / budget, "remaining")?;
        let window = slo
            .get("timeframe")
            .and_then(Value::as_str)
            .and_then(|tf| crate::formats::parse_duration(tf.trim_start_matches('-')));
        let mut reading = Reading {
            remaining,
            window_seconds: window,
            as_of: Some(now_unix()),
            provenance: Provenance {
                provider: self.name.clone(),
                source,
                raw: raw_text(raw),
                conversion: format!(
                    "errorBudget is percentage points above the target; / (100 − target {target_pct}) = / {budget}"
                ),
            },
            ..Reading::default()
        };
        if let Some(br) = optional_number(slo, "/errorBudgetBurnRate/burnRateValue")? {
            reading.burn_rates.insert(CURRENT.to_string(), br);
        }
        Ok(reading)
    }
}

impl Provider for Dynatrace {
    fn name(&self) -> &str {
        &self.name
    }

    fn read<'a>(&'a self, target: &'a Target) -> BoxFuture<'a, Result<Reading, FetchError>> {
        Box::pin(self.fetch(target))
    }
}
