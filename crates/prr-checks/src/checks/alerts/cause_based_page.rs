//! `alerts.cause-based-page` (rule `alerts/cause-based-page`): a paging alert
//! reads more than resource metrics (a symptom, not a cause).

use super::expr::expr_facts;
use super::model::alerts;
use super::params::default_severity_label;
use crate::checks::{Context, Sink};
use regex::Regex;
use serde::{Deserialize, Deserializer};

/// Parameters of `alerts.cause-based-page`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CauseBasedPage {
    /// The severity label (default `severity`).
    #[serde(default = "default_severity_label")]
    pub label: String,
    /// Severity values that page (case-insensitive). Unset (the default):
    /// inferred from the repository's severity scheme (see
    /// [`crate::checks::severity::Paging`]).
    #[serde(default)]
    pub page_severities: Option<Vec<String>>,
    /// Regexes over metric names that measure resources (causes) rather
    /// than what users see. Default: `cpu`, `memory`, `mem`, `disk`,
    /// `filesystem`, `fs`, `swap`, `load1/5/15` as a `_`/`:`-separated word
    /// (node_cpu_seconds_total, container_memory_working_set_bytes,
    /// node_filesystem_avail_bytes, node_load1, process_cpu_seconds_total).
    #[serde(default = "default_cause_patterns")]
    pub cause_metrics: Vec<RegexParam>,
    /// Regexes over metric names that are never causes even when they
    /// match `cause-metrics`: errors and failures (default `error`, `fail`:
    /// `node_filesystem_device_error` is a fault, not usage).
    #[serde(default = "default_not_cause_patterns")]
    pub not_cause_metrics: Vec<RegexParam>,
}

fn default_not_cause_patterns() -> Vec<RegexParam> {
    RegexParam::list(&[r"(?i)(error|fail)"])
}

/// A regular expression given as a rule parameter, compiled (and so
/// validated) when the rule is loaded.
#[derive(Clone, Debug)]
pub struct RegexParam(pub Regex);

impl RegexParam {
    fn list(src: &[&str]) -> Vec<RegexParam> {
        src.iter()
            .filter_map(|s| Regex::new(s).ok().map(RegexParam))
            .collect()
    }
}

impl<'de> Deserialize<'de> for RegexParam {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Regex::new(&s)
            .map(RegexParam)
            .map_err(|e| serde::de::Error::custom(format!("invalid regex `{s}`: {e}")))
    }
}

fn default_cause_patterns() -> Vec<RegexParam> {
    RegexParam::list(&[
        r"(?i)(^|[_:])(cpu|memory|mem|disk|filesystem|fs|swap|load1|load5|load15)([_:]|$)",
    ])
}

/// Runs `alerts.cause-based-page`: a paging alert whose expression reads
/// only resource metrics.
pub fn cause_based_page(ctx: &Context, p: &CauseBasedPage, sink: &mut Sink) {
    let is_cause = |m: &str| {
        p.cause_metrics.iter().any(|re| re.0.is_match(m))
            && !p.not_cause_metrics.iter().any(|re| re.0.is_match(m))
    };
    let paging =
        crate::checks::severity::Paging::resolve(ctx, &p.label, p.page_severities.as_deref());
    for (f, g, r) in alerts(ctx) {
        let Some(sev) = paging.pages(ctx, g, r, &p.label) else {
            continue;
        };
        let Some(expr) = &r.expr else { continue };
        let Some(facts) = expr_facts(&expr.value) else {
            continue;
        };
        if facts.metrics.is_empty() || !facts.metrics.iter().all(|m| is_cause(m)) {
            continue;
        }
        sink.report(
            &f.path,
            expr.pos,
            format!(
                "paging alert `{}` fires on resource usage ({}), a cause rather than a symptom: page on what users see (errors, latency, SLO burn rate) and send this one to a ticket ({})",
                r.name(),
                facts.metrics.join(", "),
                paging.why(&p.label, &sev)
            ),
        );
    }
}
