//! `slo/coverage`: the SLI categories a service's SLOs cover.

use super::*;
use std::collections::BTreeMap;

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
        if p.max_per_service > 0 {
            // An SLO that names a service prr was not told about (Sloth
            // `service:`, OpenSLO `spec.service`) belongs to that service
            // as its authors see it: a collection of many teams' SLOs under
            // one implicit service is counted per named service.
            let mut by_service: BTreeMap<&str, Vec<&SloSpec>> = BTreeMap::new();
            for s in &slos {
                let name = s.service.as_deref().unwrap_or(&svc.name);
                by_service.entry(name).or_default().push(s);
            }
            for (name, group) in by_service {
                if group.len() <= p.max_per_service {
                    continue;
                }
                let extra = group[p.max_per_service];
                sink.push(
                    sink.finding(
                        &extra.path,
                        extra.pos,
                        format!(
                            "service `{name}` has {} SLOs, more than {}: too many SLOs dilute attention and alerts; keep the few that reflect what users feel",
                            group.len(),
                            p.max_per_service
                        ),
                    )
                    .with_service(&svc.name),
                );
            }
        }
    }
}
