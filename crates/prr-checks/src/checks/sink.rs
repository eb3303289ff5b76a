//! [`Sink`]: where an analyzer puts its findings. The analyzer never sees
//! the rule it runs for: the sink stamps each finding with the rule's id,
//! and the runner ([`super::run_all`]) stamps service and level on what the
//! sink collected.

use crate::finding::Finding;
use crate::yaml::Pos;

/// The findings of one analyzer run for one rule, in the order the analyzer
/// reported them.
pub struct Sink<'r> {
    /// The id of the rule the analyzer runs for (`alerts/for`).
    rule: &'r str,
    /// What the analyzer reported so far.
    found: Vec<Finding>,
}

impl<'r> Sink<'r> {
    /// An empty sink for the rule `rule` (its id).
    pub fn new(rule: &'r str) -> Self {
        Sink {
            rule,
            found: Vec::new(),
        }
    }

    /// The id of the rule the findings are about, for the few places that
    /// need it as text (the secret scan's hits are keyed by rule id).
    pub fn id(&self) -> &'r str {
        self.rule
    }

    /// A finding of this rule at `path` (repository-relative; empty for the
    /// repository itself) and `pos`, at level error until the analyzer
    /// lowers it or the runner applies the rule's level. Not yet reported:
    /// hand it to [`Sink::push`].
    pub fn finding(&self, path: &str, pos: Pos, message: impl Into<String>) -> Finding {
        Finding::new(self.rule, path, pos, message)
    }

    /// Reports a finding of this rule at `path` and `pos` as it is
    /// ([`Sink::finding`] then [`Sink::push`]).
    pub fn report(&mut self, path: &str, pos: Pos, message: impl Into<String>) {
        let f = self.finding(path, pos, message);
        self.found.push(f);
    }

    /// Reports `f`.
    pub fn push(&mut self, f: Finding) {
        self.found.push(f);
    }

    /// The findings reported, in order.
    pub fn into_findings(self) -> Vec<Finding> {
        self.found
    }
}

impl Extend<Finding> for Sink<'_> {
    /// Reports each finding of `iter`, in order.
    fn extend<I: IntoIterator<Item = Finding>>(&mut self, iter: I) {
        self.found.extend(iter);
    }
}
