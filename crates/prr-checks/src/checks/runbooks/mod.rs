//! Runbook checks (`runbook/…`).
//!
//! Runbooks are the Markdown files under the runbook globs of prr.yaml
//! (`runbooks:`, default [`crate::config::DEFAULT_RUNBOOK_GLOBS`]), read by
//! [`crate::formats::runbook`], and every Markdown file an alert's runbook
//! link resolves to. The link between an alert and its runbook is the
//! alert's runbook annotation, resolved like `alerts/runbook-resolves` does
//! ([`super::links::resolve_link`], after [`super::Context::own_link`]
//! maps URLs of this repository's hosted files into the checkout).
//!
//! One analyzer per file; [`super::REGISTRY`] names each. `runbook.escalation`
//! (a production-readiness checklist item) reads runbooks too and lives here.

mod common;
mod escalation;
mod orphan;
mod present;
mod sections;

pub use escalation::{Escalation, escalation};
pub use orphan::{Orphan, orphan};
pub use present::{Present, present};
pub use sections::{SectionSpec, Sections, sections};
