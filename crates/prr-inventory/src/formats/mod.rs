//! Typed views over the files prr reads. Each module turns parsed YAML
//! [`crate::yaml::Node`]s (or Markdown text) into a model that keeps source
//! positions; the checks read only these models.

pub mod k8s;
pub mod logql;
pub mod prometheus_rules;
pub mod promql;
pub mod rendered;
pub mod runbook;
pub mod slo;
pub mod template;

pub use crate::duration::{MAX_DURATION_SECONDS, parse_duration};
