//! The runner: every enabled rule's analyzer (from [`crate::checks::REGISTRY`]) on
//! all cores, once with the rule's own parameters and once per tier
//! variant, each finding stamped with its service and the rule's level for
//! that service's tier. The layer between the rules and the post-passes:
//! analyzers never see a rule, the runner does.

use crate::checks::{Context, analyzer};
use crate::config::Tier;
use crate::finding::Finding;
use crate::rules::Rule;

/// Runs every enabled rule and returns the findings with levels and
/// services filled in, and findings of rules scoped to tiers dropped for
/// services of other tiers. Rules run on all available cores (each rule is
/// a pure function of the context); the result is in rule order, so output
/// does not depend on scheduling. With `timings`, each rule's run time is
/// reported to it.
pub fn run_all(
    ctx: &Context,
    rules: &[Rule],
    timings: prr_core::timings::Timings<'_>,
) -> Vec<Finding> {
    let enabled: Vec<&Rule> = rules.iter().filter(|r| r.enabled()).collect();
    let found = crate::par::map_ordered(&enabled, |rule| {
        let t = std::time::Instant::now();
        let found = run_rule(ctx, rule);
        if let Some(report) = timings {
            report(format_args!("{:>10.3?}  {}", t.elapsed(), rule.id));
        }
        found
    })
    .into_iter()
    .flatten()
    .collect();
    // One finding per problem, listing the overlays / charts it is in.
    crate::render::merge_overlay_findings(found)
}

/// Runs one rule: with its own parameters for services of tiers without a
/// variant (and for findings of no service), and once more with each tier
/// variant's parameters, keeping of that run only the findings of that
/// tier's services. Levels come from [`Rule::level_for`]; findings of a
/// tier the rule does not apply to, or at level `off`, are dropped.
fn run_rule(ctx: &Context, rule: &Rule) -> Vec<Finding> {
    let Some(a) = analyzer(&rule.check) else {
        return Vec::new();
    };
    let tier_of = |f: &mut Finding| -> Option<Tier> {
        if f.service.is_none() && !f.path.is_empty() {
            f.service = ctx.service_of(&f.path).map(|s| s.name.clone());
        }
        f.service
            .as_deref()
            .and_then(|n| ctx.service_named(n))
            .map(|s| s.tier)
    };
    let rerun = |t: Tier| {
        rule.tier_variants
            .iter()
            .any(|v| v.tier == t && v.params.is_some())
    };
    let mut out = Vec::new();
    let keep = |mut f: Finding, tier: Option<Tier>, out: &mut Vec<Finding>| {
        if tier.is_some_and(|t| !rule.applies_to(t)) {
            return;
        }
        // The rule's level, or lower where the analyzer lowered a finding
        // (a notice about how it read the repository, a warning for a
        // non-paging alert); `Sink::finding` starts at error.
        let level = rule.level_for(tier);
        f.level = level.min(f.level);
        if level != crate::finding::Level::Off {
            out.push(f);
        }
    };
    for mut f in a.findings(ctx, &rule.id, &rule.params) {
        let tier = tier_of(&mut f);
        if tier.is_some_and(rerun) {
            continue;
        }
        keep(f, tier, &mut out);
    }
    for v in &rule.tier_variants {
        let Some(p) = &v.params else { continue };
        for mut f in a.findings(ctx, &rule.id, p) {
            let tier = tier_of(&mut f);
            if tier == Some(v.tier) {
                keep(f, tier, &mut out);
            }
        }
    }
    out
}
