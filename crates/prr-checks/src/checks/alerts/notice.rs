//! Notices the alert checks report instead of findings one by one: about a
//! whole file or the repository, and the count of alerts of non-production
//! environments left unreported.

use crate::checks::Sink;
use crate::finding::Level;
use crate::yaml::Pos;
use std::collections::BTreeMap;

/// Reports a notice about the file `path` as a whole (no line), or about
/// the repository when `path` is empty.
pub(super) fn notice(sink: &mut Sink, path: &str, message: impl Into<String>) {
    let f = sink
        .finding(path, Pos::default(), message)
        .with_level(Level::Notice);
    sink.push(f);
}

/// The alerts left unreported, counted by non-production environment:
/// their total and `"3 <kind>alerts of non-production environments
/// (staging 2, dev 1)"` (`kind`: `""`, or e.g. `"non-paging "`).
pub(super) fn non_production_alerts(
    by_environment: &BTreeMap<&'static str, usize>,
    kind: &str,
) -> (usize, String) {
    let (total, by) = crate::finding::tally(by_environment.iter().map(|(e, n)| (*e, *n)));
    let s = if total == 1 { "" } else { "s" };
    (
        total,
        format!("{total} {kind}alert{s} of non-production environments ({by})"),
    )
}
