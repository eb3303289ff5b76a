//! kube-linter's ignore annotations, honoured as in-source suppressions.
//!
//! Teams that already run [kube-linter] write why a check does not apply
//! on the object itself: `ignore-check.kube-linter.io/<check>: "<reason>"`
//! in `metadata.annotations`, or `kube-linter.io/ignore-all` for every
//! check. The reason is a claim about the object that holds for prr's rule
//! of the same meaning ("integrations are not getting traffic" answers
//! both kube-linter's `no-readiness-probe` and `rollout/readiness-probe`),
//! so the matching prr findings in that object are suppressed with that
//! reason — kept, listed with it in every report, never gating — like a
//! `prr.dev/ignore` annotation. Checks with no prr counterpart are ignored,
//! and an annotation that matches no finding is not reported (it serves
//! kube-linter).
//!
//! [kube-linter]: https://docs.kubelinter.io/#/configuring-kubelinter?id=ignoring-violations-for-specific-cases

use crate::finding::{Finding, SuppressionKind};
use crate::inventory::Inventory;
use std::collections::HashMap;

/// The annotation prefix of one check.
const PREFIX: &str = "ignore-check.kube-linter.io/";
/// The annotation that ignores every check.
const ALL: &str = "kube-linter.io/ignore-all";

/// kube-linter check → the prr rules that make the same claim.
/// (`unset-cpu-requirements` alone has none: `rollout/resources` also asks
/// for memory.)
const CHECKS: &[(&str, &[&str])] = &[
    ("no-readiness-probe", &["rollout/readiness-probe"]),
    ("no-liveness-probe", &["rollout/liveness-probe"]),
    ("latest-tag", &["rollout/image-pinned"]),
    ("minimum-three-replicas", &["rollout/replicas"]),
    ("unset-memory-requirements", &["rollout/memory-limit"]),
    ("pdb-max-unavailable", &["rollout/pdb"]),
    ("pdb-min-available", &["rollout/pdb"]),
];

/// One object's ignore: the lines it spans, the prr rules, the reason and
/// where it is written.
struct Ignore {
    lines: (u32, u32),
    rules: Vec<&'static str>,
    reason: String,
    at: u32,
}

/// The kube-linter annotations of the inventory's objects, read once.
pub(super) struct KubeLinter<'a> {
    /// Per file, the objects' ignores.
    ignores: HashMap<&'a str, Vec<Ignore>>,
}

impl<'a> KubeLinter<'a> {
    /// Reads the annotations of every object of `inventory`.
    pub(super) fn new(inventory: &'a Inventory) -> KubeLinter<'a> {
        KubeLinter {
            ignores: ignores(inventory),
        }
    }
}

impl crate::pass::PostPass for KubeLinter<'_> {
    fn name(&self) -> &'static str {
        "kube-linter annotations"
    }

    /// Suppresses the findings that the annotations cover (see the module
    /// docs).
    fn mark(&mut self, batch: &mut [Finding]) {
        for f in batch.iter_mut().filter(|f| !f.suppressed) {
            let Some(list) = self.ignores.get(f.path.as_str()) else {
                continue;
            };
            let hit = list.iter().find(|i| {
                (i.lines.0..=i.lines.1).contains(&f.line)
                    && i.rules.iter().any(|r| match r.strip_suffix('*') {
                        Some(family) => f.rule.starts_with(family),
                        None => f.rule == *r,
                    })
            });
            if let Some(i) = hit {
                f.suppress(
                    SuppressionKind::InSource,
                    i.reason.clone(),
                    format!("{}:{}", f.path, i.at),
                );
            }
        }
    }
}

/// The ignores of every annotated object, by file.
fn ignores(inventory: &Inventory) -> HashMap<&str, Vec<Ignore>> {
    // Object spans per file: from its first line to the next object's.
    let mut starts: HashMap<&str, Vec<u32>> = HashMap::new();
    for o in &inventory.objects {
        starts.entry(o.path.as_str()).or_default().push(o.pos.line);
    }
    for v in starts.values_mut() {
        v.sort_unstable();
        v.dedup();
    }
    let mut ignores: HashMap<&str, Vec<Ignore>> = HashMap::new();
    for o in &inventory.objects {
        let Some(ann) = o.node.path("metadata.annotations") else {
            continue;
        };
        let mut rules = Vec::new();
        let mut reasons = Vec::new();
        let mut at = o.pos.line;
        for (key, value) in ann.entries() {
            let name = key.name.as_str();
            let matched: Vec<&'static str> = if name == ALL {
                vec!["rollout/*"]
            } else if let Some(check) = name.strip_prefix(PREFIX) {
                CHECKS
                    .iter()
                    .filter(|(c, _)| *c == check)
                    .flat_map(|(_, r)| r.iter().copied())
                    .collect()
            } else {
                continue;
            };
            if matched.is_empty() {
                continue;
            }
            at = key.pos.line;
            rules.extend(matched);
            let why = value.scalar_text().unwrap_or_default();
            reasons.push(if why.trim().is_empty() {
                format!("`{name}`")
            } else {
                format!("`{name}`: {}", why.trim())
            });
        }
        if rules.is_empty() {
            continue;
        }
        let file_starts = &starts[o.path.as_str()];
        let end = file_starts
            .iter()
            .find(|l| **l > o.pos.line)
            .map_or(u32::MAX, |l| l - 1);
        ignores.entry(o.path.as_str()).or_default().push(Ignore {
            lines: (o.pos.line, end),
            rules,
            reason: format!("kube-linter annotation {}", reasons.join("; ")),
            at,
        });
    }
    ignores
}
