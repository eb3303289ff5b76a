//! `prr schema`: JSON Schemas (draft 2020-12) for prr.yaml and rule files,
//! generated with `schemars` from the same types the loader deserializes,
//! so an editor (e.g. the YAML language server's `# yaml-language-server:
//! $schema=` comment) completes and validates exactly what prr accepts.

use crate::cli::SchemaKind;

/// The schema of `kind` as pretty-printed JSON.
///
/// Errors: none in practice (serialising a generated schema).
pub fn json(kind: SchemaKind) -> anyhow::Result<String> {
    let schema = match kind {
        SchemaKind::Config => with_provider_types(crate::config::json_schema()),
        SchemaKind::Rule => crate::rules::json_schema(),
    };
    Ok(serde_json::to_string_pretty(&schema)?)
}

/// prr.yaml's schema with `budget.providers` entries spelled out per
/// provider type: one `oneOf` branch per line of the providers' registry
/// (`prr_budget::providers::REGISTRY`), each that type's own options plus
/// `type: <name>`, so an editor flags a key of another provider type as
/// prr does.
fn with_provider_types(mut schema: serde_json::Value) -> serde_json::Value {
    let mut branches = Vec::new();
    for t in crate::budget::providers::REGISTRY {
        let mut branch = (t.schema)().to_value();
        let Some(b) = branch.as_object_mut() else {
            continue;
        };
        // The options' own definitions (AuthConfig, Unit) join the root's.
        if let Some(serde_json::Value::Object(defs)) = b.remove("$defs")
            && let Some(root) = schema.get_mut("$defs").and_then(|d| d.as_object_mut())
        {
            for (k, v) in defs {
                root.entry(k).or_insert(v);
            }
        }
        b.remove("$schema");
        if let Some(props) = b.get_mut("properties").and_then(|p| p.as_object_mut()) {
            props.insert("type".into(), serde_json::json!({ "const": t.name }));
            // serde's alias, which schemars does not list.
            if let Some(h) = props.get("headers-env").cloned() {
                props.insert("headers".into(), h);
            }
        }
        match b.get_mut("required").and_then(|r| r.as_array_mut()) {
            Some(r) => r.push("type".into()),
            None => {
                b.insert("required".into(), serde_json::json!(["type"]));
            }
        }
        branches.push(branch);
    }
    if let Some(p) = schema.pointer_mut("/$defs/ProviderConfig") {
        *p = serde_json::json!({
            "description": "One budget provider: `type` and the options that type takes.",
            "oneOf": branches,
        });
    }
    schema
}
