//! Budget checks (`budget/…`): turn the error-budget policy's decisions into
//! findings, so every report (text, JSON, annotations) and the exit code
//! agree with the budget table. Pure over the budget entries.

use super::{Context, Sink};
use crate::budget::gate::BudgetEntry;
use crate::budget::policy::Action;
use crate::finding::Finding;
use crate::yaml::Pos;
use serde::Deserialize;

/// Parameters of `budget.decision`: which decisions to report.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DecisionParams {
    /// Report entries whose decision is this action (`block` or `warn`).
    pub action: Action,
}

fn finding(sink: &Sink, e: &BudgetEntry, message: String) -> Finding {
    let (path, pos) = e
        .location
        .clone()
        .unwrap_or_else(|| (String::new(), Pos::default()));
    sink.finding(&path, pos, message).with_service(&e.service)
}

/// Runs `budget.decision`: one finding per gated SLO whose decision is `action`.
pub fn decision(ctx: &Context, p: &DecisionParams, sink: &mut Sink) {
    let found: Vec<Finding> = ctx
        .budget
        .iter()
        .filter(|e| e.decision.action == p.action)
        .map(|e| {
            let mut msg = format!("SLO `{}` of `{}`: {}", e.slo, e.service, e.decision.reason);
            if let Some(x) = &e.decision.exception {
                msg.push_str(&format!(" (exception: {} `{}`)", x.kind, x.value));
            }
            finding(sink, e, msg)
        })
        .collect();
    sink.extend(found);
}

/// Parameters of `budget.exception` (none).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExceptionParams {}

/// Runs `budget.exception`: records every exception the policy granted,
/// with what granted it (an audit trail in every report).
pub fn exception(ctx: &Context, _p: &ExceptionParams, sink: &mut Sink) {
    let found: Vec<Finding> = ctx
        .budget
        .iter()
        .filter_map(|e| {
            let x = e.decision.exception.as_ref()?;
            Some(finding(
                sink,
                e,
                format!(
                    "SLO `{}` of `{}`: budget {} — the gate was relaxed by {} `{}`{}",
                    e.slo,
                    e.service,
                    e.decision.state.as_str(),
                    x.kind,
                    x.value,
                    x.applied_by
                        .as_deref()
                        .map(|who| format!(", applied by {who}"))
                        .unwrap_or_default()
                ),
            ))
        })
        .collect();
    sink.extend(found);
}
