//! `--only`/`--skip`: the rules whose findings a run reports. The checks
//! of the others still run, so what is left out is counted exactly in one
//! `prr/selection` notice (a scope pass, after the readiness scores).

use crate::finding::{Finding, Level};
use crate::pass::ScopePass;
use crate::yaml::Pos;

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
                prr_core::text::plural(n, "unsuppressed finding")
            ),
        )
        .with_level(Level::Notice);
        findings.retain(|f| self.keeps(&f.rule));
        findings.push(notice);
    }
}

impl ScopePass for &RuleSelection {
    fn name(&self) -> &'static str {
        "--only/--skip"
    }

    fn apply(&mut self, findings: &mut Vec<Finding>) {
        RuleSelection::apply(self, findings);
    }
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
}
