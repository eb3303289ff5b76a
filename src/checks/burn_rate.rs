//! `alerts/burn-rate`: every SLO has fast and slow multi-window, multi-burn-rate alerts (Google SRE Workbook, ch. 5).
//!
//! STUB: to be implemented.

use super::Context;
use crate::finding::Finding;
use crate::rules::Rule;
use serde::Deserialize;

/// Parameters of `alerts.burn-rate`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BurnRate {}

/// Runs `alerts.burn-rate`.
pub fn burn_rate(ctx: &Context, rule: &Rule, p: &BurnRate) -> Vec<Finding> {
    let _ = (ctx, rule, p);
    Vec::new()
}
