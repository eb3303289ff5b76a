//! Building the provider from its config: URL, mode, credentials,
//! `eval-time`, flavor, path prefix and headers, each checked.

use super::{Auth, Flavor, Mode, Prometheus, flavor, parse_time, sigv4};
use crate::config::ProviderConfig;
use crate::http::Http;

impl Prometheus {
    /// Builds it from its config. Errors: `url` missing or not http(s),
    /// unknown `mode`, incomplete basic auth, unparsable `eval-time`.
    pub fn from_config(name: &str, cfg: &ProviderConfig, http: Http) -> Result<Self, String> {
        let cfg: super::Options = super::super::options(name, cfg)?;
        let url = cfg
            .url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .ok_or_else(|| format!("provider `{name}`: `url` is required for type prometheus (e.g. http://prometheus:9090)"))?;
        // One check for every provider: http(s), no user info, and messages
        // that never repeat the URL's credentials.
        let url = crate::providers::check_url(name, "prometheus", url)?;
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
}
