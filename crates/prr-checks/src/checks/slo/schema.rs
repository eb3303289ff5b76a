//! `slo/schema`: each SLO file is a valid definition of its format.

use super::*;

/// Parameters of `slo.schema` (none).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Schema {}

/// Runs `slo.schema`: reports the required-field problems found while
/// reading each SLO definition (Sloth's own validation rules for Sloth
/// files and CRDs, the required fields of OpenSLO, Pyrra and slo-generator).
pub fn schema(ctx: &Context, _p: &Schema, sink: &mut Sink) {
    let out: Vec<Finding> = ctx
        .inventory
        .slos
        .iter()
        .flat_map(|s| {
            s.schema_issues
                .iter()
                .map(|(pos, msg)| sink.finding(&s.path, *pos, msg.clone()))
        })
        .collect();
    sink.extend(dedup(out));
}
