//! Production-readiness score (0–100) and level per service, and the
//! `prr/min-level` gate.
//!
//! # Areas
//!
//! The score groups the checklist into the areas of a production readiness
//! review (Google SRE book, ch. 32 "The Evolving SRE Engagement Model", and
//! the checklist of docs/design.md): each rule counts in the area of its family.
//!
//! | area | key | rules |
//! |---|---|---|
//! | SLO coverage | `slo` | `slo/*` |
//! | monitoring and alerts | `alerts` | `alerts/*`, `prr/dashboards` |
//! | incident response | `incident-response` | `runbook/*`, `prr/oncall` |
//! | rollout safety | `rollout` | `rollout/*` |
//! | secrets hygiene | `secrets` | `secrets/*`, counted as **one** unit |
//!
//! Other rules (`budget/*`, the remaining `prr/*`) are not scored: the
//! budget gate and the tool's own findings are not readiness properties.
//!
//! # Score
//!
//! A rule *applies* to a service when it is enabled at `error` or `warning`
//! (a `notice` rule never fails, so counting it would only inflate the
//! score; `off` does not run) and its `applies-to` tiers, if any, include
//! the service's tier, and the repository has what it judges (the
//! alerting-chain rules `alerts/route` and `alerts/alertmanager-config`
//! need an Alertmanager configuration, `alerts/template` and
//! `alerts/template-labels` a templated alert
//! value). It *passes* for the service when no unsuppressed
//! error- or warning-level finding of the rule is attributed to the service;
//! a finding without a service (repository-wide, or in a file outside every
//! service's paths) counts against every service.
//!
//! The secrets area is one unit — it applies when any secret rule applies,
//! and passes when no secret rule fails — because the gitleaks pack has 222
//! rules, which would otherwise outweigh the rest of the checklist and make
//! one leaked key cost less than half a point. The other families have a
//! handful of rules each and are counted rule by rule.
//!
//! Area score = passed / applicable. Service score = the weighted mean of the
//! exact area fractions over the areas with at least one applicable rule and
//! a positive weight (weights renormalised over those areas), × 100, rounded
//! to the nearest integer (halves away from zero).
//!
//! # Not assessed
//!
//! Rules passing over nothing read prove nothing: an area is scored for a
//! service only when prr read some of its inputs in the service's paths
//! (SLO definitions; alerting rules; runbooks, alerts or a declared owner
//! or on-call; workloads, PodDisruptionBudgets, autoscalers; files scanned
//! for secrets, prr's own config aside). With nothing read, rules passing
//! over nothing are no evidence: only the failing rules count (`slo/present`
//! failing makes the SLO area 0/1), and with none failing the area is "not
//! assessed" (`score: null`, shown as such), never 100. A service with no
//! assessed area has no score at all (`assessed: false`, level `unrated`):
//! an empty folder is not silver.
//!
//! Default weights are equal (20 each): no source ranks the PRR areas
//! against each other, so none is favoured. They are the `with: { weights:
//! … }` of rule `prr/min-level` and change through a prr.yaml override
//! (`rules: { prr/min-level: { with: { weights: { slo: 40 } } } }`; a key
//! left out keeps its default 20, because the override replaces the
//! `weights` mapping as a whole).
//!
//! # Level
//!
//! `gold` at 90 or more **and** no unsuppressed error-level finding
//! attributed to the service (from any check, `budget/*` and `prr/*`
//! included: a gold service has nothing blocking; the findings about
//! suppressions are not the service's, see "The gate"), else `silver` at 75,
//! `bronze` at 50, otherwise `none` (`with: { levels: { gold: 90, silver:
//! 75, bronze: 50 } }`, each 0–100, gold ≥ silver ≥ bronze).
//!
//! # The gate
//!
//! `prr/min-level` (`with: { min: { critical: silver, important: bronze,
//! standard: none, experimental: none } }`): a service whose level is below
//! its tier's minimum gets one finding at the line of its declaration in
//! prr.yaml (repository-wide for the implicit service). Checks are pure
//! functions of the context, and this one needs the other findings after
//! suppression, so its registry analyzer returns nothing and the gate is a
//! post-pass of the run ([`gate`], run by [`crate::post`]): the scores are
//! computed from the suppressed findings of the checks, then the gate's
//! findings go through the same suppression passes, so a `prr/min-level`
//! finding can be suppressed (prr.yaml, in-source) like any other — not
//! by the baseline, which never accepts it — and never counts in a score. The findings about suppressions themselves
//! (`prr/suppression-*`, `prr/baseline-stale`) are reported after the
//! scores and count in none: what an expired suppression covered counts
//! again by itself. The readiness is computed whenever the rule is loaded,
//! also when its level is `off` (then nothing is gated unless a tier turns
//! it on: `tiers.<tier>.rules.prr/min-level.level`).

pub use prr_core::readiness::{Area, AreaScore, Readiness, ReadinessLevel, bar, percent};

use crate::checks::Context;
use crate::config::Service;
use crate::finding::{Finding, Level};
use crate::rules::Rule;
use std::collections::{HashMap, HashSet};

pub use crate::checks::prr::min_level::{
    MinByTier, MinLevel, Thresholds, Weights, min_level_check,
};

/// The analyzer name of the gate (`check:` in rules/prr-min-level.yaml).
pub const ANALYZER: &str = "prr.min-level";

/// The first loaded rule that uses the gate's analyzer.
pub fn gate_rule(rules: &[Rule]) -> Option<&Rule> {
    rules.iter().find(|r| r.check == ANALYZER)
}

/// The parameters of `rule` when it is a `prr.min-level` rule.
fn params_of(rule: &Rule) -> Option<&MinLevel> {
    rule.params.0.downcast_ref::<MinLevel>()
}

/// The parameters of `rule` for a service of `tier`: the tier's own
/// (`tiers.<tier>.rules.prr/min-level.with`) when it has some.
fn params_for(rule: &Rule, tier: crate::config::Tier) -> Option<&MinLevel> {
    rule.tier_variants
        .iter()
        .find(|v| v.tier == tier)
        .and_then(|v| v.params.as_ref())
        .and_then(|p| p.0.downcast_ref::<MinLevel>())
        .or_else(|| params_of(rule))
}

/// Which services each rule fails for: (fails for every service, services).
type Failures<'a> = HashMap<&'a str, (bool, HashSet<&'a str>)>;

/// Computes every service's readiness from the (suppressed) findings. Uses
/// the weights and thresholds of the `prr.min-level` rule when one is
/// loaded, else the defaults.
pub fn compute(ctx: &Context, rules: &[Rule], findings: &[Finding]) -> Vec<Readiness> {
    let gate = gate_rule(rules);
    let default = MinLevel::default();

    let mut failures: Failures = HashMap::new();
    let mut errors_all = 0usize;
    let mut errors_by: HashMap<&str, usize> = HashMap::new();
    for f in findings.iter().filter(|f| !f.suppressed) {
        if f.level == Level::Error && gate.is_none_or(|g| g.id != f.rule) {
            match &f.service {
                Some(s) => *errors_by.entry(s.as_str()).or_default() += 1,
                None => errors_all += 1,
            }
        }
        if matches!(f.level, Level::Error | Level::Warning) {
            let e = failures.entry(f.rule.as_str()).or_default();
            match &f.service {
                Some(s) => {
                    e.1.insert(s.as_str());
                }
                None => e.0 = true,
            }
        }
    }
    let fails = |rule: &str, svc: &str| {
        failures
            .get(rule)
            .is_some_and(|(all, set)| *all || set.contains(svc))
    };

    ctx.services
        .iter()
        .map(|svc| {
            let p = gate
                .and_then(|g| params_for(g, svc.tier))
                .unwrap_or(&default);
            let read = area_inputs(ctx, svc);
            let areas = area_scores(svc, rules, p, &fails, &read, &|r: &Rule| {
                crate::checks::route::has_something_to_judge(ctx, &r.check)
            });
            let errors = errors_all + errors_by.get(svc.name.as_str()).copied().unwrap_or(0);
            let score = weighted(&areas);
            let assessed = score.is_some();
            let score = score.unwrap_or(0);
            let l = &p.levels;
            let level = if !assessed {
                ReadinessLevel::None
            } else if score >= l.gold && errors == 0 {
                ReadinessLevel::Gold
            } else if score >= l.silver {
                ReadinessLevel::Silver
            } else if score >= l.bronze {
                ReadinessLevel::Bronze
            } else {
                ReadinessLevel::None
            };
            let required = gate
                .filter(|g| g.applies_to(svc.tier) && g.level_for(Some(svc.tier)) != Level::Off)
                .map(|_| p.min.of(svc.tier));
            Readiness {
                service: svc.name.clone(),
                tier: svc.tier,
                score,
                assessed,
                level,
                required,
                errors,
                areas,
                score_without_baseline: None,
            }
        })
        .collect()
}

/// How many inputs of each area ([`Area::ALL`] order) prr read in the
/// service's paths: see [`AreaScore::read`].
fn area_inputs(ctx: &Context, svc: &Service) -> [usize; 5] {
    let inv = ctx.inventory;
    let here = |path: &str| ctx.in_service(svc, path);
    let slo = inv.slos.iter().filter(|s| here(&s.path)).count();
    let alerts: usize = inv
        .rule_files
        .iter()
        .filter(|f| here(&f.path))
        .map(|f| f.rules().filter(|r| r.alert.is_some()).count())
        .sum();
    let runbooks = inv.runbooks.iter().filter(|r| here(&r.path)).count();
    let declared = usize::from(svc.owner.is_some() || svc.oncall.is_some());
    let rollout = inv
        .objects
        .iter()
        .filter(|o| here(&o.path))
        .filter(|o| {
            matches!(
                o.kind.as_str(),
                "Deployment"
                    | "StatefulSet"
                    | "DaemonSet"
                    | "ReplicaSet"
                    | "Rollout"
                    | "Canary"
                    | "Pod"
                    | "Job"
                    | "CronJob"
                    | "PodDisruptionBudget"
                    | "HorizontalPodAutoscaler"
            )
        })
        .count();
    // prr's own config is not the service's: scanning it alone is no
    // assessment of the service's secrets hygiene.
    let own = ctx
        .config
        .source
        .as_ref()
        .map(|p| crate::inventory::rel_path(p, &inv.root));
    let scanned = inv
        .files
        .iter()
        .filter(|f| here(&f.path) && Some(&f.path) != own.as_ref())
        .count();
    let mut out = [0; 5];
    out[Area::Slo as usize] = slo;
    out[Area::Alerts as usize] = alerts;
    out[Area::IncidentResponse as usize] = runbooks + alerts + declared;
    out[Area::Rollout as usize] = rollout;
    out[Area::Secrets as usize] = scanned;
    out
}

/// The per-area results of one service. `read` is [`area_inputs`]: an area
/// with nothing read and no failing rule is not assessed (no score).
fn area_scores(
    svc: &Service,
    rules: &[Rule],
    p: &MinLevel,
    fails: &dyn Fn(&str, &str) -> bool,
    read: &[usize; 5],
    judges: &dyn Fn(&Rule) -> bool,
) -> Vec<AreaScore> {
    let mut areas: Vec<AreaScore> = Area::ALL
        .iter()
        .map(|a| AreaScore {
            area: *a,
            passed: 0,
            total: 0,
            weight: p.weights.of(*a),
            applies: false,
            failing: Vec::new(),
            read: read[*a as usize],
        })
        .collect();
    let mut secrets_apply = false;
    for rule in rules {
        // The rule as it applies to this tier (per-tier levels and caps).
        let applies = matches!(
            rule.level_for(Some(svc.tier)),
            Level::Error | Level::Warning
        ) && rule.check != ANALYZER
            && rule.applies_to(svc.tier)
            && judges(rule);
        let Some(area) = Area::of_rule(&rule.id).filter(|_| applies) else {
            continue;
        };
        let failed = fails(&rule.id, &svc.name);
        let slot = &mut areas[area as usize];
        slot.applies = true;
        if area == Area::Secrets {
            secrets_apply = true;
            if failed {
                slot.failing.push(rule.id.clone());
            }
            continue;
        }
        slot.total += 1;
        if failed {
            slot.failing.push(rule.id.clone());
        } else {
            slot.passed += 1;
        }
    }
    let secrets = &mut areas[Area::Secrets as usize];
    if secrets_apply {
        secrets.total = 1;
        secrets.passed = usize::from(secrets.failing.is_empty());
    }
    for a in &mut areas {
        a.failing.sort();
        if a.read == 0 {
            // Nothing read: rules passing over nothing say nothing. Only
            // the failing ones count (a missing SLO is an assessment); with
            // none failing the area is not assessed.
            a.total = a.failing.len();
            a.passed = 0;
        }
    }
    areas
}

/// The weighted mean of the area fractions, as a rounded percentage;
/// `None` when no area with a positive weight is assessed (nothing to
/// score: never 100 for what was not read).
fn weighted(areas: &[AreaScore]) -> Option<u32> {
    let (mut sum, mut weights) = (0.0, 0.0);
    for a in areas.iter().filter(|a| a.total > 0 && a.weight > 0.0) {
        sum += a.weight * a.passed as f64 / a.total as f64;
        weights += a.weight;
    }
    (weights > 0.0).then(|| percent(sum / weights))
}

/// The `prr/min-level` findings: one per service below its tier's minimum,
/// at the service's declaration in the config file (repository-wide for
/// the implicit service), with the rule's level.
pub fn gate_findings(ctx: &Context, rules: &[Rule], readiness: &[Readiness]) -> Vec<Finding> {
    let Some(rule) = gate_rule(rules).filter(|g| g.enabled()) else {
        return Vec::new();
    };
    readiness
        .iter()
        .filter(|r| !r.meets() && rule.level_for(Some(r.tier)) != Level::Off)
        .map(|r| {
            let required = r.required.unwrap_or(ReadinessLevel::None);
            let (path, pos) = ctx
                .service_named(&r.service)
                .map(|s| ctx.service_site(s))
                .unwrap_or_default();
            let weakest = r.weakest().map_or(String::new(), |a| {
                let mut s = format!(
                    "; weakest area: {} {}/100 ({} of {} passing",
                    a.area.as_str(),
                    a.score().unwrap_or(0),
                    a.passed,
                    a.total
                );
                if !a.failing.is_empty() {
                    let shown: Vec<&str> = a.failing.iter().take(3).map(String::as_str).collect();
                    s.push_str("; failing: ");
                    s.push_str(&shown.join(", "));
                    if a.failing.len() > 3 {
                        s.push_str(&format!(" and {} more", a.failing.len() - 3));
                    }
                }
                s.push(')');
                s
            });
            let why_not_gold = if r.level < required
                && required == ReadinessLevel::Gold
                && r.score >= params_for(rule, r.tier).map_or(90, |p| p.levels.gold)
            {
                format!(
                    " ({} unsuppressed error finding(s) keep it below gold)",
                    r.errors
                )
            } else {
                String::new()
            };
            let message = if r.assessed {
                format!(
                    "service `{}` scores {}/100 readiness, level {}{why_not_gold}; tier {} requires at least {}{weakest}",
                    r.service,
                    r.score,
                    r.level.label(),
                    r.tier.as_str(),
                    required.as_str(),
                )
            } else {
                format!(
                    "service `{}` could not be assessed: no SLO, alerting rule, runbook, workload or file was read in its paths, so it has no readiness score (level {}); tier {} requires at least {} — check its `paths`, or see the coverage notes for what was not read",
                    r.service,
                    r.level.label(),
                    r.tier.as_str(),
                    required.as_str(),
                )
            };
            Finding::new(&rule.id, &path, pos, message)
            .with_service(r.service.clone())
            .with_level(rule.level_for(Some(r.tier)))
        })
        .collect()
}

/// The readiness gate, between the marking post-passes and the scope
/// passes ([`crate::post`]): computes every service's readiness from the
/// marked (suppressed) findings of the checks, with the score that counts
/// the baseline's accepted debt next to it, and returns it with the
/// `prr/min-level` findings of the services below their tier's minimum
/// (which the post-passes then mark like any other). Without a
/// `prr.min-level` rule (a `prr secrets` run) nothing is computed.
pub fn gate(
    ctx: &Context,
    rules: &[Rule],
    findings: &[Finding],
    timings: prr_core::timings::Timings<'_>,
) -> (Vec<Readiness>, Vec<Finding>) {
    if gate_rule(rules).is_none() {
        return (Vec::new(), Vec::new());
    }
    let t = std::time::Instant::now();
    let mut readiness = compute(ctx, rules, findings);
    // Debt the baseline accepts is shown, not hidden: the score with it
    // counted, next to the gating score.
    if findings.iter().any(crate::baseline::accepted) {
        let mut debt = findings.to_vec();
        for f in debt.iter_mut().filter(|f| crate::baseline::accepted(f)) {
            f.suppressed = false;
        }
        for (r, raw) in readiness.iter_mut().zip(compute(ctx, rules, &debt)) {
            if raw.score != r.score {
                r.score_without_baseline = Some(raw.score);
            }
        }
    }
    let extra = gate_findings(ctx, rules, &readiness);
    if let Some(report) = timings {
        report(format_args!(
            "readiness {:?} ({} services, {} gate findings)",
            t.elapsed(),
            readiness.len(),
            extra.len()
        ));
    }
    (readiness, extra)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(a: Area, passed: usize, total: usize, weight: f64) -> AreaScore {
        AreaScore {
            area: a,
            passed,
            total,
            weight,
            applies: total > 0,
            failing: Vec::new(),
            read: total,
        }
    }

    #[test]
    fn weighted_mean_renormalises_over_applicable_areas() {
        // slo 1/2, alerts 3/4, rollout n/a, secrets 1/1, equal weights:
        // (0.5 + 0.75 + 1) / 3 = 0.75 → 75.
        let areas = [
            area(Area::Slo, 1, 2, 20.0),
            area(Area::Alerts, 3, 4, 20.0),
            area(Area::Rollout, 0, 0, 20.0),
            area(Area::Secrets, 1, 1, 20.0),
        ];
        assert_eq!(weighted(&areas), Some(75));
        // slo weight 40: (40·0.5 + 20·0.75 + 20·1) / 80 = 55/80 = 0.6875 → 69.
        let areas = [
            area(Area::Slo, 1, 2, 40.0),
            area(Area::Alerts, 3, 4, 20.0),
            area(Area::Secrets, 1, 1, 20.0),
        ];
        assert_eq!(weighted(&areas), Some(69));
        // A zero weight drops the area; nothing left: no score (never 100).
        assert_eq!(weighted(&[area(Area::Slo, 0, 3, 0.0)]), None);
        assert_eq!(
            weighted(&[area(Area::Slo, 0, 3, 0.0), area(Area::Alerts, 1, 3, 5.0)]),
            Some(33)
        );
    }

    #[test]
    fn areas_of_rules() {
        assert_eq!(Area::of_rule("slo/window"), Some(Area::Slo));
        assert_eq!(Area::of_rule("prr/oncall"), Some(Area::IncidentResponse));
        assert_eq!(
            Area::of_rule("runbook/present"),
            Some(Area::IncidentResponse)
        );
        assert_eq!(Area::of_rule("prr/dashboards"), Some(Area::Alerts));
        assert_eq!(Area::of_rule("secrets/github-pat"), Some(Area::Secrets));
        assert_eq!(Area::of_rule("prr/min-level"), None);
        assert_eq!(Area::of_rule("budget/blocked"), None);
    }

    #[test]
    fn params_are_validated() {
        let p = |y: &str| {
            let n = &crate::yaml::parse_documents(y).unwrap()[0];
            crate::checks::params::<MinLevel>(n)
        };
        let ok = p("min: {critical: gold}\nweights: {slo: 40}\n").unwrap();
        assert_eq!(ok.min.critical, ReadinessLevel::Gold);
        assert_eq!(ok.min.important, ReadinessLevel::Bronze);
        assert_eq!(ok.min.standard, ReadinessLevel::None);
        assert_eq!(ok.weights.slo, 40.0);
        assert_eq!(ok.weights.rollout, 20.0);
        assert_eq!(ok.levels, Thresholds::default());
        let e = p("levels: {gold: 50, silver: 75}\n").unwrap_err();
        assert!(e.contains("gold ≥ silver ≥ bronze"), "{e}");
        let e = p("weights: {slo: -1}\n").unwrap_err();
        assert!(e.contains("weights.slo"), "{e}");
        let e = p("weights: {slo: 0, alerts: 0, incident-response: 0, rollout: 0, secrets: 0}\n")
            .unwrap_err();
        assert!(e.contains("above 0"), "{e}");
        assert!(p("weights: {dashboards: 1}\n").is_err());
        assert!(p("min: {critical: platinum}\n").is_err());
        assert!(p("levels: {gold: 101}\n").is_err());
    }
}
