//! SLO definitions, normalised across formats: OpenSLO (`openslo/v1`,
//! `openslo/v1alpha`), Sloth (`version: prometheus/v1` files and the
//! `sloth.slok.dev/v1` `PrometheusServiceLevel` CRD), Pyrra
//! (`pyrra.dev/v1alpha1` `ServiceLevelObjective`) and slo-generator
//! (`sre.google.com/v2` `ServiceLevelObjective`).

mod model;
mod openslo;
mod pyrra;
mod read;
mod slo_generator;
mod sloth;

pub use model::{Objective, SliCategory, SliQuery, SloDocument, SloFormat, SloSpec, TimeWindow};
pub use sloth::{valid_label_name, valid_sloth_name};

use crate::yaml::{Node, Pos};
use openslo::{OpenSloRefs, openslo};
use pyrra::pyrra;
use read::placeholder;
use regex::Regex;
use slo_generator::slo_generator;
use sloth::sloth;
use std::sync::OnceLock;

/// Recognises an SLO document by content (never by file name).
pub fn classify(doc: &Node) -> Option<SloFormat> {
    let api = doc.get("apiVersion").and_then(Node::as_str).unwrap_or("");
    let kind = doc.get("kind").and_then(Node::as_str).unwrap_or("");
    if api.starts_with("openslo/") {
        return Some(SloFormat::OpenSlo);
    }
    if api.starts_with("sloth.slok.dev/") && kind == "PrometheusServiceLevel" {
        return Some(SloFormat::SlothCrd);
    }
    if api.starts_with("pyrra.dev/") && kind == "ServiceLevelObjective" {
        return Some(SloFormat::Pyrra);
    }
    if api.starts_with("sre.google.com/") && kind == "ServiceLevelObjective" {
        return Some(SloFormat::SloGenerator);
    }
    if api.is_empty() && doc.get("version").and_then(Node::as_str) == Some("prometheus/v1") {
        return Some(SloFormat::Sloth);
    }
    // An SLO-shaped document under an unexpected apiVersion (`v1alpha1`
    // without its group, a typo in the group) is still that SLO: it is read
    // in the format its kind and spec say, and `expected_api_version`
    // turns the apiVersion into a schema finding, never "no SLO".
    let spec = doc.get("spec");
    let has = |k: &str| spec.and_then(|s| s.get(k)).is_some();
    match kind {
        "PrometheusServiceLevel" if has("slos") => Some(SloFormat::SlothCrd),
        "ServiceLevelObjective" if has("indicator") || has("target") && !has("goal") => {
            Some(SloFormat::Pyrra)
        }
        "ServiceLevelObjective" if has("goal") || has("service_level_indicator") => {
            Some(SloFormat::SloGenerator)
        }
        _ => None,
    }
}

/// The apiVersion group a Kubernetes-style SLO format is served under, or
/// `None` for formats without one (Sloth's plain file, OpenSLO, whose
/// version prefix is what recognises it).
fn expected_api_group(format: SloFormat) -> Option<&'static str> {
    match format {
        SloFormat::SlothCrd => Some("sloth.slok.dev/"),
        SloFormat::Pyrra => Some("pyrra.dev/"),
        SloFormat::SloGenerator => Some("sre.google.com/"),
        SloFormat::OpenSlo | SloFormat::Sloth => None,
    }
}

/// A schema issue at the `apiVersion` line when a document recognised by
/// its kind and spec carries an apiVersion outside its format's group
/// (Pyrra's CRD is `pyrra.dev/v1alpha1`; Kubernetes refuses
/// `apiVersion: v1alpha1`, so the SLO never reaches the cluster).
fn api_version_issue(d: &SloDocument) -> Option<(Pos, String)> {
    let group = expected_api_group(d.format)?;
    let node = d.node.get("apiVersion");
    let api = node.and_then(Node::as_str).unwrap_or("");
    if api.starts_with(group) {
        return None;
    }
    let kind = d.node.get("kind").and_then(Node::as_str).unwrap_or("");
    let shown = if api.is_empty() {
        "no `apiVersion`".to_string()
    } else {
        format!("`apiVersion: {api}`")
    };
    Some((
        node.map_or(d.node.pos, |n| n.pos),
        format!(
            "{shown} is not {name}'s: this {kind} is read as {name}, but the cluster serves it under `{group}…` (e.g. `{group}{version}`) and refuses it as written",
            name = d.format.label(),
            version = match d.format {
                SloFormat::SloGenerator => "v1",
                SloFormat::Pyrra => "v1alpha1",
                _ => "v1",
            },
        ),
    ))
}

/// Extracts every SLO from the recognised documents (all of a repository at
/// once, so OpenSLO `indicatorRef`s can resolve across files).
///
/// Never fails: what is missing or malformed becomes a `schema_issues`
/// entry (a document with no usable SLO yields one `placeholder` entry).
pub fn extract(docs: &[SloDocument]) -> Vec<SloSpec> {
    let refs = OpenSloRefs::collect(docs);
    let mut out = Vec::new();
    for d in docs {
        let first = out.len();
        extract_one(d, &refs, &mut out);
        if let Some(issue) = api_version_issue(d) {
            for s in &mut out[first..] {
                s.schema_issues.insert(0, issue.clone());
            }
        }
    }
    out
}

fn extract_one(d: &SloDocument, refs: &OpenSloRefs, out: &mut Vec<SloSpec>) {
    {
        match d.format {
            SloFormat::OpenSlo => {
                if d.node.get("kind").and_then(Node::as_str) == Some("SLO") {
                    openslo(d, refs, out);
                }
            }
            SloFormat::Sloth => sloth(d, &d.node, false, out),
            SloFormat::SlothCrd => {
                let spec = d.node.get("spec");
                match spec {
                    Some(spec) if spec.is_map() => sloth(d, spec, true, out),
                    _ => out.push(placeholder(d, d.node.pos, "", "`spec` is required")),
                }
            }
            SloFormat::Pyrra => out.push(pyrra(d)),
            SloFormat::SloGenerator => out.push(slo_generator(d)),
        }
    }
}

/// Whether a query uses Sloth's `{{.window}}` template variable (spaces
/// allowed inside the braces, as Sloth's `TplSLIQueryWindowVarRegex`).
pub fn has_window_template(query: &str) -> bool {
    window_template_re().is_match(query)
}

fn window_template_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"\{\{ *\.window *\}\}").expect("constant regex"))
}

/// Replaces the window placeholders SLO tools put into SLI queries by a
/// concrete duration so the query parses as PromQL: Sloth's `{{.window}}`
/// and slo-generator's `[window]`.
pub fn render_query_template(query: &str, window: &str) -> String {
    let q = window_template_re().replace_all(query, window);
    q.replace("[window]", &format!("[{window}]"))
}

#[cfg(test)]
mod tests;
