//! SLO checks (`slo/…`): presence, schema, objective, window, SLI queries, coverage.
//!
//! STUB: to be implemented.

use super::Context;
use crate::finding::Finding;
use crate::rules::Rule;
use serde::Deserialize;

/// Parameters of `slo.present`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Present {}

/// Runs `slo.present`.
pub fn present(ctx: &Context, rule: &Rule, p: &Present) -> Vec<Finding> {
    let _ = (ctx, rule, p);
    Vec::new()
}

/// Parameters of `slo.schema`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Schema {}

/// Runs `slo.schema`.
pub fn schema(ctx: &Context, rule: &Rule, p: &Schema) -> Vec<Finding> {
    let _ = (ctx, rule, p);
    Vec::new()
}

/// Parameters of `slo.objective-range`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ObjectiveRange {}

/// Runs `slo.objective-range`.
pub fn objective_range(ctx: &Context, rule: &Rule, p: &ObjectiveRange) -> Vec<Finding> {
    let _ = (ctx, rule, p);
    Vec::new()
}

/// Parameters of `slo.window`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Window {}

/// Runs `slo.window`.
pub fn window(ctx: &Context, rule: &Rule, p: &Window) -> Vec<Finding> {
    let _ = (ctx, rule, p);
    Vec::new()
}

/// Parameters of `slo.sli-query`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SliQuery {}

/// Runs `slo.sli-query`.
pub fn sli_query(ctx: &Context, rule: &Rule, p: &SliQuery) -> Vec<Finding> {
    let _ = (ctx, rule, p);
    Vec::new()
}

/// Parameters of `slo.coverage`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Coverage {}

/// Runs `slo.coverage`.
pub fn coverage(ctx: &Context, rule: &Rule, p: &Coverage) -> Vec<Finding> {
    let _ = (ctx, rule, p);
    Vec::new()
}
