//! The post-passes: what runs over the findings after the checks and
//! before redaction and the reports, listed once in [`registry`] and each
//! run once (docs/architecture.md, "Post-passes").
//!
//! Order, and why:
//!
//! 1. **Marking passes** ([`PostPass`]), before the readiness scores: the
//!    tier level caps ([`levels`]), then the suppression sources in order
//!    of precedence (fingerprints, `.gitleaksignore`, in-source directives,
//!    kube-linter annotations, prr.yaml `suppressions:`, the baseline,
//!    non-production trees, deploy environments; see [`crate::suppress`]).
//!    Each marks the checks' findings, then the readiness gate's
//!    (`prr/min-level` findings are suppressible like any other), then says
//!    once what it has to say about itself (suppressions that expired or
//!    matched nothing, notices counting what it set aside): those findings
//!    get the level caps and fingerprints, and no suppression.
//! 2. **The readiness gate** ([`crate::score::gate`]) between the two
//!    batches: scores from the marked findings of the checks.
//! 3. **Scope passes** ([`ScopePass`]), after the scores (which still count
//!    everything), once over all findings: the change scope
//!    (`--changed-since`, PR mode), `--within`, `--only`/`--skip`.
//!
//! Because the passes' own findings are reported after the scores, the
//! findings about suppressions (`prr/suppression-*`, `prr/baseline-stale`)
//! count in no readiness score: what an expired suppression covered counts
//! again by itself.

pub mod levels;
pub mod selection;

pub use crate::pass::{PostPass, ScopePass};

use crate::checks::Context;
use crate::finding::Finding;
use crate::rules::Rule;
use crate::score::Readiness;
use std::time::{Duration, Instant};

/// The post-passes of a run, in order (built by [`registry`]).
pub struct PostPasses<'a> {
    /// Before the readiness scores, in order.
    pub marks: Vec<Box<dyn PostPass + 'a>>,
    /// After the readiness scores, in order.
    pub scopes: Vec<Box<dyn ScopePass + 'a>>,
}

/// What [`registry`] needs besides the suppression options: the run's
/// scope, from the command line.
pub struct ScopeOptions<'a> {
    /// `--changed-since` / PR mode: the changed paths and the base ref
    /// shown in the notice (`None`: "the change").
    pub changed: Option<(&'a [String], Option<&'a str>)>,
    /// `prr check` from a subfolder: the folder (relative to the root) and
    /// the config the run used.
    pub within: Option<(&'a str, &'a prr_core::report::ConfigUsed)>,
    /// `--only`/`--skip`.
    pub selection: Option<&'a selection::RuleSelection>,
}

/// The registry: every post-pass of a run, one line each, in the order
/// they run (see the module documentation).
///
/// Errors: an unreadable or invalid baseline file (the baseline pass reads
/// it here, once).
pub fn registry<'a>(
    ctx: &'a Context<'a>,
    rules: &'a [Rule],
    suppress: &'a crate::suppress::Options<'a>,
    scope: &ScopeOptions<'a>,
) -> Result<PostPasses<'a>, crate::baseline::BaselineError> {
    let mut marks: Vec<Box<dyn PostPass + 'a>> = vec![Box::new(levels::TierCaps::new(ctx))];
    marks.extend(crate::suppress::sources(ctx, rules, suppress)?);
    let mut scopes: Vec<Box<dyn ScopePass + 'a>> = Vec::new();
    if let Some((changed, base)) = scope.changed {
        scopes.push(Box::new(crate::suppress::untouched::ChangeScope {
            ctx,
            changed,
            base,
        }));
    }
    if let Some((within, config)) = scope.within {
        scopes.push(Box::new(crate::suppress::untouched::Within {
            ctx,
            within,
            config,
        }));
    }
    if let Some(s) = scope.selection {
        scopes.push(Box::new(s));
    }
    Ok(PostPasses { marks, scopes })
}

impl PostPasses<'_> {
    /// Runs the passes once each over `findings` (the checks' findings),
    /// with the readiness gate between the marking and the scope passes,
    /// and returns the readiness ([`crate::score::gate`]; empty without a
    /// `prr.min-level` rule). `timings` gets one line per pass.
    pub fn run(
        mut self,
        ctx: &Context,
        rules: &[Rule],
        findings: &mut Vec<Finding>,
        timings: prr_core::timings::Timings<'_>,
    ) -> Vec<Readiness> {
        let mut spent = vec![Duration::ZERO; self.marks.len()];
        // Each pass's step, timed into its slot of `spent`.
        let mut each = |step: &mut dyn FnMut(&mut dyn PostPass)| {
            for (p, t) in self.marks.iter_mut().zip(spent.iter_mut()) {
                let t0 = Instant::now();
                step(p.as_mut());
                *t += t0.elapsed();
            }
        };
        each(&mut |p| p.mark(findings));
        let (readiness, mut gate) = crate::score::gate(ctx, rules, findings, timings);
        each(&mut |p| p.mark(&mut gate));
        findings.extend(gate);
        let mut own = Vec::new();
        each(&mut |p| own.extend(p.report()));
        each(&mut |p| {
            if p.marks_reports() {
                p.mark(&mut own);
            }
        });
        findings.extend(own);
        if let Some(report) = timings {
            for (p, t) in self.marks.iter().zip(&spent) {
                report(format_args!("post-pass {} {t:?}", p.name()));
            }
        }
        for s in &mut self.scopes {
            let t0 = Instant::now();
            s.apply(findings);
            if let Some(report) = timings {
                report(format_args!("post-pass {} {:?}", s.name(), t0.elapsed()));
            }
        }
        readiness
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Level;
    use crate::yaml::Pos;
    use std::cell::RefCell;
    use std::rc::Rc;

    type Log = Rc<RefCell<Vec<String>>>;

    /// Records each call with the rules of the findings it saw.
    struct Probe {
        name: &'static str,
        log: Log,
        marks_reports: bool,
    }

    fn rules_of(fs: &[Finding]) -> String {
        fs.iter()
            .map(|f| f.rule.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    impl PostPass for Probe {
        fn name(&self) -> &'static str {
            self.name
        }
        fn mark(&mut self, batch: &mut [Finding]) {
            let line = format!("{} mark {}", self.name, rules_of(batch));
            self.log.borrow_mut().push(line);
        }
        fn report(&mut self) -> Vec<Finding> {
            self.log.borrow_mut().push(format!("{} report", self.name));
            let rule = format!("prr/{}-own", self.name);
            vec![Finding::new(&rule, "", Pos::default(), "m").with_level(Level::Notice)]
        }
        fn marks_reports(&self) -> bool {
            self.marks_reports
        }
    }

    impl ScopePass for Probe {
        fn name(&self) -> &'static str {
            self.name
        }
        fn apply(&mut self, findings: &mut Vec<Finding>) {
            let line = format!("{} apply {}", self.name, rules_of(findings));
            self.log.borrow_mut().push(line);
        }
    }

    #[test]
    fn each_pass_runs_once_per_batch_and_reports_once() {
        // A critical service with nothing read: the gate finds it below
        // its tier's minimum, so there is a second batch.
        let dir = crate::testutil::repo(&[
            (
                "prr.yaml",
                "services:\n  - name: shop\n    tier: critical\n    paths: [\"shop/**\"]\n",
            ),
            ("shop/notes.txt", "x\n"),
        ]);
        let config = crate::config::Config::discover(dir.path(), None).expect("config");
        let inv = crate::inventory::scan(dir.path(), &config).expect("scan");
        let ctx = Context::new(&config, &inv);
        let rules = crate::rules::load(&config).expect("rules");
        let log: Log = Rc::default();
        let probe = |name, marks_reports| Probe {
            name,
            log: log.clone(),
            marks_reports,
        };
        let passes = PostPasses {
            marks: vec![Box::new(probe("a", false)), Box::new(probe("b", true))],
            scopes: vec![Box::new(probe("s", false))],
        };
        let mut findings = vec![Finding::new(
            "rollout/pdb",
            "shop/d.yaml",
            Pos::line(1),
            "m",
        )];
        let readiness = passes.run(&ctx, &rules, &mut findings, None);
        assert_eq!(readiness.len(), 1);
        assert_eq!(
            *log.borrow(),
            [
                "a mark rollout/pdb",
                "b mark rollout/pdb",
                "a mark prr/min-level",
                "b mark prr/min-level",
                "a report",
                "b report",
                "b mark prr/a-own,prr/b-own",
                "s apply rollout/pdb,prr/min-level,prr/a-own,prr/b-own",
            ]
        );
        assert_eq!(
            rules_of(&findings),
            "rollout/pdb,prr/min-level,prr/a-own,prr/b-own"
        );
    }
}
