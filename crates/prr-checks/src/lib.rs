//! prr-checks: the production-readiness checklist — rules and their loader
//! ([`rules`]: the embedded default pack, packs, team rules), the analyzers
//! by family ([`checks`]), the secret scan in gitleaks' rule format
//! ([`secrets`], which the inventory walk runs through its `ScanHook`), and
//! the passes after the checks, listed in one registry ([`post`]):
//! suppressions ([`suppress`]), the baseline ([`baseline`]) and the
//! readiness score ([`score`]). Depends on core,
//! config, inventory and budget (docs/architecture.md); the reporters never
//! see its types.

pub mod baseline;
pub mod checks;
pub mod pass;
pub mod post;
pub mod redaction;
pub mod rules;
pub mod run;
pub mod score;
pub mod secrets;
pub mod suppress;

// The lower crates' modules under the names this crate's files use.
pub(crate) use prr_budget as budget;
pub(crate) use prr_config::{self as config, git, layers};
#[cfg(test)]
pub(crate) use prr_core::testutil;
pub(crate) use prr_core::{config_message, finding, fsio, par, yaml};
pub(crate) use prr_inventory::{alertmanager, catalog, formats, inventory, render};
