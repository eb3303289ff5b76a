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
            eprintln!("prr: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn dispatch(cli: cli::Cli, outputs: cli::Outputs) -> anyhow::Result<u8> {
    match cli.command {
        Command::Check(args) => {
            let color = match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                        && std::io::stdout().is_terminal()
                }
            };
            let settings = prr::Settings {
                root: args.path,
                config: args.config,
                outputs,
                color,
                github_actions: std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true"),
            };
            Ok(prr::run(&settings)?.exit_code())
        }
        Command::Rules(args) => {
            let config = prr::config::Config::discover(&args.path, args.config.as_deref())?;
            let rules = prr::rules::load(&config)?;
            if args.json {
                let v: Vec<_> = rules
                    .iter()
                    .map(|r| serde_json::json!({"id": r.id, "level": r.level, "check": r.check, "title": r.title, "source": r.source.display()}))
                    .collect();
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                let w = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
                for r in &rules {
                    println!("{:w$}  {:7}  {}", r.id, r.level.as_str(), r.title);
                }
            }
            Ok(0)
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
            println!("{} — {}\n", r.id, r.title);
            println!(
                "level: {}    check: {}    source: {}",
                r.level,
                r.check,
                r.source.display()
            );
            if let Some(t) = &r.tiers {
                let t: Vec<&str> = t.iter().map(|t| t.as_str()).collect();
                println!("applies to tiers: {}", t.join(", "));
            }
            let params = r.with.to_json();
            if params.as_object().is_some_and(|o| !o.is_empty()) {
                println!("parameters: {params}");
            }
            println!("\n{}", r.help.trim_end());
            Ok(0)
        }
    }
}
