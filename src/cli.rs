//! Command-line interface (a contract: README "Exit codes", docs/json-report.md): raw arguments →
//! validated [`crate::Settings`].

use crate::report::Format;
use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// prr — production-readiness and error-budget gate.
#[derive(Debug, Parser)]
#[command(name = "prr", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a repository against the production-readiness checklist.
    Check(CheckArgs),
    /// List the rules (built-in pack, team rules, overrides applied).
    Rules(RulesArgs),
    /// Show a rule's documentation.
    Explain(ExplainArgs),
    /// Read the error budgets and apply the policy (no other checks).
    Budget(BudgetArgs),
    /// Scan for committed secrets only (the `secrets/…` rules; gitleaks' rule format).
    Secrets(SecretsArgs),
    /// Write the baseline: accept every current finding so that only new ones fail.
    Baseline(BaselineArgs),
    /// Validate the config; with --resolved, print it merged from its layers
    /// (`extends:`), each value with the file and line it came from.
    Config(ConfigArgs),
    /// Print the JSON Schema of prr.yaml or of rule files (for editors).
    Schema(SchemaArgs),
    /// Write a service skeleton (prr.yaml, SLO, burn-rate alerts, runbook, PodDisruptionBudget).
    Init(InitArgs),
    /// Generate files from others (`generate alerts`: burn-rate alerts from an SLO file).
    Generate(GenerateArgs),
    /// The alerting chain offline (`alerts routes`: each alert's Alertmanager receivers).
    Alerts(AlertsArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(CompletionsArgs),
    /// Print the manual page (roff; `prr man | man -l -`).
    Man,
}

/// `prr completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash (`source <(prr completions bash)`), zsh (write to a
    /// file named `_prr` on `$fpath`), fish (`prr completions fish >
    /// ~/.config/fish/completions/prr.fish`), powershell, elvish.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// The completion script for `shell`, generated from the same definition
/// `--help` uses (clap_complete), so the two cannot disagree.
pub fn completions(shell: clap_complete::Shell) -> String {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "prr", &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// The manual page of prr and its subcommands (roff, man(7)), generated
/// from the `--help` definition (clap_mangen): `prr.1` followed by one page
/// section per subcommand.
///
/// Errors: only those of writing into memory (none in practice).
pub fn man_page() -> std::io::Result<String> {
    let cmd = Cli::command();
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut out)?;
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        out.extend_from_slice(
            format!(".SH \"PRR {}\"\n", sub.get_name().to_uppercase()).as_bytes(),
        );
        if let Some(about) = sub.get_long_about().or(sub.get_about()) {
            out.extend_from_slice(format!("{}\n", roff_escape(&about.to_string())).as_bytes());
        }
        clap_mangen::Man::new(sub.clone()).render_options_section(&mut out)?;
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Escapes a line for roff: a leading `.` or `'` would be a request, and a
/// backslash starts an escape.
fn roff_escape(s: &str) -> String {
    let s = s.replace('\\', "\\e");
    if s.starts_with('.') || s.starts_with('\'') {
        format!("\\&{s}")
    } else {
        s
    }
}

/// `prr secrets`.
#[derive(Debug, Args)]
pub struct SecretsArgs {
    /// Repository, config, reports, policy.
    #[command(flatten)]
    pub report: ReportArgs,
    /// Scan only the staged content and lines (for a pre-commit hook).
    #[arg(long, conflicts_with = "changed_since")]
    pub staged: bool,
    /// Scan only the files changed since this git ref (merge base with HEAD), report only added lines.
    #[arg(long, value_name = "REF")]
    pub changed_since: Option<String>,
}

/// The repository folder and its config file, as `baseline`, `config`,
/// `budget` and `alerts routes` take them (`rules`, `explain` and the
/// reports' options describe theirs in their own words).
#[derive(Debug, Args)]
pub struct RepoArgs {
    /// Repository folder.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Config file.
    #[arg(long, short = 'c')]
    pub config: Option<PathBuf>,
}

/// `prr baseline`.
#[derive(Debug, Args)]
pub struct BaselineArgs {
    /// Repository folder and config file.
    #[command(flatten)]
    pub repo: RepoArgs,
    /// Only this rule family (e.g. `secrets`); default every family.
    #[arg(long)]
    pub family: Option<String>,
}

/// `prr config`.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Repository folder and config file.
    #[command(flatten)]
    pub repo: RepoArgs,
    /// Print the merged config, each line with its layer and line.
    #[arg(long)]
    pub resolved: bool,
}

/// What `prr schema` describes.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SchemaKind {
    /// prr.yaml (and organisation layers).
    Config,
    /// A rule file (`rules/*.yaml`, a team's rules-dir).
    Rule,
}

/// `prr schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which file format.
    #[arg(value_enum, default_value = "config")]
    pub kind: SchemaKind,
}

/// Options of the budget gate shared by `check` and `budget`.
#[derive(Debug, Args, Clone, Default)]
pub struct GateArgs {
    /// Gate only the services whose paths changed since this git ref (merge base with HEAD).
    #[arg(long, value_name = "REF")]
    pub changed_since: Option<String>,
    /// A pull-request label, for budget exceptions (repeatable).
    #[arg(long = "label", value_name = "LABEL")]
    pub labels: Vec<String>,
    /// Branch name for exceptions (default: the current git branch).
    #[arg(long)]
    pub branch: Option<String>,
}

/// `prr budget`.
#[derive(Debug, Args)]
pub struct BudgetArgs {
    /// Repository folder and config file.
    #[command(flatten)]
    pub repo: RepoArgs,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Gate options.
    #[command(flatten)]
    pub gate: GateArgs,
}

/// When to colour text output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and `NO_COLOR` is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// `--format`'s values: the report formats' registry
/// ([`crate::report::FORMATS`]), each with its description for `--help`.
fn format_parser() -> impl clap::builder::TypedValueParser<Value = Format> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    let values = crate::report::FORMATS
        .iter()
        .map(|e| PossibleValue::new(e.name()).help(e.help()));
    // The parser only lets registered names through.
    PossibleValuesParser::new(values).map(|name| Format::from_name(&name).unwrap_or(Format::TEXT))
}

/// What `check` and `secrets` share: the repository, its config, the
/// reports to write, and where the policy comes from.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Repository folder.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Config file (default: prr.yaml or .prr.yaml at the repository root).
    #[arg(long, short = 'c')]
    pub config: Option<PathBuf>,
    /// Report format (case-insensitive); repeat for several reports. Each --output applies to the
    /// --format before it; at most one report goes to stdout.
    #[arg(long, short = 'f', value_parser = format_parser(), ignore_case = true)]
    pub format: Vec<Format>,
    /// Write the preceding --format's report to this file instead of stdout.
    #[arg(long, short = 'o')]
    pub output: Vec<PathBuf>,
    /// Colour in text output.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
    /// Print only the verdict line (stderr) instead of the text report; reports asked for
    /// with --format are still written.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Read the policy (prr.yaml, team rules, gitleaks config, .gitleaksignore, baseline)
    /// from this git ref, e.g. the PR's base branch, so a change cannot weaken its own gate.
    #[arg(long, value_name = "REF")]
    pub policy_from: Option<String>,
}

/// `prr check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Repository, config, reports, policy.
    #[command(flatten)]
    pub report: ReportArgs,
    /// In PR mode inside GitHub Actions, annotate only findings on changed lines
    /// (the rest go to the job summary), or every finding.
    #[arg(long, value_enum, default_value = "changed")]
    pub annotate: Annotate,
    /// Gate findings in test, example and development trees too (prr.yaml
    /// `non-production:` globs; by default they are counted, not gated).
    #[arg(long)]
    pub include_non_production: bool,
    /// Budget gate options.
    #[command(flatten)]
    pub gate: GateArgs,
    /// What makes exit 1: an error (default), an error or a warning, or nothing (report only).
    #[arg(long, value_enum, default_value = "error")]
    pub fail_level: crate::selection::FailLevel,
    /// Report only these rules: IDs, globs or families, comma-separated (`--only rollout,alerts/for`).
    #[arg(long, value_name = "RULES")]
    pub only: Vec<String>,
    /// Leave these rules out: IDs, globs or families, comma-separated (`--skip secrets`).
    #[arg(long, value_name = "RULES")]
    pub skip: Vec<String>,
    /// Skip the budget phase (offline: no SLO API is read; the report says so).
    #[arg(long)]
    pub no_budget: bool,
}

/// Which findings become GitHub annotations in PR mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Annotate {
    /// Only findings on lines the pull request changed (and repository-level ones).
    Changed,
    /// Every finding (still at most 10 per level, as GitHub shows).
    All,
}

/// `prr rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Repository whose prr.yaml (team rules, overrides) to apply.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Config file.
    #[arg(long, short = 'c')]
    pub config: Option<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `prr explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Rule ID, e.g. `alerts/runbook-annotation`.
    pub rule: String,
    /// Repository whose prr.yaml to apply.
    #[arg(long, default_value = ".")]
    pub path: PathBuf,
    /// Config file.
    #[arg(long, short = 'c')]
    pub config: Option<PathBuf>,
}

/// Requested reports: each format with its destination (`None` = stdout).
pub type Outputs = Vec<(Format, Option<PathBuf>)>;

/// Parses the process arguments. Returns the parsed CLI and the pairing of
/// `--format`/`--output` for `check` (clap errors exit 2 themselves).
pub fn parse() -> Result<(Cli, Outputs), clap::Error> {
    parse_from(std::env::args_os())
}

/// Like [`parse`], from explicit arguments (tests).
pub fn parse_from<I, T>(args: I) -> Result<(Cli, Outputs), clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let mut cmd = Cli::command();
    let matches = cmd.try_get_matches_from_mut(args)?;
    let cli = Cli::from_arg_matches(&matches)?;
    let outputs = match matches.subcommand() {
        Some(("check" | "secrets", m)) => pair_outputs(m)
            .map_err(|msg| cmd.error(clap::error::ErrorKind::ArgumentConflict, msg))?,
        _ => Vec::new(),
    };
    Ok((cli, outputs))
}

/// Pairs each `--output` with the nearest `--format` before it.
fn pair_outputs(m: &ArgMatches) -> Result<Outputs, String> {
    let formats: Vec<(usize, Format)> =
        match (m.indices_of("format"), m.get_many::<Format>("format")) {
            (Some(i), Some(v)) => i.zip(v.copied()).collect(),
            _ => Vec::new(),
        };
    let outputs: Vec<(usize, PathBuf)> =
        match (m.indices_of("output"), m.get_many::<PathBuf>("output")) {
            (Some(i), Some(v)) => i.zip(v.cloned()).collect(),
            _ => Vec::new(),
        };
    let mut pairs: Outputs = formats.iter().map(|(_, f)| (*f, None)).collect();
    for (oi, path) in outputs {
        let Some(k) = formats.iter().rposition(|(fi, _)| *fi < oi) else {
            return Err(format!(
                "--output {} must follow a --format",
                path.display()
            ));
        };
        if pairs[k].1.is_some() {
            return Err(format!(
                "two --output values for one --format (at {})",
                path.display()
            ));
        }
        pairs[k].1 = Some(path);
    }
    let to_stdout: Vec<String> = pairs
        .iter()
        .filter(|(_, dest)| dest.is_none())
        .map(|(f, _)| f.name().to_string())
        .collect();
    if to_stdout.len() > 1 {
        return Err(format!(
            "{} reports would go to stdout ({}), one after the other in one stream: give all but \
             one of them an --output FILE",
            to_stdout.len(),
            to_stdout.join(", ")
        ));
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_case_insensitive_and_stdout_takes_one_report() {
        let (_, o) = parse_from(["prr", "check", "-f", "JSON", "-f", "Sarif", "-o", "x"]).unwrap();
        assert_eq!(o[0].0, Format::JSON);
        assert_eq!(o[1].0, Format::SARIF);
        let e = parse_from(["prr", "check", "-f", "json", "-f", "text"]).unwrap_err();
        assert!(
            e.to_string()
                .contains("2 reports would go to stdout (json, text)"),
            "{e}"
        );
    }

    #[test]
    fn format_output_pairing() {
        let (_, o) =
            parse_from(["prr", "check", "-f", "json", "-o", "a.json", "-f", "text"]).unwrap();
        assert_eq!(
            o,
            vec![
                (Format::JSON, Some(PathBuf::from("a.json"))),
                (Format::TEXT, None)
            ]
        );
        assert!(parse_from(["prr", "check", "-o", "a.json", "-f", "json"]).is_err());
        assert!(parse_from(["prr", "check", "-f", "json", "-o", "a", "-o", "b"]).is_err());
    }
}

/// `prr generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// What to generate.
    #[command(subcommand)]
    pub command: GenerateCommand,
}

/// What `prr generate` writes.
#[derive(Debug, Subcommand)]
pub enum GenerateCommand {
    /// Multi-window, multi-burn-rate alerts and their recording rules from an SLO file
    /// (Sloth prometheus/v1, OpenSLO v1 ratio SLIs on Prometheus, Pyrra).
    Alerts(GenerateAlertsArgs),
}

/// `prr alerts`.
#[derive(Debug, Args)]
pub struct AlertsArgs {
    /// What to show.
    #[command(subcommand)]
    pub command: AlertsCommand,
}

/// What `prr alerts` shows.
#[derive(Debug, Subcommand)]
pub enum AlertsCommand {
    /// Route every alerting rule of the repository (its static labels and
    /// `alertname`) through the repository's Alertmanager configuration, as
    /// `amtool config routes test` would, and print each alert's receivers.
    Routes(AlertRoutesArgs),
}

/// `prr alerts routes`.
#[derive(Debug, Args)]
pub struct AlertRoutesArgs {
    /// Repository folder and config file.
    #[command(flatten)]
    pub repo: RepoArgs,
    /// JSON: an array of {"alert", "path", "line", "labels", "receivers", "config"},
    /// receivers in the order Alertmanager notifies them.
    #[arg(long)]
    pub json: bool,
}

/// `prr generate alerts`.
#[derive(Debug, Args)]
pub struct GenerateAlertsArgs {
    /// The SLO file.
    pub slo_file: PathBuf,
    /// Write the rules to this file instead of stdout.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// The alerts' runbook_url; `{service}`, `{slo}` and `{alert}` are replaced
    /// (default: runbooks/{service}-{slo}.md).
    #[arg(long, value_name = "URL_OR_TEMPLATE")]
    pub runbook_url: Option<String>,
    /// Output: a Prometheus rule file or a PrometheusRule object.
    #[arg(long, value_enum, default_value = "rule-file")]
    pub kind: RuleKind,
}

/// Output kind of `prr generate alerts`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RuleKind {
    /// A Prometheus rule file (`groups:`).
    RuleFile,
    /// A `monitoring.coreos.com/v1` PrometheusRule.
    #[value(name = "prometheusrule")]
    PrometheusRule,
}

/// `prr init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder to write into (created when missing).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Service name (lowercase letters, digits, `-`).
    #[arg(long)]
    pub service: String,
    /// Service tier written to prr.yaml.
    #[arg(long, value_enum, default_value = "standard")]
    pub tier: InitTier,
    /// SLO file format.
    #[arg(long, value_enum, default_value = "openslo")]
    pub slo_format: InitSloFormat,
    /// Objective in percent of the SLOs written (availability, and latency for tier critical).
    #[arg(long, default_value_t = 99.9)]
    pub objective: f64,
    /// Overwrite files that exist.
    #[arg(long)]
    pub force: bool,
}

/// Tier for `prr init`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InitTier {
    /// User-facing, revenue or safety critical (also gets a latency SLO).
    Critical,
    /// Important but with a fallback.
    Important,
    /// The default.
    Standard,
    /// Not yet in production.
    Experimental,
}

/// SLO format for `prr init`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InitSloFormat {
    /// OpenSLO v1.
    Openslo,
    /// Sloth prometheus/v1.
    Sloth,
}

/// Writes `text` to standard output. A closed pipe (`prr rules | head -1`)
/// is not an error of prr's: the rest of the output is dropped quietly and
/// this returns `Ok`. Any other write error (a full disk behind `>`) is
/// returned, so the run exits 2 instead of leaving a cut report.
pub fn write_stdout(text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r,
    }
}

/// `println!` through [`write_stdout`]: returns early with the write error
/// (`?`), ignoring a closed pipe.
#[macro_export]
macro_rules! outln {
    () => { $crate::cli::write_stdout("\n")? };
    ($($arg:tt)*) => { $crate::cli::write_stdout(&format!("{}\n", format_args!($($arg)*)))? };
}

/// `print!` through [`write_stdout`] (see [`outln!`]).
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::write_stdout(&format!($($arg)*))? };
}
