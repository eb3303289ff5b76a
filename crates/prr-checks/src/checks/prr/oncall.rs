//! `prr.oncall` (rule `prr/oncall`): every service names an owner and an
//! on-call (prr.yaml, or CODEOWNERS).

use super::report_service;
use crate::checks::{Context, Sink};
use serde::Deserialize;

fn default_codeowners() -> Vec<String> {
    [
        ".github/CODEOWNERS",
        "CODEOWNERS",
        "docs/CODEOWNERS",
        ".gitlab/CODEOWNERS",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Parameters of `prr.oncall`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Oncall {
    /// CODEOWNERS locations, in the order they are looked up (the first
    /// that exists is read, as GitHub does). A service whose every file has
    /// an owner there needs no `owner:`. Default: `.github/CODEOWNERS`,
    /// `CODEOWNERS`, `docs/CODEOWNERS`, `.gitlab/CODEOWNERS`; `[]` accepts
    /// only `owner:`.
    #[serde(default = "default_codeowners")]
    pub codeowners: Vec<String>,
}

/// A CODEOWNERS file read as a gitignore-style matcher: a line with owners
/// is a pattern, a line without owners (which un-assigns) a negated one, so
/// the last matching line decides, as on GitHub and GitLab.
struct CodeOwners {
    path: String,
    matcher: ignore::gitignore::Gitignore,
}

impl CodeOwners {
    fn load(ctx: &Context, locations: &[String]) -> Option<CodeOwners> {
        let file = locations.iter().find_map(|l| ctx.inventory.file(l))?;
        let text = ctx.inventory.load_text(file)?;
        let mut b = ignore::gitignore::GitignoreBuilder::new(".");
        for line in text.lines() {
            let line = line.trim();
            // Comments, blank lines, GitLab `[Section]` headers; `!` is not
            // CODEOWNERS syntax.
            if line.is_empty()
                || line.starts_with('#')
                || line.starts_with('[')
                || line.starts_with("^[")
                || line.starts_with('!')
            {
                continue;
            }
            let mut parts = line.split_whitespace();
            let Some(pattern) = parts.next() else {
                continue;
            };
            let owned = parts
                .take_while(|p| !p.starts_with('#'))
                .any(|p| p.contains('@'));
            let glob = if owned {
                pattern.to_string()
            } else {
                format!("!{pattern}")
            };
            // A pattern the matcher refuses assigns nothing.
            let _ = b.add_line(None, &glob);
        }
        let matcher = b.build().ok()?;
        Some(CodeOwners {
            path: file.path.clone(),
            matcher,
        })
    }

    /// Whether the last matching line gives `path` an owner.
    fn owns(&self, path: &str) -> bool {
        self.matcher
            .matched_path_or_any_parents(path, false)
            .is_ignore()
    }
}

/// Runs `prr.oncall`: one finding per service that names no owner
/// (`owner:`, or CODEOWNERS owning every file of the service) or no on-call
/// rotation (`oncall:`), saying which is missing.
pub fn oncall(ctx: &Context, p: &Oncall, sink: &mut Sink) {
    let codeowners = CodeOwners::load(ctx, &p.codeowners);
    for svc in &ctx.services {
        let has = |s: &Option<String>| s.as_deref().is_some_and(|v| !v.trim().is_empty());
        let mut owner_note = String::new();
        let owned = has(&svc.owner)
            || codeowners.as_ref().is_some_and(|co| {
                let mut files = ctx
                    .inventory
                    .files
                    .iter()
                    .filter(|f| ctx.in_service(svc, &f.path))
                    .peekable();
                if files.peek().is_none() {
                    return false;
                }
                match files.find(|f| !co.owns(&f.path)) {
                    None => true,
                    Some(f) => {
                        owner_note = format!(" ({} names no owner for {})", co.path, f.path);
                        false
                    }
                }
            });
        let on_call = has(&svc.oncall);
        if owned && on_call {
            continue;
        }
        let (what, why) = match (owned, on_call) {
            (false, false) => (
                "no owner and no on-call rotation",
                "nobody is accountable for it and nobody is paged when it breaks",
            ),
            (false, true) => ("no owner", "nobody is accountable for it"),
            _ => ("no on-call rotation", "nobody is paged when it breaks"),
        };
        let mut fix = Vec::new();
        if !owned {
            fix.push("`owner: <team>` (or a CODEOWNERS entry covering its files)");
        }
        if !on_call {
            fix.push("`oncall: <rotation>` (a PagerDuty or Opsgenie schedule, a chat channel)");
        }
        report_service(
            ctx,
            sink,
            svc,
            format!(
                "service `{}` names {what}{owner_note}: {why} — set {} on the service in prr.yaml",
                svc.name,
                fix.join(" and ")
            ),
        );
    }
}
