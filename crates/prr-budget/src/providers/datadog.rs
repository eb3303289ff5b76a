//! Datadog SLO API.
//!
//! - `api: v1` (default), SLO history,
//!   `GET https://api.{site}/api/v1/slo/{id}/history?from_ts=…&to_ts=…`
//!   (<https://docs.datadoghq.com/api/latest/service-level-objectives/get-an-slos-history/>):
//!   `data.overall.error_budget_remaining` is an object keyed by the SLO's
//!   timeframes (`{"30d": 62.5}`), each the *percent* of the error budget
//!   left; `data.overall.sli_value` is the SLI in percent and
//!   `data.thresholds.{tf}.target` the objective in percent.
//! - `api: v2`, SLO status,
//!   `GET https://api.{site}/api/v2/slo/{id}/status?from_ts=…&to_ts=…`
//!   (<https://docs.datadoghq.com/api/latest/service-level-objectives/get-slo-status/>):
//!   `data.attributes.error_budget_remaining` in percent, plus `sli` (percent)
//!   and `raw_error_budget_remaining` (`{unit, value}`).
//!
//! Remaining ratio = percent / 100 in both. The timeframe is the SLO's
//! window (`7d`, `30d`, `90d`; from the SLO file or `window:` in the
//! service's `budget.slos`); without one, 30 days is queried and the
//! response's timeframe is used when there is exactly one. Each SLO needs
//! its Datadog SLO `id`. Keys: `DD-API-KEY` and `DD-APPLICATION-KEY` from
//! the variables named by `api-key-env` and `app-key-env`. `site` defaults
//! to `datadoghq.com`; `url` overrides the whole base (a proxy, or tests).

use super::http_json::{
    credential_headers, encode_component, number, raw_text, require_id, window_label,
};
use crate::config::ProviderConfig;
use crate::http::Http;
use crate::providers::env_secret;
use crate::{BoxFuture, FetchError, Provenance, Provider, Reading, Target, finite, now_unix};
use serde_json::Value;

http_options! {
    /// The options of a `type: datadog` provider (Datadog SLO API) in
    /// `budget.providers`; a key of another provider type is refused at its line.
    pub struct Options {
        /// Variable holding the API key.
        #[serde(default)]
        pub api_key_env: Option<String>,
        /// Variable holding the application key.
        #[serde(default)]
        pub app_key_env: Option<String>,
        /// `v1` (SLO history, default) or `v2` (SLO status).
        #[serde(default)]
        pub api: Option<String>,
        /// Base URL instead of `https://api.<site>` (a proxy, a test server).
        #[serde(default)]
        pub url: Option<String>,
        /// Datadog site (`datadoghq.com`, `datadoghq.eu`, `us5.datadoghq.com`, …).
        #[serde(default)]
        pub site: Option<String>,
    }
}

/// Default window queried when the SLO states none (30 days).
const DEFAULT_WINDOW: f64 = 30.0 * 86_400.0;

/// Which Datadog endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Api {
    V1History,
    V2Status,
}

/// The provider. Holds only environment variable *names*, never keys.
#[derive(Debug)]
pub struct Datadog {
    name: String,
    http: Http,
    base: String,
    api: Api,
    api_key_env: String,
    app_key_env: String,
    cfg: Options,
}

impl Datadog {
    /// Builds it from its config. Errors: `api-key-env`/`app-key-env`
    /// missing, or `api` not `v1`/`v2`.
    pub fn from_config(name: &str, cfg: &ProviderConfig, http: Http) -> Result<Self, String> {
        let cfg: Options = super::options(name, cfg)?;
        let need = |k: &str| {
            format!(
                "provider `{name}` (type datadog) needs `{k}` (the name of an environment variable)"
            )
        };
        let api_key_env = cfg.api_key_env.clone().ok_or_else(|| need("api-key-env"))?;
        let app_key_env = cfg.app_key_env.clone().ok_or_else(|| need("app-key-env"))?;
        let api = match cfg.api.as_deref().unwrap_or("v1") {
            "v1" => Api::V1History,
            "v2" => Api::V2Status,
            other => {
                return Err(format!(
                    "provider `{name}` (type datadog): api `{other}` — use `v1` (SLO history) or `v2` (SLO status)"
                ));
            }
        };
        let base = match &cfg.url {
            Some(u) => super::check_url(name, "datadog", u)?
                .trim_end_matches('/')
                .to_string(),
            None => format!(
                "https://api.{}",
                cfg.site.as_deref().unwrap_or("datadoghq.com")
            ),
        };
        Ok(Datadog {
            name: name.to_string(),
            http,
            base,
            api,
            api_key_env,
            app_key_env,
            cfg: cfg.clone(),
        })
    }

    async fn fetch(&self, target: &Target) -> Result<Reading, FetchError> {
        let id = require_id(target, "Datadog reads an SLO by its ID")?;
        let path = match self.api {
            Api::V1History => format!("/api/v1/slo/{}/history", encode_component(id)?),
            Api::V2Status => format!("/api/v2/slo/{}/status", encode_component(id)?),
        };
        let url = format!("{}{}", self.base, path);
        let mut headers = credential_headers(self.cfg.auth.as_ref(), &self.cfg.headers_env)?;
        headers.push(("DD-API-KEY".to_string(), env_secret(&self.api_key_env)?));
        headers.push((
            "DD-APPLICATION-KEY".to_string(),
            env_secret(&self.app_key_env)?,
        ));
        let window = target.window_seconds.unwrap_or(DEFAULT_WINDOW);
        let to = now_unix().floor();
        let from = to - window.round();
        let query = vec![
            ("from_ts".to_string(), format!("{from:.0}")),
            ("to_ts".to_string(), format!("{to:.0}")),
        ];
        let body = self.http.get_json(&url, &headers, &query).await?;
        let source = format!("GET {url}");
        match self.api {
            Api::V1History => self.history_reading(&body, target, source, to),
            Api::V2Status => self.status_reading(&body, target, source, to, window),
        }
    }

    fn history_reading(
        &self,
        body: &Value,
        target: &Target,
        source: String,
        to: f64,
    ) -> Result<Reading, FetchError> {
        api_errors(body)?;
        let overall = body
            .pointer("/data/overall")
            .ok_or_else(|| FetchError::Missing("data.overall".to_string()))?;
        let ebr = match overall.get("error_budget_remaining") {
            None => {
                return Err(FetchError::Missing(
                    "data.overall.error_budget_remaining".to_string(),
                ));
            }
            Some(Value::Null) => {
                return Err(FetchError::Empty(
                    "data.overall.error_budget_remaining is null".to_string(),
                ));
            }
            Some(Value::Object(m)) => m,
            Some(other) => {
                return Err(FetchError::Malformed(format!(
                    "data.overall.error_budget_remaining is {}, expected an object keyed by timeframe",
                    super::http_json::type_name(other)
                )));
            }
        };
        let (tf, raw) = match target.window_seconds {
            Some(w) => {
                let tf = window_label(w);
                let v = ebr.get(&tf).ok_or_else(|| {
                    FetchError::Missing(format!(
                        "data.overall.error_budget_remaining.{tf} (timeframes in the response: {})",
                        keys(ebr)
                    ))
                })?;
                (tf, v)
            }
            None => {
                let mut it = ebr.iter();
                match (it.next(), it.next()) {
                    (Some((k, v)), None) => (k.clone(), v),
                    (None, _) => {
                        return Err(FetchError::Empty(
                            "data.overall.error_budget_remaining is empty".to_string(),
                        ));
                    }
                    _ => {
                        return Err(FetchError::Config(format!(
                            "service `{}`, SLO `{}`: Datadog returns several timeframes ({}); set `window:` on the SLO to choose",
                            target.service,
                            target.slo,
                            keys(ebr)
                        )));
                    }
                }
            }
        };
        let what = format!("data.overall.error_budget_remaining.{tf}");
        let pct = number(raw, &what)?;
        let remaining = finite(pct / 100.0, "remaining")?;
        let as_of = match body.pointer("/data/to_ts") {
            Some(v) if !v.is_null() => super::http_json::timestamp(v, "data.to_ts")?,
            _ => to,
        };
        Ok(Reading {
            remaining,
            window_seconds: crate::formats::parse_duration(&tf),
            as_of: Some(as_of),
            provenance: Provenance {
                provider: self.name.clone(),
                source,
                raw: raw_text(raw),
                conversion: format!("{what} is percent of budget left; / 100"),
            },
            ..Reading::default()
        })
    }

    fn status_reading(
        &self,
        body: &Value,
        _target: &Target,
        source: String,
        to: f64,
        window: f64,
    ) -> Result<Reading, FetchError> {
        api_errors(body)?;
        let attrs = body
            .pointer("/data/attributes")
            .ok_or_else(|| FetchError::Missing("data.attributes".to_string()))?;
        let raw = attrs.get("error_budget_remaining").ok_or_else(|| {
            FetchError::Missing("data.attributes.error_budget_remaining".to_string())
        })?;
        let pct = number(raw, "data.attributes.error_budget_remaining")?;
        let remaining = finite(pct / 100.0, "remaining")?;
        Ok(Reading {
            remaining,
            window_seconds: Some(window),
            as_of: Some(to),
            provenance: Provenance {
                provider: self.name.clone(),
                source,
                raw: raw_text(raw),
                conversion:
                    "data.attributes.error_budget_remaining is percent of budget left; / 100"
                        .to_string(),
            },
            ..Reading::default()
        })
    }
}

/// Datadog's top-level `errors` array (non-empty = the API could not answer).
fn api_errors(body: &Value) -> Result<(), FetchError> {
    match body.get("errors") {
        Some(Value::Array(errs)) if !errs.is_empty() => {
            let text: Vec<String> = errs
                .iter()
                .take(3)
                .map(super::http_json::raw_text)
                .collect();
            Err(FetchError::Malformed(format!(
                "Datadog errors: {}",
                text.join("; ")
            )))
        }
        _ => Ok(()),
    }
}

fn keys(m: &serde_json::Map<String, Value>) -> String {
    if m.is_empty() {
        return "none".to_string();
    }
    m.keys().cloned().collect::<Vec<_>>().join(", ")
}

impl Provider for Datadog {
    fn name(&self) -> &str {
        &self.name
    }

    fn read<'a>(&'a self, target: &'a Target) -> BoxFuture<'a, Result<Reading, FetchError>> {
        Box::pin(self.fetch(target))
    }
}
