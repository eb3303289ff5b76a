//! `prr alerts routes`: every alert's receivers.

use crate::alertmanager::{self, route};
use std::path::Path;

/// Prints each alert of the repository at `root` with the receivers the
/// repository's Alertmanager configuration sends it to (JSON with `json`:
/// an array of [`route::AlertRoute`]). Configuration problems go to stderr
/// as `path:line: message`. Exit code 0; 2 (an error) when the prr config
/// is invalid or the repository cannot be read.
pub fn routes(root: &Path, config_path: Option<&Path>, json: bool) -> anyhow::Result<u8> {
    let config = crate::config::Config::discover(root, config_path)?;
    let inv = crate::inventory::scan(root, &config)?;
    let ctx = crate::checks::Context::new(&config, &inv);
    let configs = alertmanager::discover(&inv, &config.non_production);
    for c in &configs {
        for p in &c.problems {
            eprintln!(
                "prr: {}:{}: {}",
                c.path,
                p.pos.line,
                crate::secrets::redact::safe_message(&p.message)
            );
        }
    }
    let all = route::all(crate::checks::alerts::alerts(&ctx), &configs);
    if json {
        let text = serde_json::to_string_pretty(&all)?;
        crate::outln!("{}", crate::secrets::redact::redact_text(&text));
        return Ok(0);
    }
    if configs.iter().all(|c| c.route.is_none()) {
        crate::outln!(
            "no Alertmanager configuration with a route found (alertmanager.yml, a Secret's alertmanager.yaml, AlertmanagerConfig objects)"
        );
        return Ok(0);
    }
    for a in &all {
        crate::outln!(
            "{}:{}  {}  → {}  (via {})",
            a.path,
            a.line,
            a.alert,
            a.receivers.join(", "),
            a.config
        );
    }
    Ok(0)
}
