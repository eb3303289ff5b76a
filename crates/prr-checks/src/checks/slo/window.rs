//! `slo/window`: a time window within the allowed range.

use super::*;

fn duration_param<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    match parse_duration(&s) {
        Some(v) if v > 0.0 => Ok(s),
        _ => Err(serde::de::Error::custom(format!(
            "`{s}` is not a duration (write e.g. 7d, 4w, 90d)"
        ))),
    }
}

/// Parameters of `slo.window`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Window {
    /// Shortest accepted SLO time window (Prometheus duration; default `7d`).
    #[serde(deserialize_with = "duration_param")]
    pub min: String,
    /// Longest accepted SLO time window (default `90d`).
    #[serde(deserialize_with = "duration_param")]
    pub max: String,
}

impl Default for Window {
    fn default() -> Self {
        Window {
            min: "7d".to_string(),
            max: "90d".to_string(),
        }
    }
}

/// Runs `slo.window`: the time window is present (where the format keeps it
/// in the file), parses, and lies between `min` and `max`.
pub fn window(ctx: &Context, p: &Window, sink: &mut Sink) {
    let min = parse_duration(&p.min).unwrap_or(7.0 * 86_400.0);
    let max = parse_duration(&p.max).unwrap_or(90.0 * 86_400.0);
    let mut out = Vec::new();
    for s in real_slos(ctx) {
        let Some(w) = &s.window else {
            if s.window_in_file {
                let (key, example) = match s.format {
                    SloFormat::Pyrra => ("spec.window", "window: 4w"),
                    _ => (
                        "spec.timeWindow",
                        "timeWindow: [{duration: 28d, isRolling: true}]",
                    ),
                };
                out.push(sink.finding(
                    &s.path,
                    s.pos,
                    format!(
                        "{} has no time window: the error budget is undefined without one; add `{key}` (e.g. `{example}`)",
                        describe(s)
                    ),
                ));
            }
            continue;
        };
        let Some(secs) = w.seconds else {
            out.push(sink.finding(
                &s.path,
                w.pos,
                format!(
                    "time window `{}` of {} does not parse: write a duration such as `28d` or `4w`",
                    w.raw,
                    describe(s)
                ),
            ));
            continue;
        };
        if secs < min {
            out.push(sink.finding(
                &s.path,
                w.pos,
                format!(
                    "time window `{}` of {} is shorter than {}: a short window makes the error budget too noisy to steer releases; use 28d or 30d",
                    w.raw,
                    describe(s),
                    p.min
                ),
            ));
        } else if secs > max {
            out.push(sink.finding(
                &s.path,
                w.pos,
                format!(
                    "time window `{}` of {} is longer than {}: a long window reacts too slowly to recent failures; use 28d or 30d",
                    w.raw,
                    describe(s),
                    p.max
                ),
            ));
        }
    }
    sink.extend(dedup(out));
}
