//! `budget.exception`: every exception the policy granted, with what granted it.

use super::*;

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
