//! SLO checks (`slo/…`): presence, schema, objective, window, SLI queries, coverage.
//!
//! All of them read the normalised [`SloSpec`]s of the inventory (see
//! `formats::slo`), so they work the same for OpenSLO, Sloth, Pyrra and
//! slo-generator definitions.

use super::{Context, Sink};
use crate::config::{Service, Tier};
use crate::finding::Finding;
use crate::formats::parse_duration;
use crate::formats::slo::{SliCategory, SloFormat, SloSpec, render_query_template};
use crate::yaml::Pos;
use serde::{Deserialize, Deserializer};
use std::collections::HashSet;

/// The SLOs that belong to `service`: stated by name (`service:` in the
/// SLO) or living under the service's paths. Placeholders are skipped.
pub(crate) fn slos_of<'a>(ctx: &'a Context, service: &Service) -> Vec<&'a SloSpec> {
    ctx.inventory
        .slos
        .iter()
        .filter(|s| !s.placeholder)
        .filter(|s| match &s.service {
            Some(name) if ctx.service_named(name).is_some() => name == &service.name,
            _ => ctx.in_service(service, &s.path),
        })
        .collect()
}

/// The SLOs that are real definitions (not schema-issue placeholders).
fn real_slos<'a>(ctx: &'a Context) -> impl Iterator<Item = &'a SloSpec> {
    ctx.inventory.slos.iter().filter(|s| !s.placeholder)
}

/// A short label for messages: `SLO `name` (service `svc`)`.
pub(crate) fn describe(s: &SloSpec) -> String {
    match &s.service {
        Some(svc) => format!("SLO `{}` of service `{svc}`", s.name),
        None => format!("SLO `{}`", s.name),
    }
}

/// Formats a ratio as a percent without float noise (`0.999` → `99.9`).
pub(crate) fn percent(ratio: f64) -> String {
    number(ratio * 100.0)
}

/// Formats a number with up to 6 decimals and no trailing zeros (`0.0144`).
pub(crate) fn number(v: f64) -> String {
    let s = format!("{v:.6}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Removes duplicate findings (same rule, place and message), keeping order.
fn dedup(findings: Vec<Finding>) -> Vec<Finding> {
    let mut seen = HashSet::new();
    findings
        .into_iter()
        .filter(|f| seen.insert((f.path.clone(), f.line, f.column, f.message.clone())))
        .collect()
}

// ------------------------------------------------------------------ present

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

// ------------------------------------------------------------------ schema

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

// ------------------------------------------------------------------ objective

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

// ------------------------------------------------------------------ window

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

// ------------------------------------------------------------------ sli-query

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

// ------------------------------------------------------------------ coverage

/// What an SLO category is called in `require:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Error/success ratio SLOs.
    Availability,
    /// Latency (threshold or histogram bucket) SLOs.
    Latency,
}

impl Category {
    fn matches(self, c: SliCategory) -> bool {
        matches!(
            (self, c),
            (Category::Availability, SliCategory::Availability)
                | (Category::Latency, SliCategory::Latency)
        )
    }

    fn name(self) -> &'static str {
        match self {
            Category::Availability => "availability",
            Category::Latency => "latency",
        }
    }
}

/// Parameters of `slo.coverage`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Coverage {
    /// Tiers whose services are checked (default `[critical]`).
    pub tiers: Vec<Tier>,
    /// SLO categories each such service needs (default `[availability, latency]`).
    pub require: Vec<Category>,
    /// More SLOs than this per service is a finding (default 5; 0 turns the
    /// count off).
    pub max_per_service: usize,
}

impl Default for Coverage {
    fn default() -> Self {
        Coverage {
            tiers: vec![Tier::Critical],
            require: vec![Category::Availability, Category::Latency],
            max_per_service: 5,
        }
    }
}

/// Runs `slo.coverage`: services of the given tiers have an SLO of each
/// required category, and not more than `max-per-service` SLOs. A service
/// without any SLO is left to `slo/present`.
pub fn coverage(ctx: &Context, p: &Coverage, sink: &mut Sink) {
    for svc in ctx.services.iter().filter(|s| p.tiers.contains(&s.tier)) {
        let slos = slos_of(ctx, svc);
        let Some(first) = slos.first() else { continue };
        for cat in &p.require {
            if !slos.iter().any(|s| cat.matches(s.category)) {
                let have: Vec<String> = slos.iter().map(|s| format!("`{}`", s.name)).collect();
                sink.push(
                    sink.finding(
                        &first.path,
                        first.pos,
                        format!(
                            "service `{}` (tier {}) has no {} SLO (its SLOs: {}): add one{}",
                            svc.name,
                            svc.tier.as_str(),
                            cat.name(),
                            have.join(", "),
                            match cat {
                                Category::Availability =>
                                    ", e.g. the ratio of non-5xx responses to all responses",
                                Category::Latency =>
                                    ", e.g. the share of requests faster than a threshold from a histogram `_bucket{le=\"0.3\"}`",
                            }
                        ),
                    )
                    .with_service(&svc.name),
                );
            }
        }
        if p.max_per_service > 0 && slos.len() > p.max_per_service {
            let extra = slos.get(p.max_per_service).unwrap_or(first);
            sink.push(
                sink.finding(
                    &extra.path,
                    extra.pos,
                    format!(
                        "service `{}` has {} SLOs, more than {}: too many SLOs dilute attention and alerts; keep the few that reflect what users feel",
                        svc.name,
                        slos.len(),
                        p.max_per_service
                    ),
                )
                .with_service(&svc.name),
            );
        }
    }
}
