//! Suppressions, one model for every family, applied after the checks and
//! before the reports: fingerprints, `.gitleaksignore`, in-source
//! directives (`# prr:ignore`, `<!-- prr:ignore -->`, the Kubernetes
//! annotation `prr.dev/ignore`; see [`inline`]), kube-linter's
//! `ignore-check.kube-linter.io/<check>` annotations (see `kube_linter`),
//! prr.yaml `suppressions:`
//! (with a reason and an optional expiry), the baseline.
//!
//! A suppressed finding is kept (every report counts it, JSON and SARIF list
//! it with its reason) and never fails the run. The suppressions themselves
//! are checked: an expired entry is an error (`prr/suppression-expired`),
//! one that matched nothing a warning (`prr/suppression-unused`), an
//! in-source directive without a reason an error (`prr/suppression-invalid`),
//! baseline entries that no longer match a notice (`prr/baseline-stale`).

pub mod environment;
pub mod inline;
mod kube_linter;
pub mod non_production;
pub mod untouched;

use crate::baseline::Baseline;
use crate::config::Config;
use crate::finding::{Finding, Level, Suppression, SuppressionKind, fingerprint};
use crate::inventory::{Inventory, globset};
use crate::rules::Rule;
use crate::yaml::Pos;
use std::path::Path;

/// How [`apply`] runs.
pub struct Options<'a> {
    /// Today's date, `YYYY-MM-DD` (UTC), for `until:`.
    pub today: &'a str,
    /// Apply the baseline file (off for `prr baseline` itself).
    pub use_baseline: bool,
    /// Report stale baseline entries: only for a whole-tree run; of a
    /// family-only run (`prr secrets`), only that family's entries.
    pub stale_family: Option<Option<&'a str>>,
    /// Apply prr.yaml `non-production:` and the deploy-environment pass
    /// ([`environment`]); off with `--include-non-production`.
    pub non_production: bool,
    /// Whether a finding belongs to a service the team declared (prr.yaml
    /// `services:` or a catalog entry) of a tier other than `experimental`:
    /// production evidence for [`environment`].
    pub declared_service: &'a dyn Fn(&Finding) -> bool,
    /// Where the in-source pass reports its time (`PRR_TIMINGS=1`).
    pub timings: prr_core::timings::Timings<'a>,
}

/// Today's date in UTC as `YYYY-MM-DD`.
pub fn today() -> String {
    humantime::format_rfc3339(std::time::SystemTime::now())
        .to_string()
        .chars()
        .take(10)
        .collect()
}

/// Fingerprints every finding that has none yet (see [`fingerprint`]):
/// the source line's text when the finding has a line, else its message.
pub fn fingerprint_all(findings: &mut [Finding], inventory: &Inventory) {
    for f in findings.iter_mut().filter(|f| f.fingerprint.is_none()) {
        let line = (f.line > 0 && !f.sensitive)
            .then(|| inventory.line(&f.path, f.line))
            .flatten();
        let content = match line {
            Some(l) if !l.trim().is_empty() => l.to_string(),
            _ => f.message.clone(),
        };
        f.fingerprint = Some(fingerprint(&f.rule, &f.path, &content));
    }
}

/// Applies every suppression source to `findings` and appends the findings
/// about the suppressions themselves.
///
/// Errors (exit 2): an unreadable or invalid baseline file.
pub fn apply(
    findings: &mut Vec<Finding>,
    inventory: &Inventory,
    config: &Config,
    rules: &[Rule],
    opts: &Options<'_>,
) -> Result<(), crate::baseline::BaselineError> {
    fingerprint_all(findings, inventory);
    gitleaksignore(findings, &config.secrets.ignore_file, rules);
    let t = std::time::Instant::now();
    let in_source = inline::apply(findings, inventory, rules, opts.today);
    kube_linter::apply(findings, inventory);
    if let Some(report) = opts.timings {
        report(format_args!(
            "in-source suppressions {:?} ({} directive finding(s))",
            t.elapsed(),
            in_source.len()
        ));
    }
    let mut meta = configured(findings, config, &inventory.root, opts.today);
    meta.extend(in_source);
    if opts.use_baseline
        && let Some(b) = Baseline::load(&config.baseline)?
    {
        let shown = config.baseline_display(&inventory.root);
        let stale: Vec<_> = b
            .apply(findings, &shown)
            .into_iter()
            .filter(|e| match opts.stale_family {
                None => false,
                Some(None) => true,
                Some(Some(fam)) => e.rule.split('/').next() == Some(fam),
            })
            .collect();
        if !stale.is_empty() {
            let mut rules: Vec<&str> = stale.iter().map(|e| e.rule.as_str()).collect();
            rules.sort_unstable();
            rules.dedup();
            meta.push(
                Finding::new(
                    "prr/baseline-stale",
                    &shown,
                    Pos::default(),
                    format!(
                        "{} baseline entr{} no longer match a finding (fixed, or changed beyond recognition; rules: {}) — run `prr baseline` to drop them",
                        stale.len(),
                        if stale.len() == 1 { "y" } else { "ies" },
                        rules.join(", ")
                    ),
                )
                .with_level(Level::Notice),
            );
        }
    }
    // Last: what no suppression accepted but lies in a test, example or
    // development tree does not gate (counted in one notice per tree).
    if opts.non_production {
        meta.extend(non_production::apply(findings, &config.non_production));
        // Then what lives in a non-production environment, or is judged by
        // a production-only rule where production is not known.
        meta.extend(environment::apply(
            findings,
            inventory,
            config,
            rules,
            opts.declared_service,
        ));
    }
    fingerprint_all(&mut meta, inventory);
    findings.extend(meta);
    Ok(())
}

/// prr.yaml `suppressions:`; returns the expired/unused findings.
fn configured(findings: &mut [Finding], config: &Config, root: &Path, today: &str) -> Vec<Finding> {
    let mut meta = Vec::new();
    for s in &config.suppressions {
        // The layer that wrote the entry (an organisation file, or prr.yaml).
        let (file, pos) = config.locate(s.pos);
        let cfg_name = crate::inventory::rel_path(&file, root);
        // An organisation layer (outside the repository, or a built-in
        // pack) serves many repositories: an entry that matches nothing in
        // this one is not reported as unused here.
        let shared = cfg_name.starts_with("..")
            || Path::new(&cfg_name).is_absolute()
            || cfg_name.starts_with("builtin:");
        let expired = s.until.as_deref().is_some_and(|u| u < today);
        let rule = globset(std::slice::from_ref(&s.rule));
        let paths = globset(&s.paths);
        let mut used = 0usize;
        for f in findings.iter_mut() {
            let hit = rule.is_match(&f.rule)
                && (s.paths.is_empty() || paths.is_match(&f.path))
                && s.service
                    .as_ref()
                    .is_none_or(|sv| f.service.as_ref() == Some(sv));
            if !hit {
                continue;
            }
            used += 1;
            if !expired && !f.suppressed {
                f.suppressed = true;
                f.suppression = Some(Suppression {
                    kind: SuppressionKind::External,
                    reason: s.reason.clone(),
                    source: format!("{cfg_name}:{}", pos.line),
                });
            }
        }
        let at = |msg: String, rule: &str, level: Level| {
            Finding::new(rule, &cfg_name, pos, msg).with_level(level)
        };
        if expired {
            meta.push(at(
                format!(
                    "suppression of `{}` expired on {} ({} finding(s) it covered now count again): fix them, or renew it with a new reason and date",
                    s.rule,
                    s.until.as_deref().unwrap_or_default(),
                    used
                ),
                "prr/suppression-expired",
                Level::Error,
            ));
        } else if used == 0 && !shared {
            meta.push(at(
                format!(
                    "suppression of `{}`{} matched no finding: remove it (reason was: {})",
                    s.rule,
                    if s.paths.is_empty() {
                        String::new()
                    } else {
                        format!(" in {}", s.paths.join(", "))
                    },
                    s.reason
                ),
                "prr/suppression-unused",
                Level::Warning,
            ));
        }
    }
    meta
}

/// `.gitleaksignore` at the root: lines `PATH:RULE:LINE` (gitleaks' `dir`
/// fingerprints) or `COMMIT:PATH:RULE:LINE` (history scans; the commit is
/// not checked, prr scans files). The path matches when it equals the
/// finding's path or ends with `/` + it (entries written from another
/// working folder, such as `../testdata/repos/nogit/api.go`, still match).
/// An entry naming a rule the pack does not have (gitleaks renames rules
/// between versions) matches any secret rule at that path and line.
fn gitleaksignore(findings: &mut [Finding], path: &Path, rules: &[Rule]) {
    // A regular file of at most 8 MiB; anything else (missing, a device, a
    // link to procfs) suppresses nothing, which only makes the gate stricter.
    let Ok(text) = crate::fsio::read_text_bounded(path, 8 * 1024 * 1024) else {
        return;
    };
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = line.rsplitn(3, ':').collect();
        let [lno, rule, file] = parts.as_slice() else {
            continue;
        };
        let Ok(lno) = lno.parse::<u32>() else {
            continue;
        };
        // A commit-prefixed entry: `sha:path` in `file`.
        let file = match file.split_once(':') {
            Some((c, p)) if c.len() >= 7 && c.chars().all(|x| x.is_ascii_hexdigit()) => p,
            _ => file,
        };
        let file = file.trim_start_matches("./");
        let prr_rule = crate::secrets::gitleaks::prr_id(rule);
        let known = rules.iter().any(|r| r.id == prr_rule);
        for f in findings.iter_mut() {
            let same_path = f.path == file || file.ends_with(&format!("/{}", f.path));
            let same_rule = if known {
                f.rule == prr_rule
            } else {
                f.rule.starts_with("secrets/")
            };
            if same_path && same_rule && f.line == lno && !f.suppressed {
                f.suppressed = true;
                f.suppression = Some(Suppression {
                    kind: SuppressionKind::External,
                    reason: format!("listed in .gitleaksignore ({line})"),
                    source: format!(".gitleaksignore:{}", n + 1),
                });
            }
        }
    }
}
