//! SLO checks (`slo/…`): presence, schema, objective, window, SLI queries, coverage.
//!
//! All of them read the normalised [`SloSpec`]s of the inventory (see
//! `formats::slo`), so they work the same for OpenSLO, Sloth, Pyrra and
//! slo-generator definitions.

use super::{Context, Sink};
use crate::config::{Service, Tier};
use crate::finding::Finding;
use crate::formats::parse_duration;
use crate::formats::slo::{SliCategory, SloFormat, SloSpec, render_query_template};
use crate::yaml::Pos;
use serde::{Deserialize, Deserializer};
use std::collections::HashSet;

mod coverage;
mod objective_range;
mod present;
mod schema;
mod sli_query;
mod window;

pub use coverage::*;
pub use objective_range::*;
pub use present::*;
pub use schema::*;
pub use sli_query::*;
pub use window::*;

/// The SLOs that belong to `service`: stated by name (`service:` in the
/// SLO) or living under the service's paths. Placeholders are skipped.
pub(crate) fn slos_of<'a>(ctx: &'a Context, service: &Service) -> Vec<&'a SloSpec> {
    ctx.inventory
        .slos
        .iter()
        .filter(|s| !s.placeholder)
        .filter(|s| match &s.service {
            Some(name) if ctx.service_named(name).is_some() => name == &service.name,
            _ => ctx.in_service(service, &s.path),
        })
        .collect()
}

/// The SLOs that are real definitions (not schema-issue placeholders).
fn real_slos<'a>(ctx: &'a Context) -> impl Iterator<Item = &'a SloSpec> {
    ctx.inventory.slos.iter().filter(|s| !s.placeholder)
}

/// A short label for messages: `SLO `name` (service `svc`)`.
pub(crate) fn describe(s: &SloSpec) -> String {
    match &s.service {
        Some(svc) => format!("SLO `{}` of service `{svc}`", s.name),
        None => format!("SLO `{}`", s.name),
    }
}

/// Formats a ratio as a percent without float noise (`0.999` → `99.9`).
pub(crate) fn percent(ratio: f64) -> String {
    number(ratio * 100.0)
}

/// Formats a number with up to 6 decimals and no trailing zeros (`0.0144`).
pub(crate) fn number(v: f64) -> String {
    let s = format!("{v:.6}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Removes duplicate findings (same rule, place and message), keeping order.
fn dedup(findings: Vec<Finding>) -> Vec<Finding> {
    let mut seen = HashSet::new();
    findings
        .into_iter()
        .filter(|f| seen.insert((f.path.clone(), f.line, f.column, f.message.clone())))
        .collect()
}
