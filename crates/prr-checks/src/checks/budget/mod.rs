//! Budget checks (`budget/…`): turn the error-budget policy's decisions into
//! findings, so every report (text, JSON, annotations) and the exit code
//! agree with the budget table. Pure over the budget entries.

use super::{Context, Sink};
use crate::budget::gate::BudgetEntry;
use crate::budget::policy::Action;
use crate::finding::Finding;
use crate::yaml::Pos;
use serde::Deserialize;

mod decision;
mod exception;

pub use decision::*;
pub use exception::*;

/// The finding of `e` at its SLO (repository-wide when it has no location).
fn finding(sink: &Sink, e: &BudgetEntry, message: String) -> Finding {
    let (path, pos) = e
        .location
        .clone()
        .unwrap_or_else(|| (String::new(), Pos::default()));
    sink.finding(&path, pos, message).with_service(&e.service)
}
