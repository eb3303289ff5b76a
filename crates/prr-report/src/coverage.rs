//! What a run read and what it did not: the coverage block of every human
//! report (text, Markdown, job summary, sticky comment) and the JSON
//! report's `coverage` object.
//!
//! A gate that passes over files it could not read must say so. Per family
//! the counts are what prr read in the inventory (SLO definitions, alerting
//! and recording rules, runbooks, Kubernetes objects and the workloads among
//! them, files scanned for secrets) and what it did not: templated files
//! (Helm/Go templates not rendered), YAML that does not parse, and the
//! other files set aside with a `prr/skipped` notice (over the size limit,
//! kustomize patches, links out of the tree, vendored trees, LogQL rules).
//! Rendered sources (kustomize overlays, Helm charts, OpenShift Templates,
//! OLM ClusterServiceVersions, see `prr::render`) are counted by
//! outcome: rendered (with the objects they produced), failed, not rendered
//! for want of the tool. Every "not read" count has its notices in the
//! findings, with the file.
//!
//! The counts are taken by `prr::coverage::of` from the inventory; this
//! module holds them and renders them.

use serde::Serialize;
use std::collections::BTreeMap;

/// The coverage of one run. Counts are of the inventory (after `ignore`
/// and the tracked-file set), not of the findings.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Coverage {
    /// Files walked.
    pub files: usize,
    /// SLO definitions read, by format (`Sloth`, `OpenSLO`, `Pyrra`, …).
    pub slos: BTreeMap<String, usize>,
    /// Prometheus rule files and `PrometheusRule` objects read.
    pub rule_files: usize,
    /// Alerting rules in them.
    pub alerting_rules: usize,
    /// Recording rules in them.
    pub recording_rules: usize,
    /// Runbooks (Markdown files under the runbook globs).
    pub runbooks: usize,
    /// Kubernetes objects read (after kustomize patches are set aside).
    pub objects: usize,
    /// Workloads among them (Deployments, StatefulSets, DaemonSets, Argo
    /// Rollouts, Jobs, CronJobs, Pods, ReplicaSets).
    pub workloads: usize,
    /// Templated YAML files not read (Helm/Go templates).
    pub templated_files: usize,
    /// YAML files that do not parse (`prr/parse-error`).
    pub parse_errors: usize,
    /// `prr/skipped` notices: files or documents set aside, each notice
    /// naming what and why.
    pub skipped_notices: usize,
    /// Rendered sources by kind (`kustomization`, `chart`,
    /// `openshift-template`, `cluster-service-version`): how many were
    /// rendered, failed (a `prr/render` finding) or not rendered (no tool:
    /// a notice), and the objects they produced.
    pub renders: BTreeMap<String, RenderCounts>,
}

/// The render outcome of one kind of source (`prr::render::RenderSource`).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RenderCounts {
    /// Rendered (or read in process) and checked.
    pub rendered: usize,
    /// Render failed.
    pub failed: usize,
    /// Not rendered (no tool on PATH).
    pub not_rendered: usize,
    /// Objects the rendered ones produced.
    pub objects: usize,
    /// Template files of charts not rendered.
    pub templates_not_rendered: usize,
}

impl Coverage {
    fn render_text(&self) -> Option<(String, String)> {
        if self.renders.is_empty() {
            return None;
        }
        let mut read = Vec::new();
        let mut not = Vec::new();
        for (kind, c) in &self.renders {
            if c.rendered > 0 {
                let objects = count(c.objects, "object");
                read.push(format!("{} → {objects}", count(c.rendered, kind)));
            }
            if c.failed > 0 {
                not.push(format!("{} failed (prr/render)", count(c.failed, kind)));
            }
            if c.not_rendered > 0 {
                let templates = if c.templates_not_rendered > 0 {
                    format!(", {}", count(c.templates_not_rendered, "template"))
                } else {
                    String::new()
                };
                let charts = count(c.not_rendered, kind);
                not.push(format!("{charts} not rendered (no tool{templates})"));
            }
        }
        let read = if read.is_empty() {
            "none".to_string()
        } else {
            read.join(", ")
        };
        Some((read, not.join("; ")))
    }

    fn slo_text(&self) -> String {
        let n: usize = self.slos.values().sum();
        if n == 0 {
            return "none".to_string();
        }
        let by: Vec<String> = self.slos.iter().map(|(k, v)| format!("{k} {v}")).collect();
        format!("{n} ({})", by.join(", "))
    }

    /// The rows of the block: (family, what was read, what was not).
    fn rows(&self) -> Vec<(&'static str, String, String)> {
        let not_read = {
            let mut parts = Vec::new();
            if self.templated_files > 0 {
                let files = count(self.templated_files, "templated file");
                parts.push(format!("{files} (not rendered)"));
            }
            if self.parse_errors > 0 {
                let files = count(self.parse_errors, "file");
                let verb = if self.parse_errors == 1 { "does" } else { "do" };
                parts.push(format!("{files} that {verb} not parse"));
            }
            if self.skipped_notices > 0 {
                parts.push(format!(
                    "{} set aside (see the prr/skipped notice{})",
                    self.skipped_notices,
                    plural(self.skipped_notices)
                ));
            }
            if parts.is_empty() {
                "–".to_string()
            } else {
                parts.join("; ")
            }
        };
        let mut rows = vec![
            ("SLOs", self.slo_text(), String::new()),
            (
                "alert rules",
                format!(
                    "{} alerting, {} recording in {}",
                    self.alerting_rules,
                    self.recording_rules,
                    count(self.rule_files, "file")
                ),
                String::new(),
            ),
            ("runbooks", self.runbooks.to_string(), String::new()),
            (
                "Kubernetes",
                format!(
                    "{} ({})",
                    count(self.objects, "object"),
                    count(self.workloads, "workload")
                ),
                String::new(),
            ),
        ];
        if let Some((read, not)) = self.render_text() {
            rows.push(("rendered", read, not));
        }
        rows.push(("files", format!("{} read", self.files), not_read));
        rows
    }

    /// The text block: a header and one line per family.
    pub fn text(&self) -> String {
        let mut out = String::from("Coverage\n");
        for (family, read, not) in self.rows() {
            out.push_str(&format!("  {family:<12} {read}"));
            if !not.is_empty() && not != "–" {
                out.push_str(&format!("; not read: {not}"));
            }
            out.push('\n');
        }
        out.push('\n');
        out
    }

    /// The Markdown table (`### Coverage`).
    pub fn markdown(&self) -> String {
        let mut out = String::from("### Coverage\n\n| family | read | not read |\n|---|---|---|\n");
        for (family, read, not) in self.rows() {
            let not = if not.is_empty() {
                "–".to_string()
            } else {
                not
            };
            out.push_str(&format!("| {family} | {read} | {not} |\n"));
        }
        out.push('\n');
        out
    }
}

/// `n` and the noun, plural unless `n` is 1: `1 file`, `3 charts`.
fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", plural(n))
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
