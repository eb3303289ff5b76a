//! Provider implementations, one per file, and the constructor that picks
//! one from a `ProviderConfig`.

/// Declares an HTTP provider's `Options`: its own keys as given, plus the
/// credentials every HTTP provider takes (`auth:`, `headers:`), with
/// `deny_unknown_fields` so a key of another provider type is refused.
macro_rules! http_options {
    ($(#[$m:meta])* pub struct $name:ident { $($(#[$fm:meta])* pub $f:ident: $t:ty,)* }) => {
        $(#[$m])*
        #[derive(Clone, Debug, Default, PartialEq, serde::Deserialize, schemars::JsonSchema)]
        #[serde(deny_unknown_fields, rename_all = "kebab-case")]
        pub struct $name {
            $($(#[$fm])* pub $f: $t,)*
            /// Credentials by environment variable.
            #[serde(default)]
            pub auth: Option<crate::config::AuthConfig>,
            /// Extra headers: header name → NAME of the environment variable
            /// holding its value (`headers: { X-Scope-OrgID: MIMIR_TENANT }`;
            /// also spelled `headers-env`). Values are never written in the
            /// file nor printed.
            #[serde(default, alias = "headers")]
            pub headers_env: std::collections::BTreeMap<String, String>,
        }
    };
}

pub mod datadog;
pub mod dynatrace;
pub mod file;
pub mod http_json;
pub mod nobl9;
pub mod prometheus;
pub mod slo_generator;

use super::Provider;
use super::config::ProviderConfig;
use super::http::HttpOptions;
use std::path::Path;

/// A provider type: the name prr.yaml's `type:` gives it, how its options
/// are checked, and its constructor. A new provider is one file (its
/// `Options` type, `build` and `Provider` impl) and one line of [`REGISTRY`].
pub struct ProviderType {
    /// `type:` in `budget.providers` (`prometheus`, `http-json`, …).
    pub name: &'static str,
    /// Decodes options into this type's `Options`: `Err` holds serde's
    /// message (`unknown field `mode`, expected one of …`).
    pub decode: fn(&ProviderConfig) -> Result<(), String>,
    /// The JSON Schema of this type's options (for `prr schema`).
    pub schema: fn() -> schemars::Schema,
    /// Builds the provider (see each module's `build`).
    pub build: BuildFn,
}

/// A provider type's constructor: entry name, its config, HTTP options,
/// repository root → the provider, or a message naming the key at fault.
pub type BuildFn =
    fn(&str, &ProviderConfig, &HttpOptions, &Path) -> Result<Box<dyn Provider>, String>;

macro_rules! provider {
    // An HTTP provider: `from_config(name, cfg, Http)`.
    ($name:literal, $m:ident, $t:ident) => {
        ProviderType {
            name: $name,
            decode: |cfg| decode::<$m::Options>(cfg).map(|_| ()),
            schema: || schemars::schema_for!($m::Options),
            build: |name, cfg, http, _root| {
                let client = super::http::Http::new(http.clone()).map_err(|e| e.to_string())?;
                Ok(Box::new($m::$t::from_config(name, cfg, client)?))
            },
        }
    };
    // Any other: the module's own `build`.
    ($name:literal, $m:ident) => {
        ProviderType {
            name: $name,
            decode: |cfg| decode::<$m::Options>(cfg).map(|_| ()),
            schema: || schemars::schema_for!($m::Options),
            build: $m::build,
        }
    };
}

/// Every provider type, by name.
pub static REGISTRY: &[ProviderType] = &[
    provider!("prometheus", prometheus, Prometheus),
    provider!("http-json", http_json, HttpJson),
    provider!("datadog", datadog, Datadog),
    provider!("dynatrace", dynatrace, Dynatrace),
    provider!("nobl9", nobl9, Nobl9),
    provider!("slo-generator", slo_generator, SloGenerator),
    provider!("file", file),
];

/// The provider type called `name`.
pub fn provider_type(name: &str) -> Option<&'static ProviderType> {
    REGISTRY.iter().find(|p| p.name == name)
}

/// `cfg.options` decoded into `T` (serde's message on failure).
fn decode<T: serde::de::DeserializeOwned>(cfg: &ProviderConfig) -> Result<T, String> {
    let map: serde_json::Map<String, serde_json::Value> = cfg
        .options
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    serde_json::from_value(serde_json::Value::Object(map)).map_err(|e| e.to_string())
}

/// Why a provider's entry is refused, and which key of it (`type`, an
/// option) is at fault when one is: the caller points at that key's line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct OptionsError {
    /// The key at fault (`type`, `mode`, …); `None`: the entry as a whole.
    pub key: Option<String>,
    /// What is wrong, naming the provider and its type.
    pub message: String,
}

/// Checks the entry `name` of `budget.providers`: its `type` is a
/// provider type of [`REGISTRY`] and every option is one of that type's.
/// A key of another provider type is named as such (`mode` is an option of
/// prometheus, not of datadog), so a copied block does not silently lose
/// its meaning.
///
/// Errors: [`OptionsError`] with the key at fault.
pub fn check(name: &str, cfg: &ProviderConfig) -> Result<(), OptionsError> {
    let Some(t) = provider_type(&cfg.kind) else {
        let known: Vec<&str> = REGISTRY.iter().map(|p| p.name).collect();
        return Err(OptionsError {
            key: Some("type".to_string()),
            message: format!(
                "provider `{name}`: unknown type `{}`; expected one of {}",
                cfg.kind,
                known.join(", ")
            ),
        });
    };
    let Err(e) = (t.decode)(cfg) else {
        return Ok(());
    };
    let unknown = e
        .strip_prefix("unknown field `")
        .and_then(|r| r.split_once('`'))
        .map(|(k, _)| k.to_string());
    let Some(key) = unknown else {
        return Err(OptionsError {
            key: None,
            message: format!("provider `{name}` (type {}): {e}", cfg.kind),
        });
    };
    // Which other types take the key: decode it alone with each of them.
    let takers: Vec<&str> = REGISTRY
        .iter()
        .filter(|o| o.name != t.name)
        .filter(|o| {
            let alone = ProviderConfig {
                kind: o.name.to_string(),
                options: cfg
                    .options
                    .get(&key)
                    .map(|v| (key.clone(), v.clone()))
                    .into_iter()
                    .collect(),
                ..Default::default()
            };
            (o.decode)(&alone).map_or_else(|m| !m.starts_with("unknown field"), |()| true)
        })
        .map(|o| o.name)
        .collect();
    let message = if takers.is_empty() {
        format!(
            "provider `{name}` (type {}): unknown option `{key}` ({e})",
            cfg.kind
        )
    } else {
        format!(
            "provider `{name}` (type {}): `{key}` is an option of {}, not of {}; remove it or change `type`",
            cfg.kind,
            takers.join(", "),
            cfg.kind
        )
    };
    Err(OptionsError {
        key: Some(key),
        message,
    })
}

/// `cfg.options` decoded into the provider's own option type, for its
/// constructor. Errors: the message of [`check`].
pub fn options<T: serde::de::DeserializeOwned>(
    name: &str,
    cfg: &ProviderConfig,
) -> Result<T, String> {
    // One decode on the way in; only a refused entry pays for [`check`]'s
    // search of the registry for the types that take the key.
    decode(cfg).map_err(|e| match check(name, cfg) {
        Err(named) => named.message,
        Ok(()) => format!("provider `{name}` (type {}): {e}", cfg.kind),
    })
}

/// Builds the provider `name` described by `cfg`. `root` is the repository
/// root (for the `file` provider). Errors: an unknown type, a key of
/// another type, a key the type needs is missing or invalid (the message
/// names it); the caller reports it as a configuration error (exit 2).
pub fn build(
    name: &str,
    cfg: &ProviderConfig,
    http: &HttpOptions,
    root: &Path,
) -> Result<Box<dyn Provider>, String> {
    // The type's constructor decodes and checks its options
    // ([`options`]); an unknown type gets [`check`]'s message.
    let Some(t) = provider_type(&cfg.kind) else {
        return Err(check(name, cfg).err().map_or_else(
            || format!("provider `{name}`: unknown type `{}`", cfg.kind),
            |e| e.message,
        ));
    };
    (t.build)(name, cfg, http, root)
}

/// Checks a provider's `url:` (a base URL or a URL template with
/// `{service}`, `{slo}`, `{id}`): it must parse as an http(s) URL and hold
/// no credentials (`user:pass@host` would be sent in the clear and printed in
/// every reading's provenance). Returns the URL, trimmed.
///
/// Errors (exit 2): not a URL, another scheme, user info present; the
/// message never repeats the URL's user info.
pub fn check_url(name: &str, kind: &str, url: &str) -> Result<String, String> {
    let url = url.trim();
    let probe = url
        .replace("{service}", "s")
        .replace("{slo}", "s")
        .replace("{id}", "s");
    let parsed = reqwest::Url::parse(&probe)
        .map_err(|e| format!("provider `{name}` (type {kind}): `url` is not a URL: {e}"))?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(format!(
            "provider `{name}` (type {kind}): `url` must not hold credentials (user:password@); \
             use `auth:` with variables that hold them"
        ));
    }
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "provider `{name}` (type {kind}): `url` must be http:// or https://"
        ));
    }
    Ok(url.to_string())
}

/// The value of environment variable `var`, for credentials. Errors name
/// the variable, never a value. The value is remembered for [`scrub`].
pub fn env_secret(var: &str) -> Result<String, super::FetchError> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => {
            register_secret(&v);
            Ok(v)
        }
        _ => Err(super::FetchError::Config(format!(
            "environment variable {var} is not set"
        ))),
    }
}

/// Every credential value read by [`env_secret`] (or derived from one, such
/// as a basic-auth header) in this process.
static SECRETS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// An HTTP Basic `Authorization` header value (RFC 7617:
/// `Basic base64(user ":" password)`, standard base64 with padding, RFC 4648
/// §4) for the credentials in environment variables `user_env` and
/// `password_env`. Both the `user:password` text and its encoding are
/// registered with [`register_secret`], so no message can show them.
///
/// Errors: [`super::FetchError`] when a variable is unset or empty (see
/// [`env_secret`]).
pub fn basic_auth(user_env: &str, password_env: &str) -> Result<String, super::FetchError> {
    let creds = format!("{}:{}", env_secret(user_env)?, env_secret(password_env)?);
    let (header, encoded) = basic_header(&creds);
    register_secret(&creds);
    register_secret(&encoded);
    Ok(header)
}

/// `Basic <base64(creds)>` and the base64 part, for `creds` = `user:password`.
fn basic_header(creds: &str) -> (String, String) {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(creds.as_bytes());
    (format!("Basic {encoded}"), encoded)
}

/// `text` with every remembered credential replaced by [`SCRUBBED`]. An API
/// that echoes a request header in an error body (a 401 that quotes the
/// token, a debugging proxy) cannot put a credential in a report this way.
pub fn scrub(text: &str) -> String {
    let known = SECRETS.lock().unwrap_or_else(|e| e.into_inner());
    let mut out = text.to_string();
    for k in known.iter() {
        if out.contains(k.as_str()) {
            out = out.replace(k.as_str(), SCRUBBED);
        }
    }
    out
}

/// What [`scrub`] writes instead of a credential.
pub const SCRUBBED: &str = "***";

/// Remembers a credential value (or a form of it that goes on the wire) so
/// that [`scrub`] removes it from messages. Values under 4 characters are
/// ignored (they would garble ordinary text).
pub fn register_secret(value: &str) {
    if value.chars().count() < 4 {
        return;
    }
    let mut known = SECRETS.lock().unwrap_or_else(|e| e.into_inner());
    if !known.iter().any(|k| k == value) {
        known.push(value.to_string());
        // Longest first: a value that contains another is replaced whole.
        known.sort_by_key(|k| std::cmp::Reverse(k.len()));
    }
}

#[cfg(test)]
mod tests {
    fn entry(kind: &str, options: serde_json::Value) -> super::ProviderConfig {
        let serde_json::Value::Object(m) = options else {
            unreachable!()
        };
        super::ProviderConfig {
            kind: kind.to_string(),
            options: m.into_iter().collect(),
            ..Default::default()
        }
    }

    #[test]
    fn a_key_of_another_type_names_the_types_that_take_it() {
        let e = super::check(
            "p",
            &entry(
                "file",
                serde_json::json!({"path": "b.json", "url": "http://x"}),
            ),
        )
        .unwrap_err();
        assert_eq!(e.key.as_deref(), Some("url"));
        // Every type with a URL takes it; `file` does not.
        assert!(
            e.message.contains("`url` is an option of prometheus, http-json, datadog, dynatrace, nobl9, slo-generator, not of file"),
            "{}",
            e.message
        );
        let e = super::check("p", &entry("nosuch", serde_json::json!({}))).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("type"));
        // Must not fire: each type's own keys, the alias `headers` included.
        super::check(
            "p",
            &entry("prometheus", serde_json::json!({"url": "http://x", "mode": "sloth", "headers": {"X-Scope-OrgID": "T"}})),
        )
        .unwrap();
        super::check("p", &entry("file", serde_json::json!({"path": "b.json"}))).unwrap();
    }
    #[test]
    fn basic_header_follows_rfc_7617() {
        // RFC 7617 §2's example, and padding (RFC 4648 §4).
        assert_eq!(
            super::basic_header("Aladdin:open sesame").0,
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(super::basic_header("ab").1, "YWI=");
        assert_eq!(super::basic_header("user:pa ss").1, "dXNlcjpwYSBzcw==");
    }
}
