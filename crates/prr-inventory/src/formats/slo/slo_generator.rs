//! Google slo-generator `sre.google.com/v2` `ServiceLevelObjective`.

use super::model::{SliCategory, SloDocument, SloSpec};
use super::read::{categorise, language_of, named_spec, objective_at, query, spec_of, text};
use crate::yaml::Node;

pub(super) fn slo_generator(d: &SloDocument) -> SloSpec {
    let doc = &d.node;
    let mut s = named_spec(d);
    s.service = doc
        .path("metadata.labels.service_name")
        .and_then(Node::scalar_text);
    let Some(spec) = spec_of(d, &mut s) else {
        return s;
    };
    objective_at(
        spec,
        "goal",
        1.0,
        &mut s,
        "`spec.goal` is required (a ratio such as 0.999)",
        |v| {
            format!(
                "`spec.goal` must be a ratio such as 0.999, found {}",
                v.type_name()
            )
        },
    );
    let backend = text(spec, "backend").map(|(b, _)| b);
    if backend.is_none() {
        s.schema_issues.push((
            spec.pos,
            "`spec.backend` is required (e.g. prometheus)".to_string(),
        ));
    }
    let method = spec.get("method").and_then(Node::as_str).unwrap_or("");
    if method.is_empty() {
        s.schema_issues.push((
            spec.pos,
            "`spec.method` is required (good_bad_ratio, distribution_cut or query_sli)".to_string(),
        ));
    }
    let language = language_of(backend.as_deref().unwrap_or(""));
    match spec.get("service_level_indicator").filter(|n| n.is_map()) {
        None => s.schema_issues.push((
            spec.pos,
            "`spec.service_level_indicator` is required".to_string(),
        )),
        Some(sli) => {
            for (key, role) in [
                ("filter_good", "good"),
                ("filter_bad", "bad"),
                ("filter_valid", "valid"),
                ("expression", "expression"),
            ] {
                if let Some(q) = query(role, sli, key, &language) {
                    s.sli.push(q);
                }
            }
            if s.sli.is_empty() {
                s.schema_issues.push((sli.pos, "`service_level_indicator` needs `filter_good`/`filter_bad`/`filter_valid` or `expression`".to_string()));
            }
        }
    }
    let desc = spec.get("description").and_then(Node::as_str).unwrap_or("");
    let slo_label = doc
        .path("metadata.labels.slo_name")
        .and_then(Node::as_str)
        .unwrap_or("");
    let default = if method == "distribution_cut" {
        SliCategory::Latency
    } else {
        SliCategory::Availability
    };
    s.category = categorise(&[&s.name, desc, slo_label], &s.sli, default);
    s
}
