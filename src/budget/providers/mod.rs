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
        ProviderKind::File => Box::new(file::File::from_config(name, cfg, root)?),
    })
}

/// The value of environment variable `var`, for credentials. Errors name
/// the variable, never a value.
pub fn env_secret(var: &str) -> Result<String, super::FetchError> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Ok(v),
        _ => Err(super::FetchError::Config(format!(
            "environment variable {var} is not set"
        ))),
    }
}
