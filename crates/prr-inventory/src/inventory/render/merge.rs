//! One finding for one problem in several overlays.
//!
//! Objects rendered identically by several overlays are one object already
//! ([`super::kustomize`]). Overlays that differ elsewhere (a namespace, a
//! label) still share most of a base: the same problem at the same source
//! line then gives one finding per overlay, differing only in the overlay
//! named. These are merged into one finding listing the overlays (the same
//! for charts).

use crate::finding::Finding;
use std::collections::BTreeMap;

/// Splits a message around its ` (overlay a)` / ` (overlays a, b)` /
/// ` (chart c)` part: (text before, via, sources, text after).
pub fn split(message: &str) -> Option<(&str, &'static str, Vec<String>, &str)> {
    for (marker, via) in [
        (" (overlays ", "overlay"),
        (" (overlay ", "overlay"),
        (" (charts ", "chart"),
        (" (chart ", "chart"),
    ] {
        if let Some(at) = message.find(marker) {
            let rest = &message[at + marker.len()..];
            let end = rest.find(')')?;
            let sources = rest[..end].split(", ").map(str::to_string).collect();
            return Some((&message[..at], via, sources, &rest[end + 1..]));
        }
    }
    None
}

/// (rule, path, line, column, message without its overlay list).
type Key = (String, String, u32, u32, String);

/// Merges findings that differ only in the overlays (or charts) their
/// message names (same rule, file, line, column and other text); the first
/// keeps its place, with every overlay listed in order.
pub fn merge_overlay_findings(findings: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
    let mut seen: BTreeMap<Key, (usize, Vec<String>)> = BTreeMap::new();
    for f in findings {
        let Some((before, via, sources, after)) = split(&f.message) else {
            out.push(f);
            continue;
        };
        let key = (
            f.rule.clone(),
            f.path.clone(),
            f.line,
            f.column,
            format!("{before}\u{0}{via}\u{0}{after}"),
        );
        match seen.get_mut(&key) {
            Some((i, list)) => {
                for s in sources {
                    if !list.contains(&s) {
                        list.push(s);
                    }
                }
                let plural = if list.len() > 1 { "s" } else { "" };
                out[*i].message = format!("{before} ({via}{plural} {}){after}", list.join(", "));
            }
            None => {
                seen.insert(key, (out.len(), sources));
                out.push(f);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::Pos;

    #[test]
    fn merges_only_what_differs_in_the_overlay() {
        let f = |m: &str| {
            Finding::new(
                "rollout/replicas",
                "base/d.yaml",
                Pos::line(6),
                m.to_string(),
            )
        };
        let out = merge_overlay_findings(vec![
            f("replicas: 1 on Deployment/web (overlay o/a) — run more"),
            f("replicas: 1 on Deployment/web (overlays o/b, o/c) — run more"),
            f("replicas: 1 on Deployment/api (overlay o/a) — run more"),
            f("replicas: 1 on Deployment/web — run more"),
        ]);
        let m: Vec<_> = out.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            m,
            [
                "replicas: 1 on Deployment/web (overlays o/a, o/b, o/c) — run more",
                "replicas: 1 on Deployment/api (overlay o/a) — run more",
                "replicas: 1 on Deployment/web — run more",
            ]
        );
    }
}
