//! `slo/objective-range`: an objective within a sensible range.

use super::*;

/// Parameters of `slo.objective-range` (none).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ObjectiveRange {
    /// Lowest objective accepted, in percent (e.g. `99.9` for a critical
    /// tier); `None`: any objective strictly between 0 and 100 %.
    #[serde(default)]
    pub min: Option<f64>,
}

/// Whether the format writes the objective in percent (Sloth, Pyrra) rather
/// than as a ratio (OpenSLO `target`, slo-generator `goal`).
fn percent_format(s: &SloSpec) -> bool {
    matches!(
        s.format,
        SloFormat::Sloth | SloFormat::SlothCrd | SloFormat::Pyrra
    )
}

/// Runs `slo.objective-range`: the objective must be strictly between 0 and
/// 100 % (a ratio in (0, 1)); 100 % leaves no error budget.
pub fn objective_range(ctx: &Context, p: &ObjectiveRange, sink: &mut Sink) {
    for s in real_slos(ctx) {
        let Some(o) = &s.objective else { continue };
        let pct = percent_format(s);
        let unit = if pct {
            "a percent in (0, 100), e.g. 99.9"
        } else {
            "a ratio in (0, 1), e.g. 0.999 for 99.9 %"
        };
        let msg = if !o.ratio.is_finite() || o.ratio <= 0.0 {
            format!(
                "objective `{}` of {} is not above 0: write {unit}",
                o.raw,
                describe(s)
            )
        } else if (o.ratio - 1.0).abs() < 1e-12 {
            format!(
                "objective `{}` of {} is 100 %: it leaves no error budget, so every failure breaks the SLO and no burn-rate alert can work; choose a reachable objective such as {}",
                o.raw,
                describe(s),
                if pct { "99.9" } else { "0.999" }
            )
        } else if o.ratio > 1.0 {
            if !pct && o.ratio < 100.0 {
                format!(
                    "objective `{}` of {} is above 1: this format writes a ratio, so {} % is `{}`{}",
                    o.raw,
                    describe(s),
                    o.raw,
                    number(o.ratio / 100.0),
                    if s.format == SloFormat::OpenSlo {
                        " (or write `targetPercent`)"
                    } else {
                        ""
                    }
                )
            } else {
                format!(
                    "objective `{}` of {} is above 100 %: write {unit}",
                    o.raw,
                    describe(s)
                )
            }
        } else if let Some(min) = p.min
            && o.ratio * 100.0 < min - 1e-9
        {
            format!(
                "objective `{}` of {} is below {} %, the lowest this service's tier accepts — raise it or change the tier",
                o.raw,
                describe(s),
                number(min)
            )
        } else {
            continue;
        };
        sink.report(&s.path, o.pos, msg);
    }
}
