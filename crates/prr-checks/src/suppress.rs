//! Suppressions, one model for every family, applied after the checks and
//! before the reports as post-passes ([`sources`], run by [`crate::post`]):
//! fingerprints, `.gitleaksignore` (see `gitleaksignore`), in-source
//! directives (`# prr:ignore`, `<!-- prr:ignore -->`, the Kubernetes
//! annotation `prr.dev/ignore`; see [`inline`]), kube-linter's
//! `ignore-check.kube-linter.io/<check>` annotations (see `kube_linter`),
//! prr.yaml `suppressions:` (with a reason and an optional expiry; see
//! `configured`), the baseline, non-production trees ([`non_production`])
//! and deploy environments ([`environment`]).
//!
//! A suppressed finding is kept (every report counts it, JSON and SARIF list
//! it with its reason) and never fails the run. The suppressions themselves
//! are checked: an expired entry is an error (`prr/suppression-expired`),
//! one that matched nothing a warning (`prr/suppression-unused`), an
//! in-source directive without a reason an error (`prr/suppression-invalid`),
//! baseline entries that no longer match a notice (`prr/baseline-stale`).

mod configured;
pub mod environment;
mod gitleaksignore;
pub mod inline;
mod kube_linter;
pub mod non_production;
pub mod untouched;

use crate::baseline::Baseline;
use crate::checks::Context;
use crate::finding::{Finding, Level, fingerprint};
use crate::inventory::Inventory;
use crate::pass::PostPass;
use crate::rules::Rule;
use crate::yaml::Pos;
use configured::Configured;
use gitleaksignore::GitleaksIgnore;

/// How the suppression sources ([`sources`]) run.
pub struct Options<'a> {
    /// Today's date, `YYYY-MM-DD` (UTC), for `until:`.
    pub today: &'a str,
    /// Apply the baseline file (off for `prr baseline` itself).
    pub use_baseline: bool,
    /// Report stale baseline entries: only for a whole-tree run; of a
    /// family-only run (`prr secrets`), only that family's entries.
    pub stale_family: Option<Option<&'a str>>,
    /// Apply prr.yaml `non-production:` and the deploy-environment pass
    /// ([`environment`]); off with `--include-non-production`.
    pub non_production: bool,
    /// Whether a finding belongs to a service the team declared (prr.yaml
    /// `services:` or a catalog entry) of a tier other than `experimental`:
    /// production evidence for [`environment`].
    pub declared_service: &'a dyn Fn(&Finding) -> bool,
}

/// Today's date in UTC as `YYYY-MM-DD`.
pub fn today() -> String {
    humantime::format_rfc3339(std::time::SystemTime::now())
        .to_string()
        .chars()
        .take(10)
        .collect()
}

/// Fingerprints every finding that has none yet (see [`fingerprint`]):
/// the source line's text when the finding has a line, else its message.
fn fingerprint_all(findings: &mut [Finding], inventory: &Inventory) {
    for f in findings.iter_mut().filter(|f| f.fingerprint.is_none()) {
        let line = (f.line > 0 && !f.sensitive)
            .then(|| inventory.line(&f.path, f.line))
            .flatten();
        let content = match line {
            Some(l) if !l.trim().is_empty() => l.to_string(),
            _ => f.message.clone(),
        };
        f.fingerprint = Some(fingerprint(&f.rule, &f.path, &content));
    }
}

/// The suppression sources of a run as post-passes, in order of
/// precedence (a finding keeps the first suppression that covers it):
/// fingerprints, `.gitleaksignore`, in-source directives, kube-linter
/// annotations, prr.yaml `suppressions:`, the baseline (with
/// `use_baseline`), then non-production trees and deploy environments
/// (with `non_production`). Each runs once per batch ([`crate::post`]).
///
/// Errors: an unreadable or invalid baseline file.
pub fn sources<'a>(
    ctx: &'a Context<'a>,
    rules: &'a [Rule],
    opts: &'a Options<'a>,
) -> Result<Vec<Box<dyn PostPass + 'a>>, crate::baseline::BaselineError> {
    let (config, inventory) = (ctx.config, ctx.inventory);
    let mut passes: Vec<Box<dyn PostPass + 'a>> = vec![
        Box::new(Fingerprints { inventory }),
        Box::new(GitleaksIgnore::read(&config.secrets.ignore_file, rules)),
        Box::new(inline::InSource::scan(inventory, rules, opts.today)),
        Box::new(kube_linter::KubeLinter::new(inventory)),
        Box::new(Configured::new(config, &inventory.root, opts.today)),
    ];
    if opts.use_baseline
        && let Some(b) = Baseline::load(&config.baseline)?
    {
        let shown = config.baseline_display(&inventory.root);
        passes.push(Box::new(BaselinePass::new(b, shown, opts.stale_family)));
    }
    // Last: what no suppression accepted but lies in a test, example or
    // development tree does not gate (counted in one notice per tree);
    // then what lives in a non-production environment, or is judged by a
    // production-only rule where production is not known.
    if opts.non_production {
        passes.push(Box::new(non_production::NonProduction::new(
            &config.non_production,
        )));
        passes.push(Box::new(environment::Environments::new(
            inventory,
            config,
            rules,
            opts.declared_service,
        )));
    }
    Ok(passes)
}

/// Fingerprints every finding that has none yet ([`fingerprint_all`]),
/// the passes' own findings included.
struct Fingerprints<'a> {
    inventory: &'a Inventory,
}

impl PostPass for Fingerprints<'_> {
    fn name(&self) -> &'static str {
        "fingerprints"
    }

    fn mark(&mut self, batch: &mut [Finding]) {
        fingerprint_all(batch, self.inventory);
    }

    fn marks_reports(&self) -> bool {
        true
    }
}

/// The baseline ([`Baseline`]): accepts its findings, then reports the
/// entries that matched nothing in one `prr/baseline-stale` notice.
struct BaselinePass<'a> {
    matcher: crate::baseline::Matcher,
    /// The baseline file as shown in findings.
    shown: String,
    stale_family: Option<Option<&'a str>>,
}

impl<'a> BaselinePass<'a> {
    fn new(b: Baseline, shown: String, stale_family: Option<Option<&'a str>>) -> BaselinePass<'a> {
        BaselinePass {
            matcher: b.matcher(),
            shown,
            stale_family,
        }
    }
}

impl PostPass for BaselinePass<'_> {
    fn name(&self) -> &'static str {
        "baseline"
    }

    fn mark(&mut self, batch: &mut [Finding]) {
        self.matcher.mark(batch, &self.shown);
    }

    fn report(&mut self) -> Vec<Finding> {
        let stale: Vec<_> = self
            .matcher
            .stale()
            .into_iter()
            .filter(|e| match self.stale_family {
                None => false,
                Some(None) => true,
                Some(Some(fam)) => e.rule.split('/').next() == Some(fam),
            })
            .collect();
        if stale.is_empty() {
            return Vec::new();
        }
        let mut rules: Vec<&str> = stale.iter().map(|e| e.rule.as_str()).collect();
        rules.sort_unstable();
        rules.dedup();
        vec![
            Finding::new(
                "prr/baseline-stale",
                &self.shown,
                Pos::default(),
                format!(
                    "{} baseline entr{} no longer match a finding (fixed, or changed beyond recognition; rules: {}) — run `prr baseline` to drop them",
                    stale.len(),
                    if stale.len() == 1 { "y" } else { "ies" },
                    rules.join(", ")
                ),
            )
            .with_level(Level::Notice),
        ]
    }
}
