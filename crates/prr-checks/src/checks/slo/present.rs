//! `slo/present`: every service has at least one SLO.

use super::*;

/// Parameters of `slo.present` (none).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Present {}

/// Runs `slo.present`: every service has at least one SLO.
pub fn present(ctx: &Context, _p: &Present, sink: &mut Sink) {
    let found: Vec<Finding> = ctx
        .services
        .iter()
        .filter(|svc| slos_of(ctx, svc).is_empty())
        .map(|svc| {
            // Without declared services, "the service" is prr's guess (the
            // folder): the SLOs may live elsewhere, so say what was seen.
            if ctx.implicit_service {
                return sink.finding(
                    "",
                    Pos::default(),
                    "no SLO in this repository (OpenSLO, Sloth, Pyrra or slo-generator); no service is declared, so none is required: declare services in prr.yaml (or catalog-info.yaml) to require an SLO for each",
                )
                .with_service(&svc.name)
                .with_level(crate::finding::Level::Notice);
            }
            sink.finding(
                "",
                Pos::default(),
                format!(
                    "service `{}` has no SLO: define at least one (OpenSLO, Sloth, Pyrra or slo-generator) with an objective and an SLI, in the service's paths or naming the service",
                    svc.name
                ),
            )
            .with_service(&svc.name)
        })
        .collect();
    sink.extend(found);
}
