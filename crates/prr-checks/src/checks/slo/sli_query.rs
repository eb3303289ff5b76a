//! `slo/sli-query`: SLI queries that parse as PromQL.

use super::*;

/// Parameters of `slo.sli-query` (none).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SliQuery {}

/// The duration that stands in for window placeholders when parsing.
pub(crate) const TEMPLATE_WINDOW: &str = "5m";

/// Runs `slo.sli-query`: every PromQL SLI query parses (window templates
/// such as Sloth's `{{.window}}` are rendered as `5m` first). Queries of
/// other languages (Datadog, …) are skipped.
pub fn sli_query(ctx: &Context, _p: &SliQuery, sink: &mut Sink) {
    let mut out = Vec::new();
    for s in real_slos(ctx) {
        for q in s.sli.iter().filter(|q| q.language == "promql") {
            let rendered = render_query_template(&q.query, TEMPLATE_WINDOW);
            if let Err(e) = crate::formats::promql::parse(&rendered) {
                let first = e.lines().next().unwrap_or("invalid PromQL");
                out.push(sink.finding(
                    &s.path,
                    q.pos,
                    format!(
                        "SLI `{}` query of {} is not valid PromQL: {first}",
                        q.role,
                        describe(s)
                    ),
                ));
            }
        }
    }
    sink.extend(dedup(out));
}
