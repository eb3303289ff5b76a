//! The two kinds of post-pass ([`crate::post`] lists and runs them): a
//! [`PostPass`] marks findings before the readiness scores, a [`ScopePass`]
//! scopes the whole gate after them. Here, below every pass, so that the
//! passes and the registry that lists them do not import each other.

use crate::finding::Finding;

/// A pass that marks findings before the readiness scores.
pub trait PostPass {
    /// The pass's name in timing lines (`PRR_TIMINGS=1`).
    fn name(&self) -> &'static str;

    /// Marks one batch of findings: sets `suppressed` and `suppression`,
    /// lowers `level`, fills `fingerprint` or `service`; never unmarks and
    /// never adds or drops a finding. Called once with the checks'
    /// findings, once with the readiness gate's and, when
    /// [`marks_reports`](PostPass::marks_reports), once with the passes'
    /// own.
    fn mark(&mut self, batch: &mut [Finding]);

    /// The pass's own findings (a suppression that expired or matched
    /// nothing, a notice counting what it set aside), asked once after the
    /// last batch.
    fn report(&mut self) -> Vec<Finding> {
        Vec::new()
    }

    /// Whether the pass also marks the passes' own findings ([`report`]):
    /// the tier level caps and fingerprints do; a suppression does not (a
    /// suppression cannot hide the findings about suppressions).
    ///
    /// [`report`]: PostPass::report
    fn marks_reports(&self) -> bool {
        false
    }
}

/// A pass that scopes the whole gate after the readiness scores.
pub trait ScopePass {
    /// The pass's name in timing lines (`PRR_TIMINGS=1`).
    fn name(&self) -> &'static str;

    /// Runs once over every finding (the marking passes' own included):
    /// sets aside (marks suppressed) or drops findings and appends its
    /// notice.
    fn apply(&mut self, findings: &mut Vec<Finding>);
}
