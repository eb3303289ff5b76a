//! prr: a CI gate for production readiness and error budgets.
//!
//! Data flows one way (docs/design.md §1): [`config`] → [`inventory`] →
//! [`checks`] → findings → [`report`]. [`run`] ties them together for
//! `prr check`; the binary maps its [`Outcome`] to the exit code
//! (0 pass, 1 blocked, 2 usage/config/internal error).

pub use prr_budget as budget;
pub use prr_checks::{baseline, checks, redaction, rules, score, suppress};

/// The secret scan under the path the app, the fuzz targets and the tests
/// use: the engine and its gitleaks format (`prr_checks::secrets`), the
/// pack loader that turns a gitleaks config into rules
/// (`prr_checks::rules::secret_pack`) and the output redaction
/// (`prr_checks::redaction`), which sit in three layers of the crate.
pub mod secrets {
    pub use prr_checks::redaction::{redact, scrub};
    pub use prr_checks::rules::secret_pack::*;
    pub use prr_checks::secrets::*;
}
pub use prr_config::{self as config, git, layers};
pub use prr_core::{config_message, duration, finding, fsio, par, yaml};
pub use prr_inventory::{alertmanager, catalog, formats, inventory, render};

pub mod ci;
pub mod cli;
pub mod commands;
pub mod coverage;
pub mod delivery;
#[doc(hidden)]
pub mod fuzz_api;
pub mod generate;
pub mod github;
pub mod pipeline;
pub mod policy_source;
pub use prr_report as report;
#[cfg(test)]
mod pipeline_tests;
pub mod schema;
pub mod selection;

pub use pipeline::{analyze_opts, budget_only, write_baseline};
use report::{Format, GateResult, RunReport};
use std::io::Write;
use std::path::PathBuf;

/// Validated settings for `prr check`.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Repository root to check.
    pub root: PathBuf,
    /// `--config`, when given.
    pub config: Option<PathBuf>,
    /// Requested reports: format and destination (`None` = stdout).
    pub outputs: Vec<(Format, Option<PathBuf>)>,
    /// Colour in text written to a terminal.
    pub color: bool,
    /// Running inside GitHub Actions (`GITHUB_ACTIONS=true`): also write
    /// annotations, the job summary and step outputs.
    pub github_actions: bool,
    /// Budget-phase options (changed paths, labels, branch, trailers).
    pub gate: budget::gate::GateOptions,
    /// In PR mode: annotate only findings on these (path, line) pairs.
    pub changed_lines: Option<report::github::ChangedLines>,
    /// Only this rule family (`prr secrets`: `secrets`).
    pub family: Option<String>,
    /// Files and lines in scope.
    pub scope: Scope,
    /// `--policy-from REF`.
    pub policy_from: Option<String>,
    /// `--include-non-production`: test, example and development trees gate.
    pub include_non_production: bool,
    /// `--only`/`--skip`: the rules whose findings are reported.
    pub selection: selection::RuleSelection,
    /// `--no-budget`: skip the budget phase (offline).
    pub no_budget: bool,
    /// `--fail-level`: what makes exit 1.
    pub fail_level: selection::FailLevel,
    /// `--quiet`: no default text report; only the verdict line (stderr).
    pub quiet: bool,
    /// The folder that was asked for, relative to `root`, when `root` is the
    /// ancestor holding the config ([`config::find_upward`]): findings
    /// outside it are set aside (`prr/config` notice).
    pub within: Option<String>,
}

/// The result of a run, mapped to the exit code by the binary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Gate passes: exit 0.
    Pass,
    /// Gate blocks: exit 1.
    Fail,
}

impl Outcome {
    /// The process exit code.
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Pass => 0,
            Outcome::Fail => 1,
        }
    }
}

/// Everything `prr check` computed, before rendering.
pub struct CheckRun {
    /// The inventory.
    pub inventory: inventory::Inventory,
    /// The rules that were loaded.
    pub rules: Vec<rules::Rule>,
    /// All findings, sorted.
    pub findings: Vec<finding::Finding>,
    /// Error-budget entries of the gated SLOs (empty without `budget:`).
    pub budget: Vec<budget::gate::BudgetEntry>,
    /// Readiness score and level per service ([`score`]; empty when rule
    /// `prr/min-level` is not loaded, as in `prr secrets`).
    pub readiness: Vec<score::Readiness>,
    /// What makes the run fail (`--fail-level`; errors by default).
    pub fail_level: selection::FailLevel,
    /// The config the run used.
    pub config_used: report::ConfigUsed,
    /// What the reports show of each rule in `rules`.
    pub rule_infos: Vec<report::RuleInfo>,
    /// The readiness gate's rule id, when that rule is loaded.
    pub gate_rule: Option<String>,
    /// What the run read and did not ([`coverage::of`] the inventory).
    pub coverage: report::coverage::Coverage,
}

impl CheckRun {
    /// The view every reporter renders: verdict, counts, findings, budget.
    pub fn report(&self) -> RunReport<'_> {
        let (summary, _) = report::summarize(&self.findings, self.inventory.files.len());
        let result = if self.fail_level.fails(summary.errors, summary.warnings) {
            GateResult::Fail
        } else {
            GateResult::Pass
        };
        RunReport {
            result,
            findings: &self.findings,
            rules: &self.rule_infos,
            gate_rule: self.gate_rule.as_deref(),
            summary,
            sources: &self.inventory,
            coverage: &self.coverage,
            budget: &self.budget,
            readiness: &self.readiness,
            config: &self.config_used,
        }
    }
}

/// Loads config and rules, scans the repository and runs every check.
///
/// Errors (exit 2): the root does not exist or is not a folder; the config
/// or a rule file is invalid.
pub fn analyze(
    root: &std::path::Path,
    config_path: Option<&std::path::Path>,
) -> anyhow::Result<CheckRun> {
    analyze_with(root, config_path, &budget::gate::GateOptions::default())
}

/// [`analyze`], with the budget phase's options (changed paths, labels,
/// evaluation time). The data flow: config → inventory → budget readings →
/// checks → findings.
pub fn analyze_with(
    root: &std::path::Path,
    config_path: Option<&std::path::Path>,
    gate: &budget::gate::GateOptions,
) -> anyhow::Result<CheckRun> {
    analyze_opts(
        root,
        config_path,
        &Analysis {
            gate: gate.clone(),
            ..Analysis::default()
        },
    )
}

/// Which files a run reads and reports on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Scope {
    /// The whole working tree.
    #[default]
    All,
    /// Files changed since the merge base of this ref and HEAD (committed or
    /// not); secrets only on the added lines.
    ChangedSince(String),
    /// The staged content (the Git index); secrets only on staged lines.
    Staged,
}

/// Options of one analysis.
#[derive(Clone, Debug)]
pub struct Analysis {
    /// Budget-phase options.
    pub gate: budget::gate::GateOptions,
    /// Only this rule family (`secrets` for `prr secrets`).
    pub family: Option<String>,
    /// Files and lines in scope.
    pub scope: Scope,
    /// Apply the baseline (off when writing it).
    pub use_baseline: bool,
    /// `--policy-from REF`: read prr.yaml, team rules, the gitleaks config,
    /// `.gitleaksignore`, the baseline and the budget phase's SLO
    /// definitions and snapshot from this git ref ([`policy_source`]).
    pub policy_from: Option<String>,
    /// `--include-non-production`: findings in test, example and
    /// development trees gate like any other.
    pub include_non_production: bool,
    /// `--only`/`--skip`: rules left out are not run and their findings
    /// are counted in a `prr/selection` notice.
    pub rules: selection::RuleSelection,
    /// `--no-budget`: the budget phase is skipped (`prr/budget-skipped`).
    pub no_budget: bool,
    /// `--fail-level` (recorded on the [`CheckRun`]).
    pub fail_level: selection::FailLevel,
    /// The checked subfolder when `root` is the ancestor holding the config
    /// ([`suppress::untouched::apply_within`]).
    pub within: Option<String>,
}

impl Default for Analysis {
    fn default() -> Self {
        Analysis {
            gate: budget::gate::GateOptions::default(),
            family: None,
            scope: Scope::All,
            use_baseline: true,
            policy_from: None,
            include_non_production: false,
            rules: selection::RuleSelection::default(),
            no_budget: false,
            fail_level: selection::FailLevel::default(),
            within: None,
        }
    }
}

/// `prr config`: loads and validates the config of the repository at
/// `root` (every layer, the rules and overrides); with `resolved`, prints
/// the merged config, each line annotated with the layer and line it came
/// from ([`layers::Resolved::annotated`]). Returns the exit code.
///
/// Errors (exit 2): any configuration error, with file and line.
pub fn config_command(
    root: &std::path::Path,
    config_path: Option<&std::path::Path>,
    resolved: bool,
) -> anyhow::Result<u8> {
    let config = config::Config::discover(root, config_path)?;
    pipeline::check_providers(&config)?;
    let rules = rules::load(&config)?;
    if resolved {
        let merged = match (&config.resolved, &config.source) {
            (Some(r), _) => (**r).clone(),
            (None, Some(p)) => {
                let text = layers::read_file(p)
                    .map_err(|e| anyhow::anyhow!("{}: cannot read: {e}", p.display()))?;
                layers::resolve(&text, p, root, &layers::read_file)?
            }
            (None, None) => {
                crate::outln!("# no prr.yaml or .prr.yaml: the built-in defaults apply");
                return Ok(0);
            }
        };
        crate::out!("{}", secrets::redact::redact_text(&merged.annotated(root)));
    } else {
        let layers = config.resolved.as_ref().map_or(1, |r| r.layers.len());
        let enabled = rules.iter().filter(|r| r.enabled()).count();
        let variants: usize = rules.iter().map(|r| r.tier_variants.len()).sum();
        let plural = report::verdict::plural;
        crate::outln!(
            "prr: {} is valid: {}, {}, {enabled} of {} rules enabled, {}",
            config
                .source
                .as_ref()
                .map_or("the default config".to_string(), |p| p
                    .display()
                    .to_string()),
            plural(layers, "layer"),
            plural(config.services.len(), "declared service"),
            rules.len(),
            plural(variants, "per-tier rule override")
        );
    }
    Ok(0)
}

/// `prr check`: analyze, write every requested report, return the verdict.
pub fn run(settings: &Settings) -> anyhow::Result<Outcome> {
    let start = std::time::Instant::now();
    let run = analyze_opts(
        &settings.root,
        settings.config.as_deref(),
        &Analysis {
            gate: settings.gate.clone(),
            family: settings.family.clone(),
            scope: settings.scope.clone(),
            use_baseline: true,
            policy_from: settings.policy_from.clone(),
            include_non_production: settings.include_non_production,
            rules: settings.selection.clone(),
            no_budget: settings.no_budget,
            fail_level: settings.fail_level,
            within: settings.within.clone(),
        },
    )?;
    let analyzed = start.elapsed();
    let report = run.report();
    let result = report.result;
    let mut outputs = settings.outputs.clone();
    if outputs.is_empty() && !settings.quiet {
        outputs.push((Format::TEXT, None));
    }
    let stdout = std::io::stdout();
    let print = |text: &str| {
        let mut lock = stdout.lock();
        // A closed pipe (`prr check | head`) is not an error worth exit 2.
        let _ = lock.write_all(text.as_bytes());
        let _ = lock.flush();
    };
    for (format, dest) in &outputs {
        match dest {
            Some(path) => {
                let text = report::render(*format, &report, false);
                fsio::write_file(path, text.as_bytes()).map_err(|e| anyhow::anyhow!("{e}"))?;
            }
            None => print(&report::render(*format, &report, settings.color)),
        }
    }
    if settings.github_actions {
        delivery::github_delivery(&report, &outputs, settings.changed_lines.as_ref(), &print)?;
    }
    // The log always says how the run ended: when no text report went to
    // stdout (reports in files, JSON on stdout, --quiet), on stderr.
    let text_on_stdout = outputs
        .iter()
        .any(|(f, dest)| *f == Format::TEXT && dest.is_none());
    if !text_on_stdout {
        let tally = if settings.quiet {
            String::new()
        } else {
            report::verdict::tally(&report)
        };
        eprint!("{tally}{}", report::verdict::line(&report, start.elapsed()));
    }
    if std::env::var_os("PRR_TIMINGS").is_some_and(|v| v == "1") {
        eprintln!(
            "prr: timings: analyze {analyzed:?}, reports {:?}",
            start.elapsed() - analyzed
        );
    }
    Ok(match result {
        GateResult::Pass => Outcome::Pass,
        GateResult::Fail => Outcome::Fail,
    })
}

#[cfg(test)]
pub(crate) mod testutil;
