//! The checks on whole runs of the pipeline, by family.

mod alerts;
mod burn_rate;
mod duplicate;
mod kube_linter;
mod produced_labels;
mod rollout;
mod rollout_keda;
mod rollout_precision;
mod rollout_standalone;
mod route;
mod runbooks;
mod severity;
mod slo;
