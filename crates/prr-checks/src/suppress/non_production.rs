//! Non-production trees: findings in test, example and development folders
//! (`test/`, `testdata/`, `examples/`, `hack/`, `e2e/`, …) do not gate.
//!
//! Manifests and rule files there are often deliberately incomplete or
//! faulty (a test fixture of a broken Deployment, a minimal example without
//! a PodDisruptionBudget); reporting them as production problems made about
//! one finding in nine on real repositories a false alarm. Such findings are
//! kept and counted — each is marked suppressed with the reason "non-production
//! path", and one `prr/non-production` notice per tree says how many findings
//! of which rules it holds and how to gate them — but they never fail the run.
//!
//! Committed secrets are the exception: a live credential in a test fixture
//! is as leaked as one anywhere else, so `secrets/*` findings always gate.
//! prr's own findings about suppressions and the baseline (`prr/suppression-*`,
//! `prr/baseline-*`) gate too: they are about the gate itself.
//!
//! The globs are prr.yaml's `non-production:` (default
//! [`DEFAULT_NON_PRODUCTION_GLOBS`]; `non-production: []` turns this off) and
//! `prr check --include-non-production` gates everything.

use crate::finding::{Finding, Level, SuppressionKind};
use crate::pass::PostPass;
use crate::yaml::Pos;
use std::collections::BTreeMap;

pub use prr_config::DEFAULT_NON_PRODUCTION_GLOBS;

/// The rule the per-tree notice is reported under.
pub const RULE: &str = "prr/non-production";

/// Whether findings of `rule` gate wherever they are.
pub(crate) fn gates_everywhere(rule: &str) -> bool {
    rule.starts_with("secrets/")
        || rule.starts_with("prr/suppression-")
        || rule.starts_with("prr/baseline-")
        || rule == RULE
}

/// The tree a path belongs to: the path up to and including the first
/// component that one of `globs` makes non-production (`examples/` for
/// `examples/a/b.yaml`, `src/x/test/` for `src/x/test/y.yaml`).
fn tree_of(path: &str, set: &globset::GlobSet) -> Option<String> {
    if !set.is_match(path) {
        return None;
    }
    // The shortest prefix `p/` below which a file still matches: probe each
    // prefix with a placeholder and with the path's own file name (for
    // globs such as `**/test/*.yaml`).
    let base = path.rsplit('/').next().unwrap_or(path);
    let mut prefix = String::new();
    for comp in path.split('/') {
        prefix.push_str(comp);
        prefix.push('/');
        if prefix.len() >= path.len() {
            break;
        }
        if set.is_match(format!("{prefix}x")) || set.is_match(format!("{prefix}{base}")) {
            return Some(prefix);
        }
    }
    Some(path.to_string())
}

/// The non-production trees pass: marks every unsuppressed error or
/// warning under a non-production tree as suppressed, and reports one
/// `prr/non-production` notice per tree with the count of findings by rule.
pub struct NonProduction {
    /// The globs (`None`: an empty list, the pass is off).
    set: Option<globset::GlobSet>,
    /// The suppression source: whether the globs are the defaults.
    source: &'static str,
    /// tree → rule → findings set aside.
    trees: BTreeMap<String, BTreeMap<String, usize>>,
}

impl NonProduction {
    /// The pass for prr.yaml `non-production:` globs (valid: the config
    /// validated them).
    pub fn new(globs: &[String]) -> NonProduction {
        let defaults = globs
            .iter()
            .map(String::as_str)
            .eq(DEFAULT_NON_PRODUCTION_GLOBS.iter().copied());
        NonProduction {
            set: (!globs.is_empty()).then(|| crate::inventory::globset(globs)),
            source: if defaults {
                "prr.yaml non-production (default)"
            } else {
                "prr.yaml non-production"
            },
            trees: BTreeMap::new(),
        }
    }
}

impl PostPass for NonProduction {
    fn name(&self) -> &'static str {
        "non-production trees"
    }

    fn mark(&mut self, batch: &mut [Finding]) {
        let Some(set) = &self.set else {
            return;
        };
        for f in batch.iter_mut() {
            if f.suppressed
                || f.path.is_empty()
                || f.level < Level::Warning
                || gates_everywhere(&f.rule)
            {
                continue;
            }
            let Some(tree) = tree_of(&f.path, set) else {
                continue;
            };
            *self
                .trees
                .entry(tree.clone())
                .or_default()
                .entry(f.rule.clone())
                .or_default() += 1;
            f.suppress(
                SuppressionKind::External,
                format!("non-production path (`{tree}`: tests, examples or dev tooling)"),
                self.source.to_string(),
            );
        }
    }

    /// One notice per tree with the count of findings by rule.
    fn report(&mut self) -> Vec<Finding> {
        self.trees
            .iter()
            .map(|(tree, rules)| {
                let (total, list) = crate::finding::tally_by_count(rules);
                Finding::new(
                    RULE,
                    tree.trim_end_matches('/'),
                    Pos::default(),
                    format!(
                        "{total} finding{} in `{tree}` do{} not gate: it is a test, example or development tree ({}); secrets there still gate. Gate them with `prr check --include-non-production` or prr.yaml `non-production: []`",
                        if total == 1 { "" } else { "s" },
                        if total == 1 { "es" } else { "" },
                        list
                    ),
                )
                .with_level(Level::Notice)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pass over one batch: (findings marked, notices).
    fn apply(findings: &mut [Finding], globs: &[String]) -> Vec<Finding> {
        let mut pass = NonProduction::new(globs);
        pass.mark(findings);
        pass.report()
    }

    fn defaults() -> Vec<String> {
        DEFAULT_NON_PRODUCTION_GLOBS
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    fn f(rule: &str, path: &str) -> Finding {
        Finding::new(rule, path, Pos { line: 3, column: 1 }, "m".to_string())
    }

    #[test]
    fn trees_are_the_first_matching_component() {
        let set = crate::inventory::globset(&defaults());
        assert_eq!(
            tree_of("examples/a/b.yaml", &set).as_deref(),
            Some("examples/")
        );
        assert_eq!(
            tree_of("src/x/test/y/z.yaml", &set).as_deref(),
            Some("src/x/test/")
        );
        assert_eq!(tree_of("deploy/prod/app.yaml", &set), None);
        // A component that only contains the word is not a test tree.
        assert_eq!(tree_of("latest/app.yaml", &set), None);
        assert_eq!(tree_of("my-examples/app.yaml", &set), None);
        // A glob naming files, not a tree: the folder is still the tree.
        let set = crate::inventory::globset(&["**/test/*.yaml".to_string()]);
        assert_eq!(tree_of("a/test/b.yaml", &set).as_deref(), Some("a/test/"));
    }

    #[test]
    fn non_production_findings_do_not_gate_but_are_counted() {
        let mut fs = vec![
            f("rollout/replicas", "examples/a.yaml"),
            f("rollout/pdb", "examples/b/c.yaml"),
            f("secrets/github-pat", "examples/a.yaml"),
            f("rollout/replicas", "deploy/a.yaml"),
        ];
        let notices = apply(&mut fs, &defaults());
        assert!(fs[0].suppressed && fs[1].suppressed);
        assert!(!fs[2].suppressed, "secrets gate everywhere");
        assert!(!fs[3].suppressed, "production paths gate");
        assert_eq!(notices.len(), 1);
        assert_eq!(notices[0].level, Level::Notice);
        assert_eq!(notices[0].path, "examples");
        assert!(
            notices[0].message.starts_with("2 findings in `examples/`"),
            "{}",
            notices[0].message
        );
        assert!(notices[0].message.contains("rollout/pdb 1"));
    }

    #[test]
    fn an_empty_list_gates_everything() {
        let mut fs = vec![f("rollout/replicas", "examples/a.yaml")];
        assert!(apply(&mut fs, &[]).is_empty());
        assert!(!fs[0].suppressed);
    }
}
