//! The `prr` binary: parse arguments, run, map the outcome to the exit code
//! (0 pass, 1 blocked, 2 usage/config/internal error).

use prr::cli::{self, ColorChoice, Command};
use std::io::IsTerminal;
use std::process::ExitCode;

fn main() -> ExitCode {
    let (cli, outputs) = match cli::parse() {
        Ok(v) => v,
        Err(e) => {
            let _ = e.print();
            // --help / --version are not errors.
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match dispatch(cli, outputs) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // The one place errors reach stderr: redacted, one line.
            eprintln!(
                "prr: error: {}",
                prr::secrets::redact::safe_message(&format!("{e:#}"))
            );
            ExitCode::from(2)
        }
    }
}

/// `outln!` for text from rule files (a team's titles, help, parameters):
/// each line redacted and escaped ([`prr::secrets::redact::safe_lines`]).
macro_rules! safe_outln {
    ($($arg:tt)*) => {
        prr::cli::write_stdout(&(prr::secrets::redact::safe_lines(&format!($($arg)*)) + "\n"))?
    };
}

/// Config discovery for every command (`prr::config::find_upward`): without
/// `--config`, a folder with no prr.yaml inside a repository is read from
/// the nearest folder above that has one; `path` becomes that folder and the
/// checked subfolder (relative to it) is returned.
fn discover(path: &mut std::path::PathBuf, explicit_config: bool) -> Option<String> {
    if explicit_config {
        return None;
    }
    let (root, within) = prr::config::find_upward(path);
    *path = root;
    within
}

fn dispatch(cli: cli::Cli, outputs: cli::Outputs) -> anyhow::Result<u8> {
    match cli.command {
        Command::Check(mut args) => {
            let color = use_color(args.report.color);
            // From a subfolder, the repository's config (found upward, as
            // git and cargo do) and its root; findings outside the folder
            // are set aside.
            let within = discover(&mut args.report.path, args.report.config.is_some());
            let gate = gate_options(&args.report.path, &args.gate)?;
            let github_actions = std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true");
            // PR annotations on changed lines: best effort (the changed
            // paths already worked, so this diff should too).
            let changed_lines = match (&gate.base, args.annotate) {
                (Some(base), cli::Annotate::Changed) if github_actions => {
                    prr::git::changed_lines(&args.report.path, base).ok()
                }
                _ => None,
            };
            let settings = prr::Settings {
                changed_lines,
                gate,
                root: args.report.path,
                config: args.report.config,
                outputs,
                color,
                github_actions,
                family: None,
                scope: prr::Scope::All,
                policy_from: args.report.policy_from,
                include_non_production: args.include_non_production,
                selection: prr::selection::RuleSelection::new(&args.only, &args.skip)
                    .map_err(|e| anyhow::anyhow!(e))?,
                no_budget: args.no_budget,
                fail_level: args.fail_level,
                quiet: args.report.quiet,
                within,
            };
            Ok(prr::run(&settings)?.exit_code())
        }
        Command::Secrets(mut args) => {
            let color = use_color(args.report.color);
            let within = discover(&mut args.report.path, args.report.config.is_some());
            let scope = match (&args.changed_since, args.staged) {
                (_, true) => prr::Scope::Staged,
                (Some(r), false) => prr::Scope::ChangedSince(r.clone()),
                (None, false) => prr::Scope::All,
            };
            let settings = prr::Settings {
                changed_lines: None,
                gate: Default::default(),
                root: args.report.path,
                config: args.report.config,
                outputs,
                color,
                github_actions: std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true"),
                family: Some("secrets".to_string()),
                scope,
                policy_from: args.report.policy_from,
                include_non_production: false,
                selection: Default::default(),
                no_budget: false,
                fail_level: Default::default(),
                quiet: args.report.quiet,
                within,
            };
            Ok(prr::run(&settings)?.exit_code())
        }
        Command::Init(args) => prr::generate::run_init(&args),
        Command::Generate(args) => prr::generate::run_generate(&args),
        Command::Alerts(args) => match args.command {
            cli::AlertsCommand::Routes(mut args) => {
                let repo = &mut args.repo;
                discover(&mut repo.path, repo.config.is_some());
                prr::commands::alerts::routes(&repo.path, repo.config.as_deref(), args.json)
            }
        },
        Command::Baseline(mut args) => {
            let repo = &mut args.repo;
            discover(&mut repo.path, repo.config.is_some());
            let (n, path) = prr::write_baseline(&repo.path, repo.config.as_deref(), args.family)?;
            prr::outln!(
                "prr: wrote {n} finding fingerprint(s) to {}: from now on only new findings fail",
                path.display()
            );
            Ok(0)
        }
        Command::Config(mut args) => {
            let repo = &mut args.repo;
            discover(&mut repo.path, repo.config.is_some());
            prr::config_command(&repo.path, repo.config.as_deref(), args.resolved)
        }
        Command::Completions(args) => {
            prr::cli::write_stdout(&cli::completions(args.shell))?;
            Ok(0)
        }
        Command::Man => {
            prr::cli::write_stdout(&cli::man_page()?)?;
            Ok(0)
        }
        Command::Schema(args) => {
            let text = prr::schema::json(args.kind)? + "\n";
            prr::cli::write_stdout(&text)?;
            Ok(0)
        }
        Command::Rules(mut args) => {
            discover(&mut args.path, args.config.is_some());
            let config = prr::config::Config::discover(&args.path, args.config.as_deref())?;
            let rules = prr::rules::load(&config)?;
            if args.json {
                let v: Vec<_> = rules
                    .iter()
                    .map(|r| {
                        let tiers: serde_json::Map<String, serde_json::Value> = r
                            .tier_variants
                            .iter()
                            .map(|v| {
                                let with = v.with.as_ref().map(|w| w.to_json());
                                (v.tier.as_str().to_string(), serde_json::json!({"level": v.level, "with": with}))
                            })
                            .collect();
                        serde_json::json!({"id": r.id, "level": r.level, "tiers": tiers, "check": r.check, "title": r.title, "source": r.source.display()})
                    })
                    .collect();
                safe_outln!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                let w = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
                for r in &rules {
                    let tiers: Vec<String> = r
                        .tier_variants
                        .iter()
                        .map(|v| {
                            let with = if v.with.is_some() {
                                ", own parameters"
                            } else {
                                ""
                            };
                            format!("{}: {}{with}", v.tier.as_str(), v.level.as_str())
                        })
                        .collect();
                    let tiers = if tiers.is_empty() {
                        String::new()
                    } else {
                        format!("  [{}]", tiers.join("; "))
                    };
                    safe_outln!("{:w$}  {:7}  {}{tiers}", r.id, r.level.as_str(), r.title);
                }
            }
            Ok(0)
        }
        Command::Budget(mut args) => {
            let repo = &mut args.repo;
            discover(&mut repo.path, repo.config.is_some());
            let gate = gate_options(&repo.path, &args.gate)?;
            let entries = prr::budget_only(&repo.path, repo.config.as_deref(), &gate)?;
            if args.json {
                let v: Vec<_> = entries
                    .iter()
                    .map(prr::report::budget::entry_json)
                    .collect();
                prr::outln!("{}", serde_json::to_string_pretty(&v)?);
            } else if entries.is_empty() {
                prr::outln!(
                    "No SLO is gated (no service changed, or no SLO found for the gated services)."
                );
            } else {
                prr::out!("{}", prr::report::budget::table(&entries));
            }
            let blocked = entries
                .iter()
                .any(|e| e.decision.action == prr::budget::policy::Action::Block);
            Ok(u8::from(blocked))
        }
        Command::Explain(args) => {
            let config = prr::config::Config::discover(&args.path, args.config.as_deref())?;
            let rules = prr::rules::load(&config)?;
            let Some(r) = rules.iter().find(|r| r.id == args.rule) else {
                let near: Vec<&str> = rules
                    .iter()
                    .map(|r| r.id.as_str())
                    .filter(|id| id.split('/').next() == args.rule.split('/').next())
                    .collect();
                anyhow::bail!(
                    "no rule `{}`{}",
                    args.rule,
                    if near.is_empty() {
                        " (see `prr rules`)".to_string()
                    } else {
                        format!("; in that family: {}", near.join(", "))
                    }
                );
            };
            prr::outln!("{} — {}\n", r.id, r.title);
            prr::outln!(
                "level: {}    check: {}    source: {}",
                r.level,
                r.check,
                r.source.display()
            );
            if let Some(t) = &r.tiers {
                let t: Vec<&str> = t.iter().map(|t| t.as_str()).collect();
                prr::outln!("applies to tiers: {}", t.join(", "));
            }
            let params = r.with.to_json();
            if params.as_object().is_some_and(|o| !o.is_empty()) {
                prr::outln!("parameters: {params}");
            }
            for v in &r.tier_variants {
                let with = v
                    .with
                    .as_ref()
                    .map(|w| format!("    parameters: {}", w.to_json()))
                    .unwrap_or_default();
                prr::outln!("tier {}: level {}{with}", v.tier.as_str(), v.level);
            }
            for (t, cap) in &r.tier_caps {
                prr::outln!("tier {}: findings capped at {cap}", t.as_str());
            }
            prr::outln!("\n{}", r.help.trim_end());
            Ok(0)
        }
    }
}

/// Whether text output gets colour: `--color`, else a terminal without `NO_COLOR`.
fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

/// Budget-gate options from the command line, the CI event and the
/// repository: changed paths (`--changed-since`, else the PR's base commit
/// on a `pull_request` event), labels (`--label` plus the PR's labels), the
/// branch (`--branch`, else `GITHUB_HEAD_REF`, else the current branch) and
/// the trailers of HEAD. A git failure for `--changed-since` is exit 2 (gating
/// nothing would be a silent pass); trailers and branch are best effort.
fn gate_options(
    root: &std::path::Path,
    args: &cli::GateArgs,
) -> anyhow::Result<prr::budget::gate::GateOptions> {
    // On a pull_request event, PR mode is automatic: the base commit is the
    // default for --changed-since and the PR's labels count as --label.
    let env = prr::ci::GithubEnv::from_env();
    let pr = if env.actions {
        env.pull_request()
            .map_err(|e| anyhow::anyhow!("GITHUB_EVENT_PATH: {e}"))?
    } else {
        None
    };
    let changed = match (&args.changed_since, &pr) {
        // Asked for explicitly: a ref git cannot resolve is a usage error.
        (Some(r), _) => Some(
            prr::git::changed_paths(root, r)
                .map_err(|e| anyhow::anyhow!("--changed-since {r}: {e}"))?,
        ),
        // Automatic PR mode: when the base commit is not in a shallow
        // checkout, gate every service (stricter, never a silent pass) and
        // say so.
        (None, Some(p)) => match prr::git::changed_paths(root, &p.base_sha) {
            Ok(paths) => Some(paths),
            Err(e) => {
                prr::outln!(
                    "::warning title=prr::PR mode off, gating every service: {}",
                    prr::report::github::escape_data(&prr::secrets::redact::redact_text(&e))
                );
                None
            }
        },
        (None, None) => None,
    };
    // PR labels: read live and audited through the API (who applied each,
    // with write access, after the head was pushed: prr::github::pr_labels).
    let audited = match &pr {
        Some(p) => prr::github::pr_labels(&env, p, &args.labels),
        None => prr::github::PrLabels {
            labels: args.labels.clone(),
            ..Default::default()
        },
    };
    if let Some(why) = &audited.unaudited {
        prr::outln!(
            "::warning title=prr::PR labels grant no error-budget exception (not audited): {}",
            prr::report::github::escape_data(&prr::secrets::redact::redact_text(why))
        );
    }
    let branch = args
        .branch
        .clone()
        .or_else(|| {
            std::env::var("GITHUB_HEAD_REF")
                .ok()
                .filter(|b| !b.is_empty())
        })
        .or_else(|| prr::git::current_branch(root));
    let trailers = prr::git::commit_trailers(root, "HEAD").unwrap_or_default();
    let trailer_author = (!trailers.is_empty())
        .then(|| prr::git::commit_author(root, "HEAD").ok())
        .flatten();
    let base = match (&args.changed_since, &pr, &changed) {
        (Some(r), _, _) => Some(r.clone()),
        (None, Some(p), Some(_)) => Some(p.base_sha.clone()),
        _ => None,
    };
    Ok(prr::budget::gate::GateOptions {
        base,
        changed,
        change: prr::budget::policy::ChangeContext {
            labels: audited.labels,
            branch,
            trailers,
            trailer_author,
            label_actors: audited.actors,
            refused_labels: audited.refused,
        },
        now: None,
    })
}
