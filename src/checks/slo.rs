//! SLO checks (`slo/…`): presence, schema, objective, window, SLI queries, coverage.
//!
//! All of them read the normalised [`SloSpec`]s of the inventory (see
//! `formats::slo`), so they work the same for OpenSLO, Sloth, Pyrra and
//! slo-generator definitions.

use super::Context;
use crate::config::{Service, Tier};
use crate::finding::Finding;
use crate::formats::parse_duration;
use crate::formats::slo::{SliCategory, SloFormat, SloSpec, render_query_template};
use crate::rules::Rule;
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
pub fn present(ctx: &Context, rule: &Rule, _p: &Present) -> Vec<Finding> {
    ctx.services
        .iter()
        .filter(|svc| slos_of(ctx, svc).is_empty())
        .map(|svc| {
            // Without declared services, "the service" is prr's guess (the
            // folder): the SLOs may live elsewhere, so say what was seen.
            if ctx.implicit_service {
                return Finding::new(
                    &rule.id,
                    "",
                    Pos::default(),
                    "no SLO in this repository (OpenSLO, Sloth, Pyrra or slo-generator); no service is declared, so none is required: declare services in prr.yaml (or catalog-info.yaml) to require an SLO for each",
                )
                .with_service(&svc.name)
                .with_level(crate::finding::Level::Notice);
            }
            Finding::new(
                &rule.id,
                "",
                Pos::default(),
                format!(
                    "service `{}` has no SLO: define at least one (OpenSLO, Sloth, Pyrra or slo-generator) with an objective and an SLI, in the service's paths or naming the service",
                    svc.name
                ),
            )
            .with_service(&svc.name)
        })
        .collect()
}

// ------------------------------------------------------------------ schema

/// Parameters of `slo.schema` (none).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Schema {}

/// Runs `slo.schema`: reports the required-field problems found while
/// reading each SLO definition (Sloth's own validation rules for Sloth
/// files and CRDs, the required fields of OpenSLO, Pyrra and slo-generator).
pub fn schema(ctx: &Context, rule: &Rule, _p: &Schema) -> Vec<Finding> {
    let out = ctx
        .inventory
        .slos
        .iter()
        .flat_map(|s| {
            s.schema_issues
                .iter()
                .map(|(pos, msg)| Finding::new(&rule.id, &s.path, *pos, msg.clone()))
        })
        .collect();
    dedup(out)
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
pub fn objective_range(ctx: &Context, rule: &Rule, p: &ObjectiveRange) -> Vec<Finding> {
    let mut out = Vec::new();
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
        out.push(Finding::new(&rule.id, &s.path, o.pos, msg));
    }
    out
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
pub fn window(ctx: &Context, rule: &Rule, p: &Window) -> Vec<Finding> {
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
                out.push(Finding::new(
                    &rule.id,
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
            out.push(Finding::new(
                &rule.id,
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
            out.push(Finding::new(
                &rule.id,
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
            out.push(Finding::new(
                &rule.id,
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
    dedup(out)
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
pub fn sli_query(ctx: &Context, rule: &Rule, _p: &SliQuery) -> Vec<Finding> {
    let mut out = Vec::new();
    for s in real_slos(ctx) {
        for q in s.sli.iter().filter(|q| q.language == "promql") {
            let rendered = render_query_template(&q.query, TEMPLATE_WINDOW);
            if let Err(e) = crate::formats::promql::parse(&rendered) {
                let first = e.lines().next().unwrap_or("invalid PromQL");
                out.push(Finding::new(
                    &rule.id,
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
    dedup(out)
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
pub fn coverage(ctx: &Context, rule: &Rule, p: &Coverage) -> Vec<Finding> {
    let mut out = Vec::new();
    for svc in ctx.services.iter().filter(|s| p.tiers.contains(&s.tier)) {
        let slos = slos_of(ctx, svc);
        let Some(first) = slos.first() else { continue };
        for cat in &p.require {
            if !slos.iter().any(|s| cat.matches(s.category)) {
                let have: Vec<String> = slos.iter().map(|s| format!("`{}`", s.name)).collect();
                out.push(
                    Finding::new(
                        &rule.id,
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
            out.push(
                Finding::new(
                    &rule.id,
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
    out
}

#[cfg(test)]
mod tests {
    use crate::finding::{Finding, Level};
    use crate::testutil::{findings, fixtures, repo};

    /// A Sloth file with one SLO per `(name, objective, error_query)`.
    fn sloth(service: &str, slos: &[(&str, &str, &str)]) -> String {
        let mut s = format!("version: prometheus/v1\nservice: {service}\nslos:\n");
        for (name, objective, error_query) in slos {
            s.push_str(&format!(
                "  - name: {name}\n    objective: {objective}\n    sli:\n      events:\n        error_query: {error_query}\n        total_query: sum(rate(http_requests_total[{{{{.window}}}}]))\n    alerting:\n      name: {name}-alert\n"
            ));
        }
        s
    }

    const ERRORS: &str = r#"sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))"#;

    fn lines(f: &[Finding]) -> Vec<(String, u32)> {
        f.iter().map(|f| (f.path.clone(), f.line)).collect()
    }

    #[test]
    fn present() {
        let cfg = "services:\n  - {name: checkout, paths: [\"checkout/**\"]}\n  - {name: search, paths: [\"search/**\"]}\n";
        let body = sloth("checkout", &[("availability", "99.9", ERRORS)]);
        let dir = repo(&[("prr.yaml", cfg), ("checkout/slo.yaml", &body)]);
        let f = findings(dir.path(), "slo/present");
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(
            (f[0].service.as_deref(), f[0].path.as_str(), f[0].line),
            (Some("search"), "", 0)
        );
        assert!(f[0].message.contains("service `search` has no SLO"));
        // An SLO outside the service's paths that names the service counts.
        let other = sloth("search", &[("availability", "99.9", ERRORS)]);
        let dir = repo(&[
            ("prr.yaml", cfg),
            ("checkout/slo.yaml", &body),
            ("shared/search.yaml", &other),
        ]);
        assert_eq!(findings(dir.path(), "slo/present"), vec![]);
        // No service declared: prr cannot know the SLOs are missing rather
        // than kept elsewhere — a notice, not an error.
        let dir = repo(&[(
            "deploy/app.yaml",
            "kind: ConfigMap\napiVersion: v1\nmetadata: {name: a}\n",
        )]);
        let f = findings(dir.path(), "slo/present");
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].level, crate::finding::Level::Notice);
        assert!(
            f[0].message.contains("no service is declared"),
            "{}",
            f[0].message
        );
    }

    /// Sloth's own `validate` fixtures, one file per repository.
    #[test]
    fn sloth_validate_verdicts() {
        let base = fixtures().join("slo/sloth/test/integration/prometheus/testdata/validate");
        let family = [
            "slo/schema",
            "slo/objective-range",
            "slo/window",
            "slo/sli-query",
        ];
        // One repository per folder; each file is judged by its own findings.
        let verdict = |dir: &str| -> Vec<(String, Vec<Finding>)> {
            let mut files = Vec::new();
            for e in std::fs::read_dir(base.join(dir)).expect("dir").flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                files.push((name, std::fs::read_to_string(e.path()).expect("read")));
            }
            files.sort();
            let refs: Vec<(&str, &str)> = files
                .iter()
                .map(|(n, t)| (n.as_str(), t.as_str()))
                .collect();
            let tmp = repo(&refs);
            let all: Vec<Finding> = findings(tmp.path(), "")
                .into_iter()
                .filter(|f| family.contains(&f.rule.as_str()) && f.level == Level::Error)
                .collect();
            files
                .iter()
                .map(|(n, _)| {
                    (
                        n.clone(),
                        all.iter().filter(|f| &f.path == n).cloned().collect(),
                    )
                })
                .collect()
        };
        let good = verdict("good");
        assert_eq!(good.len(), 7);
        for (name, errs) in &good {
            assert!(errs.is_empty(), "{name}: {errs:?}");
        }
        let bad = verdict("bad");
        assert_eq!(bad.len(), 7);
        let at = |file: &str| -> Vec<(String, u32)> {
            bad.iter()
                .find(|(n, _)| n == file)
                .map(|(_, f)| f.iter().map(|f| (f.rule.clone(), f.line)).collect())
                .unwrap_or_default()
        };
        // objective: 101 (Sloth: objective must be > 0 and <= 100).
        for f in ["bad-aa.yaml", "bad-ab.yaml", "bad-ba.yaml"] {
            assert_eq!(at(f), vec![("slo/objective-range".to_string(), 28)], "{f}");
        }
        // service: "" (Sloth: invalid SLO service), reported once for the file.
        assert_eq!(at("bad-k8s.yaml"), vec![("slo/schema".to_string(), 7)]);
        // alerting.name: "" while the page alert is enabled.
        assert_eq!(
            at("bad-multi-k8s.yaml"),
            vec![("slo/schema".to_string(), 22)]
        );
        // sli: {} (Sloth: at least one SLI type is required).
        assert_eq!(at("bad-multi.yaml"), vec![("slo/schema".to_string(), 77)]);
        // bad-openslo.yaml differs from good-openslo.yaml only by a 28-day
        // window. Its `# BAD!` dates from Sloth versions that read only
        // 30-day OpenSLO windows; Sloth at the fixture commit ships the
        // google-28d alert windows and its OpenSLO loader test maps a 28-day
        // window, so the file is valid and prr reports nothing.
        assert_eq!(at("bad-openslo.yaml"), vec![]);
        assert_eq!(bad.iter().filter(|(_, f)| !f.is_empty()).count(), 6);
    }

    #[test]
    fn schema_sloth_rules() {
        let body = "version: prometheus/v1\nservice: checkout\nslos:\n  - name: a\n    objective: 99.9\n    sli:\n      events:\n        error_query: sum(rate(x[5m]))\n        total_query: sum(rate(x[5m]))\n";
        let dir = repo(&[("slo.yaml", body)]);
        let f = findings(dir.path(), "slo/schema");
        let msgs: Vec<_> = f.iter().map(|f| (f.line, f.message.clone())).collect();
        // Single-character name, queries without {{.window}}, same queries, no alert name.
        assert!(
            msgs.iter()
                .any(|(l, m)| *l == 4 && m.contains("SLO name `a`")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|(l, m)| *l == 8 && m.contains("{{.window}}")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|(l, m)| *l == 9 && m.contains("same query")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|(l, m)| *l == 4 && m.contains("alerting.name")),
            "{msgs:?}"
        );
        let ok = sloth("checkout", &[("availability", "99.9", ERRORS)]);
        let dir = repo(&[("slo.yaml", &ok)]);
        assert_eq!(findings(dir.path(), "slo/schema"), vec![]);
    }

    #[test]
    fn objective_range() {
        let body = sloth(
            "checkout",
            &[("availability", "100", ERRORS), ("latency", "99.5", ERRORS)],
        );
        let dir = repo(&[("slo.yaml", &body)]);
        let f = findings(dir.path(), "slo/objective-range");
        assert_eq!(lines(&f), vec![("slo.yaml".to_string(), 5)]);
        assert!(
            f[0].message.contains("objective `100`") && f[0].message.contains("no error budget")
        );
        // OpenSLO writes a ratio: 99.9 there is a percent by mistake.
        let o = "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: a}\nspec:\n  service: s\n  indicator:\n    spec:\n      ratioMetric:\n        good: {metricSource: {type: Prometheus, spec: {query: sum(good)}}}\n        total: {metricSource: {type: Prometheus, spec: {query: sum(total)}}}\n  timeWindow: [{duration: 28d}]\n  objectives:\n    - target: 99.9\n";
        let dir = repo(&[("o.yaml", o)]);
        let f = findings(dir.path(), "slo/objective-range");
        assert_eq!(lines(&f), vec![("o.yaml".to_string(), 13)]);
        assert!(f[0].message.contains("`0.999`"), "{}", f[0].message);
    }

    #[test]
    fn window() {
        let pyrra = |w: &str| {
            format!(
                "apiVersion: pyrra.dev/v1alpha1\nkind: ServiceLevelObjective\nmetadata: {{name: a}}\nspec:\n  target: \"99\"\n{w}  indicator:\n    ratio:\n      errors: {{metric: 'x_total{{code=\"500\"}}'}}\n      total: {{metric: x_total}}\n"
            )
        };
        let dir = repo(&[
            ("ok.yaml", &pyrra("  window: 4w\n")),
            ("short.yaml", &pyrra("  window: 1d\n")),
            ("garbled.yaml", &pyrra("  window: 28days\n")),
            ("missing.yaml", &pyrra("")),
            (
                "sloth.yaml",
                &sloth("s", &[("availability", "99.9", ERRORS)]),
            ),
        ]);
        let f = findings(dir.path(), "slo/window");
        assert_eq!(
            lines(&f),
            vec![
                ("garbled.yaml".to_string(), 6),
                ("missing.yaml".to_string(), 1),
                ("short.yaml".to_string(), 6)
            ]
        );
        assert!(f[0].message.contains("`28days` ") && f[0].message.contains("does not parse"));
        assert!(f[2].message.contains("shorter than 7d"));
        // Parameters: a team that wants at least 30 days.
        let cfg = "rules:\n  slo/window:\n    with: {min: 30d}\n";
        let dir = repo(&[("prr.yaml", cfg), ("ok.yaml", &pyrra("  window: 4w\n"))]);
        let f = findings(dir.path(), "slo/window");
        assert_eq!(lines(&f), vec![("ok.yaml".to_string(), 6)]);
    }

    #[test]
    fn sli_query() {
        let broken = r#"sum(rate(http_requests_total{code=~"5.."}[{{.window}}])"#;
        let body = sloth(
            "checkout",
            &[("availability", "99.9", ERRORS), ("broken", "99.9", broken)],
        );
        let dir = repo(&[("slo.yaml", &body)]);
        let f = findings(dir.path(), "slo/sli-query");
        assert_eq!(lines(&f), vec![("slo.yaml".to_string(), 16)]);
        assert_eq!(f[0].column, 22);
        assert!(
            f[0].message.contains("SLI `errors` query of SLO `broken`"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn window_params_are_validated() {
        let doc = |t: &str| crate::yaml::parse_documents(t).expect("yaml").remove(0);
        let err =
            crate::checks::params::<super::Window>(&doc("min: soon\n")).expect_err("bad duration");
        assert!(err.contains("`soon` is not a duration"), "{err}");
        let p = crate::checks::params::<super::Window>(&doc("max: 31d\n")).expect("params");
        assert_eq!((p.min.as_str(), p.max.as_str()), ("7d", "31d"));
        assert!(crate::checks::params::<super::Coverage>(&doc("maximum: 3\n")).is_err());
    }

    /// The public examples of every format pass the definition checks.
    #[test]
    fn public_examples_pass() {
        let family = [
            "slo/schema",
            "slo/objective-range",
            "slo/window",
            "slo/sli-query",
        ];
        for d in ["openslo", "pyrra", "slo-generator", "sloth/examples"] {
            let f: Vec<Finding> = findings(&fixtures().join("slo").join(d), "")
                .into_iter()
                .filter(|f| family.contains(&f.rule.as_str()))
                .collect();
            assert_eq!(f, vec![], "{d}");
        }
    }

    #[test]
    fn coverage_and_too_many() {
        let cfg = "services:\n  - {name: checkout, paths: [\"checkout/**\"], tier: critical}\n  - {name: search, paths: [\"search/**\"], tier: standard}\n";
        let avail = sloth("checkout", &[("requests-availability", "99.9", ERRORS)]);
        let search = sloth("search", &[("requests-availability", "99.9", ERRORS)]);
        let dir = repo(&[
            ("prr.yaml", cfg),
            ("checkout/slo.yaml", &avail),
            ("search/slo.yaml", &search),
        ]);
        let f = findings(dir.path(), "slo/coverage");
        assert_eq!(lines(&f), vec![("checkout/slo.yaml".to_string(), 4)]);
        assert!(
            f[0].message.contains("has no latency SLO"),
            "{}",
            f[0].message
        );
        assert_eq!(f[0].service.as_deref(), Some("checkout"));
        // A bucket query makes the second SLO a latency SLO.
        let lat = r#"sum(rate(http_request_duration_seconds_count[{{.window}}])) - sum(rate(http_request_duration_seconds_bucket{le="0.3"}[{{.window}}]))"#;
        let both = sloth(
            "checkout",
            &[
                ("requests-availability", "99.9", ERRORS),
                ("fast-requests", "99", lat),
            ],
        );
        let dir = repo(&[
            ("prr.yaml", cfg),
            ("checkout/slo.yaml", &both),
            ("search/slo.yaml", &search),
        ]);
        assert_eq!(findings(dir.path(), "slo/coverage"), vec![]);
        assert_eq!(findings(dir.path(), "slo/too-many"), vec![]);
        // Six SLOs: one too many (a warning).
        let names = ["a1", "a2", "a3", "a4", "a5", "a6"];
        let six: Vec<(&str, &str, &str)> = names.iter().map(|n| (*n, "99.9", ERRORS)).collect();
        let dir = repo(&[
            ("prr.yaml", cfg),
            ("checkout/slo.yaml", &both),
            ("search/slo.yaml", &sloth("search", &six)),
        ]);
        let f = findings(dir.path(), "slo/too-many");
        assert_eq!(lines(&f), vec![("search/slo.yaml".to_string(), 44)]);
        assert_eq!(f[0].level, Level::Warning);
        assert!(f[0].message.contains("has 6 SLOs, more than 5"));
    }
}
