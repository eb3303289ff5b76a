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

pub use prr_checks::post::selection::RuleSelection;

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
    fn fail_levels() {
        assert!(FailLevel::Error.fails(1, 0) && !FailLevel::Error.fails(0, 3));
        assert!(FailLevel::Warning.fails(0, 1));
        assert!(!FailLevel::Never.fails(5, 5));
    }
}
