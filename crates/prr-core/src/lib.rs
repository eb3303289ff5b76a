//! prr-core: the nouns every stage of prr shares, with no network and no
//! printing — positioned YAML ([`yaml`]) and its error messages
//! ([`config_message`]), findings and levels ([`finding`]), bounded and
//! symlink-safe file I/O and repository-relative paths ([`fsio`]),
//! Prometheus durations ([`duration`]), enums of names ([`named_enum!`])
//! and a small parallel map ([`par`]).
//!
//! Data flows one way (docs/design.md §1): config → inventory → budget →
//! checks → findings → reports; every crate of the workspace depends on
//! this one and this one on none of them.

pub mod budget;
pub mod config_message;
pub mod duration;
pub mod finding;
pub mod fsio;
pub mod named;
pub mod par;
pub mod readiness;
pub mod report;
pub mod secret;
pub mod service;
#[cfg(feature = "testutil")]
pub mod testutil;
pub mod text;
pub mod time;
pub mod timings;
pub mod yaml;
