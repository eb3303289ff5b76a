//! `--changed-since REF` (and PR mode in GitHub Actions) scopes the whole
//! gate, not only the budget: a change to service A is not failed by the
//! standing debt of service B it never touched.
//!
//! A service is *touched* when a changed path belongs to it (its `paths`
//! globs, as for the budget phase). Findings of untouched services are kept
//! in every report, marked suppressed ("not touched by the change"), and
//! never gate; one `prr/changed-scope` notice names the gated and the
//! ungated services with what was set aside. What stays gated everywhere:
//! findings of no service (the repository's own: CODEOWNERS, parse errors
//! outside every service, policy changes) and committed secrets (`secrets/*`,
//! a leak wherever it is). Runs after the readiness scores, so a service's
//! score still counts all its findings.

use crate::checks::Context;
use crate::finding::{Finding, Level, Suppression, SuppressionKind};
use crate::yaml::Pos;
use std::collections::{BTreeMap, BTreeSet};

/// Sets aside the findings of services no path in `changed` belongs to and
/// returns the notice that says which services were gated and why (`None`
/// when there are no declared or implicit services).
pub fn apply(
    findings: &mut [Finding],
    ctx: &Context,
    changed: &[String],
    base: Option<&str>,
) -> Option<Finding> {
    if ctx.services.is_empty() {
        return None;
    }
    let touched: BTreeSet<&str> = changed
        .iter()
        .filter_map(|p| ctx.service_of(p))
        .map(|s| s.name.as_str())
        .collect();
    let since = base.map_or_else(
        || "the change".to_string(),
        |b| format!("--changed-since {b}"),
    );
    let mut set_aside: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for f in findings.iter_mut() {
        if f.suppressed || f.level < Level::Warning || f.rule.starts_with("secrets/") {
            continue;
        }
        let service = f
            .service
            .clone()
            .or_else(|| ctx.service_of(&f.path).map(|s| s.name.clone()));
        let Some(service) = service else { continue };
        if touched.contains(service.as_str()) {
            continue;
        }
        let n = set_aside.entry(service.clone()).or_default();
        if f.level == Level::Error {
            n.0 += 1;
        } else {
            n.1 += 1;
        }
        f.suppressed = true;
        f.suppression = Some(Suppression {
            kind: SuppressionKind::External,
            reason: format!("service `{service}` is not touched by the change"),
            source: since.clone(),
        });
    }
    let gated: Vec<&str> = touched.iter().copied().collect();
    let untouched: Vec<String> = ctx
        .services
        .iter()
        .map(|s| s.name.as_str())
        .filter(|s| !touched.contains(s))
        .map(|s| match set_aside.get(s) {
            Some((e, w)) => format!(
                "{s} ({}, {} set aside)",
                crate::report::verdict::plural(*e, "error"),
                crate::report::verdict::plural(*w, "warning")
            ),
            None => s.to_string(),
        })
        .collect();
    let message = format!(
        "{since}: {}; gated: {}; not gated (no changed path in their paths): {}. \
         Repository-level findings and secrets gate in every case",
        crate::report::verdict::plural(changed.len(), "changed path"),
        if gated.is_empty() {
            "no service".to_string()
        } else {
            gated.join(", ")
        },
        if untouched.is_empty() {
            "none".to_string()
        } else {
            untouched.join(", ")
        }
    );
    Some(Finding::new("prr/changed-scope", "", Pos::default(), message).with_level(Level::Notice))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil;

    #[test]
    fn only_touched_services_gate() {
        let dir = testutil::repo(&[
            (
                "prr.yaml",
                "services:\n  - name: a\n    paths: [\"a/**\"]\n  - name: b\n    paths: [\"b/**\"]\n",
            ),
            ("a/x.txt", "x\n"),
        ]);
        let config = crate::config::Config::discover(dir.path(), None).unwrap();
        let inv = crate::inventory::scan(dir.path(), &config).unwrap();
        let ctx = Context::new(&config, &inv);
        let mut fs = vec![
            Finding::new("rollout/pdb", "a/d.yaml", Pos::line(1), "m"),
            Finding::new("rollout/pdb", "b/d.yaml", Pos::line(1), "m"),
            Finding::new("secrets/aws", "b/k.env", Pos::line(1), "m"),
            Finding::new("prr/codeowners", "", Pos::default(), "m"),
        ];
        let note = apply(&mut fs, &ctx, &["a/d.yaml".to_string()], Some("main")).unwrap();
        let gated: Vec<bool> = fs.iter().map(|f| !f.suppressed).collect();
        assert_eq!(gated, vec![true, false, true, true]);
        assert!(note.message.contains("gated: a;"), "{}", note.message);
        assert!(
            note.message.contains("b (1 error, 0 warnings set aside)"),
            "{}",
            note.message
        );
    }
}
