//! Prometheus alerting-rule checks (`alerts/…`).
//!
//! STUB: to be implemented.

use super::Context;
use crate::finding::Finding;
use crate::rules::Rule;
use serde::Deserialize;

/// Parameters of `alerts.parse`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Parse {}

/// Runs `alerts.parse`.
pub fn parse(ctx: &Context, rule: &Rule, p: &Parse) -> Vec<Finding> {
    let _ = (ctx, rule, p);
    Vec::new()
}

/// Parameters of `alerts.duplicate`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Duplicate {}

/// Runs `alerts.duplicate`.
pub fn duplicate(ctx: &Context, rule: &Rule, p: &Duplicate) -> Vec<Finding> {
    let _ = (ctx, rule, p);
    Vec::new()
}

/// Parameters of `alerts.severity-label`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SeverityLabel {}

/// Runs `alerts.severity-label`.
pub fn severity_label(ctx: &Context, rule: &Rule, p: &SeverityLabel) -> Vec<Finding> {
    let _ = (ctx, rule, p);
    Vec::new()
}

/// Parameters of `alerts.required-annotation`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RequiredAnnotation {}

/// Runs `alerts.required-annotation`.
pub fn required_annotation(ctx: &Context, rule: &Rule, p: &RequiredAnnotation) -> Vec<Finding> {
    let _ = (ctx, rule, p);
    Vec::new()
}

/// Parameters of `alerts.runbook-resolves`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RunbookResolves {}

/// Runs `alerts.runbook-resolves`.
pub fn runbook_resolves(ctx: &Context, rule: &Rule, p: &RunbookResolves) -> Vec<Finding> {
    let _ = (ctx, rule, p);
    Vec::new()
}

/// Parameters of `alerts.for`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ForDuration {}

/// Runs `alerts.for`.
pub fn for_duration(ctx: &Context, rule: &Rule, p: &ForDuration) -> Vec<Finding> {
    let _ = (ctx, rule, p);
    Vec::new()
}

/// Parameters of `alerts.cause-based-page`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CauseBasedPage {}

/// Runs `alerts.cause-based-page`.
pub fn cause_based_page(ctx: &Context, rule: &Rule, p: &CauseBasedPage) -> Vec<Finding> {
    let _ = (ctx, rule, p);
    Vec::new()
}
