//! Provider implementations, one per file, and the constructor that picks
//! one from a `ProviderConfig`.

pub mod datadog;
pub mod dynatrace;
pub mod file;
pub mod http_json;
pub mod nobl9;
pub mod prometheus;
pub mod slo_generator;

use super::Provider;
use super::config::{ProviderConfig, ProviderKind};
use super::http::{Http, HttpOptions};
use std::path::Path;

/// Builds the provider `name` described by `cfg`. `root` is the repository
/// root (for the `file` provider). Errors: a key the type needs is missing
/// or invalid (the message names it); the caller reports it as a
/// configuration error (exit 2).
pub fn build(
    name: &str,
    cfg: &ProviderConfig,
    http: &HttpOptions,
    root: &Path,
) -> Result<Box<dyn Provider>, String> {
    let client = || Http::new(http.clone()).map_err(|e| e.to_string());
    Ok(match cfg.kind {
        ProviderKind::Prometheus => {
            Box::new(prometheus::Prometheus::from_config(name, cfg, client()?)?)
        }
        ProviderKind::HttpJson => Box::new(http_json::HttpJson::from_config(name, cfg, client()?)?),
        ProviderKind::Datadog => Box::new(datadog::Datadog::from_config(name, cfg, client()?)?),
        ProviderKind::Dynatrace => {
            Box::new(dynatrace::Dynatrace::from_config(name, cfg, client()?)?)
        }
        ProviderKind::Nobl9 => Box::new(nobl9::Nobl9::from_config(name, cfg, client()?)?),
        ProviderKind::SloGenerator => Box::new(slo_generator::SloGenerator::from_config(
            name,
            cfg,
            client()?,
        )?),
        ProviderKind::File => {
            Box::new(file::File::from_config(name, cfg, root)?.with_timeout(http.timeout))
        }
    })
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
