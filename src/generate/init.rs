//! `prr init`: a starting point that passes `prr check` with the default
//! rule pack, written without questions.
//!
//! Files, relative to the target folder:
//!
//! - `prr.yaml`: the service, its paths (`**`) and tier;
//! - `slo/<service>.yaml`: an availability SLO (OpenSLO v1 or Sloth
//!   `prometheus/v1`) whose ratio SLI reads `http_requests_total{code=~"5.."}`
//!   over a 30-day window; for tier `critical` also a latency SLO (requests
//!   under 300 ms, from `http_request_duration_seconds`), which `slo/coverage`
//!   requires of critical services; both use the `--objective` (99.9 %);
//! - `alerts/<service>-slo-burn-rate.yaml`: the burn-rate alerts and
//!   recording rules, written by [`super::alerts`] from that SLO file (so
//!   `prr init` and `prr generate alerts` agree);
//! - `runbooks/<service>-<slo>.md`: one runbook per SLO with the sections
//!   `runbook/sections` expects, which the alerts' `runbook_url` reaches;
//! - `deploy/<service>-pdb.yaml`: a `policy/v1` PodDisruptionBudget
//!   (`maxUnavailable: 1`) selecting `app.kubernetes.io/name: <service>`.
//!
//! No Deployment is written: prr checks a PodDisruptionBudget only against
//! the workloads it finds, so a lone budget passes, and an invented
//! Deployment (image, probes, resources) would be wrong for every real
//! service. The team's own Deployment needs the pod label the budget
//! selects.
//!
//! An existing file is never overwritten without `force`: the error lists
//! every file that exists and nothing is written.

use super::alerts::{self, Kind, Options};
use std::path::{Path, PathBuf};

/// Which SLO format `prr init` writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SloFormat {
    /// OpenSLO v1 (`kind: SLO` with an inline ratio indicator).
    #[default]
    OpenSlo,
    /// Sloth `prometheus/v1` (its own alerts switched off: prr writes them).
    Sloth,
}

/// What `prr init` writes.
#[derive(Clone, Debug)]
pub struct InitOptions {
    /// Target folder (created when missing).
    pub root: PathBuf,
    /// Service name: a DNS-1123 label (lowercase letters, digits, `-`, at most 63).
    pub service: String,
    /// Tier written to prr.yaml.
    pub tier: crate::config::Tier,
    /// SLO file format.
    pub format: SloFormat,
    /// Objective in percent, strictly between 0 and 100 (default 99.9).
    pub objective_percent: f64,
    /// Overwrite existing files.
    pub force: bool,
}

const RUNBOOK_TEMPLATE: &str = include_str!("templates/runbook.md");

/// One SLO `prr init` writes.
struct InitSlo {
    name: &'static str,
    title: &'static str,
    description: String,
    /// Error ratio numerator (errors) and denominator, without the range.
    bad_openslo: Option<String>,
    good_openslo: Option<String>,
    total: String,
    sloth_errors: String,
}

/// Writes the files (see the module docs) and returns their paths relative
/// to the root, in the order written.
///
/// Errors: an invalid service name or objective; files that exist (without
/// `force`), all named; a file that cannot be written.
pub fn init(o: &InitOptions) -> anyhow::Result<Vec<String>> {
    let svc = o.service.as_str();
    if !valid_service(svc) {
        anyhow::bail!(
            "--service `{svc}`: use a Kubernetes-style name (lowercase letters, digits and `-`, starting and ending with a letter or digit, at most 63 characters)"
        );
    }
    if !(o.objective_percent > 0.0 && o.objective_percent < 100.0) {
        anyhow::bail!(
            "--objective {}: give a percent strictly between 0 and 100, e.g. 99.9",
            o.objective_percent
        );
    }
    if o.root.exists() && !o.root.is_dir() {
        anyhow::bail!("{}: not a folder", o.root.display());
    }
    let slo_file = format!("slo/{svc}.yaml");
    let alerts_file = format!("alerts/{svc}-slo-burn-rate.yaml");
    let pdb_file = format!("deploy/{svc}-pdb.yaml");
    let slos = slos(svc, o.tier == crate::config::Tier::Critical);

    let slo_text = match o.format {
        SloFormat::OpenSlo => openslo(svc, &slos, o.objective_percent),
        SloFormat::Sloth => sloth(svc, &slos, o.objective_percent),
    };
    // The alerts come from the generator, reading the SLO file just built.
    let plans = alerts::plans(&slo_text, &slo_file)?;
    let opts = Options {
        runbook_url: Some("../runbooks/{service}-{slo}.md".to_string()),
        kind: Kind::RuleFile,
    };
    let alerts_text = alerts::render(&plans, &slo_file, &opts)?;

    let mut files: Vec<(String, String)> = vec![
        ("prr.yaml".to_string(), prr_yaml(svc, o.tier)),
        (slo_file.clone(), slo_text),
        (alerts_file, alerts_text),
    ];
    for (s, p) in slos.iter().zip(&plans) {
        files.push((
            format!("runbooks/{svc}-{}.md", s.name),
            runbook(svc, s, p, &slo_file),
        ));
    }
    files.push((pdb_file, pdb(svc)));

    let existing: Vec<&str> = files
        .iter()
        .map(|(rel, _)| rel.as_str())
        .filter(|rel| o.root.join(rel).symlink_metadata().is_ok())
        .collect();
    if !existing.is_empty() && !o.force {
        anyhow::bail!(
            "not overwriting existing files in {} (use --force): {}",
            o.root.display(),
            existing.join(", ")
        );
    }
    for (rel, text) in &files {
        let path = o.root.join(rel);
        crate::fsio::write_file_within(Some(&o.root), &path, text.as_bytes())
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(files.into_iter().map(|(rel, _)| rel).collect())
}

/// A DNS-1123 label.
fn valid_service(s: &str) -> bool {
    let b = s.as_bytes();
    let ok = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    !b.is_empty()
        && b.len() <= 63
        && b.first().is_some_and(ok)
        && b.last().is_some_and(ok)
        && b.iter().all(|c| ok(c) || *c == b'-')
}

fn slos(svc: &str, latency: bool) -> Vec<InitSlo> {
    let mut v = vec![InitSlo {
        name: "requests-availability",
        title: "availability",
        description: format!("{svc} requests succeed (no 5xx)"),
        bad_openslo: Some(format!(
            "sum(rate(http_requests_total{{job=\"{svc}\",code=~\"5..\"}}[5m]))"
        )),
        good_openslo: None,
        total: format!("sum(rate(http_requests_total{{job=\"{svc}\"}}[5m]))"),
        sloth_errors: format!(
            "sum(rate(http_requests_total{{job=\"{svc}\",code=~\"5..\"}}[{{{{.window}}}}]))"
        ),
    }];
    if latency {
        v.push(InitSlo {
            name: "requests-latency",
            title: "latency",
            description: format!("{svc} requests complete within 300 ms"),
            bad_openslo: None,
            good_openslo: Some(format!(
                "sum(rate(http_request_duration_seconds_bucket{{job=\"{svc}\",le=\"0.3\"}}[5m]))"
            )),
            total: format!("sum(rate(http_request_duration_seconds_count{{job=\"{svc}\"}}[5m]))"),
            sloth_errors: format!(
                "(sum(rate(http_request_duration_seconds_count{{job=\"{svc}\"}}[{{{{.window}}}}])) - sum(rate(http_request_duration_seconds_bucket{{job=\"{svc}\",le=\"0.3\"}}[{{{{.window}}}}])))"
            ),
        });
    }
    v
}

/// `99.9` → `99.9`, `99.0` → `99`.
fn pct(x: f64) -> String {
    let s = format!("{x:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn regenerate_hint(svc: &str, slo_file: &str) -> String {
    format!(
        "# After changing it, write the alerts again:\n#   prr generate alerts {slo_file} --output alerts/{svc}-slo-burn-rate.yaml --runbook-url '../runbooks/{{service}}-{{slo}}.md'\n"
    )
}

fn openslo(svc: &str, slos: &[InitSlo], objective: f64) -> String {
    let mut o = format!(
        "# SLOs of {svc} (OpenSLO v1), written by `prr init`. Adjust the queries to your metrics.\n{}",
        regenerate_hint(svc, &format!("slo/{svc}.yaml"))
    );
    let target = pct(objective / 100.0);
    for (i, s) in slos.iter().enumerate() {
        if i > 0 {
            o.push_str("---\n");
        }
        let (role, query) = match (&s.bad_openslo, &s.good_openslo) {
            (Some(b), _) => ("bad", b),
            (None, Some(g)) => ("good", g),
            (None, None) => ("bad", &s.total),
        };
        o.push_str(&format!(
            "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: {name}\n  displayName: {svc} {title}\nspec:\n  description: '{pct} % of {desc} over 30 days.'\n  service: {svc}\n  budgetingMethod: Occurrences\n  timeWindow:\n    - duration: 30d\n      isRolling: true\n  indicator:\n    metadata:\n      name: {svc}-{name}\n    spec:\n      ratioMetric:\n        counter: true\n        {role}:\n          metricSource:\n            type: Prometheus\n            spec:\n              query: '{query}'\n        total:\n          metricSource:\n            type: Prometheus\n            spec:\n              query: '{total}'\n  objectives:\n    - displayName: {title}\n      target: {target}\n",
            name = s.name,
            title = s.title,
            pct = pct(objective),
            desc = s.description,
            total = s.total,
        ));
    }
    o
}

fn sloth(svc: &str, slos: &[InitSlo], objective: f64) -> String {
    let mut o = format!(
        "# SLOs of {svc} (Sloth prometheus/v1, 30-day period), written by `prr init`.\n# Adjust the queries to your metrics. Sloth's own alerts are off: prr writes\n# them to alerts/{svc}-slo-burn-rate.yaml (so nobody is paged twice).\n{}version: \"prometheus/v1\"\nservice: \"{svc}\"\nslos:\n",
        regenerate_hint(svc, &format!("slo/{svc}.yaml"))
    );
    for s in slos {
        let total = s.total.replace("[5m]", "[{{.window}}]");
        o.push_str(&format!(
            "  - name: \"{name}\"\n    objective: {obj}\n    description: \"{pct} % of {desc} over 30 days.\"\n    sli:\n      events:\n        error_query: '{errors}'\n        total_query: '{total}'\n    alerting:\n      page_alert:\n        disable: true\n      ticket_alert:\n        disable: true\n",
            name = s.name,
            obj = pct(objective),
            pct = pct(objective),
            desc = s.description,
            errors = s.sloth_errors,
        ));
    }
    o
}

fn prr_yaml(svc: &str, tier: crate::config::Tier) -> String {
    format!(
        "# prr configuration, written by `prr init` (see prr's README, \"Configuration\").\nservices:\n  - name: {svc}\n    paths: [\"**\"]\n    tier: {}\n",
        tier.as_str()
    )
}

fn pdb(svc: &str) -> String {
    format!(
        "# PodDisruptionBudget of {svc}, written by `prr init`: a node drain or cluster\n# upgrade evicts at most one pod at a time. Give the pods of your Deployment\n# the label `app.kubernetes.io/name: {svc}` so that it selects them.\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: {svc}\n  labels:\n    app.kubernetes.io/name: {svc}\nspec:\n  maxUnavailable: 1\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: {svc}\n"
    )
}

fn runbook(svc: &str, s: &InitSlo, p: &alerts::Plan, slo_file: &str) -> String {
    let title = format!("{svc} {} error budget burn", s.title);
    RUNBOOK_TEMPLATE
        .replace("{{title}}", &title)
        .replace("{{service}}", svc)
        .replace("{{slo}}", s.name)
        .replace("{{slo_file}}", slo_file)
        .replace("{{objective}}", &pct(p.objective * 100.0))
        .replace("{{period}}", "30 days")
        .replace("{{page_alert}}", &p.alert_name(alerts::Severity::Page))
        .replace("{{ticket_alert}}", &p.alert_name(alerts::Severity::Ticket))
        .replace(
            "{{error_ratio_query}}",
            &format!(
                "slo:sli_error:ratio_rate1h{{service=\"{svc}\",slo=\"{}\"}}",
                s.name
            ),
        )
}

/// Where a file written by [`init`] (`rel`, relative to `root`) is, for printing.
pub fn display_path(root: &Path, rel: &str) -> String {
    if root == Path::new(".") {
        rel.to_string()
    } else {
        root.join(rel).display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names() {
        assert!(valid_service("checkout") && valid_service("a1-b2"));
        assert!(!valid_service("Checkout") && !valid_service("-a") && !valid_service("a_b"));
        assert!(!valid_service(&"a".repeat(64)) && !valid_service(""));
    }

    #[test]
    fn slo_files_parse_into_plans() {
        for latency in [false, true] {
            let s = slos("checkout", latency);
            for text in [openslo("checkout", &s, 99.5), sloth("checkout", &s, 99.5)] {
                let plans = alerts::plans(&text, "slo.yaml").expect("plans");
                assert_eq!(plans.len(), s.len(), "{text}");
                assert!(plans.iter().all(|p| (p.objective - 0.995).abs() < 1e-12));
                assert!(
                    plans
                        .iter()
                        .all(|p| p.service.as_deref() == Some("checkout"))
                );
            }
        }
    }
}
