//! The budget table shared by every report and `prr budget`: one row per
//! gated SLO with remaining budget, state, burn rates, time to exhaustion
//! and the decision.

use prr_core::budget::BudgetEntry;
use serde_json::{Value, json};

/// Window labels shown as burn-rate columns (design: 1 h, 6 h, 3 d).
pub const BURN_COLUMNS: [&str; 3] = ["1h", "6h", "3d"];

/// The "current" burn rate of a reading: the 1 h rate, else the provider's
/// single unlabelled rate (`current`: Dynatrace, Nobl9, http-json with one
/// number), else the shortest window it gave.
pub fn current_burn_rate(e: &BudgetEntry) -> Option<f64> {
    let r = e.reading.as_ref()?;
    ["1h", "current", "5m", "30m", "6h", "1d", "3d"]
        .iter()
        .find_map(|w| r.burn_rates.get(*w).copied())
}

/// Seconds until the budget is spent at the current burn rate:
/// `remaining × window / burn_rate` (a burn rate of 1 spends the whole
/// budget in one window). 0 when already spent; `None` when the burn rate
/// or window is unknown or nothing is burning.
pub fn time_to_exhaustion(e: &BudgetEntry) -> Option<f64> {
    let r = e.reading.as_ref()?;
    if r.remaining <= 0.0 {
        return Some(0.0);
    }
    let burn = current_burn_rate(e)?;
    let window = r.window_seconds?;
    (burn > 0.0).then(|| r.remaining * window / burn)
}

/// The JSON object of one entry (`budget[]` in docs/json-report.md).
pub fn entry_json(e: &BudgetEntry) -> Value {
    let r = e.reading.as_ref();
    json!({
        "service": e.service,
        "slo": e.slo,
        "remaining": r.map(|r| r.remaining),
        "burn_rate": current_burn_rate(e),
        "burn_rates": r.map(|r| &r.burn_rates),
        "window_seconds": r.and_then(|r| r.window_seconds),
        "as_of": r.and_then(|r| r.as_of),
        "events": r.and_then(|r| r.events),
        "time_to_exhaustion_seconds": time_to_exhaustion(e),
        "state": e.decision.state,
        "decision": e.decision.action,
        "reason": e.decision.reason,
        "exception": e.decision.exception,
        "fast_burn": e.decision.fast_burn,
        "on_error": e.on_error,
        "source": e.provider,
        "provenance": r.map(|r| &r.provenance),
        "error": e.error,
    })
}

/// Seconds as a rough duration for people (`7d 12h`, `50m`).
pub use prr_core::duration::human_duration;

/// A plain-text table of the entries (empty string when there are none).
/// Names and reasons are shown with control and bidi characters escaped
/// ([`super::visible`]).
pub fn table(entries: &[BudgetEntry]) -> String {
    table_styled(entries, false)
}

/// [`table`]; with `color`, the decision cell is red for `block` and
/// yellow for `warn` (ANSI, after padding so the columns stay aligned).
pub fn table_styled(entries: &[BudgetEntry], color: bool) -> String {
    if entries.is_empty() {
        return String::new();
    }
    let mut rows: Vec<Vec<String>> = vec![
        [
            "service",
            "SLO",
            "remaining",
            "state",
            "burn 1h",
            "6h",
            "3d",
            "exhausted in",
            "decision",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
    ];
    for e in entries {
        let r = e.reading.as_ref();
        let burn = |w: &str| {
            r.and_then(|r| r.burn_rates.get(w))
                .map_or("-".to_string(), |b| format!("{b:.2}"))
        };
        let mut row = vec![
            super::visible(&e.service).into_owned(),
            super::visible(&e.slo).into_owned(),
            r.map_or("-".to_string(), |r| format!("{:.1} %", r.remaining * 100.0)),
            e.decision.state.as_str().to_string(),
        ];
        row.extend(BURN_COLUMNS.iter().map(|w| burn(w)));
        row.push(time_to_exhaustion(e).map_or("-".to_string(), human_duration));
        let mut decision = format!("{:?}", e.decision.action).to_lowercase();
        if let Some(x) = &e.decision.exception {
            decision.push_str(&format!(
                " ({} {})",
                super::visible(&x.kind),
                super::visible(&x.value)
            ));
        }
        row.push(decision);
        rows.push(row);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::from("Error budget\n");
    let last = rows[0].len() - 1;
    for (n, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let cell = format!("{c:<w$}", w = widths[i]);
                match (color && n > 0 && i == last, c.split(' ').next()) {
                    (true, Some("block")) => format!("\x1b[1;31m{}\x1b[0m", cell.trim_end()),
                    (true, Some("warn")) => format!("\x1b[33m{}\x1b[0m", cell.trim_end()),
                    _ => cell,
                }
            })
            .collect();
        out.push_str("  ");
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    for e in entries
        .iter()
        .filter(|e| e.error.is_some() || e.decision.fast_burn.is_some())
    {
        out.push_str(&format!(
            "  {}/{}: {}\n",
            super::visible(&e.service),
            super::visible(&e.slo),
            super::visible(&e.decision.reason)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use prr_core::budget::OnError;
    use prr_core::budget::Reading;
    use prr_core::budget::{Action, Decision, State};

    fn entry(remaining: f64, burn_1h: Option<f64>) -> BudgetEntry {
        let mut r = Reading {
            remaining,
            window_seconds: Some(30.0 * 86_400.0),
            ..Default::default()
        };
        if let Some(b) = burn_1h {
            r.burn_rates.insert("1h".into(), b);
        }
        BudgetEntry {
            service: "s".into(),
            slo: "o".into(),
            provider: "p".into(),
            on_error: OnError::FailClosed,
            reading: Some(r),
            error: None,
            decision: Decision {
                state: State::Healthy,
                action: Action::Pass,
                reason: String::new(),
                exception: None,
                fast_burn: None,
            },
            location: None,
            thresholds: None,
        }
    }

    #[test]
    fn exhaustion_time() {
        // Half the budget left, burning at 2x: the half lasts 30 d / 2 / 2 = 7.5 d.
        assert_eq!(
            time_to_exhaustion(&entry(0.5, Some(2.0))),
            Some(7.5 * 86_400.0)
        );
        assert_eq!(time_to_exhaustion(&entry(-0.1, Some(2.0))), Some(0.0));
        assert_eq!(time_to_exhaustion(&entry(0.5, Some(0.0))), None);
        assert_eq!(time_to_exhaustion(&entry(0.5, None)), None);
        assert_eq!(human_duration(7.5 * 86_400.0), "7d 12h");
        assert_eq!(human_duration(3_000.0), "50m");
    }
}
