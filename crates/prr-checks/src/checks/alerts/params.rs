//! Parameter types and defaults shared by the `alerts/…` checks: Prometheus
//! durations (`alerts/parse`, `alerts/for`), the severity label and runbook
//! annotation names.

use regex::Regex;
use serde::{Deserialize, Deserializer};
use std::sync::LazyLock;

pub(super) fn default_severity_label() -> String {
    "severity".to_string()
}

pub(super) fn default_runbook_annotations() -> Vec<String> {
    vec!["runbook_url".to_string(), "runbook".to_string()]
}

/// A Prometheus duration given as a rule parameter (`5m`), in seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DurationParam {
    /// Seconds.
    pub seconds: f64,
}

impl<'de> Deserialize<'de> for DurationParam {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if !is_prometheus_duration(&s) {
            return Err(serde::de::Error::custom(format!(
                "`{s}` is not a Prometheus duration (e.g. 2m, 5m, 1h30m)"
            )));
        }
        crate::formats::parse_duration(&s)
            .map(|seconds| DurationParam { seconds })
            .ok_or_else(|| serde::de::Error::custom(format!("`{s}` is not a duration")))
    }
}

/// Whether `s` is a duration Prometheus accepts (`model.ParseDuration`):
/// units y, w, d, h, m, s, ms, each at most once and in that order, or `0`.
pub fn is_prometheus_duration(s: &str) -> bool {
    static RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r"^(?:[0-9]+y)?(?:[0-9]+w)?(?:[0-9]+d)?(?:[0-9]+h)?(?:[0-9]+m)?(?:[0-9]+s)?(?:[0-9]+ms)?$").ok()
    });
    s == "0" || (!s.is_empty() && RE.as_ref().is_some_and(|r| r.is_match(s)))
}
