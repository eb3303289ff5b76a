//! The coverage counts of a run ([`Coverage`]: what prr read and what it
//! did not), taken from the inventory after rendering. The reporters show
//! them (`prr::report::coverage`).

use crate::inventory::{FileKind, Inventory};
use crate::render::{RenderState, SourceKind};
use crate::report::coverage::{Coverage, RenderCounts};
use std::collections::BTreeMap;

const WORKLOAD_KINDS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Rollout",
    "Job",
    "CronJob",
    "Pod",
];

/// Counts what `inv` holds.
pub fn of(inv: &Inventory) -> Coverage {
    let mut slos: BTreeMap<String, usize> = BTreeMap::new();
    for s in inv.slos.iter().filter(|s| !s.placeholder) {
        *slos.entry(s.format.label().to_string()).or_default() += 1;
    }
    let (mut alerting, mut recording) = (0, 0);
    for f in &inv.rule_files {
        for r in f.rules() {
            if r.alert.is_some() {
                alerting += 1;
            } else {
                recording += 1;
            }
        }
    }
    let count = |rule: &str| inv.problems.iter().filter(|p| p.rule == rule).count();
    let mut renders: BTreeMap<String, RenderCounts> = BTreeMap::new();
    for r in &inv.renders {
        let c = renders.entry(kind_label(r.kind).to_string()).or_default();
        match r.state {
            RenderState::Rendered => {
                c.rendered += 1;
                c.objects += r.objects;
            }
            RenderState::Failed => c.failed += 1,
            RenderState::NotRendered => {
                c.not_rendered += 1;
                c.templates_not_rendered += r.templates;
            }
        }
    }
    Coverage {
        renders,
        files: inv.files.len(),
        slos,
        rule_files: inv.rule_files.len(),
        alerting_rules: alerting,
        recording_rules: recording,
        runbooks: inv.runbooks.len(),
        objects: inv.objects.len(),
        workloads: inv
            .objects
            .iter()
            .filter(|o| WORKLOAD_KINDS.contains(&o.kind.as_str()))
            .count(),
        templated_files: inv
            .files
            .iter()
            .filter(|f| f.kind == FileKind::Templated)
            .count(),
        parse_errors: inv
            .files
            .iter()
            .filter(|f| f.kind == FileKind::BrokenYaml)
            .count(),
        skipped_notices: count("prr/skipped"),
    }
}

/// The source kind as the coverage block names it.
fn kind_label(k: SourceKind) -> &'static str {
    match k {
        SourceKind::Kustomization => "overlay",
        SourceKind::Chart => "chart",
        SourceKind::OpenshiftTemplate => "OpenShift Template",
        SourceKind::ClusterServiceVersion => "ClusterServiceVersion",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_what_was_read_and_what_was_not() {
        let dir = crate::testutil::repo(&[
            (
                "slo.yaml",
                "version: prometheus/v1\nservice: shop\nslos:\n  - name: avail\n    objective: 99.9\n    sli:\n      events:\n        error_query: sum(rate(e[{{.window}}]))\n        total_query: sum(rate(t[{{.window}}]))\n    alerting:\n      name: ShopAvail\n",
            ),
            (
                "rules.yaml",
                "groups:\n  - name: g\n    rules:\n      - alert: Down\n        expr: up == 0\n      - record: job:up:sum\n        expr: sum(up)\n",
            ),
            (
                "deploy.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\n",
            ),
            (
                "chart/templates/d.yaml",
                "{{- if .Values.on }}\nkind: Deployment\n{{- end }}\n",
            ),
            ("broken.yaml", "a: [\n"),
        ]);
        let inv =
            crate::inventory::scan(dir.path(), &crate::config::Config::default_for(dir.path()))
                .expect("scan");
        let c = of(&inv);
        assert_eq!(c.slos.get("Sloth"), Some(&1));
        assert_eq!(
            (c.rule_files, c.alerting_rules, c.recording_rules),
            (1, 1, 1)
        );
        assert_eq!((c.objects, c.workloads), (2, 1));
        assert_eq!((c.templated_files, c.parse_errors), (1, 1));
        let text = c.text();
        assert!(text.contains("SLOs         1 (Sloth 1)"), "{text}");
        assert!(text.contains("1 templated file (not rendered)"), "{text}");
        assert!(text.contains("1 file that does not parse"), "{text}");
        let md = c.markdown();
        assert!(
            md.contains("| Kubernetes | 2 objects (1 workload) | – |"),
            "{md}"
        );
    }
}
