//! The budget phase of a run: which SLOs are gated, one concurrent fetch
//! per SLO, and the policy applied to each result.
//!
//! Gated services: every service (prr.yaml, or the implicit one) unless its
//! `budget.gate` is false, narrowed to the services whose paths a change
//! touched when a changed-path list is given (`--changed-since`). A
//! service's SLOs are those of the SLO files that name it or lie in its
//! paths, plus the ones listed under its `budget.slos` (hosted APIs need an
//! `id` there).

pub use prr_core::budget::BudgetEntry;

use super::config::{BudgetConfig, OnError};
use super::http::HttpOptions;
use super::policy::{self, ChangeContext};
use super::{FetchError, Provider, Reading, Target};
use crate::formats::slo::SloSpec;
use crate::yaml::Pos;
use prr_config::{Config, ConfigError, Service};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// Inputs of the budget phase besides config and inventory.
#[derive(Clone, Debug, Default)]
pub struct GateOptions {
    /// Repository-relative paths a change touched; `None` gates every service.
    pub changed: Option<Vec<String>>,
    /// The git ref `changed` was computed against (`--changed-since`, or the
    /// PR's base commit).
    pub base: Option<String>,
    /// Labels, branch and trailers for exceptions.
    pub change: ChangeContext,
    /// Evaluation time, Unix seconds (`None`: now).
    pub now: Option<f64>,
}

/// A gated SLO before fetching.
#[derive(Clone, Debug)]
pub struct Planned {
    /// The target handed to the provider.
    pub target: Target,
    /// Provider name.
    pub provider: String,
    /// On-error setting.
    pub on_error: OnError,
    /// SLO definition location.
    pub location: Option<(String, Pos)>,
    /// The service tier's error-budget policy (`tiers.<tier>.budget-policy`),
    /// when it has one; else `budget.policy` applies.
    pub policy: Option<super::policy::PolicyConfig>,
}

/// Lists the SLOs to gate, from the SLO definitions `slos` (the
/// inventory's, or with `--policy-from` those of
/// [`super::definitions::resolve`]). Errors (exit 2): a gated service has
/// no provider to use.
pub fn plan(
    config: &Config,
    budget: &BudgetConfig,
    services: &[Service],
    slos: &[SloSpec],
    service_of: &dyn Fn(&str) -> Option<String>,
    changed: Option<&[String]>,
) -> Result<Vec<Planned>, ConfigError> {
    let mut out = Vec::new();
    for s in services {
        if !s.budget.gate {
            continue;
        }
        if let Some(paths) = changed
            && !paths
                .iter()
                .any(|p| service_of(p).as_deref() == Some(s.name.as_str()))
        {
            continue;
        }
        let Some(provider) = s
            .budget
            .provider
            .clone()
            .or_else(|| budget.default_provider.clone())
        else {
            let (cfg_path, pos) = config.locate(s.pos);
            return Err(ConfigError::new(
                &cfg_path,
                pos,
                format!(
                    "service `{}` has no budget provider: set `budget.default-provider` or the service's `budget.provider`",
                    s.name
                ),
            ));
        };
        let on_error = s.budget.on_error.unwrap_or(budget.on_error);
        let tier_policy = config
            .tiers
            .get(&s.tier)
            .and_then(|t| t.budget_policy.clone());
        let mut targets: BTreeMap<String, Planned> = BTreeMap::new();
        for spec in slos.iter().filter(|spec| {
            !spec.placeholder
                && (spec.service.as_deref() == Some(s.name.as_str())
                    || (spec.service.is_none()
                        && service_of(&spec.path).as_deref() == Some(s.name.as_str())))
        }) {
            targets.entry(spec.name.clone()).or_insert_with(|| Planned {
                target: Target {
                    service: s.name.clone(),
                    slo: spec.name.clone(),
                    objective: spec.objective.as_ref().map(|o| o.ratio),
                    window_seconds: spec.window.as_ref().and_then(|w| w.seconds),
                    sli: spec.sli.clone(),
                    format: Some(spec.format),
                    ..Default::default()
                },
                provider: provider.clone(),
                on_error,
                location: Some((spec.path.clone(), spec.pos)),
                policy: tier_policy.clone(),
            });
        }
        for r in &s.budget.slos {
            let p = targets.entry(r.name.clone()).or_insert_with(|| Planned {
                target: Target {
                    service: s.name.clone(),
                    slo: r.name.clone(),
                    ..Default::default()
                },
                provider: provider.clone(),
                on_error,
                location: None,
                policy: tier_policy.clone(),
            });
            if r.id.is_some() {
                p.target.id = r.id.clone();
            }
            if let Some(o) = r.objective {
                p.target.objective = Some(o / 100.0);
            }
            if let Some(w) = r.window.as_deref().and_then(crate::formats::parse_duration) {
                p.target.window_seconds = Some(w);
            }
        }
        out.extend(targets.into_values());
    }
    Ok(out)
}

/// Why the budget phase could not run (exit 2): the configuration, not a
/// budget reading (an unreadable budget is a reading the policy judges).
#[derive(Debug, thiserror::Error)]
pub enum BudgetError {
    /// A provider's configuration is invalid.
    #[error("budget provider `{name}`: {message}")]
    Provider {
        /// The provider's name in `budget.providers`.
        name: String,
        /// What is wrong with it.
        message: String,
    },
    /// A service's SLO names a provider that is not defined.
    #[error("budget provider `{0}` is not defined in budget.providers")]
    Undefined(String),
    /// The async runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(String),
}

/// Builds the providers, fetches every planned SLO concurrently and
/// applies the policy. Errors (exit 2): a provider's configuration is
/// invalid, a provider is not defined, or the async runtime cannot start.
pub fn run(
    budget: &BudgetConfig,
    planned: Vec<Planned>,
    root: &Path,
    opts: &GateOptions,
) -> Result<Vec<BudgetEntry>, BudgetError> {
    let http = HttpOptions {
        timeout: budget
            .timeout
            .as_deref()
            .and_then(crate::formats::parse_duration)
            .map_or(HttpOptions::default().timeout, Duration::from_secs_f64),
        retries: budget.retries.unwrap_or(HttpOptions::default().retries),
        ..HttpOptions::default()
    };
    // Every configured provider is built, used or not, so a broken one is
    // reported (exit 2) before the day a service starts using it.
    let mut providers: BTreeMap<String, Box<dyn Provider>> = BTreeMap::new();
    for (name, cfg) in &budget.providers {
        let p = super::providers::build(name, cfg, &http, root).map_err(|message| {
            BudgetError::Provider {
                name: name.clone(),
                message,
            }
        })?;
        providers.insert(name.clone(), p);
    }
    if let Some(p) = planned
        .iter()
        .find(|p| !providers.contains_key(&p.provider))
    {
        return Err(BudgetError::Undefined(p.provider.clone()));
    }
    if planned.is_empty() {
        return Ok(Vec::new());
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| BudgetError::Runtime(e.to_string()))?;
    let results: Vec<Result<Reading, FetchError>> = rt.block_on(async {
        let futures = planned.iter().map(|p| {
            let provider = &providers[&p.provider];
            provider.read(&p.target)
        });
        futures_util::future::join_all(futures).await
    });
    // Every read has ended or given up at its deadline; a blocking read
    // abandoned by the file provider (a stalled mount) must not hold the run.
    rt.shutdown_background();
    let now = opts.now.unwrap_or_else(super::now_unix);
    Ok(planned
        .into_iter()
        .zip(results)
        .map(|(p, result)| {
            // No credential an API echoed reaches a reason, error or report.
            // A reading that cannot be right is unknown, not a number to gate on.
            let result = result
                .and_then(super::plausible)
                .map(super::scrubbed)
                .map_err(FetchError::scrubbed);
            let policy = p.policy.as_ref().unwrap_or(&budget.policy);
            let decision = policy::evaluate(policy, &result, p.on_error, &opts.change, now);
            let (reading, error) = match result {
                Ok(r) => (Some(r), None),
                Err(e) => (None, Some(e.to_string())),
            };
            BudgetEntry {
                service: p.target.service,
                slo: p.target.slo,
                provider: p.provider,
                on_error: p.on_error,
                reading,
                error,
                decision,
                location: p.location,
                thresholds: Some((policy.warning, policy.critical)),
            }
        })
        .collect())
}
