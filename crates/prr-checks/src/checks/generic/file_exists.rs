//! `file.exists`: each glob matches at least one file (per service with `per-service: true`).

use super::*;

/// `file.exists`: each glob must match at least one file, per service when
/// `per-service: true` (globs are then relative to nothing: they are matched
/// against repository paths that belong to the service).
///
/// ```yaml
/// check: file.exists
/// with: { paths: ["CODEOWNERS", ".github/CODEOWNERS"], any: true }
/// ```
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileExists {
    /// Globs (repository-relative).
    pub paths: Vec<String>,
    /// `true`: one match among all globs is enough; `false`: every glob must match.
    #[serde(default)]
    pub any: bool,
    /// Check each service's own files instead of the whole repository.
    #[serde(default)]
    pub per_service: bool,
    /// Message override.
    #[serde(default)]
    pub message: Option<String>,
}

/// Runs `file.exists`.
pub fn file_exists(ctx: &Context, p: &FileExists, sink: &mut Sink) {
    let files = &ctx.inventory.files;
    let check = |filter: &dyn Fn(&str) -> bool| -> Vec<String> {
        let missing: Vec<String> = p
            .paths
            .iter()
            .filter(|g| {
                let set = globset(std::slice::from_ref(*g));
                !files
                    .iter()
                    .any(|f| filter(&f.path) && set.is_match(&f.path))
            })
            .cloned()
            .collect();
        if p.any && missing.len() < p.paths.len() {
            Vec::new()
        } else {
            missing
        }
    };
    let msg = |missing: &[String]| {
        p.message.clone().unwrap_or_else(|| {
            let joiner = if p.any { " or " } else { ", " };
            format!("no file matches {}", missing.join(joiner))
        })
    };
    if p.per_service {
        for s in &ctx.services {
            let missing = check(&|path: &str| ctx.in_service(s, path));
            if !missing.is_empty() {
                sink.push(
                    sink.finding("", Pos::default(), msg(&missing))
                        .with_service(&s.name),
                );
            }
        }
    } else {
        let missing = check(&|_: &str| true);
        if !missing.is_empty() {
            sink.report("", Pos::default(), msg(&missing));
        }
    }
}
