//! A generic JSON endpoint: a URL template with `{service}`, `{slo}` and
//! `{id}`, the budget value chosen by JSON pointer (RFC 6901, `/remaining`)
//! or JSONPath (RFC 9535, `$.slo.budget`, exactly one match), and a
//! declared unit converted to the remaining ratio:
//!
//! | `unit`             | raw `v` means                 | remaining      |
//! |--------------------|-------------------------------|----------------|
//! | `ratio`            | remaining, 1.0 = untouched    | `v`            |
//! | `percent`          | remaining, 100 = untouched    | `v / 100`      |
//! | `consumed-ratio`   | spent, 0 = untouched          | `1 - v`        |
//! | `consumed-percent` | spent in percent, 0 = untouched | `1 - v / 100` |
//!
//! ```yaml
//! providers:
//!   slo-api:
//!     type: http-json
//!     url: https://slo.internal/api/{service}/{slo}
//!     auth: { bearer-env: SLO_API_TOKEN }
//!     headers-env: { X-Tenant: SLO_TENANT }
//!     value: /error_budget/remaining_percent
//!     unit: percent
//!     burn-rate: /burn_rates        # an object keyed by window ("1h": 2.5) or one number
//!     as-of: /computed_at           # Unix seconds or RFC 3339
//!     events: /total_events
//! ```
//!
//! Numbers may also come as numeric strings (`"42.5"`); `"NaN"` and
//! `"Infinity"` are rejected as not finite. A burn rate given as a single
//! number is stored under the label [`CURRENT`] (window not stated by the API).
//!
//! This file also holds the helpers the other JSON providers share
//! (templating, number and timestamp parsing, credentials to headers).

use crate::config::{AuthConfig, ProviderConfig, Unit};
use crate::http::Http;
use crate::providers::env_secret;
use crate::{BoxFuture, FetchError, Provenance, Provider, Reading, Target, finite};
pub use prr_core::time::rfc3339;
use serde_json::Value;
use std::collections::BTreeMap;

http_options! {
    /// The options of a `type: http-json` provider (any JSON endpoint) in
    /// `budget.providers`; a key of another provider type is refused at its line.
    pub struct Options {
        /// URL template with `{service}`, `{slo}`, `{id}`.
        #[serde(default)]
        pub url: Option<String>,
        /// JSON pointer (`/remaining_percent`) or JSONPath (`$.…`) of the budget value.
        #[serde(default)]
        pub value: Option<String>,
        /// Unit of `value`.
        #[serde(default)]
        pub unit: Option<Unit>,
        /// Pointer/path of a burn rate (1.0 = on budget), optional.
        #[serde(default)]
        pub burn_rate: Option<String>,
        /// Pointer/path of the timestamp (Unix seconds or RFC 3339), optional.
        #[serde(default)]
        pub as_of: Option<String>,
        /// Pointer/path of the event count, optional.
        #[serde(default)]
        pub events: Option<String>,
    }
}

/// Burn-rate label for a rate whose window the API does not state.
pub const CURRENT: &str = "current";

/// The provider. Holds only environment variable *names*, never secrets.
#[derive(Debug)]
pub struct HttpJson {
    name: String,
    http: Http,
    url: String,
    auth: Option<AuthConfig>,
    headers_env: BTreeMap<String, String>,
    value: String,
    unit: Unit,
    burn_rate: Option<String>,
    as_of: Option<String>,
    events: Option<String>,
}

impl HttpJson {
    /// Builds it from its config. Errors: `url`, `value` or `unit` missing,
    /// or a selector that is neither a JSON pointer nor a valid JSONPath.
    pub fn from_config(name: &str, cfg: &ProviderConfig, http: Http) -> Result<Self, String> {
        let cfg: Options = super::options(name, cfg)?;
        let need = |k: &str| format!("provider `{name}` (type http-json) needs `{k}`");
        let url = cfg.url.clone().ok_or_else(|| need("url"))?;
        let url = super::check_url(name, "http-json", &url)?;
        let value = cfg.value.clone().ok_or_else(|| need("value"))?;
        let unit = cfg.unit.ok_or_else(|| {
            format!(
                "provider `{name}` (type http-json) needs `unit`: ratio, percent, consumed-percent or consumed-ratio"
            )
        })?;
        for (key, sel) in [
            ("value", Some(&value)),
            ("burn-rate", cfg.burn_rate.as_ref()),
            ("as-of", cfg.as_of.as_ref()),
            ("events", cfg.events.as_ref()),
        ] {
            if let Some(sel) = sel {
                check_selector(sel).map_err(|e| format!("provider `{name}`: `{key}`: {e}"))?;
            }
        }
        Ok(HttpJson {
            name: name.to_string(),
            http,
            url,
            auth: cfg.auth.clone(),
            headers_env: cfg.headers_env.clone(),
            value,
            unit,
            burn_rate: cfg.burn_rate.clone(),
            as_of: cfg.as_of.clone(),
            events: cfg.events.clone(),
        })
    }

    async fn fetch(&self, target: &Target) -> Result<Reading, FetchError> {
        let url = fill_template(&self.url, target)?;
        let headers = credential_headers(self.auth.as_ref(), &self.headers_env)?;
        let body = self.http.get_json(&url, &headers, &[]).await?;
        let raw = select(&body, &self.value)?.ok_or_else(|| {
            FetchError::Missing(format!(
                "{} in the response of {}",
                self.value,
                strip_query(&url)
            ))
        })?;
        let v = number(raw, &self.value)?;
        let (remaining, conversion) = convert_unit(v, self.unit);
        let remaining = finite(remaining, "remaining")?;
        let mut reading = Reading {
            remaining,
            provenance: Provenance {
                provider: self.name.clone(),
                source: strip_query(&url),
                raw: raw_text(raw),
                conversion,
            },
            ..Reading::default()
        };
        if let Some(sel) = &self.burn_rate {
            reading.burn_rates = burn_rates(select(&body, sel)?, sel)?;
        }
        if let Some(sel) = &self.as_of
            && let Some(v) = select(&body, sel)?
        {
            reading.as_of = Some(timestamp(v, sel)?);
        }
        if let Some(sel) = &self.events
            && let Some(v) = select(&body, sel)?
        {
            reading.events = Some(number(v, sel)?);
        }
        reading.window_seconds = target.window_seconds;
        Ok(reading)
    }
}

impl Provider for HttpJson {
    fn name(&self) -> &str {
        &self.name
    }

    fn read<'a>(&'a self, target: &'a Target) -> BoxFuture<'a, Result<Reading, FetchError>> {
        Box::pin(self.fetch(target))
    }
}

/// Converts a raw value in `unit` to the remaining ratio, with the
/// conversion text for provenance.
pub fn convert_unit(v: f64, unit: Unit) -> (f64, String) {
    match unit {
        Unit::Ratio => (v, "ratio (as is)".to_string()),
        Unit::Percent => (v / 100.0, "percent / 100".to_string()),
        Unit::ConsumedRatio => (1.0 - v, "1 - consumed ratio".to_string()),
        Unit::ConsumedPercent => (1.0 - v / 100.0, "1 - consumed percent / 100".to_string()),
    }
}

// ---------------------------------------------------------------------------
// Helpers shared by the JSON providers.
// ---------------------------------------------------------------------------

/// Percent-encodes `s` for use as one URL path segment or query value
/// (everything but RFC 3986 unreserved characters).
///
/// Errors: `s` is empty, `.` or `..` — as a path segment these move the
/// request to another path (`/api/v2/slos/..` is `/api/v2`; the WHATWG URL
/// parser reads `%2e%2e` as `..` too, so encoding cannot help): an SLO, a
/// service or an ID named so is refused as a configuration error.
pub(crate) fn encode_component(s: &str) -> Result<String, FetchError> {
    if matches!(s, "" | "." | "..") {
        return Err(FetchError::Config(format!(
            "`{s}` cannot name an SLO, a service or an ID in a request path (an empty, `.` or `..` \
             path segment addresses another resource); rename it or set `id:`"
        )));
    }
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Ok(out)
}

/// Fills `{service}`, `{slo}` and `{id}` in `tpl` with the target's
/// values, percent-encoded. `{id}` without a configured id is a
/// configuration error naming the service and SLO.
pub(crate) fn fill_template(tpl: &str, target: &Target) -> Result<String, FetchError> {
    let mut url = tpl
        .replace("{service}", &encode_component(&target.service)?)
        .replace("{slo}", &encode_component(&target.slo)?);
    if url.contains("{id}") {
        let id = require_id(target, "the URL template uses {id}")?;
        url = url.replace("{id}", &encode_component(id)?);
    }
    Ok(url)
}

/// The target's provider-side id, or a configuration error naming the
/// service and SLO and why it is needed.
pub(crate) fn require_id<'a>(target: &'a Target, why: &str) -> Result<&'a str, FetchError> {
    match target.id.as_deref() {
        Some(id) if !id.trim().is_empty() => Ok(id),
        _ => Err(FetchError::Config(format!(
            "service `{}`, SLO `{}`: no `id` configured ({why}); set `id:` in the service's budget.slos",
            target.service, target.slo
        ))),
    }
}

/// `url` without its query string and fragment (which may hold keys).
pub(crate) fn strip_query(url: &str) -> String {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    url[..end].to_string()
}

/// Headers for `auth` and `headers-env`, values read from the environment
/// now. Errors name the variable, never a value.
pub(crate) fn credential_headers(
    auth: Option<&AuthConfig>,
    headers_env: &BTreeMap<String, String>,
) -> Result<Vec<(String, String)>, FetchError> {
    let mut headers = Vec::new();
    if let Some(auth) = auth {
        if let Some(var) = &auth.bearer_env {
            headers.push((
                "Authorization".to_string(),
                format!("Bearer {}", env_secret(var)?),
            ));
        } else if let (Some(u), Some(p)) = (&auth.basic_user_env, &auth.basic_password_env) {
            headers.push(("Authorization".to_string(), super::basic_auth(u, p)?));
        } else if auth.basic_user_env.is_some() || auth.basic_password_env.is_some() {
            return Err(FetchError::Config(
                "auth: basic-user-env and basic-password-env go together".to_string(),
            ));
        }
    }
    for (header, var) in headers_env {
        headers.push((header.clone(), env_secret(var)?));
    }
    Ok(headers)
}

/// Checks that `sel` is a JSON pointer (`/a/b`, or empty for the whole
/// body) or a JSONPath query (`$…`).
pub(crate) fn check_selector(sel: &str) -> Result<(), String> {
    if sel.starts_with('$') {
        serde_json_path::JsonPath::parse(sel)
            .map(|_| ())
            .map_err(|e| format!("invalid JSONPath {sel}: {e}"))
    } else if sel.is_empty() || sel.starts_with('/') {
        Ok(())
    } else {
        Err(format!(
            "`{sel}` is neither a JSON pointer (starts with /) nor a JSONPath (starts with $)"
        ))
    }
}

/// The value at `sel` (JSON pointer or JSONPath) in `body`, `None` when
/// absent. A JSONPath must match at most one node (several is `Malformed`).
pub(crate) fn select<'a>(body: &'a Value, sel: &str) -> Result<Option<&'a Value>, FetchError> {
    if sel.starts_with('$') {
        let path = serde_json_path::JsonPath::parse(sel)
            .map_err(|e| FetchError::Config(format!("invalid JSONPath {sel}: {e}")))?;
        let nodes = path.query(body).all();
        match nodes.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(one)),
            many => Err(FetchError::Malformed(format!(
                "{sel} matched {} values, expected exactly one",
                many.len()
            ))),
        }
    } else {
        Ok(body.pointer(sel))
    }
}

/// A number from a JSON number or numeric string (`"42.5"`). `null` is
/// `Empty` (APIs send null when they could not compute the value);
/// `"NaN"`/`"Infinity"` are `NotFinite`; other types are `Malformed`.
pub(crate) fn number(v: &Value, what: &str) -> Result<f64, FetchError> {
    match v {
        Value::Number(n) => n
            .as_f64()
            .ok_or_else(|| FetchError::Malformed(format!("{what} = {n} is not a number")))
            .and_then(|x| finite(x, what)),
        Value::String(s) => match s.trim().parse::<f64>() {
            Ok(x) => finite(x, what),
            Err(_) => Err(FetchError::Malformed(format!(
                "{what} = {s:?} is not a number"
            ))),
        },
        Value::Null => Err(FetchError::Empty(format!("{what} is null"))),
        other => Err(FetchError::Malformed(format!(
            "{what} is {}, expected a number",
            type_name(other)
        ))),
    }
}

/// The value at `sel` as a number, `None` when absent or null.
pub(crate) fn optional_number(body: &Value, sel: &str) -> Result<Option<f64>, FetchError> {
    match select(body, sel)? {
        None | Some(Value::Null) => Ok(None),
        Some(v) => number(v, sel).map(Some),
    }
}

/// JSON type name for messages.
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The raw value as text for provenance (strings without quotes).
pub(crate) fn raw_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A timestamp as Unix seconds: a number (seconds; values above 1e11 are
/// taken as milliseconds, as Dynatrace sends), a numeric string, or an
/// RFC 3339 string (`2026-11-20T12:00:00Z`, `…+01:00`).
pub(crate) fn timestamp(v: &Value, what: &str) -> Result<f64, FetchError> {
    let secs = match v {
        Value::String(s) if s.trim().parse::<f64>().is_err() => {
            rfc3339(s.trim()).ok_or_else(|| {
                FetchError::Malformed(format!("{what} = {s:?} is not RFC 3339 or Unix seconds"))
            })?
        }
        other => number(other, what)?,
    };
    Ok(if secs.abs() > 1e11 {
        secs / 1000.0
    } else {
        secs
    })
}

/// Burn rates from the value at a `burn-rate` selector: an object keyed by
/// window label (`{"1h": 2.5, "6h": 1.1}`), or one number stored under
/// [`CURRENT`]. Absent or null is no burn rate.
fn burn_rates(v: Option<&Value>, sel: &str) -> Result<BTreeMap<String, f64>, FetchError> {
    let mut out = BTreeMap::new();
    match v {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => {
            for (k, v) in map {
                out.insert(k.clone(), number(v, &format!("{sel}/{k}"))?);
            }
        }
        Some(other) => {
            out.insert(CURRENT.to_string(), number(other, sel)?);
        }
    }
    Ok(out)
}

/// A window in seconds as prr's label, its Prometheus duration: `300` →
/// `5m`, `3600` → `1h`, `86400` → `1d`, `43200` → `12h`.
pub(crate) use prr_core::duration::format_duration as window_label;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dot_segments_cannot_move_the_request_path() {
        let t = |slo: &str| Target {
            service: "pay".into(),
            slo: slo.into(),
            id: None,
            objective: None,
            window_seconds: None,
            sli: Vec::new(),
            format: None,
        };
        let tpl = "https://slo.example/api/{service}/{slo}/status";
        for bad in ["..", ".", ""] {
            let e = fill_template(tpl, &t(bad)).unwrap_err();
            assert!(matches!(e, FetchError::Config(_)), "{bad:?}: {e:?}");
        }
        assert_eq!(
            fill_template(tpl, &t("a..b/c")).unwrap(),
            "https://slo.example/api/pay/a..b%2Fc/status"
        );
    }

    #[test]
    fn units_convert_to_remaining_ratio() {
        assert_eq!(convert_unit(0.25, Unit::Ratio).0, 0.25);
        assert_eq!(convert_unit(42.5, Unit::Percent).0, 0.425);
        assert_eq!(convert_unit(30.0, Unit::ConsumedPercent).0, 0.7);
        assert_eq!(convert_unit(1.5, Unit::ConsumedRatio).0, -0.5);
    }

    #[test]
    fn numbers_strings_and_non_finite() {
        assert_eq!(number(&json!("42.5"), "v"), Ok(42.5));
        assert_eq!(number(&json!(7), "v"), Ok(7.0));
        assert!(matches!(
            number(&json!("NaN"), "v"),
            Err(FetchError::NotFinite(_))
        ));
        assert!(matches!(
            number(&json!("Infinity"), "v"),
            Err(FetchError::NotFinite(_))
        ));
        assert!(matches!(
            number(&json!("high"), "v"),
            Err(FetchError::Malformed(_))
        ));
        assert!(matches!(
            number(&json!([1]), "v"),
            Err(FetchError::Malformed(_))
        ));
        assert!(matches!(
            number(&Value::Null, "v"),
            Err(FetchError::Empty(_))
        ));
    }

    #[test]
    fn serde_rejects_overflowing_literals() {
        // JSON has no NaN/Infinity; 1e999 is refused by the parser, so a
        // body with it is malformed, never an infinite budget.
        assert!(serde_json::from_str::<Value>(r#"{"v": 1e999}"#).is_err());
    }

    #[test]
    fn selectors() {
        let body = json!({"a": {"b": [1, 2]}, "x": 3});
        assert_eq!(select(&body, "/a/b/1").ok().flatten(), Some(&json!(2)));
        assert_eq!(select(&body, "$.x").ok().flatten(), Some(&json!(3)));
        assert_eq!(select(&body, "$.nope").ok().flatten(), None);
        assert!(matches!(
            select(&body, "$.a.b[*]"),
            Err(FetchError::Malformed(_))
        ));
        assert!(check_selector("remaining").is_err());
        assert!(check_selector("$[").is_err());
    }

    #[test]
    fn timestamps() {
        assert_eq!(timestamp(&json!(1_700_000_000), "t"), Ok(1_700_000_000.0));
        assert_eq!(
            timestamp(&json!(1_700_000_000_000_i64), "t"),
            Ok(1_700_000_000.0)
        );
        assert_eq!(timestamp(&json!("1700000000.5"), "t"), Ok(1_700_000_000.5));
        assert_eq!(
            timestamp(&json!("2023-11-14T22:13:20Z"), "t"),
            Ok(1_700_000_000.0)
        );
        assert_eq!(
            timestamp(&json!("2023-11-14T23:13:20+01:00"), "t"),
            Ok(1_700_000_000.0)
        );
        assert_eq!(
            timestamp(&json!("2023-12-15T18:15:13.987654+01:00"), "t")
                .map(|t| (t * 1000.0).round()),
            Ok(1_702_660_513_988.0)
        );
        assert!(matches!(
            timestamp(&json!("yesterday"), "t"),
            Err(FetchError::Malformed(_))
        ));
    }

    #[test]
    fn templates_encode_and_need_id() {
        let t = Target {
            service: "check out".into(),
            slo: "a/b".into(),
            ..Target::default()
        };
        assert_eq!(
            fill_template("http://x/{service}/{slo}", &t).as_deref(),
            Ok("http://x/check%20out/a%2Fb")
        );
        let err = fill_template("http://x/{id}", &t).unwrap_err().to_string();
        assert!(err.contains("check out") && err.contains("a/b"), "{err}");
        assert_eq!(strip_query("http://x/p?api_key=s#f"), "http://x/p");
    }

    #[test]
    fn window_labels() {
        assert_eq!(window_label(300.0), "5m");
        assert_eq!(window_label(43_200.0), "12h");
        assert_eq!(window_label(2_592_000.0), "30d");
    }
}
