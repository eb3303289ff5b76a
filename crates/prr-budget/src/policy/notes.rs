//! Why a reading is not trusted, which exception lifts a decision, and the
//! notes that explain a refused exception.

use super::*;

/// "the 30-day error budget" / "the error budget".
pub(super) fn budget_name(window: Option<f64>) -> String {
    match window {
        Some(w) if w.is_finite() && w > 0.0 => {
            if w % 86_400.0 == 0.0 {
                format!("the {}-day error budget", (w / 86_400.0) as u64)
            } else if w % 3600.0 == 0.0 {
                format!("the {}-hour error budget", (w / 3600.0) as u64)
            } else {
                format!(
                    "the error budget over {}",
                    prr_core::duration::format_duration(w)
                )
            }
        }
        _ => "the error budget".into(),
    }
}

/// Why a reading is not trustworthy, or `None`.
pub(super) fn distrust(r: &Reading, c: &Compiled, min_events: f64, now: f64) -> Option<String> {
    let mut bad = Vec::new();
    if !r.remaining.is_finite() {
        bad.push(format!("remaining = {}", r.remaining));
    }
    for (k, v) in &r.burn_rates {
        if !v.is_finite() {
            bad.push(format!("burn rate {k} = {v}"));
        }
    }
    for (what, v) in [
        ("window", r.window_seconds),
        ("as_of", r.as_of),
        ("events", r.events),
    ] {
        if let Some(v) = v
            && !v.is_finite()
        {
            bad.push(format!("{what} = {v}"));
        }
    }
    if !bad.is_empty() {
        return Some(format!(
            "the reading holds a number that is not finite ({}), so it cannot be trusted",
            bad.join(", ")
        ));
    }
    if let Some(t) = r.as_of {
        let age = now - t;
        if c.max_age > 0.0 && age > c.max_age {
            return Some(format!(
                "the reading is stale: as of {} ago, older than max-age {}",
                prr_core::duration::format_duration(age),
                prr_core::duration::format_duration(c.max_age)
            ));
        }
        if -age > MAX_FUTURE_SKEW_SECONDS {
            return Some(format!(
                "the reading's as_of lies {} in the future (check the clock, and that as_of is in Unix seconds)",
                prr_core::duration::format_duration(-age)
            ));
        }
    }
    if min_events > 0.0
        && let Some(n) = r.events
        && n < min_events
    {
        return Some(format!(
            "too little traffic to judge: {n} events in the SLO window, below min-events {min_events}"
        ));
    }
    None
}

/// The exceptions that could lift `lift` (for the hint in a blocking reason).
pub(super) fn hint(c: &Compiled, needs: &[Lift]) -> Option<String> {
    let mut labels = Vec::new();
    let mut others = Vec::new();
    for (m, allow) in &c.exceptions {
        if !needs.iter().all(|n| allow.contains(n)) {
            continue;
        }
        match m {
            Matcher::Label(l) => labels.push(format!("`{l}`")),
            Matcher::Branch(b, _) => others.push(format!("push from a branch matching `{b}`")),
            Matcher::Trailer(k, v) => others.push(format!("add the commit trailer `{k}: {v}`")),
        }
    }
    let mut parts = Vec::new();
    match labels.len() {
        0 => {}
        1 => parts.push(format!("label the PR {}", labels[0])),
        _ => {
            let last = labels.pop().unwrap_or_default();
            parts.push(format!("label the PR {} or {last}", labels.join(", ")));
        }
    }
    parts.extend(others);
    if parts.is_empty() {
        None
    } else {
        Some(parts.join(", or "))
    }
}

/// The first exception that matches the change and allows every lift in `needs`.
pub(super) fn find_exception(
    c: &Compiled,
    change: &ChangeContext,
    needs: &[Lift],
) -> Option<GrantedException> {
    let branch = change
        .branch
        .as_deref()
        .map(|b| b.strip_prefix("refs/heads/").unwrap_or(b));
    for (m, allow) in &c.exceptions {
        if !needs.iter().all(|n| allow.contains(n)) {
            continue;
        }
        let (kind, value, rule) = match m {
            Matcher::Label(l) => match change
                .labels
                .iter()
                .find(|x| x.trim().eq_ignore_ascii_case(l))
            {
                Some(x) => ("label", x.trim().to_string(), l.clone()),
                None => continue,
            },
            Matcher::Branch(pat, g) => match branch {
                Some(b) if g.is_match(b) => ("branch", b.to_string(), pat.clone()),
                _ => continue,
            },
            Matcher::Trailer(k, v) => match change.trailers.iter().find(|(tk, tv)| {
                tk.trim().eq_ignore_ascii_case(k) && tv.trim().eq_ignore_ascii_case(v)
            }) {
                Some((tk, tv)) => (
                    "trailer",
                    format!("{}: {}", tk.trim(), tv.trim()),
                    format!("{k}: {v}"),
                ),
                None => continue,
            },
        };
        let applied_by = match kind {
            "label" => change
                .label_actors
                .iter()
                .find(|(l, _)| l.eq_ignore_ascii_case(&value))
                .map(|(_, who)| who.clone()),
            "trailer" => Some(format!(
                "{} (commit author)",
                change
                    .trailer_author
                    .as_deref()
                    .unwrap_or("an unknown author")
            )),
            _ => None,
        };
        return Some(GrantedException {
            kind: kind.into(),
            value,
            rule,
            lifted: needs.iter().map(|n| n.as_str().to_string()).collect(),
            applied_by,
        });
    }
    None
}

/// Refused pull-request labels that match an exception allowing `needs`:
/// why each grants nothing, for the blocking reason.
pub(super) fn refused_notes(c: &Compiled, change: &ChangeContext, needs: &[Lift]) -> Vec<String> {
    change
        .refused_labels
        .iter()
        .filter(|r| {
            c.exceptions.iter().any(|(m, allow)| {
                needs.iter().all(|n| allow.contains(n))
                    && matches!(m, Matcher::Label(l) if r.label.trim().eq_ignore_ascii_case(l))
            })
        })
        .map(|r| {
            let by = r
                .applied_by
                .as_deref()
                .map(|who| format!(" (applied by {who})"))
                .unwrap_or_default();
            format!(
                "label `{}`{by} grants no exception: {}",
                r.label.trim(),
                r.reason
            )
        })
        .collect()
}

/// The burn rate in `r` for a window of `secs` seconds (labels compared as durations).
pub(super) fn burn_rate(r: &Reading, secs: f64) -> Option<f64> {
    r.burn_rates.iter().find_map(|(k, v)| {
        (crate::formats::parse_duration(k).is_some_and(|d| (d - secs).abs() < 1e-9)).then_some(*v)
    })
}
