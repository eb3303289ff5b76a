//! `alerts/alertmanager-config`: the repository's Alertmanager
//! configurations ([`super::route::configs`]) checked as Alertmanager (or
//! the prometheus-operator, for an `AlertmanagerConfig`) would load them.

use super::route::configs;
use crate::alertmanager::AmConfig;
use crate::checks::{Context, Sink};
use crate::finding::Finding;
use serde::Deserialize;

/// Parameters of `alerts.alertmanager-config` (none).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertmanagerConfig {}

/// Runs `alerts.alertmanager-config`: what Alertmanager would refuse to load.
pub fn alertmanager_config(ctx: &Context, _: &AlertmanagerConfig, sink: &mut Sink) {
    let found: Vec<Finding> = configs(ctx)
        .iter()
        .flat_map(|c| {
            c.problems.iter().map(|p| {
                sink.finding(
                    &c.path,
                    p.pos,
                    format!("{} ({}): {}", describe(c), c.source, p.message),
                )
            })
        })
        .collect();
    sink.extend(found);
}

/// Who would refuse the configuration `c`.
fn describe(c: &AmConfig) -> &'static str {
    if c.source.starts_with("AlertmanagerConfig") {
        "prometheus-operator would not load this Alertmanager configuration"
    } else {
        "Alertmanager would not load this configuration"
    }
}
