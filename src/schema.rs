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
        SchemaKind::Config => crate::config::json_schema(),
        SchemaKind::Rule => crate::rules::json_schema(),
    };
    Ok(serde_json::to_string_pretty(&schema)?)
}
