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
mod flavor;
mod history;
mod partial;
mod pyrra;
mod response;
pub mod sigv4;

pub use compute::windowed;
pub use flavor::Flavor;

use compute::{Parts, error_ratio, sli_roles};
pub use response::{Sample, parse_response};
use response::{index, parts_by_key, prometheus_error, sample_pair};

use crate::budget::config::ProviderConfig;
use crate::budget::http::Http;
use crate::budget::providers::env_secret;
use crate::budget::{BoxFuture, FetchError, Provenance, Provider, Reading, Target, finite};
use crate::formats::slo::SloFormat;
use std::collections::BTreeMap;

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
    /// Builds it from its config. Errors: `url` missing or not http(s),
    /// unknown `mode`, incomplete basic auth, unparsable `eval-time`.
    pub fn from_config(name: &str, cfg: &ProviderConfig, http: Http) -> Result<Self, String> {
        let url = cfg
            .url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .ok_or_else(|| format!("provider `{name}`: `url` is required for type prometheus (e.g. http://prometheus:9090)"))?;
        // One check for every provider: http(s), no user info, and messages
        // that never repeat the URL's credentials.
        let url = super::check_url(name, "prometheus", url)?;
        let url = url.as_str();
        let mode = match cfg.mode.as_deref() {
            None => None,
            Some(m) => Some(Mode::parse(m).ok_or_else(|| {
                format!(
                    "provider `{name}`: `mode: {m}` — expected sloth, pyrra, grafana or compute"
                )
            })?),
        };
        let auth = match &cfg.auth {
            None => Auth::None,
            Some(a) if a.sigv4.is_some() => {
                let s = a
                    .sigv4
                    .as_ref()
                    .map(|s| (s.region.trim(), s.service.as_deref()));
                match s {
                    Some((region, service))
                        if a.bearer_env.is_none()
                            && a.basic_user_env.is_none()
                            && a.basic_password_env.is_none()
                            && !region.is_empty()
                            && region
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || c == '-') =>
                    {
                        Auth::SigV4(sigv4::SigV4 {
                            region: region.to_string(),
                            service: service.unwrap_or("aps").to_string(),
                        })
                    }
                    _ => {
                        return Err(format!(
                            "provider `{name}`: `auth.sigv4` needs a `region` (e.g. us-east-1) and no other `auth` key"
                        ));
                    }
                }
            }
            Some(a) => match (&a.bearer_env, &a.basic_user_env, &a.basic_password_env) {
                (Some(t), None, None) => Auth::Bearer(t.clone()),
                (None, Some(u), Some(p)) => Auth::Basic(u.clone(), p.clone()),
                (None, None, None) => Auth::None,
                _ => {
                    return Err(format!(
                        "provider `{name}`: `auth` needs either `bearer-env` or both `basic-user-env` and `basic-password-env`"
                    ));
                }
            },
        };
        let eval_time = match cfg.eval_time.as_deref() {
            None => None,
            Some(t) => Some(parse_time(t).ok_or_else(|| {
                format!("provider `{name}`: `eval-time: {t}` — expected Unix seconds or RFC 3339 (2024-01-31T00:00:00Z)")
            })?),
        };
        let flavor = match cfg.flavor.as_deref() {
            None => Flavor::default(),
            Some(f) => Flavor::parse(f).ok_or_else(|| {
                format!(
                    "provider `{name}`: `flavor: {f}` — expected prometheus, thanos, mimir or victoriametrics"
                )
            })?,
        };
        let prefix = match cfg.path_prefix.as_deref() {
            Some(p) => flavor::check_prefix(name, p)?,
            None => flavor.default_prefix().to_string(),
        };
        for (header, var) in &cfg.headers_env {
            flavor::check_header(name, header, var)?;
        }
        Ok(Prometheus {
            name: name.to_string(),
            http,
            base: format!("{}{prefix}", url.trim_end_matches('/')),
            mode,
            auth,
            headers_env: cfg.headers_env.clone(),
            eval_time,
            flavor,
        })
    }

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

    fn headers(&self) -> Result<Vec<(String, String)>, FetchError> {
        let mut out = Vec::new();
        match &self.auth {
            // Signed per request over the final URL (get_api).
            Auth::None | Auth::SigV4(_) => {}
            Auth::Bearer(var) => out.push((
                "Authorization".to_string(),
                format!("Bearer {}", env_secret(var)?),
            )),
            Auth::Basic(u, p) => {
                out.push(("Authorization".to_string(), super::basic_auth(u, p)?));
            }
        }
        for (header, var) in &self.headers_env {
            out.push((header.clone(), env_secret(var)?));
        }
        Ok(out)
    }

    /// Runs one instant query and returns its samples.
    async fn query(&self, promql: &str) -> Result<Vec<Sample>, FetchError> {
        let mut params = vec![("query".to_string(), promql.to_string())];
        if let Some(t) = self.eval_time {
            params.push(("time".to_string(), format_time(t)));
        }
        let body = self.get_api("query", params).await?;
        parse_response(&body)
    }

    /// GETs `/api/v1/<endpoint>` with `params` plus the flavor's, and
    /// refuses partial answers. Returns the JSON body.
    async fn get_api(
        &self,
        endpoint: &str,
        mut params: Vec<(String, String)>,
    ) -> Result<serde_json::Value, FetchError> {
        let mut headers = self.headers()?;
        for (k, v) in self.flavor.params() {
            params.push((k.to_string(), v.to_string()));
        }
        let mut url = format!("{}/api/v1/{endpoint}", self.base);
        if let Auth::SigV4(s) = &self.auth {
            // The signature covers the exact query string sent.
            let mut u = reqwest::Url::parse(&url)
                .map_err(|e| FetchError::Config(format!("invalid URL: {e}")))?;
            u.query_pairs_mut().extend_pairs(&params);
            url = u.to_string();
            params.clear();
            headers.extend(s.headers(&url)?);
        }
        let body = match self.http.get_json(&url, &headers, &params).await {
            Ok(b) => b,
            Err(FetchError::Http { status, detail }) => {
                return Err(FetchError::Http {
                    status,
                    detail: prometheus_error(&detail).unwrap_or(detail),
                });
            }
            Err(e) => return Err(e),
        };
        // A partial answer is never a reading, whatever it holds.
        partial::check_partial(&body)?;
        Ok(body)
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

    async fn read_sloth(&self, target: &Target) -> Result<Reading, FetchError> {
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

    async fn read_grafana(&self, target: &Target) -> Result<Reading, FetchError> {
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

    async fn read_compute(&self, target: &Target) -> Result<Reading, FetchError> {
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

/// Seconds as a PromQL duration (`30d`, `6h`, `5m`, `90s`).
pub fn duration_text(seconds: u64) -> String {
    match seconds {
        0 => "0s".to_string(),
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3_600 == 0 => format!("{}h", s / 3_600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
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
mod tests {
    use super::compute::Rewrite;
    use super::*;
    use crate::formats::slo::SliQuery;
    use serde_json::json;

    fn rw(q: &str, secs: u64) -> String {
        match windowed(q) {
            Ok(e) => Rewrite::Ast(e).at(secs),
            Err(e) => format!("ERR {e}"),
        }
    }

    #[test]
    fn rewrites_sli_queries_to_increases_over_the_window() {
        // Sloth event query with the {{.window}} placeholder.
        assert_eq!(
            rw(
                r#"sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{.window}}]))"#,
                2_592_000
            ),
            r#"sum(sum(increase(http_requests_total{code=~"5..",job="checkout"}[30d])))"#
        );
        // Pyrra: a bare counter selector.
        assert_eq!(
            rw(r#"http_requests_total{job="pyrra"}"#, 300),
            r#"sum(increase(http_requests_total{job="pyrra"}[5m]))"#
        );
        // OpenSLO with an explicit range and a grouping: the ratio of sums.
        assert_eq!(
            rw(
                r#"sum by (route) (rate(http_requests_total{code!~"5.."}[1m]))"#,
                3600
            ),
            r#"sum(sum by (route) (increase(http_requests_total{code!~"5.."}[1h])))"#
        );
        assert!(rw("sum(irate(x_total[5m]))", 300).starts_with("ERR irate()"));
        assert!(rw("avg_over_time(up[5m])", 300).starts_with("ERR avg_over_time()"));
        assert!(rw("job:http_requests:rate5m", 300).contains("is not a counter"));
        assert!(rw("sum(rate(x_total[5m]", 300).starts_with("ERR not PromQL"));
    }

    #[test]
    fn one_query_labels_every_part_and_window() {
        let t = Target {
            slo: "availability".into(),
            sli: vec![
                SliQuery {
                    role: "errors".into(),
                    query: r#"x_total{code="500"}"#.into(),
                    pos: Default::default(),
                    language: "promql".into(),
                },
                SliQuery {
                    role: "total".into(),
                    query: "x_total".into(),
                    pos: Default::default(),
                    language: "promql".into(),
                },
            ],
            ..Default::default()
        };
        let p = Parts::from_target(&t).expect("parts");
        assert_eq!(
            p.promql(&[("1h".to_string(), 3600)]),
            r#"label_replace(sum(increase(x_total{code="500"}[1h])), "prr_part", "errors:1h", "", "") or label_replace(sum(increase(x_total[1h])), "prr_part", "total:1h", "", "")"#
        );
    }

    fn sample(key: &str, v: f64) -> (String, Sample) {
        (
            key.to_string(),
            Sample {
                labels: BTreeMap::new(),
                time: 0.0,
                raw: v.to_string(),
                value: v,
            },
        )
    }

    #[test]
    fn error_ratio_semantics() {
        let got: BTreeMap<_, _> = [
            sample("total:1h", 1000.0),
            sample("errors:1h", 5.0),
            sample("total:5m", 0.0),
        ]
        .into();
        assert_eq!(error_ratio(&got, "1h", true, false), Ok(Some(0.005)));
        // No requests: no burn rate, never a zero one.
        assert_eq!(error_ratio(&got, "5m", false, false), Ok(None));
        // Missing total over the SLO window: no data, not a full budget.
        assert!(matches!(
            error_ratio(&got, "window", true, false),
            Err(FetchError::Empty(_))
        ));
        // Good/total: a missing good series is never 0 % or 100 % errors.
        let good: BTreeMap<_, _> = [
            sample("total:1h", 1000.0),
            sample("good:1h", 990.0),
            sample("total:6h", 10.0),
        ]
        .into();
        assert_eq!(error_ratio(&good, "1h", true, true), Ok(Some(0.01)));
        assert!(matches!(
            error_ratio(&good, "6h", true, true),
            Err(FetchError::Empty(_))
        ));
        // Errors absent while total has traffic: no error counted yet.
        let none: BTreeMap<_, _> = [sample("total:1h", 10.0)].into();
        assert_eq!(error_ratio(&none, "1h", true, false), Ok(Some(0.0)));
    }

    #[test]
    fn parses_documented_response_shapes() {
        // https://prometheus.io/docs/prometheus/latest/querying/api/#instant-queries
        let ok = json!({"status":"success","data":{"resultType":"vector","result":[
            {"metric":{"__name__":"up","job":"prometheus"},"value":[1435781451.781,"1"]}]}});
        let s = parse_response(&ok).expect("vector");
        assert_eq!(
            (s[0].time, s[0].value, s[0].label("job")),
            (1435781451.781, 1.0, "prometheus")
        );
        let nan = json!({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"NaN"]}]}});
        assert!(parse_response(&nan).expect("parsed")[0].value.is_nan());
        let inf = json!({"status":"success","data":{"resultType":"scalar","result":[1,"+Inf"]}});
        assert_eq!(
            parse_response(&inf).expect("parsed")[0].value,
            f64::INFINITY
        );
        let empty = json!({"status":"success","data":{"resultType":"vector","result":[]}});
        assert!(matches!(parse_response(&empty), Err(FetchError::Empty(_))));
        let err = json!({"status":"error","errorType":"bad_data","error":"parse error at char 5"});
        assert_eq!(
            parse_response(&err),
            Err(FetchError::Malformed(
                "Prometheus bad_data: parse error at char 5".into()
            ))
        );
        let matrix = json!({"status":"success","data":{"resultType":"matrix","result":[]}});
        assert!(matches!(
            parse_response(&matrix),
            Err(FetchError::Malformed(_))
        ));
        let bad = json!({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,2]}]}});
        assert!(matches!(
            parse_response(&bad),
            Err(FetchError::Malformed(_))
        ));
        assert!(matches!(
            parse_response(&json!({"status":"success"})),
            Err(FetchError::Missing(_))
        ));
    }

    #[test]
    fn helpers() {
        assert_eq!(duration_text(2_592_000), "30d");
        assert_eq!(duration_text(1800), "30m");
        assert_eq!(duration_text(90), "90s");
        assert_eq!(parse_time("2024-01-31T00:00:00Z"), Some(1_706_659_200.0));
        assert_eq!(parse_time("1706659200"), Some(1_706_659_200.0));
        assert_eq!(escape(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(
            prometheus_error(
                r#"{"status":"error","errorType":"execution","error":"query timed out"}"#
            )
            .as_deref(),
            Some("execution: query timed out")
        );
    }

    #[test]
    fn mode_defaults_by_format_and_sli() {
        let http = Http::new(Default::default()).expect("client");
        let cfg: ProviderConfig =
            serde_json::from_value(json!({"type": "prometheus", "url": "http://p:9090"}))
                .expect("cfg");
        let p = Prometheus::from_config("prom", &cfg, http).expect("provider");
        let mut t = Target {
            format: Some(SloFormat::Sloth),
            ..Default::default()
        };
        assert_eq!(p.mode_for(&t), Mode::Sloth);
        t.format = Some(SloFormat::OpenSlo);
        assert_eq!(p.mode_for(&t), Mode::Sloth);
        t.sli = vec![
            SliQuery {
                role: "good".into(),
                query: "a_total".into(),
                pos: Default::default(),
                language: "promql".into(),
            },
            SliQuery {
                role: "total".into(),
                query: "b_total".into(),
                pos: Default::default(),
                language: "promql".into(),
            },
        ];
        assert_eq!(p.mode_for(&t), Mode::Compute);
        for (bad, msg) in [
            (json!({"type": "prometheus"}), "`url` is required"),
            (
                json!({"type": "prometheus", "url": "ftp://x"}),
                "must be http",
            ),
            (
                json!({"type": "prometheus", "url": "http://u:p@x"}),
                "must not hold credentials",
            ),
            (
                json!({"type": "prometheus", "url": "http://x", "mode": "nope"}),
                "expected sloth, pyrra",
            ),
            (
                json!({"type": "prometheus", "url": "http://x", "auth": {"basic-user-env": "U"}}),
                "both `basic-user-env`",
            ),
            (
                json!({"type": "prometheus", "url": "http://x", "eval-time": "yesterday"}),
                "eval-time",
            ),
        ] {
            let cfg: ProviderConfig = serde_json::from_value(bad).expect("cfg");
            let err = Prometheus::from_config(
                "prom",
                &cfg,
                Http::new(Default::default()).expect("client"),
            )
            .expect_err(msg);
            assert!(err.contains(msg), "{err}");
        }
    }
}
