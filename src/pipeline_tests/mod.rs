//! Tests that run the whole pipeline (config, inventory, checks, reports:
//! [`crate::analyze`]) on a repository and look at one stage's part of the
//! result. They live in the app because only the app wires the stages; each
//! stage's own unit tests stay in its crate.

mod checks;
mod formats;
mod inventory;
mod report;
