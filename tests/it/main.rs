//! The integration tests, as one test binary: `cargo test` links it once
//! instead of once per file, and the helpers live once in `support`.
//! Each module is one former `tests/<name>.rs`; `cargo test <name>::`
//! selects one of them.

mod support;

mod action;
mod adoption;
mod alertmanager;
mod architecture;
mod baseline;
mod budget;
mod cli;
mod cmd;
mod credentials;
mod docs;
mod environments;
mod examples;
mod faults;
mod fuzz_regressions;
mod generate;
mod github_api;
mod inline_suppress;
mod layers;
mod malformed;
mod pack_rules;
mod policy_from;
mod prometheus;
mod providers;
mod pyrra;
mod readiness;
mod render;
mod rule_fixtures;
mod runbook_links;
mod secret_scan;
mod secrets;
mod security_budget;
mod security_files;
mod security_git;
mod security_redaction;
mod sigv4;
mod templates;
mod victoriametrics;
