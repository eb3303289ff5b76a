//! Rollout-safety checks (`rollout/…`) over Kubernetes Deployments, StatefulSets, Argo Rollouts and Flagger Canaries.
//!
//! STUB: to be implemented.

use super::Context;
use crate::finding::Finding;
use crate::rules::Rule;
use serde::Deserialize;

/// Parameters of `rollout.replicas`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Replicas {}

/// Runs `rollout.replicas`.
pub fn replicas(ctx: &Context, rule: &Rule, p: &Replicas) -> Vec<Finding> {
    let _ = (ctx, rule, p);
    Vec::new()
}

/// Parameters of `rollout.probe`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Probe {}

/// Runs `rollout.probe`.
pub fn probe(ctx: &Context, rule: &Rule, p: &Probe) -> Vec<Finding> {
    let _ = (ctx, rule, p);
    Vec::new()
}

/// Parameters of `rollout.resources`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Resources {}

/// Runs `rollout.resources`.
pub fn resources(ctx: &Context, rule: &Rule, p: &Resources) -> Vec<Finding> {
    let _ = (ctx, rule, p);
    Vec::new()
}

/// Parameters of `rollout.pdb`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Pdb {}

/// Runs `rollout.pdb`.
pub fn pdb(ctx: &Context, rule: &Rule, p: &Pdb) -> Vec<Finding> {
    let _ = (ctx, rule, p);
    Vec::new()
}

/// Parameters of `rollout.strategy`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Strategy {}

/// Runs `rollout.strategy`.
pub fn strategy(ctx: &Context, rule: &Rule, p: &Strategy) -> Vec<Finding> {
    let _ = (ctx, rule, p);
    Vec::new()
}

/// Parameters of `rollout.image-pinned`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ImagePinned {}

/// Runs `rollout.image-pinned`.
pub fn image_pinned(ctx: &Context, rule: &Rule, p: &ImagePinned) -> Vec<Finding> {
    let _ = (ctx, rule, p);
    Vec::new()
}

/// Parameters of `rollout.selector-match`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SelectorMatch {}

/// Runs `rollout.selector-match`.
pub fn selector_match(ctx: &Context, rule: &Rule, p: &SelectorMatch) -> Vec<Finding> {
    let _ = (ctx, rule, p);
    Vec::new()
}
