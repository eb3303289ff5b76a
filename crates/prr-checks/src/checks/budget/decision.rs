//! `budget.decision`: one finding per gated SLO whose policy decision is the rule's action.

use super::*;

/// Parameters of `budget.decision`: which decisions to report.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DecisionParams {
    /// Report entries whose decision is this action (`block` or `warn`).
    pub action: Action,
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
