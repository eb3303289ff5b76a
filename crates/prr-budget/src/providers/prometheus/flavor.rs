//! Backend presets of the Prometheus provider (`flavor:`) and the request
//! path they imply (`path-prefix:`).
//!
//! | flavor            | path prefix (default) | extra query parameter      | notes |
//! |-------------------|-----------------------|----------------------------|-------|
//! | `prometheus`      | none                  | none                       | the default |
//! | `thanos`          | none                  | `partial_response=false`   | Thanos Querier answers partial results with HTTP 200 and `warnings` unless told not to |
//! | `mimir`           | `/prometheus`         | none                       | Grafana Mimir / Cortex; tenants by `X-Scope-OrgID` in `headers:` |
//! | `victoriametrics` | none                  | none                       | single node; cluster `vmselect` needs `path-prefix: /select/<accountID>/prometheus` |
//!
//! Whatever the flavor, an answer with `warnings` or `"isPartial": true` is
//! never a reading ([`super::partial`]).

/// A Prometheus-compatible backend.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Flavor {
    /// Prometheus itself.
    #[default]
    Prometheus,
    /// Thanos Querier (or Query Frontend).
    Thanos,
    /// Grafana Mimir or Cortex.
    Mimir,
    /// VictoriaMetrics (single node or vmselect).
    VictoriaMetrics,
}

impl Flavor {
    /// Parses the `flavor:` value.
    pub fn parse(s: &str) -> Option<Flavor> {
        match s {
            "prometheus" => Some(Flavor::Prometheus),
            "thanos" => Some(Flavor::Thanos),
            "mimir" | "cortex" => Some(Flavor::Mimir),
            "victoriametrics" => Some(Flavor::VictoriaMetrics),
            _ => None,
        }
    }

    /// `prometheus`, `thanos`, `mimir`, `victoriametrics`.
    pub fn as_str(self) -> &'static str {
        match self {
            Flavor::Prometheus => "prometheus",
            Flavor::Thanos => "thanos",
            Flavor::Mimir => "mimir",
            Flavor::VictoriaMetrics => "victoriametrics",
        }
    }

    /// The path prefix used when `path-prefix:` is not set.
    pub fn default_prefix(self) -> &'static str {
        match self {
            Flavor::Mimir => "/prometheus",
            _ => "",
        }
    }

    /// Query parameters sent with every query (Thanos:
    /// `partial_response=false`, so the querier fails instead of answering
    /// without the stores that did not respond).
    pub fn params(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Flavor::Thanos => &[("partial_response", "false")],
            _ => &[],
        }
    }
}

/// Checks a `path-prefix:` value: empty, or `/segment[/segment…]` without
/// a query, fragment, `..` or whitespace. Returns it without a trailing
/// slash. Errors are configuration errors (exit 2) naming the value.
pub fn check_prefix(name: &str, prefix: &str) -> Result<String, String> {
    let p = prefix.trim();
    let bad = |why: &str| {
        Err(format!(
            "provider `{name}`: `path-prefix: {prefix}` — {why} (e.g. /prometheus)"
        ))
    };
    if p.is_empty() || p == "/" {
        return Ok(String::new());
    }
    if !p.starts_with('/') {
        return bad("must start with /");
    }
    if p.contains(['?', '#', '\\']) || p.chars().any(char::is_whitespace) {
        return bad("must be a plain path (no ?, #, \\ or spaces)");
    }
    if p.split('/').any(|seg| seg == ".." || seg == ".") {
        return bad("must not hold . or .. segments");
    }
    Ok(p.trim_end_matches('/').to_string())
}

/// Checks a `headers:` entry: a valid HTTP header name and an environment
/// variable name (letters, digits, `_`). `Authorization` is refused (use
/// `auth:`, whose values are scrubbed from messages as a whole header).
pub fn check_header(name: &str, header: &str, var: &str) -> Result<(), String> {
    if reqwest::header::HeaderName::from_bytes(header.as_bytes()).is_err() {
        return Err(format!(
            "provider `{name}`: `headers: {{{header}: …}}` — `{header}` is not an HTTP header name"
        ));
    }
    if header.eq_ignore_ascii_case("authorization") {
        return Err(format!(
            "provider `{name}`: `headers:` must not set Authorization; use `auth:` (bearer-env or basic-*-env)"
        ));
    }
    if var.is_empty() || !var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!(
            "provider `{name}`: `headers: {{{header}: {var}}}` — the value is the NAME of an environment variable holding the header's value (letters, digits, _), never the value itself"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flavors_and_prefixes() {
        assert_eq!(Flavor::parse("thanos"), Some(Flavor::Thanos));
        assert_eq!(Flavor::parse("cortex"), Some(Flavor::Mimir));
        assert_eq!(Flavor::parse("influx"), None);
        assert_eq!(Flavor::Mimir.default_prefix(), "/prometheus");
        assert_eq!(
            Flavor::Thanos.params(),
            &[("partial_response", "false")][..]
        );
        assert!(Flavor::Prometheus.params().is_empty());
        assert_eq!(
            check_prefix("p", "/prometheus/").as_deref(),
            Ok("/prometheus")
        );
        assert_eq!(check_prefix("p", "").as_deref(), Ok(""));
        assert!(check_prefix("p", "prometheus").is_err());
        assert!(check_prefix("p", "/a/../b").is_err());
        assert!(check_prefix("p", "/a?x=1").is_err());
        assert!(check_header("p", "X-Scope-OrgID", "MIMIR_TENANT").is_ok());
        assert!(check_header("p", "X Scope", "T").is_err());
        assert!(check_header("p", "Authorization", "T").is_err());
        let e = check_header("p", "X-Scope-OrgID", "team-a").expect_err("a value, not a name");
        assert!(e.contains("NAME of an environment variable"), "{e}");
    }
}
