//! Committed-secret checks (`secrets/…`): keyword prefilter, then regex; values are always redacted.
//!
//! STUB: to be implemented.

use super::Context;
use crate::finding::Finding;
use crate::rules::Rule;
use serde::Deserialize;

/// Parameters of `secrets.pattern`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Pattern {}

/// Runs `secrets.pattern`.
pub fn pattern(ctx: &Context, rule: &Rule, p: &Pattern) -> Vec<Finding> {
    let _ = (ctx, rule, p);
    Vec::new()
}
