//! Runbook checks (`runbook/…`).
//!
//! STUB: to be implemented.

use super::Context;
use crate::finding::Finding;
use crate::rules::Rule;
use serde::Deserialize;

/// Parameters of `runbook.present`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Present {}

/// Runs `runbook.present`.
pub fn present(ctx: &Context, rule: &Rule, p: &Present) -> Vec<Finding> {
    let _ = (ctx, rule, p);
    Vec::new()
}

/// Parameters of `runbook.sections`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Sections {}

/// Runs `runbook.sections`.
pub fn sections(ctx: &Context, rule: &Rule, p: &Sections) -> Vec<Finding> {
    let _ = (ctx, rule, p);
    Vec::new()
}

/// Parameters of `runbook.orphan`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Orphan {}

/// Runs `runbook.orphan`.
pub fn orphan(ctx: &Context, rule: &Rule, p: &Orphan) -> Vec<Finding> {
    let _ = (ctx, rule, p);
    Vec::new()
}
