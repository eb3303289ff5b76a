//! The error-budget policy: from a reading (or the error that replaced it)
//! to a state and a decision, with audited exceptions.
//!
//! Defaults (docs/design.md §5, from the error-budget policy we follow):
//! healthy > 50 % remaining; warning 25–50 %; critical 0–25 %; exhausted
//! ≤ 0. Healthy and warning pass (warning annotates); critical blocks unless
//! an exception applies; exhausted blocks unless the change is a security
//! fix. A fast burn (14.4× over 1 h and 5 m, or 6× over 6 h and 30 m; Google
//! SRE Workbook ch. 5, "Alerting on SLOs", multi-window, multi-burn-rate)
//! blocks even with budget left. A reading that cannot be had, is stale,
//! has too few events or holds a NaN/infinite number is `unknown`, never
//! healthy.
//!
//! ```yaml
//! budget:
//!   policy:
//!     warning: 0.5            # ratio of the budget left (not percent)
//!     critical: 0.25
//!     actions: { healthy: pass, warning: warn, critical: block, exhausted: block }
//!     # actions.unknown: unset = the service's on-error decides
//!     exceptions:             # replaces the default list when given
//!       - { label: hotfix }                       # allow: [critical] by default
//!       - { branch: "hotfix/*", allow: [critical] }
//!       - { trailer: "Change-Type: security", allow: [critical, exhausted] }  # opt-in only
//!     fast-burn:
//!       enabled: true
//!       rules: [{ long: 1h, short: 5m, factor: 14.4 }, { long: 6h, short: 30m, factor: 6 }]
//!     max-age: 15m            # older readings are unknown (stale); 0 = off
//!     min-events: 0           # fewer events in the window = unknown; 0 = off
//! ```
//!
//! Decisions taken here (user-facing; the README should say the same):
//! - **Boundaries take the worse state**: exactly 50 % left is `warning`,
//!   exactly 25 % is `critical`, 0 or less is `exhausted`.
//! - **Unknown** is decided by `actions.unknown` when it is set explicitly
//!   (it may only be `warn` or `block`: an unknown budget never passes
//!   silently); otherwise by the service's `on-error` (`fail-closed` →
//!   block, `fail-open` → warn). The reason says which applied.
//! - **Exceptions never lift `unknown`**: a missing reading is no reason to
//!   skip the gate (`allow: [unknown]` is a configuration error). An
//!   exception turns *block* into *warn*, never into a silent pass, and is
//!   recorded in [`Decision::exception`]. One exception must cover every
//!   reason for the block (the state and, if any, the fast burn: it lifts a
//!   fast burn only when its `allow` lists `fast-burn`). The first matching
//!   exception in list order wins.
//! - **No `as_of`**: the provider computed the value at request time (most
//!   hosted APIs answer "as of now"), so the reading is trusted as fresh. An
//!   `as_of` more than 5 minutes in the future (a clock or unit error, e.g.
//!   milliseconds) makes the reading unknown.
//! - **`min-events` with no event count**: the provider does not report one;
//!   the guard cannot apply, the reading is judged as usual and the reason
//!   says so (a note, see [`evaluate_with_notes`]).
//! - **Commit trailers are opt-in**: a trailer is written by the change's
//!   own author and nobody else vouches for it, so no trailer grants an
//!   exception by default (until issue 17 the default list held
//!   `Change-Type: security`, lifting even an exhausted budget). A team that
//!   wants one lists it under `exceptions:` (policy read from the base ref
//!   with `--policy-from`); when it is used, the recorded exception names
//!   the author of the commit that carries it (`applied_by`), as the
//!   label audit names who applied a label.
//! - **Missing burn rates**: no fast-burn verdict for that rule pair. When
//!   the reading has burn rates but none of the configured pairs (a window
//!   label mismatch, likely a configuration slip), the reason says fast
//!   burn was not checked; a provider that reports no burn rates at all
//!   (Datadog, Dynatrace, …) gets no such note: the report's empty burn-rate
//!   columns already show it.

pub use prr_config::policy::{
    Actions, CompiledPolicy as Compiled, ExceptionRule, FastBurnConfig, FastBurnRule, Lift,
    Matcher, PolicyConfig, default_exceptions,
};
pub use prr_core::budget::{Action, Decision, GrantedException, State};

use super::config::OnError;
use super::{FetchError, Reading};

mod notes;
use notes::*;

/// How far in the future (seconds) an `as_of` may lie before the reading is
/// distrusted (clock skew between prr's host and the SLO backend).
pub const MAX_FUTURE_SKEW_SECONDS: f64 = 300.0;

/// Facts about the change, for exceptions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChangeContext {
    /// Pull-request labels.
    pub labels: Vec<String>,
    /// Branch name.
    pub branch: Option<String>,
    /// Commit trailers (`Change-Type: security`), key and value.
    pub trailers: Vec<(String, String)>,
    /// Author of the commit the trailers come from (`Name <email>`), named
    /// in a trailer exception's record.
    pub trailer_author: Option<String>,
    /// Who applied each label (GitHub login), when read live from the API.
    pub label_actors: std::collections::BTreeMap<String, String>,
    /// Pull-request labels that grant no exception (not in `labels`), with
    /// why: applied by someone without write access, before the current
    /// head was pushed, or not auditable. A blocking reason names those
    /// that would have lifted the block.
    pub refused_labels: Vec<RefusedLabel>,
}

/// A pull-request label refused as an exception by the audit
/// (`prr::github::GithubClient::audit_labels`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RefusedLabel {
    /// Label name.
    pub label: String,
    /// Who applied it, when known.
    pub applied_by: Option<String>,
    /// Why it counts for nothing (`bob has triage access to the repository;
    /// write access is required`).
    pub reason: String,
}

/// A ratio as a percentage without trailing zeros: 0.5 → "50", 0.125 → "12.5".
fn pct(x: f64) -> String {
    let s = format!("{:.2}", x * 100.0);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

fn unknown(policy: &PolicyConfig, on_error: OnError, why: String) -> Decision {
    let (action, how) = match policy.actions.unknown {
        // `pass` is rejected by validate(); should it get here anyway, warn.
        Some(Action::Block) => (Action::Block, "the policy's actions.unknown is block"),
        Some(_) => (Action::Warn, "the policy's actions.unknown is warn"),
        None => match on_error {
            OnError::FailClosed => (Action::Block, "on-error is fail-closed"),
            OnError::FailOpen => (Action::Warn, "on-error is fail-open"),
        },
    };
    let what = match action {
        Action::Block => {
            "changes are blocked until a trustworthy reading is available — fix the provider, \
             or set on-error: fail-open for this service to let changes through with a warning"
        }
        _ => "the change passes with a warning, unchecked against the error budget",
    };
    Decision {
        state: State::Unknown,
        action,
        reason: format!("{why}; {how}: {what}"),
        exception: None,
        fast_burn: None,
    }
}

/// Applies the policy. `now` is Unix seconds (for staleness).
///
/// Never returns `Healthy` or `Pass` for an error, a stale, low-traffic or
/// non-finite reading; never panics. Notes about guards that could not
/// apply (see [`evaluate_with_notes`]) end the reason after a semicolon.
pub fn evaluate(
    policy: &PolicyConfig,
    reading: &Result<Reading, FetchError>,
    on_error: OnError,
    change: &ChangeContext,
    now: f64,
) -> Decision {
    let (mut d, notes) = evaluate_with_notes(policy, reading, on_error, change, now);
    for n in notes {
        d.reason.push_str("; ");
        d.reason.push_str(&n);
    }
    d
}

/// Like [`evaluate`], with the notes kept apart from the reason: remarks on
/// guards that could not be applied (no event count for `min-events`; no
/// burn rates for any fast-burn pair while the reading has some).
pub fn evaluate_with_notes(
    policy: &PolicyConfig,
    reading: &Result<Reading, FetchError>,
    on_error: OnError,
    change: &ChangeContext,
    now: f64,
) -> (Decision, Vec<String>) {
    let c = match policy.compile() {
        Ok(c) => c,
        Err(e) => {
            // validate() runs at config load, so this is a bug; stay safe.
            let d = Decision {
                state: State::Unknown,
                action: Action::Block,
                reason: format!(
                    "the budget policy is invalid ({e}); fix budget.policy in prr.yaml"
                ),
                exception: None,
                fast_burn: None,
            };
            return (d, Vec::new());
        }
    };
    let r = match reading {
        Err(e) => {
            let d = unknown(policy, on_error, format!("no error-budget reading ({e})"));
            return (d, Vec::new());
        }
        Ok(r) => r,
    };
    let mut notes = Vec::new();
    if let Some(why) = distrust(r, &c, policy.min_events, now) {
        return (unknown(policy, on_error, why), notes);
    }
    if policy.min_events > 0.0 && r.events.is_none() {
        notes.push(format!(
            "the provider reports no event count: min-events {} not checked",
            policy.min_events
        ));
    }

    let state = if r.remaining <= 0.0 {
        State::Exhausted
    } else if r.remaining <= policy.critical {
        State::Critical
    } else if r.remaining <= policy.warning {
        State::Warning
    } else {
        State::Healthy
    };
    let a = &policy.actions;
    let state_action = match state {
        State::Healthy => a.healthy,
        State::Warning => a.warning,
        State::Critical => a.critical,
        State::Exhausted => a.exhausted,
        State::Unknown => Action::Block,
    };

    // Fast burn (multi-window, multi-burn-rate).
    let mut burns = Vec::new();
    let mut checked = 0;
    if policy.fast_burn.enabled {
        for (ll, ls, sl, ss, factor) in &c.fast_burn {
            if let (Some(lr), Some(sr)) = (burn_rate(r, *ls), burn_rate(r, *ss)) {
                checked += 1;
                if lr >= *factor && sr >= *factor {
                    burns.push(format!(
                        "burn rate {lr:.1}× over {ll} and {sr:.1}× over {sl}, both at or above {factor}×"
                    ));
                }
            }
        }
        if checked == 0 && !c.fast_burn.is_empty() && !r.burn_rates.is_empty() {
            let pairs: Vec<String> = c
                .fast_burn
                .iter()
                .map(|(ll, _, sl, _, _)| format!("{ll}/{sl}"))
                .collect();
            notes.push(format!(
                "fast burn not checked: the reading has burn rates for {} but none for {}",
                r.burn_rates.keys().cloned().collect::<Vec<_>>().join(", "),
                pairs.join(" or ")
            ));
        }
    }
    let fast_burn = (!burns.is_empty()).then(|| burns.join("; "));

    let left = if r.remaining <= 0.0 {
        format!(
            "{} is spent ({:.1} % left, exhausted)",
            budget_name(r.window_seconds),
            // -0.0 would print as "-0.0 %".
            if r.remaining == 0.0 {
                0.0
            } else {
                r.remaining * 100.0
            }
        )
    } else {
        let band = match state {
            State::Healthy => format!("healthy, above {} %", pct(policy.warning)),
            State::Warning => format!("warning, at or below {} %", pct(policy.warning)),
            _ => format!("critical, at or below {} %", pct(policy.critical)),
        };
        format!(
            "{:.1} % of {} left ({band})",
            r.remaining * 100.0,
            budget_name(r.window_seconds)
        )
    };
    let left = {
        let mut s = left;
        if let Some(first) = s.get(..1) {
            let up = first.to_uppercase();
            s.replace_range(..1, &up);
        }
        s
    };

    // What blocks, and what would lift it.
    let mut needs = Vec::new();
    if state_action == Action::Block
        && let Some(l) = Lift::of_state(state)
    {
        needs.push(l);
    }
    if fast_burn.is_some() {
        needs.push(Lift::FastBurn);
    }
    let state_blocks = state_action == Action::Block;
    if needs.is_empty() && !state_blocks {
        let (action, tail) = match state_action {
            Action::Pass => (Action::Pass, "changes pass".to_string()),
            _ => (
                Action::Warn,
                match state {
                    State::Warning => format!(
                        "changes pass with a warning; prioritise reliability work before it falls to {} %",
                        pct(policy.critical)
                    ),
                    _ => "changes pass with a warning".to_string(),
                },
            ),
        };
        let d = Decision {
            state,
            action,
            reason: format!("{left}: {tail}"),
            exception: None,
            fast_burn: None,
        };
        return (d, notes);
    }
    let cause = match &fast_burn {
        Some(fb) if state_blocks => format!("{left}, and burning fast: {fb}"),
        Some(fb) => format!("Fast burn: {fb} ({})", {
            let mut l = left.clone();
            if let Some(first) = l.get(..1) {
                let low = first.to_lowercase();
                l.replace_range(..1, &low);
            }
            l
        }),
        None => left,
    };
    // A state that blocks by itself and has no Lift (healthy: block) cannot be excepted.
    let liftable = !(state_blocks && Lift::of_state(state).is_none());
    if liftable && let Some(ex) = find_exception(&c, change, &needs) {
        let by = ex
            .applied_by
            .as_deref()
            .map(|who| format!(", applied by {who},"))
            .unwrap_or_default();
        let d = Decision {
            state,
            action: Action::Warn,
            reason: format!(
                "{cause}: this would block, but {} `{}`{by} grants an exception ({}), so the change passes with a warning",
                ex.kind,
                ex.value,
                ex.lifted.join(" and ")
            ),
            exception: Some(ex),
            fast_burn,
        };
        return (d, notes);
    }
    let until = if fast_burn.is_some() && !state_blocks {
        "changes are blocked while the budget burns this fast (Google SRE Workbook ch. 5)"
    } else {
        "changes are blocked until the budget recovers"
    };
    let mut reason = match hint(&c, &needs).filter(|_| liftable) {
        Some(h) => format!("{cause}: {until}; to let an urgent fix through, {h}"),
        None => format!("{cause}: {until}"),
    };
    if liftable {
        for note in refused_notes(&c, change, &needs) {
            reason.push_str("; ");
            reason.push_str(&note);
        }
    }
    let d = Decision {
        state,
        action: Action::Block,
        reason,
        exception: None,
        fast_burn,
    };
    (d, notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Provenance;
    use std::collections::BTreeMap;

    const NOW: f64 = 1_700_000_000.0;
    const DAY30: f64 = 2_592_000.0;

    fn rd(remaining: f64, burns: &[(&str, f64)]) -> Reading {
        Reading {
            remaining,
            burn_rates: burns
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect::<BTreeMap<_, _>>(),
            window_seconds: Some(DAY30),
            as_of: Some(NOW - 60.0),
            events: None,
            provenance: Provenance {
                provider: "test".into(),
                ..Provenance::default()
            },
            history: Vec::new(),
        }
    }

    fn with(r: Reading, f: impl FnOnce(&mut Reading)) -> Reading {
        let mut r = r;
        f(&mut r);
        r
    }

    fn labels(l: &[&str]) -> ChangeContext {
        ChangeContext {
            labels: l.iter().map(|s| s.to_string()).collect(),
            ..ChangeContext::default()
        }
    }

    fn branch(b: &str) -> ChangeContext {
        ChangeContext {
            branch: Some(b.into()),
            ..ChangeContext::default()
        }
    }

    fn trailer(k: &str, v: &str) -> ChangeContext {
        ChangeContext {
            trailers: vec![(k.into(), v.into())],
            ..ChangeContext::default()
        }
    }

    fn pol(f: impl FnOnce(&mut PolicyConfig)) -> PolicyConfig {
        let mut p = PolicyConfig::default();
        f(&mut p);
        assert_eq!(p.validate(), Ok(()));
        p
    }

    fn ex(kind: &str, rule: &str, allow: &[Lift]) -> ExceptionRule {
        ExceptionRule {
            label: (kind == "label").then(|| rule.to_string()),
            branch: (kind == "branch").then(|| rule.to_string()),
            trailer: (kind == "trailer").then(|| rule.to_string()),
            allow: allow.to_vec(),
        }
    }

    use Action::{Block, Pass, Warn};
    use OnError::{FailClosed, FailOpen};
    use State::{Critical, Exhausted, Healthy, Unknown};

    #[test]
    fn table() {
        let fast = [("1h", 20.0), ("5m", 16.0)];
        let err = Err(FetchError::Unreachable("connection refused".into()));
        type Row = (
            &'static str,
            PolicyConfig,
            Result<Reading, FetchError>,
            OnError,
            ChangeContext,
            State,
            Action,
            Option<(&'static str, &'static str)>,
        );
        let d = PolicyConfig::default;
        let none = ChangeContext::default;
        let rows: Vec<Row> = vec![
            (
                "healthy",
                d(),
                Ok(rd(0.82, &[])),
                FailClosed,
                none(),
                Healthy,
                Pass,
                None,
            ),
            (
                "50 % is warning",
                d(),
                Ok(rd(0.5, &[])),
                FailClosed,
                none(),
                State::Warning,
                Warn,
                None,
            ),
            (
                "warning",
                d(),
                Ok(rd(0.41, &[])),
                FailOpen,
                none(),
                State::Warning,
                Warn,
                None,
            ),
            (
                "critical",
                d(),
                Ok(rd(0.12, &[])),
                FailClosed,
                none(),
                Critical,
                Block,
                None,
            ),
            (
                "25 % is critical",
                d(),
                Ok(rd(0.25, &[])),
                FailOpen,
                none(),
                Critical,
                Block,
                None,
            ),
            (
                "critical, unrelated label",
                d(),
                Ok(rd(0.12, &[])),
                FailClosed,
                labels(&["docs"]),
                Critical,
                Block,
                None,
            ),
            (
                "critical + hotfix",
                d(),
                Ok(rd(0.12, &[])),
                FailClosed,
                labels(&["hotfix"]),
                Critical,
                Warn,
                Some(("label", "hotfix")),
            ),
            (
                "critical + HotFix (case)",
                d(),
                Ok(rd(0.12, &[])),
                FailClosed,
                labels(&["docs", "HotFix"]),
                Critical,
                Warn,
                Some(("label", "HotFix")),
            ),
            (
                "critical + reliability",
                d(),
                Ok(rd(0.01, &[])),
                FailClosed,
                labels(&["reliability"]),
                Critical,
                Warn,
                Some(("label", "reliability")),
            ),
            (
                "critical + branch glob",
                pol(|p| p.exceptions = vec![ex("branch", "hotfix/*", &[Lift::Critical])]),
                Ok(rd(0.12, &[])),
                FailClosed,
                branch("refs/heads/hotfix/login"),
                Critical,
                Warn,
                Some(("branch", "hotfix/login")),
            ),
            (
                "branch * does not cross /",
                pol(|p| p.exceptions = vec![ex("branch", "hotfix/*", &[Lift::Critical])]),
                Ok(rd(0.12, &[])),
                FailClosed,
                branch("hotfix/a/b"),
                Critical,
                Block,
                None,
            ),
            (
                "custom list replaces defaults",
                pol(|p| p.exceptions = vec![ex("branch", "hotfix/*", &[Lift::Critical])]),
                Ok(rd(0.12, &[])),
                FailClosed,
                labels(&["hotfix"]),
                Critical,
                Block,
                None,
            ),
            (
                "exhausted at 0",
                d(),
                Ok(rd(0.0, &[])),
                FailClosed,
                none(),
                Exhausted,
                Block,
                None,
            ),
            (
                "exhausted + hotfix",
                d(),
                Ok(rd(-0.03, &[])),
                FailClosed,
                labels(&["hotfix"]),
                Exhausted,
                Block,
                None,
            ),
            (
                "exhausted + security",
                d(),
                Ok(rd(-0.03, &[])),
                FailClosed,
                labels(&["hotfix", "security"]),
                Exhausted,
                Warn,
                Some(("label", "security")),
            ),
            (
                "exhausted + trailer, not opted in (the default)",
                d(),
                Ok(rd(-0.5, &[])),
                FailClosed,
                trailer("Change-Type", "security"),
                Exhausted,
                Block,
                None,
            ),
            (
                "critical + trailer, not opted in (the default)",
                d(),
                Ok(rd(0.1, &[])),
                FailClosed,
                trailer("Change-Type", "security"),
                Critical,
                Block,
                None,
            ),
            (
                "exhausted + trailer the policy lists",
                pol(|p| {
                    p.exceptions.push(ex(
                        "trailer",
                        "Change-Type: security",
                        &[Lift::Critical, Lift::Exhausted],
                    ))
                }),
                Ok(rd(-0.5, &[])),
                FailClosed,
                trailer("change-type", " SECURITY"),
                Exhausted,
                Warn,
                Some(("trailer", "change-type: SECURITY")),
            ),
            (
                "exhausted + other trailer",
                d(),
                Ok(rd(-0.5, &[])),
                FailClosed,
                trailer("Change-Type", "feature"),
                Exhausted,
                Block,
                None,
            ),
            (
                "fast burn on healthy",
                d(),
                Ok(rd(0.9, &fast)),
                FailOpen,
                none(),
                Healthy,
                Block,
                None,
            ),
            (
                "only the long window burns",
                d(),
                Ok(rd(0.9, &[("1h", 20.0), ("5m", 3.0)])),
                FailClosed,
                none(),
                Healthy,
                Pass,
                None,
            ),
            (
                "6h/30m at the factor",
                d(),
                Ok(rd(0.9, &[("6h", 7.0), ("30m", 6.0)])),
                FailClosed,
                none(),
                Healthy,
                Block,
                None,
            ),
            (
                "60m label matches 1h",
                d(),
                Ok(rd(0.9, &[("60m", 15.0), ("5m", 14.4)])),
                FailClosed,
                none(),
                Healthy,
                Block,
                None,
            ),
            (
                "fast burn not lifted by hotfix",
                d(),
                Ok(rd(0.9, &fast)),
                FailClosed,
                labels(&["hotfix", "security"]),
                Healthy,
                Block,
                None,
            ),
            (
                "fast burn lifted when allowed",
                pol(|p| {
                    p.exceptions
                        .push(ex("label", "incident", &[Lift::FastBurn]))
                }),
                Ok(rd(0.9, &fast)),
                FailClosed,
                labels(&["incident"]),
                Healthy,
                Warn,
                Some(("label", "incident")),
            ),
            (
                "critical + fast burn, allow critical only",
                pol(|p| p.exceptions = vec![ex("label", "incident", &[Lift::Critical])]),
                Ok(rd(0.1, &fast)),
                FailClosed,
                labels(&["incident"]),
                Critical,
                Block,
                None,
            ),
            (
                "critical + fast burn, allow both",
                pol(|p| {
                    p.exceptions = vec![ex("label", "incident", &[Lift::Critical, Lift::FastBurn])]
                }),
                Ok(rd(0.1, &fast)),
                FailClosed,
                labels(&["incident"]),
                Critical,
                Warn,
                Some(("label", "incident")),
            ),
            (
                "fast burn disabled",
                pol(|p| p.fast_burn.enabled = false),
                Ok(rd(0.9, &fast)),
                FailClosed,
                none(),
                Healthy,
                Pass,
                None,
            ),
            (
                "stale, fail-closed",
                d(),
                Ok(with(rd(0.9, &[]), |r| r.as_of = Some(NOW - 16.0 * 60.0))),
                FailClosed,
                none(),
                Unknown,
                Block,
                None,
            ),
            (
                "stale, fail-open",
                d(),
                Ok(with(rd(0.9, &[]), |r| r.as_of = Some(NOW - 16.0 * 60.0))),
                FailOpen,
                none(),
                Unknown,
                Warn,
                None,
            ),
            (
                "stale + security label",
                d(),
                Ok(with(rd(0.9, &[]), |r| r.as_of = Some(NOW - 86_400.0))),
                FailClosed,
                labels(&["security"]),
                Unknown,
                Block,
                None,
            ),
            (
                "14 min old is fresh",
                d(),
                Ok(with(rd(0.9, &[]), |r| r.as_of = Some(NOW - 14.0 * 60.0))),
                FailClosed,
                none(),
                Healthy,
                Pass,
                None,
            ),
            (
                "no as_of is trusted",
                d(),
                Ok(with(rd(0.9, &[]), |r| r.as_of = None)),
                FailClosed,
                none(),
                Healthy,
                Pass,
                None,
            ),
            (
                "as_of in milliseconds",
                d(),
                Ok(with(rd(0.9, &[]), |r| r.as_of = Some(NOW * 1000.0))),
                FailOpen,
                none(),
                Unknown,
                Warn,
                None,
            ),
            (
                "max-age 0 = off",
                pol(|p| p.max_age = "0".into()),
                Ok(with(rd(0.9, &[]), |r| r.as_of = Some(NOW - 86_400.0))),
                FailClosed,
                none(),
                Healthy,
                Pass,
                None,
            ),
            (
                "low traffic",
                pol(|p| p.min_events = 1000.0),
                Ok(with(rd(0.9, &[]), |r| r.events = Some(42.0))),
                FailClosed,
                none(),
                Unknown,
                Block,
                None,
            ),
            (
                "enough traffic",
                pol(|p| p.min_events = 1000.0),
                Ok(with(rd(0.9, &[]), |r| r.events = Some(1000.0))),
                FailClosed,
                none(),
                Healthy,
                Pass,
                None,
            ),
            (
                "min-events off",
                d(),
                Ok(with(rd(0.9, &[]), |r| r.events = Some(0.0))),
                FailClosed,
                none(),
                Healthy,
                Pass,
                None,
            ),
            (
                "NaN remaining",
                d(),
                Ok(rd(f64::NAN, &[])),
                FailOpen,
                labels(&["security"]),
                Unknown,
                Warn,
                None,
            ),
            (
                "+inf burn rate",
                d(),
                Ok(rd(0.9, &[("1h", f64::INFINITY)])),
                FailClosed,
                none(),
                Unknown,
                Block,
                None,
            ),
            (
                "error, fail-closed",
                d(),
                err.clone(),
                FailClosed,
                labels(&["security", "hotfix"]),
                Unknown,
                Block,
                None,
            ),
            (
                "error, fail-open",
                d(),
                err.clone(),
                FailOpen,
                none(),
                Unknown,
                Warn,
                None,
            ),
            (
                "actions.unknown warn beats fail-closed",
                pol(|p| p.actions.unknown = Some(Warn)),
                err.clone(),
                FailClosed,
                none(),
                Unknown,
                Warn,
                None,
            ),
            (
                "actions.unknown block beats fail-open",
                pol(|p| p.actions.unknown = Some(Block)),
                err.clone(),
                FailOpen,
                none(),
                Unknown,
                Block,
                None,
            ),
            (
                "critical: warn needs no exception",
                pol(|p| p.actions.critical = Warn),
                Ok(rd(0.1, &[])),
                FailClosed,
                labels(&["hotfix"]),
                Critical,
                Warn,
                None,
            ),
            (
                "warning: block lifted only if allowed",
                pol(|p| p.actions.warning = Block),
                Ok(rd(0.4, &[])),
                FailClosed,
                labels(&["hotfix"]),
                State::Warning,
                Block,
                None,
            ),
            (
                "custom thresholds",
                pol(|p| {
                    p.warning = 0.9;
                    p.critical = 0.8
                }),
                Ok(rd(0.85, &[])),
                FailClosed,
                none(),
                State::Warning,
                Warn,
                None,
            ),
        ];
        let n = rows.len();
        for (name, policy, reading, on_error, change, state, action, exc) in rows {
            let d = evaluate(&policy, &reading, on_error, &change, NOW);
            assert_eq!(d.state, state, "{name}: {d:?}");
            assert_eq!(d.action, action, "{name}: {d:?}");
            assert_eq!(
                d.exception
                    .as_ref()
                    .map(|e| (e.kind.as_str(), e.value.as_str())),
                exc,
                "{name}: {d:?}"
            );
            assert!(!d.reason.is_empty() && !d.reason.contains("NaN%"), "{name}");
        }
        assert_eq!(n, 47);
    }

    /// A trailer is the change author's own word: off by default, and when
    /// a policy lists it, the record names the commit's author.
    #[test]
    fn trailer_exceptions_are_opt_in_and_name_the_author() {
        let mut change = trailer("Change-Type", "security");
        change.trailer_author = Some("Mallory <m@example.invalid>".into());
        let spent = Ok(rd(-0.2, &[]));
        let d = evaluate(&PolicyConfig::default(), &spent, FailClosed, &change, NOW);
        assert_eq!((d.action, d.exception), (Block, None));
        assert!(!d.reason.contains("trailer"), "{}", d.reason);
        let p = pol(|p| {
            p.exceptions.push(ex(
                "trailer",
                "Change-Type: security",
                &[Lift::Critical, Lift::Exhausted],
            ))
        });
        let d = evaluate(&p, &spent, FailClosed, &change, NOW);
        assert_eq!(d.action, Warn);
        let x = d.exception.expect("granted");
        assert_eq!(
            (x.kind.as_str(), x.applied_by.as_deref()),
            (
                "trailer",
                Some("Mallory <m@example.invalid> (commit author)")
            )
        );
    }

    #[test]
    fn reasons_are_actionable() {
        let p = PolicyConfig::default();
        let none = ChangeContext::default();
        let d = evaluate(&p, &Ok(rd(0.12, &[])), FailClosed, &none, NOW);
        assert_eq!(
            d.reason,
            "12.0 % of the 30-day error budget left (critical, at or below 25 %): changes are \
             blocked until the budget recovers; to let an urgent fix through, label the PR \
             `hotfix`, `reliability` or `security`"
        );
        let d = evaluate(&p, &Ok(rd(-0.032, &[])), FailClosed, &none, NOW);
        assert_eq!(
            d.reason,
            "The 30-day error budget is spent (-3.2 % left, exhausted): changes are blocked until \
             the budget recovers; to let an urgent fix through, label the PR `security`"
        );
        let d = evaluate(&p, &Ok(rd(-0.0, &[])), FailClosed, &none, NOW);
        assert!(
            d.reason
                .starts_with("The 30-day error budget is spent (0.0 % left, exhausted)"),
            "{}",
            d.reason
        );
        let d = evaluate(
            &p,
            &Ok(rd(0.12, &[])),
            FailClosed,
            &labels(&["hotfix"]),
            NOW,
        );
        assert_eq!(
            d.reason,
            "12.0 % of the 30-day error budget left (critical, at or below 25 %): this would \
             block, but label `hotfix` grants an exception (critical), so the change passes with a warning"
        );
        assert_eq!(
            d.exception,
            Some(GrantedException {
                kind: "label".into(),
                value: "hotfix".into(),
                rule: "hotfix".into(),
                lifted: vec!["critical".into()],
                applied_by: None,
            })
        );
        let d = evaluate(
            &p,
            &Ok(rd(0.9, &[("1h", 20.0), ("5m", 16.0)])),
            FailClosed,
            &none,
            NOW,
        );
        assert_eq!(
            d.reason,
            "Fast burn: burn rate 20.0× over 1h and 16.0× over 5m, both at or above 14.4× (90.0 % \
             of the 30-day error budget left (healthy, above 50 %)): changes are blocked while the \
             budget burns this fast (Google SRE Workbook ch. 5)"
        );
        assert_eq!(
            d.fast_burn.as_deref(),
            Some("burn rate 20.0× over 1h and 16.0× over 5m, both at or above 14.4×")
        );
        let d = evaluate(&p, &Err(FetchError::Timeout(10.0)), FailClosed, &none, NOW);
        assert_eq!(
            d.reason,
            "no error-budget reading (timed out after 10.0 s); on-error is fail-closed: changes \
             are blocked until a trustworthy reading is available — fix the provider, or set \
             on-error: fail-open for this service to let changes through with a warning"
        );
        let stale = with(rd(0.9, &[]), |r| r.as_of = Some(NOW - 7380.0));
        let d = evaluate(&p, &Ok(stale), FailOpen, &none, NOW);
        assert_eq!(
            d.reason,
            "the reading is stale: as of 2h3m ago, older than max-age 15m; on-error is \
             fail-open: the change passes with a warning, unchecked against the error budget"
        );
        let p = pol(|p| p.min_events = 1000.0);
        let low = with(rd(0.9, &[]), |r| r.events = Some(42.0));
        let d = evaluate(&p, &Ok(low), FailClosed, &none, NOW);
        assert!(
            d.reason.starts_with(
                "too little traffic to judge: 42 events in the SLO window, below min-events 1000; on-error is fail-closed"
            ),
            "{}",
            d.reason
        );
    }

    #[test]
    fn notes_for_guards_that_could_not_apply() {
        let p = pol(|p| p.min_events = 100.0);
        let none = ChangeContext::default();
        let (d, notes) =
            evaluate_with_notes(&p, &Ok(rd(0.9, &[("2h", 1.0)])), FailClosed, &none, NOW);
        assert_eq!((d.state, d.action), (Healthy, Pass));
        assert_eq!(
            notes,
            vec![
                "the provider reports no event count: min-events 100 not checked".to_string(),
                "fast burn not checked: the reading has burn rates for 2h but none for 1h/5m or 6h/30m"
                    .to_string(),
            ]
        );
        let d = evaluate(&p, &Ok(rd(0.9, &[("2h", 1.0)])), FailClosed, &none, NOW);
        assert_eq!(
            d.reason,
            "90.0 % of the 30-day error budget left (healthy, above 50 %): changes pass; the \
             provider reports no event count: min-events 100 not checked; fast burn not checked: \
             the reading has burn rates for 2h but none for 1h/5m or 6h/30m"
        );
        // No burn rates at all (a provider without them), no min-events: no notes.
        let (_, notes) = evaluate_with_notes(
            &PolicyConfig::default(),
            &Ok(rd(0.9, &[])),
            FailClosed,
            &none,
            NOW,
        );
        assert!(notes.is_empty(), "{notes:?}");
        let (_, notes) = evaluate_with_notes(
            &PolicyConfig::default(),
            &Ok(rd(0.9, &[("1h", 1.0), ("5m", 1.0)])),
            FailClosed,
            &none,
            NOW,
        );
        assert!(notes.is_empty(), "{notes:?}");
    }

    /// Issue 7 point 7 in spirit: no fault, no untrustworthy reading, in any
    /// on-error setting, with any change context, is healthy or passes.
    #[test]
    fn no_fault_is_ever_healthy() {
        let errors = [
            FetchError::Unreachable("connection refused".into()),
            FetchError::Timeout(10.0),
            FetchError::Http {
                status: 500,
                detail: "internal".into(),
            },
            FetchError::Http {
                status: 429,
                detail: "too many requests".into(),
            },
            FetchError::Http {
                status: 404,
                detail: "not found".into(),
            },
            FetchError::Malformed("expected value at line 1".into()),
            FetchError::Missing("data.overall.error_budget_remaining".into()),
            FetchError::NotFinite("remaining = NaN".into()),
            FetchError::Empty("no series".into()),
            FetchError::Config("environment variable DD_API_KEY is not set".into()),
        ];
        let good = rd(1.0, &[("1h", 0.1), ("5m", 0.1), ("6h", 0.1), ("30m", 0.1)]);
        let mut bad_readings = vec![
            with(good.clone(), |r| r.as_of = Some(NOW - 15.0 * 60.0 - 1.0)),
            with(good.clone(), |r| r.as_of = Some(NOW - 365.0 * 86_400.0)),
            with(good.clone(), |r| r.as_of = Some(NOW + 3600.0)),
            with(good.clone(), |r| r.events = Some(0.0)),
            with(good.clone(), |r| r.events = Some(999.0)),
        ];
        for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            bad_readings.push(with(good.clone(), |r| r.remaining = x));
            bad_readings.push(with(good.clone(), |r| {
                r.burn_rates.insert("5m".into(), x);
            }));
            bad_readings.push(with(good.clone(), |r| r.as_of = Some(x)));
            bad_readings.push(with(good.clone(), |r| r.events = Some(x)));
            bad_readings.push(with(good.clone(), |r| r.window_seconds = Some(x)));
        }
        let mut readings: Vec<Result<Reading, FetchError>> =
            errors.iter().cloned().map(Err).collect();
        readings.extend(bad_readings.into_iter().map(Ok));
        let everything = [
            Lift::Warning,
            Lift::Critical,
            Lift::Exhausted,
            Lift::FastBurn,
        ];
        // Every policy sets min-events (the low-traffic readings need it);
        // otherwise defaults, a maximally permissive one, an explicit
        // actions.unknown, and no exceptions / no fast burn.
        let policies = [
            pol(|p| p.min_events = 1000.0),
            pol(|p| {
                p.min_events = 1000.0;
                p.actions.unknown = Some(Warn);
                p.actions = Actions {
                    healthy: Pass,
                    warning: Pass,
                    critical: Pass,
                    exhausted: Pass,
                    unknown: Some(Warn),
                };
                p.exceptions = vec![
                    ex("label", "security", &everything),
                    ex("branch", "**", &everything),
                    ex("trailer", "Change-Type: security", &everything),
                ];
            }),
            pol(|p| {
                p.min_events = 1000.0;
                p.actions.unknown = Some(Block);
            }),
            pol(|p| {
                p.min_events = 1000.0;
                p.exceptions = Vec::new();
                p.fast_burn.enabled = false;
            }),
        ];
        let changes = [
            ChangeContext::default(),
            ChangeContext {
                labels: vec!["hotfix".into(), "security".into(), "reliability".into()],
                branch: Some("hotfix/x".into()),
                trailers: vec![("Change-Type".into(), "security".into())],
                ..Default::default()
            },
        ];
        let mut cells = 0;
        for p in &policies {
            for r in &readings {
                for on_error in [FailClosed, FailOpen] {
                    for c in &changes {
                        let d = evaluate(p, r, on_error, c, NOW);
                        cells += 1;
                        assert_eq!(d.state, Unknown, "{r:?} {on_error:?} {c:?}: {d:?}");
                        assert_ne!(d.action, Pass, "{r:?} {on_error:?} {c:?}: {d:?}");
                        assert!(d.exception.is_none(), "{d:?}");
                        let expect = match (p.actions.unknown, on_error) {
                            (Some(a), _) => a,
                            (None, FailClosed) => Block,
                            (None, FailOpen) => Warn,
                        };
                        assert_eq!(d.action, expect, "{r:?} {on_error:?}: {d:?}");
                        assert!(
                            d.reason.contains(on_error.as_str()) || p.actions.unknown.is_some()
                        );
                    }
                }
            }
        }
        assert_eq!(cells, 4 * (10 + 20) * 2 * 2);
    }

    /// An audited label names who applied it; a refused one grants nothing
    /// and the blocking reason says why — only for labels that would have
    /// lifted this block.
    #[test]
    fn audited_and_refused_labels_in_the_reason() {
        let p = PolicyConfig::default();
        let critical = Ok(rd(0.1, &[]));
        let granted = ChangeContext {
            labels: vec!["hotfix".into()],
            label_actors: [("hotfix".to_string(), "octocat".to_string())].into(),
            ..ChangeContext::default()
        };
        let d = evaluate(&p, &critical, OnError::FailClosed, &granted, NOW);
        assert_eq!(d.action, Action::Warn);
        assert!(
            d.reason
                .contains("but label `hotfix`, applied by octocat, grants an exception (critical)"),
            "{}",
            d.reason
        );
        assert_eq!(
            d.exception.and_then(|x| x.applied_by).as_deref(),
            Some("octocat")
        );

        let refused = ChangeContext {
            refused_labels: vec![
                RefusedLabel {
                    label: "Hotfix".into(),
                    applied_by: Some("mallory".into()),
                    reason: "mallory has triage access to the repository; write access is required"
                        .into(),
                },
                RefusedLabel {
                    label: "documentation".into(),
                    applied_by: Some("mallory".into()),
                    reason: "irrelevant".into(),
                },
            ],
            ..ChangeContext::default()
        };
        let d = evaluate(&p, &critical, OnError::FailClosed, &refused, NOW);
        assert_eq!(d.action, Action::Block);
        assert!(d.exception.is_none());
        assert!(
            d.reason.ends_with(
                "; label `Hotfix` (applied by mallory) grants no exception: mallory has triage \
                 access to the repository; write access is required"
            ),
            "{}",
            d.reason
        );
        assert!(!d.reason.contains("documentation"), "{}", d.reason);
        // Exhausted needs `exhausted`, which `hotfix` does not allow: no note.
        let d = evaluate(&p, &Ok(rd(-0.1, &[])), OnError::FailClosed, &refused, NOW);
        assert!(!d.reason.contains("grants no exception"), "{}", d.reason);
    }

    #[test]
    fn validate_rejects_bad_policies() {
        fn m(f: impl FnOnce(&mut PolicyConfig)) -> PolicyConfig {
            let mut p = PolicyConfig::default();
            f(&mut p);
            p
        }
        let both = ExceptionRule {
            label: Some("a".into()),
            branch: Some("b".into()),
            trailer: None,
            allow: vec![Lift::Critical],
        };
        let bad: Vec<(PolicyConfig, &str)> = vec![
            (m(|p| p.critical = 0.6), "critical (0.6) <= warning (0.5)"),
            (m(|p| p.warning = f64::NAN), "thresholds must be ratios"),
            (
                m(|p| p.max_age = "soon".into()),
                "max-age `soon` is not a duration",
            ),
            (m(|p| p.min_events = -1.0), "min-events (-1)"),
            (
                m(|p| p.actions.unknown = Some(Pass)),
                "actions.unknown: pass is not allowed",
            ),
            (
                m(|p| p.fast_burn.rules[1].factor = 0.0),
                "fast-burn.rules[1].factor (0) must be a burn rate > 0",
            ),
            (
                m(|p| p.fast_burn.rules[0].short = "5x".into()),
                "fast-burn.rules[0].short `5x`",
            ),
            (
                m(|p| p.fast_burn.rules[0].long = "0".into()),
                "windows must be positive",
            ),
            (
                m(|p| p.exceptions = vec![ex("branch", "hotfix/[", &[Lift::Critical])]),
                "exceptions[0].branch `hotfix/[`",
            ),
            (
                m(|p| p.exceptions.push(ex("label", "oops", &[Lift::Unknown]))),
                "exceptions[3]: allow: [unknown] is not allowed",
            ),
            (
                m(|p| {
                    p.exceptions = vec![ex("trailer", "Change-Type security", &[Lift::Critical])]
                }),
                "must be `Key: value`",
            ),
            (
                m(|p| p.exceptions = vec![both]),
                "exactly one of label, branch, trailer (it has 2)",
            ),
            (
                m(|p| p.exceptions = vec![ex("label", "a", &[])]),
                "allow is empty",
            ),
        ];
        assert_eq!(bad.len(), 13);
        for (p, want) in bad {
            let e = p.validate().expect_err(want);
            assert!(e.contains(want), "{e:?} should contain {want:?}");
            // evaluate stays safe even if validate was skipped.
            let d = evaluate(
                &p,
                &Ok(rd(0.9, &[])),
                FailOpen,
                &ChangeContext::default(),
                NOW,
            );
            assert_eq!((d.state, d.action), (Unknown, Block), "{want}");
        }
        assert_eq!(PolicyConfig::default().validate(), Ok(()));
    }

    #[test]
    fn parses_from_yaml() {
        let yaml = r#"
warning: 0.4
critical: 0.1
actions: { warning: pass }
exceptions:
  - { label: hotfix }
  - { branch: "release/*", allow: [critical, exhausted] }
  - { trailer: "Change-Type: security", allow: [critical, exhausted, fast-burn] }
fast-burn:
  rules: [{ long: 1h, short: 5m, factor: 10 }]
max-age: 1h
min-events: 500
"#;
        let p: PolicyConfig = serde_saphyr::from_str(yaml).expect("parses");
        assert_eq!(p.validate(), Ok(()));
        assert_eq!((p.warning, p.critical, p.min_events), (0.4, 0.1, 500.0));
        assert_eq!(p.actions.warning, Pass);
        assert_eq!(p.actions.critical, Block);
        assert_eq!(p.actions.unknown, None);
        assert_eq!(p.exceptions.len(), 3);
        assert_eq!(p.exceptions[0].allow, vec![Lift::Critical]);
        assert_eq!(
            p.exceptions[2].allow,
            vec![Lift::Critical, Lift::Exhausted, Lift::FastBurn]
        );
        assert!(p.fast_burn.enabled);
        assert_eq!(p.fast_burn.rules.len(), 1);
        assert_eq!(p.max_age, "1h");
        let d = evaluate(
            &p,
            &Ok(rd(0.05, &[])),
            FailClosed,
            &branch("release/2.1"),
            NOW,
        );
        assert_eq!(d.action, Warn);
        assert_eq!(
            d.exception.as_ref().map(|e| e.rule.as_str()),
            Some("release/*")
        );

        let off: PolicyConfig = serde_saphyr::from_str("max-age: 0").expect("a bare 0 parses");
        assert_eq!(off.max_age, "0");
        assert_eq!(off.validate(), Ok(()));
        let empty: PolicyConfig = serde_saphyr::from_str("{}").expect("parses");
        assert_eq!(empty, PolicyConfig::default());
        assert!(serde_saphyr::from_str::<PolicyConfig>("warnng: 0.5").is_err());
        assert!(
            serde_saphyr::from_str::<PolicyConfig>(
                "exceptions: [{ label: x, allow: [sometimes] }]"
            )
            .is_err()
        );
    }

    #[test]
    fn decision_serializes_for_reports() {
        let d = evaluate(
            &PolicyConfig::default(),
            &Ok(rd(0.12, &[("1h", 1.0), ("5m", 1.0)])),
            FailClosed,
            &labels(&["hotfix"]),
            NOW,
        );
        let j = serde_json::to_value(&d).expect("serializes");
        assert_eq!(j["state"], "critical");
        assert_eq!(j["action"], "warn");
        assert_eq!(j["exception"]["kind"], "label");
        assert_eq!(j["exception"]["value"], "hotfix");
        assert_eq!(j["exception"]["lifted"], serde_json::json!(["critical"]));
    }
}
