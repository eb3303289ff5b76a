//! prr-inventory: what the repository holds, read once — the walk
//! ([`inventory`]: classify every file, parse YAML and Markdown, run the
//! secret scan through a [`inventory::ScanHook`]), the typed views of each
//! kind of file ([`formats`]: SLOs, Prometheus rules, PromQL, Kubernetes
//! objects, runbooks, templates), rendering of kustomize overlays, Helm
//! charts, OpenShift Templates and CSVs ([`render`], with the real tools),
//! service catalogs ([`catalog`]) and Alertmanager configurations and
//! routing ([`alertmanager`]). Depends on `prr-core` and `prr-config`
//! (docs/architecture.md); the checks read what it builds.

pub mod alertmanager;
pub mod catalog;
pub mod formats;
pub mod inventory;
/// Rendering runs as part of the walk; its old path is kept.
pub use inventory::render;

// The lower crates' modules under the names this crate's files use.
pub(crate) use prr_config::{self as config, git};
#[cfg(test)]
pub(crate) use prr_core::testutil;
pub(crate) use prr_core::{duration, finding, fsio, par, yaml};
