//! Writers: `prr generate alerts` (burn-rate alerts and recording rules from
//! an SLO file, [`alerts`]) and `prr init` (a service skeleton that passes
//! `prr check`, [`init`]). The CLI adapters here map the parsed arguments
//! onto them; errors become exit 2 in the binary.

pub mod alerts;
pub mod init;

use crate::cli::{GenerateArgs, GenerateCommand, InitArgs, InitSloFormat, InitTier, RuleKind};

/// Runs `prr generate …`. Returns the exit code (0); errors are exit 2.
pub fn run_generate(args: &GenerateArgs) -> anyhow::Result<u8> {
    match &args.command {
        GenerateCommand::Alerts(a) => {
            // Without --runbook-url, the link is written relative to the
            // output file (prr resolves relative links from the rule file's
            // folder), assuming the current folder is the repository root;
            // an output elsewhere gets a root-relative `/runbooks/…`.
            let default_url = a.output.as_ref().map(|out| {
                let parent = out.parent().unwrap_or(std::path::Path::new(""));
                let plain = parent.components().all(|c| {
                    matches!(
                        c,
                        std::path::Component::Normal(_) | std::path::Component::CurDir
                    )
                });
                if !plain {
                    return "/runbooks/{service}-{slo}.md".to_string();
                }
                let depth = parent
                    .components()
                    .filter(|c| matches!(c, std::path::Component::Normal(_)))
                    .count();
                format!("{}runbooks/{{service}}-{{slo}}.md", "../".repeat(depth))
            });
            let opts = alerts::Options {
                runbook_url: a.runbook_url.clone().or(default_url),
                kind: match a.kind {
                    RuleKind::RuleFile => alerts::Kind::RuleFile,
                    RuleKind::PrometheusRule => alerts::Kind::PrometheusRule,
                },
            };
            let display = a.slo_file.display().to_string();
            let text = alerts::generate(&a.slo_file, &display, &opts)?;
            if let Some(out) = &a.output
                && let (Ok(o), Ok(i)) = (out.canonicalize(), a.slo_file.canonicalize())
                && o == i
            {
                anyhow::bail!("--output {} is the SLO file itself", out.display());
            }
            match &a.output {
                Some(out) => {
                    crate::fsio::write_file(out, text.as_bytes())
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                    eprintln!("prr: wrote {}", out.display());
                }
                None => {
                    crate::cli::write_stdout(&text).map_err(|e| anyhow::anyhow!("stdout: {e}"))?;
                }
            }
            Ok(0)
        }
    }
}

/// Runs `prr init`: writes the files and lists them. Errors are exit 2.
pub fn run_init(args: &InitArgs) -> anyhow::Result<u8> {
    let opts = init::InitOptions {
        root: args.path.clone(),
        service: args.service.clone(),
        tier: match args.tier {
            InitTier::Critical => crate::config::Tier::Critical,
            InitTier::Important => crate::config::Tier::Important,
            InitTier::Standard => crate::config::Tier::Standard,
            InitTier::Experimental => crate::config::Tier::Experimental,
        },
        format: match args.slo_format {
            InitSloFormat::Openslo => init::SloFormat::OpenSlo,
            InitSloFormat::Sloth => init::SloFormat::Sloth,
        },
        objective_percent: args.objective,
        force: args.force,
    };
    let written = init::init(&opts)?;
    crate::outln!("prr: wrote {} files:", written.len());
    for rel in &written {
        crate::outln!("  {}", init::display_path(&args.path, rel));
    }
    crate::outln!(
        "Next: point the SLO queries at your metrics, label your pods `app.kubernetes.io/name: {}`, and run `prr check {}`.",
        args.service,
        args.path.display()
    );
    Ok(0)
}
