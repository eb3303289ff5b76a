//! Prometheus alerting-rule checks (`alerts/…`).
//!
//! They read [`crate::formats::prometheus_rules`] models of plain rule files
//! and `PrometheusRule` objects. `alerts/parse` re-implements the validation
//! of Prometheus' `rulefmt` package (`model/rulefmt/rulefmt.go`), the code
//! `promtool check rules` and the Prometheus Operator run, so a file that
//! Prometheus would refuse fails here first, at the offending line. The other
//! checks assume the structure is sound and skip what they cannot read.
//!
//! One analyzer per file; [`super::REGISTRY`] names each. Helpers several
//! checks share: `model.rs` (rules, alerts, labels), `params.rs` (parameter
//! types), `expr.rs` (facts about an alert's PromQL), `notice.rs` (notices
//! about a file, the repository, unreported non-production alerts); runbook
//! links are resolved by `checks/links.rs`.

mod alertmanager_config;
pub mod burn_rate;
mod cause_based_page;
pub mod duplicate;
mod expr;
mod for_duration;
mod model;
mod notice;
mod params;
mod parse;
pub mod produced_labels;
mod required_annotation;
pub mod route;
mod runbook_resolves;
pub mod severity;
mod severity_label;
pub mod template;

pub use alertmanager_config::{AlertmanagerConfig, alertmanager_config};
pub use cause_based_page::{CauseBasedPage, RegexParam, cause_based_page};
pub(crate) use expr::fast_burn;
pub use for_duration::{ForDuration, for_duration};
pub use model::alerts;
pub(crate) use model::{all_rules, first_annotation, label_value, name_pos};
pub use params::{DurationParam, is_prometheus_duration};
pub use parse::{NameValidation, Parse, parse};
pub use required_annotation::{RequiredAnnotation, required_annotation};
pub use runbook_resolves::{RunbookResolves, runbook_resolves};
pub use severity_label::{SeverityLabel, severity_label};
