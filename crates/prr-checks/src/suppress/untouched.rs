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
use crate::finding::{Finding, Level, SuppressionKind};
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
        f.suppress(
            SuppressionKind::External,
            format!("service `{service}` is not touched by the change"),
            since.clone(),
        );
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
                prr_core::text::plural(*e, "error"),
                prr_core::text::plural(*w, "warning")
            ),
            None => s.to_string(),
        })
        .collect();
    let message = format!(
        "{since}: {}; gated: {}; not gated (no changed path in their paths): {}. \
         Repository-level findings and secrets gate in every case",
        prr_core::text::plural(changed.len(), "changed path"),
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

/// A run from a subfolder (`within`, relative to the root that holds the
/// config, [`crate::config::find_upward`]): the findings of that folder
/// count, and so do those of the declared services that own a file in it
/// (a service's `prr/min-level` sits at its entry in prr.yaml, a budget
/// decision at its SLO); the rest are kept, marked suppressed. Returns the
/// `prr/config` notice saying which config and root were used.
pub fn apply_within(
    findings: &mut [Finding],
    ctx: &Context,
    within: &str,
    config: &prr_core::report::ConfigUsed,
) -> Finding {
    let prefix = format!("{}/", within.trim_end_matches('/'));
    let under = |p: &str| p == within || p.starts_with(&prefix);
    let in_scope: BTreeSet<&str> = if ctx.config.services.is_empty() {
        BTreeSet::new()
    } else {
        ctx.inventory
            .files
            .iter()
            .filter(|f| under(&f.path))
            .filter_map(|f| ctx.service_of(&f.path))
            .map(|s| s.name.as_str())
            .collect()
    };
    let mut n = 0;
    for f in findings.iter_mut().filter(|f| !f.suppressed) {
        let service = f
            .service
            .clone()
            .or_else(|| ctx.service_of(&f.path).map(|s| s.name.clone()))
            .filter(|_| !ctx.config.services.is_empty());
        let keep = under(&f.path)
            || match &service {
                Some(s) => in_scope.contains(s.as_str()),
                None => f.path.is_empty(),
            };
        if keep {
            continue;
        }
        f.suppress(
            SuppressionKind::External,
            format!("outside {within}, the folder that was checked"),
            "prr check (from a subfolder)".to_string(),
        );
        n += 1;
    }
    let services = if in_scope.is_empty() {
        String::new()
    } else {
        format!(
            " and of the services with files in it ({})",
            in_scope.iter().copied().collect::<Vec<_>>().join(", ")
        )
    };
    Finding::new(
        "prr/config",
        "",
        Pos::default(),
        format!(
            "using {config} found above {within}: the repository is read from there; the \
             findings of {within}{services} are reported ({} outside set aside)",
            prr_core::text::plural(n, "finding")
        ),
    )
    .with_level(Level::Notice)
}

/// The change scope as a post-pass ([`apply`]), after the readiness scores.
pub struct ChangeScope<'a> {
    /// The run's context (services and their paths).
    pub ctx: &'a Context<'a>,
    /// The changed paths, relative to the root.
    pub changed: &'a [String],
    /// The base ref the notice names (`None`: "the change").
    pub base: Option<&'a str>,
}

impl crate::pass::ScopePass for ChangeScope<'_> {
    fn name(&self) -> &'static str {
        "change scope"
    }

    fn apply(&mut self, findings: &mut Vec<Finding>) {
        let note = apply(findings, self.ctx, self.changed, self.base);
        findings.extend(note);
    }
}

/// A run from a subfolder as a post-pass ([`apply_within`]).
pub struct Within<'a> {
    /// The run's context.
    pub ctx: &'a Context<'a>,
    /// The folder checked, relative to the root.
    pub within: &'a str,
    /// The config the run used, for the notice.
    pub config: &'a prr_core::report::ConfigUsed,
}

impl crate::pass::ScopePass for Within<'_> {
    fn name(&self) -> &'static str {
        "--within"
    }

    fn apply(&mut self, findings: &mut Vec<Finding>) {
        let note = apply_within(findings, self.ctx, self.within, self.config);
        findings.push(note);
    }
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
