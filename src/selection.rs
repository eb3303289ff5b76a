//! What a run reports and what fails it, chosen on the command line:
//! `--only`/`--skip` (rule IDs or families, globs), `--fail-level`
//! (what makes exit 1) and `--no-budget` (the offline run). Nothing left
//! out is silent: the findings of other rules are counted in one
//! `prr/selection` notice, a skipped budget phase in `prr/budget-skipped`.

use crate::finding::{Finding, Level};
use crate::yaml::Pos;

/// Which level of unsuppressed finding makes the run fail (exit 1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum FailLevel {
    /// An error-level finding fails the run (the default).
    #[default]
    Error,
    /// An error or a warning fails the run.
    Warning,
    /// Nothing fails the run for findings (exit 0 unless prr cannot run:
    /// reports only).
    Never,
}

impl FailLevel {
    /// Whether a run with these unsuppressed counts fails.
    pub fn fails(self, errors: usize, warnings: usize) -> bool {
        match self {
            FailLevel::Error => errors > 0,
            FailLevel::Warning => errors + warnings > 0,
            FailLevel::Never => false,
        }
    }
}

/// The rules `--only`/`--skip` keep. The checks of the others still run
/// (so the notice counts what was left out exactly); only the budget phase,
/// which reads live APIs, is skipped when no `budget/*` rule is kept. A pattern is a rule ID glob
/// (`rollout/*`, `secrets/aws-*`, `alerts/for`) or a family name
/// (`rollout`, read as `rollout/*`); a comma-separated value holds several.
#[derive(Clone, Debug, Default)]
pub struct RuleSelection {
    only: Option<globset::GlobSet>,
    skip: Option<globset::GlobSet>,
    /// The patterns as given, for the notice.
    shown: String,
}

impl RuleSelection {
    /// Compiles `only` and `skip` (each value may hold comma-separated
    /// patterns). Errors (exit 2): a pattern that is not a valid glob.
    pub fn new(only: &[String], skip: &[String]) -> Result<RuleSelection, String> {
        let build = |flag: &str, values: &[String]| -> Result<Option<globset::GlobSet>, String> {
            let patterns: Vec<&str> = values
                .iter()
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect();
            if patterns.is_empty() {
                return Ok(None);
            }
            let mut b = globset::GlobSetBuilder::new();
            for p in patterns {
                let p = if p.contains('/') || p.contains('*') {
                    p.to_string()
                } else {
                    format!("{p}/*")
                };
                b.add(
                    globset::Glob::new(&p)
                        .map_err(|e| format!("{flag} `{p}` is not a rule glob: {e}"))?,
                );
            }
            b.build().map(Some).map_err(|e| format!("{flag}: {e}"))
        };
        let mut shown = Vec::new();
        if !only.is_empty() {
            shown.push(format!("--only {}", only.join(",")));
        }
        if !skip.is_empty() {
            shown.push(format!("--skip {}", skip.join(",")));
        }
        Ok(RuleSelection {
            only: build("--only", only)?,
            skip: build("--skip", skip)?,
            shown: shown.join(" "),
        })
    }

    /// Whether nothing is left out.
    pub fn is_all(&self) -> bool {
        self.only.is_none() && self.skip.is_none()
    }

    /// Whether findings of rule `id` are kept.
    pub fn keeps(&self, id: &str) -> bool {
        self.only.as_ref().is_none_or(|g| g.is_match(id))
            && self.skip.as_ref().is_none_or(|g| !g.is_match(id))
    }

    /// Drops the findings of rules not kept and, when unsuppressed ones were
    /// among them, adds one notice counting those by rule.
    pub fn apply(&self, findings: &mut Vec<Finding>) {
        if self.is_all() {
            return;
        }
        let mut left: std::collections::BTreeMap<&str, usize> = Default::default();
        for f in findings
            .iter()
            .filter(|f| !self.keeps(&f.rule) && !f.suppressed)
        {
            *left.entry(f.rule.as_str()).or_default() += 1;
        }
        if left.is_empty() {
            return;
        }
        let (n, by_rule) = crate::finding::tally(left.iter().map(|(r, n)| (*r, *n)));
        let notice = Finding::new(
            "prr/selection",
            "",
            Pos::default(),
            format!(
                "{}: {} of other rules not reported ({by_rule})",
                self.shown,
                crate::report::verdict::plural(n, "unsuppressed finding")
            ),
        )
        .with_level(Level::Notice);
        findings.retain(|f| self.keeps(&f.rule));
        findings.push(notice);
    }
}

/// The notice of a run whose budget phase was skipped (`why`: the flag)
/// while `services` services are gated on their budgets: what was not read.
pub fn budget_skipped(services: usize, why: &str) -> Finding {
    Finding::new(
        "prr/budget-skipped",
        "",
        Pos::default(),
        format!(
            "the budget phase was skipped ({why}): the error budgets of {} were not read and \
             gate nothing in this run",
            crate::report::verdict::plural(services, "service")
        ),
    )
    .with_level(Level::Notice)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_globs_and_commas() {
        let s =
            RuleSelection::new(&["rollout,alerts/for".into()], &["rollout/pdb".into()]).unwrap();
        assert!(s.keeps("rollout/replicas"));
        assert!(s.keeps("alerts/for"));
        assert!(!s.keeps("alerts/duplicate"));
        assert!(!s.keeps("rollout/pdb"));
        assert!(RuleSelection::new(&[], &[]).unwrap().is_all());
        assert!(RuleSelection::new(&["a/[".into()], &[]).is_err());
    }

    #[test]
    fn left_out_findings_are_counted() {
        let s = RuleSelection::new(&[], &["secrets".into()]).unwrap();
        let mut fs = vec![
            Finding::new("secrets/aws", "a", Pos::line(1), "x"),
            Finding::new("secrets/aws", "b", Pos::line(1), "x"),
            Finding::new("rollout/pdb", "c", Pos::line(1), "x"),
        ];
        s.apply(&mut fs);
        assert_eq!(fs.len(), 2);
        assert_eq!(fs[1].rule, "prr/selection");
        assert!(
            fs[1].message.contains("2 unsuppressed findings"),
            "{}",
            fs[1].message
        );
    }

    #[test]
    fn fail_levels() {
        assert!(FailLevel::Error.fails(1, 0) && !FailLevel::Error.fails(0, 3));
        assert!(FailLevel::Warning.fails(0, 1));
        assert!(!FailLevel::Never.fails(5, 5));
    }
}
