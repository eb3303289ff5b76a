//! Rollout-safety checks (`rollout/…`) over Kubernetes Deployments, StatefulSets, Argo Rollouts and Flagger Canaries.
//!
//! Scope, by check:
//! - replicas, PodDisruptionBudget: Deployments (`apps`, `extensions`),
//!   StatefulSets and Argo `Rollout`s. A Deployment that a Rollout names in
//!   `spec.workloadRef` is scaled to 0 by design and only lends its pod
//!   template: the Rollout is checked instead.
//! - strategy: Deployments, Argo `Rollout`s and Flagger `Canary`s (a
//!   Deployment that a Canary targets is rolled out by Flagger: the Canary's
//!   analysis is checked instead of the Deployment's strategy).
//! - probes: long-running pods — Pods, Deployments, StatefulSets, DaemonSets,
//!   ReplicaSets, ReplicationControllers, Rollouts (not Jobs and CronJobs,
//!   which run to completion and receive no traffic).
//! - resources, image pinning: every pod owner, Jobs and CronJobs included.
//! - selector match: workloads with `spec.selector`, and Services.
//!
//! A Rollout with `workloadRef` is checked on the referenced Deployment's
//! pod template; positions then point into the Deployment's manifest.
//!
//! Namespaces: two objects are compared only when their namespaces can be
//! equal — equal, or either unset (kustomize and `kubectl -n` set it later).
//!
//! One analyzer per file; [`super::REGISTRY`] names each. Helpers several
//! checks share are in `common.rs`; `images.rs`, `operators.rs`,
//! `volumes.rs` and `standalone.rs` read what more than one check needs.

mod autoscaling;
mod backup;
mod common;
mod image_pinned;
mod images;
mod operators;
mod pdb;
mod probe;
mod replicas;
mod resources;
mod secret_env;
mod selector_match;
mod standalone;
mod strategy;
mod volumes;

pub use autoscaling::{Autoscaling, autoscaling};
pub use backup::{Backup, backup};
pub use image_pinned::{ImagePinned, image_pinned};
pub use pdb::{Pdb, pdb};
pub use probe::{Probe, ProbeKind, probe};
pub use replicas::{Replicas, replicas};
pub use resources::{Resources, resources};
pub use secret_env::{SecretEnv, secret_env};
pub use selector_match::{SelectorMatch, selector_match};
pub use standalone::{Schema, schema};
pub use strategy::{Strategy, strategy};
