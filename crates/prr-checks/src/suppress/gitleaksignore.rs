//! `.gitleaksignore` at the root: lines `PATH:RULE:LINE` (gitleaks' `dir`
//! fingerprints) or `COMMIT:PATH:RULE:LINE` (history scans; the commit is
//! not checked, prr scans files). The path matches when it equals the
//! finding's path or ends with `/` + it (entries written from another
//! working folder, such as `../testdata/repos/nogit/api.go`, still match).
//! An entry naming a rule the pack does not have (gitleaks renames rules
//! between versions) matches any secret rule at that path and line.

use crate::finding::{Finding, SuppressionKind};
use crate::pass::PostPass;
use crate::rules::Rule;
use std::path::Path;

/// One entry of the file.
struct Entry {
    /// The path as written, without a leading `./` or commit.
    file: String,
    /// The prr rule ID of the rule it names.
    rule: String,
    /// Whether the pack has `rule` (else any secret rule matches).
    known: bool,
    line: u32,
    /// The entry as written, and its 1-based line in the file.
    text: String,
    at: usize,
}

/// The `.gitleaksignore` pass: the file is read once.
pub(super) struct GitleaksIgnore {
    entries: Vec<Entry>,
}

impl GitleaksIgnore {
    /// Reads the file at `path`: a regular file of at most 8 MiB; anything
    /// else (missing, a device, a link to procfs) suppresses nothing, which
    /// only makes the gate stricter.
    pub(super) fn read(path: &Path, rules: &[Rule]) -> GitleaksIgnore {
        let mut entries = Vec::new();
        let Ok(text) = crate::fsio::read_text_bounded(path, 8 * 1024 * 1024) else {
            return GitleaksIgnore { entries };
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
            let prr_rule = crate::secrets::gitleaks::prr_id(rule);
            entries.push(Entry {
                file: file.trim_start_matches("./").to_string(),
                known: rules.iter().any(|r| r.id == prr_rule),
                rule: prr_rule,
                line: lno,
                text: line.to_string(),
                at: n + 1,
            });
        }
        GitleaksIgnore { entries }
    }
}

impl PostPass for GitleaksIgnore {
    fn name(&self) -> &'static str {
        ".gitleaksignore"
    }

    fn mark(&mut self, batch: &mut [Finding]) {
        for e in &self.entries {
            for f in batch.iter_mut() {
                let same_path = f.path == e.file || e.file.ends_with(&format!("/{}", f.path));
                let same_rule = if e.known {
                    f.rule == e.rule
                } else {
                    f.rule.starts_with("secrets/")
                };
                if same_path && same_rule && f.line == e.line && !f.suppressed {
                    f.suppress(
                        SuppressionKind::External,
                        format!("listed in .gitleaksignore ({})", e.text),
                        format!(".gitleaksignore:{}", e.at),
                    );
                }
            }
        }
    }
}
