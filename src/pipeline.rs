//! The run as explicit stages, in the order data flows
//! (docs/architecture.md): config (or the policy revision) → rules →
//! inventory (one read per file, secrets scanned on the way) → service
//! catalog → budget readings → checks → post-passes (suppressions,
//! readiness and the `prr/min-level` gate, tier level caps, change scope,
//! `--only`/`--skip`) → redaction → [`CheckRun`].

use crate::*;

/// The full analysis with [`Analysis`] options: config → rules → inventory
/// (one read per file, secrets scanned on the way) → budget readings →
/// checks → suppressions → findings.
pub fn analyze_opts(
    root: &std::path::Path,
    config_path: Option<&std::path::Path>,
    opts: &Analysis,
) -> anyhow::Result<CheckRun> {
    let gate = &opts.gate;
    if !root.exists() {
        anyhow::bail!("{}: no such file or directory", root.display());
    }
    if !root.is_dir() {
        anyhow::bail!(
            "{}: not a directory (prr check takes a repository folder)",
            root.display()
        );
    }
    let timings = std::env::var_os("PRR_TIMINGS").is_some_and(|v| v == "1");
    // The libraries hand their timing lines to this printer.
    let print_timing = |line: std::fmt::Arguments<'_>| eprintln!("prr: timings: {line}");
    let timing_sink: prr_core::timings::Timings<'_> = timings.then_some(&print_timing);
    let t0 = std::time::Instant::now();
    let (config, mut policy_notes, _policy_dir, policy_catalog, revision) = match &opts.policy_from
    {
        Some(r) => {
            let p = policy_source::load(root, config_path, r)?;
            (
                p.config,
                p.notes,
                Some(p.dir),
                Some(p.catalog),
                Some(p.revision),
            )
        }
        None => (
            config::Config::discover(root, config_path)?,
            Vec::new(),
            None,
            None,
            None,
        ),
    };
    check_providers(&config)?;
    let config_used = report::ConfigUsed {
        path: config.source.as_ref().map(|p| match &opts.policy_from {
            Some(r) => format!(
                "{} at {r}",
                p.file_name()
                    .map_or(String::new(), |n| n.to_string_lossy().into_owned())
            ),
            None => inventory::rel_path(p, root),
        }),
        layers: config.resolved.as_ref().map_or(1, |r| r.layers.len()),
    };
    let (mut rules, secret_allowlists) = rules::load_with_pack(&config)?;
    policy_notes.extend(secrets::empty_pack_warning(&config, &rules, root));
    if let Some(fam) = &opts.family {
        rules.retain(|r| r.family() == fam);
    }
    let t1 = std::time::Instant::now();
    let engine = secrets::engine(&rules, &secret_allowlists);
    let (inventory, lines) = match &opts.scope {
        Scope::All => (
            inventory::scan_with(
                root,
                &config,
                &inventory::ScanOptions {
                    secrets: Some(&engine),
                    only: None,
                },
            )?,
            None,
        ),
        Scope::ChangedSince(base) => {
            let paths: std::collections::BTreeSet<String> = git::changed_paths(root, base)
                .map_err(|e| anyhow::anyhow!(e))?
                .into_iter()
                .collect();
            let lines = git::changed_lines(root, base).map_err(|e| anyhow::anyhow!(e))?;
            let inv = inventory::scan_with(
                root,
                &config,
                &inventory::ScanOptions {
                    secrets: Some(&engine),
                    only: Some(&paths),
                },
            )?;
            (inv, Some(lines))
        }
        Scope::Staged => {
            let (blobs, lines) = git::staged(root).map_err(|e| anyhow::anyhow!(e))?;
            let inv = inventory::scan_blobs(
                root,
                &config,
                &inventory::ScanOptions {
                    secrets: Some(&engine),
                    only: None,
                },
                blobs,
            );
            (inv, Some(lines))
        }
    };
    let t2 = std::time::Instant::now();
    // The service catalog: from the policy revision with --policy-from;
    // from the whole working tree when the inventory covers part of it.
    let catalog = match (policy_catalog, &opts.scope) {
        (Some(c), _) => c,
        (None, Scope::All) => catalog::from_inventory(&inventory),
        (None, _) => catalog::from_disk(root),
    };
    let ctx = checks::Context::with_catalog(&config, &inventory, &catalog);
    let family_on = opts.family.as_deref().is_none_or(|f| f == "budget");
    let selected = rules
        .iter()
        .any(|r| r.family() == "budget" && opts.rules.keeps(&r.id));
    let budget_on = family_on && !opts.no_budget && selected;
    if family_on && !budget_on && config.budget.is_some() {
        // --no-budget, or --only/--skip leaving no budget rule: said, not silent.
        let gated = ctx.services.iter().filter(|s| s.budget.gate).count();
        let why = if opts.no_budget {
            "--no-budget"
        } else {
            "--only/--skip"
        };
        policy_notes.push(selection::budget_skipped(gated, why));
    }
    let budget = match &config.budget {
        Some(b) if budget_on => {
            // With --policy-from the SLO definitions are policy too.
            let (slos, notes) = budget_slos(&ctx, revision.as_ref());
            policy_notes.extend(notes);
            budget_phase(&ctx, b, root, gate, &slos)?
        }
        _ => Vec::new(),
    };
    let ctx = ctx.with_budget(&budget);
    let mut findings = prr_checks::run::run_all(&ctx, &rules, timing_sink);
    if timings {
        eprintln!(
            "prr: timings: config+rules {:?}, inventory {:?} ({} files), checks {:?}",
            t1 - t0,
            t2 - t1,
            inventory.files.len(),
            t2.elapsed()
        );
    }
    findings.extend(policy_notes);
    findings.extend(ctx.problems.iter().cloned());
    for mut p in inventory.problems.iter().cloned() {
        if p.service.is_none() && !p.path.is_empty() {
            p.service = ctx.service_of(&p.path).map(|s| s.name.clone());
        }
        findings.push(p);
    }
    let by_position = |a: &finding::Finding, b: &finding::Finding| {
        (a.path.as_str(), a.line, a.column, a.rule.as_str()).cmp(&(
            b.path.as_str(),
            b.line,
            b.column,
            b.rule.as_str(),
        ))
    };
    findings.sort_by(by_position);
    findings.dedup();
    if let Some(lines) = &lines {
        // A scoped secret scan reports only what the change adds.
        findings.retain(|f| {
            !f.rule.starts_with("secrets/")
                || f.line == 0
                || lines.contains(&(f.path.clone(), f.line))
        });
    }
    // A declared service (prr.yaml, catalog) of a non-experimental tier is
    // the team saying its objects run in production.
    let declared_service = |f: &finding::Finding| {
        !ctx.implicit_service
            && f.service
                .as_deref()
                .and_then(|n| ctx.service_named(n))
                .or_else(|| ctx.service_of(&f.path))
                .is_some_and(|s| s.tier != config::Tier::Experimental)
    };
    let suppress_opts = suppress::Options {
        declared_service: &declared_service,
        today: &suppress::today(),
        use_baseline: opts.use_baseline,
        stale_family: (opts.scope == Scope::All).then_some(opts.family.as_deref()),
        non_production: !opts.include_non_production,
    };
    // The post-passes, each once (prr_checks::post): tier level caps and
    // suppressions over the checks' findings, the readiness scores and the
    // `prr/min-level` gate, the same passes over the gate's findings, then
    // what scopes the gate (--changed-since / PR mode, a subfolder,
    // --only/--skip: every other rule ran, so what they leave out is
    // counted exactly).
    let scope = prr_checks::post::ScopeOptions {
        changed: gate.changed.as_deref().map(|c| (c, gate.base.as_deref())),
        within: opts.within.as_deref().map(|w| (w, &config_used)),
        selection: Some(&opts.rules),
    };
    let readiness = prr_checks::post::registry(&ctx, &rules, &suppress_opts, &scope)?.run(
        &ctx,
        &rules,
        &mut findings,
        timing_sink,
    );
    findings.sort_by(by_position);
    let t3 = std::time::Instant::now();
    // Last step before anything can print a finding: every secret the scan
    // found (whatever the scope), what the secret engine finds in the text
    // itself and private-key blocks are cut out of every finding, budget
    // entry and readiness line (secrets::scrub).
    let mut budget = budget;
    let mut readiness = readiness;
    let values = secrets::scrub::run_values(&inventory, &findings);
    secrets::redact::remember(values.iter().map(String::as_str));
    let redactor = secrets::redact::Redactor::new(Some(&engine), values.iter().map(String::as_str));
    secrets::scrub::findings(&redactor, &mut findings, &inventory);
    secrets::scrub::budget(&redactor, &mut budget);
    secrets::scrub::readiness(&redactor, &mut readiness);
    if timings {
        eprintln!(
            "prr: timings: sort+dedup+redact {:?} ({} findings)",
            t3.elapsed(),
            findings.len()
        );
    }
    let rule_infos = rules.iter().map(rules::Rule::info).collect();
    let gate_rule = score::gate_rule(&rules).map(|r| r.id.clone());
    let coverage = coverage::of(&inventory);
    Ok(CheckRun {
        readiness,
        budget,
        inventory,
        rules,
        rule_infos,
        gate_rule,
        coverage,
        findings,
        fail_level: opts.fail_level,
        config_used,
    })
}

/// `prr baseline`: analyzes without the baseline and writes every current
/// error and warning into it. Returns the number of entries and the path.
///
/// Errors (exit 2): as [`analyze`]; the file cannot be written.
pub fn write_baseline(
    root: &std::path::Path,
    config_path: Option<&std::path::Path>,
    family: Option<String>,
) -> anyhow::Result<(usize, std::path::PathBuf)> {
    let run = analyze_opts(
        root,
        config_path,
        &Analysis {
            family,
            use_baseline: false,
            ..Analysis::default()
        },
    )?;
    let config = config::Config::discover(root, config_path)?;
    let b = baseline::Baseline::of(&run.findings);
    b.save(root, &config.baseline)?;
    Ok((b.findings.len(), config.baseline))
}

/// `prr budget`: only the budget phase (config → inventory for the SLO
/// files → readings → policy). Errors (exit 2): as [`analyze`], and a
/// config without a `budget:` section.
pub fn budget_only(
    root: &std::path::Path,
    config_path: Option<&std::path::Path>,
    gate: &budget::gate::GateOptions,
) -> anyhow::Result<Vec<budget::gate::BudgetEntry>> {
    if !root.is_dir() {
        anyhow::bail!("{}: not a repository folder", root.display());
    }
    let config = config::Config::discover(root, config_path)?;
    check_providers(&config)?;
    let Some(b) = &config.budget else {
        anyhow::bail!(
            "no `budget:` section in {}: configure a provider first (see README, \"Error budget\")",
            config
                .source
                .as_ref()
                .map_or("prr.yaml".to_string(), |p| p.display().to_string())
        );
    };
    let inventory = inventory::scan(root, &config)?;
    let ctx = checks::Context::new(&config, &inventory);
    let mut entries = budget_phase(&ctx, b, root, gate, &inventory.slos)?;
    secrets::scrub::budget(&secrets::redact::default_redactor(), &mut entries);
    Ok(entries)
}

/// The SLO definitions the budget phase reads: the working tree's, or with
/// `--policy-from` the policy revision's ([`budget::definitions`]), with the
/// notices about the change's edits to them.
fn budget_slos(
    ctx: &checks::Context,
    revision: Option<&policy_source::Revision>,
) -> (Vec<formats::slo::SloSpec>, Vec<finding::Finding>) {
    let Some(rev) = revision else {
        return (ctx.inventory.slos.clone(), Vec::new());
    };
    let tree = &ctx.inventory.slos;
    let paths: Vec<&str> = tree.iter().map(|s| s.path.as_str()).collect();
    let at_ref = rev.slo_definitions(ctx.config, &paths);
    let service_of = |p: &str| ctx.service_of(p).map(|s| s.name.clone());
    budget::definitions::resolve(at_ref, tree, &rev.name, &ctx.services, &service_of)
}

/// Plans the gated SLOs of the context's services and reads their budgets.
fn budget_phase(
    ctx: &checks::Context,
    b: &budget::config::BudgetConfig,
    root: &std::path::Path,
    gate: &budget::gate::GateOptions,
    slos: &[formats::slo::SloSpec],
) -> anyhow::Result<Vec<budget::gate::BudgetEntry>> {
    let service_of = |p: &str| ctx.service_of(p).map(|s| s.name.clone());
    let planned = budget::gate::plan(
        ctx.config,
        b,
        &ctx.services,
        slos,
        &service_of,
        gate.changed.as_deref(),
    )?;
    Ok(budget::gate::run(b, planned, root, gate)?)
}

/// Checks every entry of `budget.providers` against the options its
/// provider type owns ([`budget::providers::check`]): an unknown `type`, or
/// a key of another provider type, is a configuration error at that key's
/// line in the layer that wrote it (exit 2), before anything is read.
///
/// Errors: [`config::ConfigError`] at the key (or the entry) at fault.
pub fn check_providers(config: &config::Config) -> Result<(), config::ConfigError> {
    let Some(b) = &config.budget else {
        return Ok(());
    };
    for (name, p) in &b.providers {
        if let Err(e) = budget::providers::check(name, p) {
            let at = e
                .key
                .as_ref()
                .and_then(|k| p.key_pos.get(k))
                .copied()
                .unwrap_or(p.pos);
            let (path, pos) = config.locate(at);
            return Err(config::ConfigError::new(&path, pos, e.message));
        }
    }
    Ok(())
}
