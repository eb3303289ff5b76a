//! The `budget-policy:` section of prr.yaml: thresholds, actions per state,
//! exceptions and fast-burn rules, and its validation into a
//! [`CompiledPolicy`] that the budget phase evaluates
//! (`prr::budget::policy::evaluate`). docs/budget-policy.md describes the
//! section; the defaults follow the Google SRE Workbook's example error
//! budget policy and its multiwindow, multi-burn-rate alerts (14.4× over
//! 1 h / 5 m, 6× over 6 h / 30 m).

use prr_core::budget::{Action, State};
use serde::Deserialize;

/// `actions:`: what the gate does in each state.
#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Actions {
    /// Default `pass`.
    pub healthy: Action,
    /// Default `warn` (passes, with an annotation).
    pub warning: Action,
    /// Default `block` (exceptions may lift it).
    pub critical: Action,
    /// Default `block` (only security exceptions lift it by default).
    pub exhausted: Action,
    /// Unset (default): the service's `on-error` decides (`fail-closed` →
    /// block, `fail-open` → warn). When set it applies to every service and
    /// must be `warn` or `block`.
    pub unknown: Option<Action>,
}

impl Default for Actions {
    fn default() -> Self {
        Actions {
            healthy: Action::Pass,
            warning: Action::Warn,
            critical: Action::Block,
            exhausted: Action::Block,
            unknown: None,
        }
    }
}

prr_core::named_enum! {
    /// What an exception may lift (`allow:`).
    pub enum Lift {
        /// A block in state `warning` (only if `actions.warning: block`).
        Warning = "warning",
        /// A block in state `critical`.
        Critical = "critical",
        /// A block in state `exhausted`.
        Exhausted = "exhausted",
        /// A fast-burn block.
        FastBurn = "fast-burn",
        /// Accepted by the parser only to be rejected by
        /// [`PolicyConfig::validate`] with an explanation: exceptions never
        /// lift an unknown budget.
        Unknown = "unknown",
    }
}

impl Lift {
    /// The exception kind that lifts state `s`, if one can.
    pub fn of_state(s: State) -> Option<Lift> {
        match s {
            State::Warning => Some(Lift::Warning),
            State::Critical => Some(Lift::Critical),
            State::Exhausted => Some(Lift::Exhausted),
            State::Healthy | State::Unknown => None,
        }
    }
}

/// One entry of `exceptions:`. Exactly one of `label`, `branch`, `trailer`.
#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ExceptionRule {
    /// A pull-request label (compared case-insensitively): `hotfix`.
    #[serde(default)]
    pub label: Option<String>,
    /// A branch glob (globset; `*` does not cross `/`, `**` does, as in
    /// GitHub branch filters): `hotfix/*`. A leading `refs/heads/` of the
    /// branch is ignored.
    #[serde(default)]
    pub branch: Option<String>,
    /// A commit trailer `Key: value` of the checked commit (`HEAD`); key
    /// and value compared case-insensitively: `Change-Type: security`.
    /// The change's author writes it, so it is in no default list: listing
    /// one here is the opt-in, and each use names the commit's author.
    #[serde(default)]
    pub trailer: Option<String>,
    /// What it lifts (default `[critical]`); `fast-burn` must be listed to
    /// lift a fast-burn block.
    #[serde(default = "default_allow")]
    pub allow: Vec<Lift>,
}

fn default_allow() -> Vec<Lift> {
    vec![Lift::Critical]
}

impl ExceptionRule {
    fn label(l: &str, allow: &[Lift]) -> Self {
        ExceptionRule {
            label: Some(l.to_string()),
            branch: None,
            trailer: None,
            allow: allow.to_vec(),
        }
    }
}

/// The default exceptions (docs/design.md §5): labels `hotfix` and `reliability`
/// lift critical; label `security` lifts critical and exhausted. None lifts
/// a fast burn. No commit trailer is in the list: a trailer is written by
/// the change's author, unaudited, so it counts only where a team's policy
/// lists it (see the module docs).
pub fn default_exceptions() -> Vec<ExceptionRule> {
    vec![
        ExceptionRule::label("hotfix", &[Lift::Critical]),
        ExceptionRule::label("reliability", &[Lift::Critical]),
        ExceptionRule::label("security", &[Lift::Critical, Lift::Exhausted]),
    ]
}

/// One multi-window burn-rate pair: block when the burn rate over both
/// `long` and `short` is at least `factor` (Google SRE Workbook ch. 5).
#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FastBurnRule {
    /// Long window (`1h`), matched against the reading's burn-rate labels by
    /// duration (`60m` matches `1h`).
    pub long: String,
    /// Short window (`5m`).
    pub short: String,
    /// Burn-rate threshold, > 0 (14.4 spends 2 % of a 30-day budget in 1 h).
    pub factor: f64,
}

/// `fast-burn:`.
#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct FastBurnConfig {
    /// Default true.
    pub enabled: bool,
    /// Default: 14.4× over 1h and 5m; 6× over 6h and 30m.
    pub rules: Vec<FastBurnRule>,
}

impl Default for FastBurnConfig {
    fn default() -> Self {
        FastBurnConfig {
            enabled: true,
            rules: vec![
                FastBurnRule {
                    long: "1h".into(),
                    short: "5m".into(),
                    factor: 14.4,
                },
                FastBurnRule {
                    long: "6h".into(),
                    short: "30m".into(),
                    factor: 6.0,
                },
            ],
        }
    }
}

/// The schema of `max-age`: a duration such as `15m`, or `0`.
#[derive(schemars::JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum DurationOrZero {
    /// `15m`, `1h`.
    Duration(String),
    /// `0`: off.
    Zero(u64),
}

/// The `policy:` section of `budget:`.
#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct PolicyConfig {
    /// At or below this ratio (0–1) of the budget left the state is
    /// `warning` (default 0.5).
    pub warning: f64,
    /// At or below this ratio (0–1) left the state is `critical` (default 0.25).
    pub critical: f64,
    /// Action per state.
    pub actions: Actions,
    /// Exceptions; when given, the list replaces the defaults
    /// ([`default_exceptions`]); `[]` disables exceptions.
    pub exceptions: Vec<ExceptionRule>,
    /// Fast-burn blocking.
    pub fast_burn: FastBurnConfig,
    /// Readings whose `as_of` is older than this (`15m`) are unknown
    /// (stale); `0` turns the check off.
    #[schemars(with = "DurationOrZero")]
    pub max_age: String,
    /// Fewer events than this in the SLO window make a reading unknown
    /// ("too little traffic to judge"); 0 (default) = off.
    pub min_events: f64,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        PolicyConfig {
            warning: 0.5,
            critical: 0.25,
            actions: Actions::default(),
            exceptions: default_exceptions(),
            fast_burn: FastBurnConfig::default(),
            max_age: "15m".into(),
            min_events: 0.0,
        }
    }
}

/// An exception matcher, compiled: how an exception is recognised on a
/// change.
#[derive(Clone, Debug)]
pub enum Matcher {
    /// A pull-request label (compared case-insensitively).
    Label(String),
    /// The branch name matches this glob (the pattern as written, compiled).
    Branch(String, globset::GlobMatcher),
    /// A commit trailer `Key: value`.
    Trailer(String, String),
}

/// The policy with durations parsed and globs compiled, ready to evaluate.
#[derive(Clone, Debug)]
pub struct CompiledPolicy {
    /// Each exception's matcher and what it lifts.
    pub exceptions: Vec<(Matcher, Vec<Lift>)>,
    /// Fast-burn pairs: (long window label, long window seconds, short
    /// window label, short window seconds, burn-rate factor).
    pub fast_burn: Vec<(String, f64, String, f64, f64)>,
    /// Oldest reading accepted, seconds.
    pub max_age: f64,
}

fn duration(what: &str, s: &str) -> Result<f64, String> {
    match crate::duration::parse_duration(s) {
        Some(d) if d.is_finite() && d >= 0.0 => Ok(d),
        _ => Err(format!(
            "{what} `{s}` is not a duration such as 15m, 1h or 30d"
        )),
    }
}

impl PolicyConfig {
    /// Checks the policy: thresholds are ratios with
    /// `0 ≤ critical ≤ warning ≤ 1`; `actions.unknown` is not `pass`;
    /// durations parse; fast-burn factors are > 0 and windows positive;
    /// each exception has exactly one of label/branch/trailer, its glob
    /// compiles, its trailer is `Key: value`, and it does not allow
    /// `unknown`; `min-events` ≥ 0. The error becomes exit 2.
    pub fn validate(&self) -> Result<(), String> {
        self.compile().map(|_| ())
    }

    /// [`validate`](Self::validate), keeping what it compiled. Errors as
    /// `validate`.
    pub fn compile(&self) -> Result<CompiledPolicy, String> {
        if !(0.0..=1.0).contains(&self.critical)
            || !(0.0..=1.0).contains(&self.warning)
            || self.critical > self.warning
        {
            return Err(format!(
                "thresholds must be ratios with 0 <= critical ({}) <= warning ({}) <= 1",
                self.critical, self.warning
            ));
        }
        if self.actions.unknown == Some(Action::Pass) {
            return Err(
                "actions.unknown: pass is not allowed — an unknown error budget never \
                        passes silently; use warn (or leave it unset so on-error decides)"
                    .into(),
            );
        }
        if !(self.min_events.is_finite() && self.min_events >= 0.0) {
            return Err(format!(
                "min-events ({}) must be a number >= 0 (0 turns the guard off)",
                self.min_events
            ));
        }
        let max_age = duration("max-age", &self.max_age)?;
        let mut fast_burn = Vec::new();
        for (i, r) in self.fast_burn.rules.iter().enumerate() {
            let long = duration(&format!("fast-burn.rules[{i}].long"), &r.long)?;
            let short = duration(&format!("fast-burn.rules[{i}].short"), &r.short)?;
            if long <= 0.0 || short <= 0.0 {
                return Err(format!(
                    "fast-burn.rules[{i}]: windows must be positive (long {}, short {})",
                    r.long, r.short
                ));
            }
            if !(r.factor.is_finite() && r.factor > 0.0) {
                return Err(format!(
                    "fast-burn.rules[{i}].factor ({}) must be a burn rate > 0, e.g. 14.4",
                    r.factor
                ));
            }
            fast_burn.push((r.long.clone(), long, r.short.clone(), short, r.factor));
        }
        let mut exceptions = Vec::new();
        for (i, e) in self.exceptions.iter().enumerate() {
            let n = [&e.label, &e.branch, &e.trailer]
                .iter()
                .filter(|x| x.is_some())
                .count();
            if n != 1 {
                return Err(format!(
                    "exceptions[{i}] must have exactly one of label, branch, trailer (it has {n})"
                ));
            }
            if e.allow.contains(&Lift::Unknown) {
                return Err(format!(
                    "exceptions[{i}]: allow: [unknown] is not allowed — an exception never lifts \
                     an unknown error budget (use on-error: fail-open for the service instead)"
                ));
            }
            if e.allow.is_empty() {
                return Err(format!(
                    "exceptions[{i}]: allow is empty — list what it lifts (critical, exhausted, fast-burn)"
                ));
            }
            let m = if let Some(l) = &e.label {
                let l = l.trim();
                if l.is_empty() {
                    return Err(format!("exceptions[{i}].label is empty"));
                }
                Matcher::Label(l.to_string())
            } else if let Some(b) = &e.branch {
                let g = globset::GlobBuilder::new(b.trim())
                    .literal_separator(true)
                    .build()
                    .map_err(|err| format!("exceptions[{i}].branch `{b}`: {err}"))?;
                Matcher::Branch(b.trim().to_string(), g.compile_matcher())
            } else if let Some(t) = &e.trailer {
                match t.split_once(':') {
                    Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => {
                        Matcher::Trailer(k.trim().to_string(), v.trim().to_string())
                    }
                    _ => {
                        return Err(format!(
                            "exceptions[{i}].trailer `{t}` must be `Key: value`, e.g. `Change-Type: security`"
                        ));
                    }
                }
            } else {
                continue;
            };
            exceptions.push((m, e.allow.clone()));
        }
        Ok(CompiledPolicy {
            exceptions,
            fast_burn,
            max_age,
        })
    }
}
