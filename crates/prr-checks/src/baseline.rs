//! The baseline: fingerprints of the findings a repository already had when
//! it adopted prr, so only new findings fail (`prr baseline` writes it).
//!
//! File (`.prr/baseline.json` by default, `baseline:` in prr.yaml):
//!
//! ```json
//! { "version": 1,
//!   "findings": [
//!     { "rule": "secrets/aws-access-token", "path": "api.go",
//!       "fingerprint": "9f2c…" } ] }
//! ```
//!
//! `fingerprint` is content-based and never holds a line number or a secret:
//! for secrets `sha256(rule id + ":" + normalised secret)`, for other
//! findings `sha256(rule + ":" + path + ":" + normalised source line or
//! message)` ([`crate::finding`]). Matching counts: an entry accepts one
//! finding, so a third copy of a baselined problem fails. `path` is shown to
//! people and not matched (a secret moved to another file is the same leak).

use crate::finding::{Finding, Level, SuppressionKind};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// One accepted finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Rule ID.
    pub rule: String,
    /// Where it was when the baseline was written (informative).
    #[serde(default)]
    pub path: String,
    /// Content fingerprint (hex SHA-256).
    pub fingerprint: String,
}

/// Whether a baseline may accept findings of `rule`. It never accepts the
/// budget decisions (`budget/*`: the state of production now, not debt in
/// the repository, so a baseline written during an outage cannot wave
/// through every later change), the readiness gate `prr/min-level`
/// (computed from the other findings, it follows them), nor the findings
/// about the run's own suppressions and policy (`prr/baseline-stale`,
/// `prr/suppression-*`, `prr/policy-*`, `prr/non-production`). `prr
/// baseline` does not write them; an older baseline's entries for them
/// match nothing and are reported stale until `prr baseline` drops them.
pub fn accepts(rule: &str) -> bool {
    !(rule.starts_with("budget/")
        || rule == "prr/min-level"
        || rule == "prr/baseline-stale"
        || rule.starts_with("prr/suppression-")
        || rule.starts_with("prr/policy-")
        || rule == "prr/non-production")
}

/// The suppression reason of a finding the baseline accepts.
pub const REASON: &str = "in the baseline (present when prr was adopted)";

/// Whether `f` is suppressed by the baseline.
pub fn accepted(f: &Finding) -> bool {
    f.suppressed && f.suppression.as_ref().is_some_and(|s| s.reason == REASON)
}

/// Largest baseline file read, in bytes (64 MiB: about 300,000 entries).
pub const MAX_BASELINE_BYTES: u64 = 64 * 1024 * 1024;

/// The baseline file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Format version (1).
    pub version: u32,
    /// The accepted findings, sorted by rule, path, fingerprint.
    pub findings: Vec<Entry>,
}

/// Why a baseline could not be read or written (exit 2); the message names
/// the file and, for invalid JSON, the line and column.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BaselineError(String);

impl Baseline {
    /// The baseline of `findings`: every unsuppressed error or warning
    /// (notices never fail a run, so they are not recorded) of a rule it
    /// [`accepts`], sorted.
    pub fn of(findings: &[Finding]) -> Baseline {
        let mut findings: Vec<Entry> = findings
            .iter()
            .filter(|f| !f.suppressed && f.level >= Level::Warning && accepts(&f.rule))
            .filter_map(|f| {
                f.fingerprint.as_ref().map(|fp| Entry {
                    rule: f.rule.clone(),
                    path: f.path.clone(),
                    fingerprint: fp.clone(),
                })
            })
            .collect();
        findings.sort_by(|a, b| {
            (&a.rule, &a.path, &a.fingerprint).cmp(&(&b.rule, &b.path, &b.fingerprint))
        });
        Baseline {
            version: 1,
            findings,
        }
    }

    /// Reads a baseline file (a regular file of at most
    /// [`MAX_BASELINE_BYTES`]); `Ok(None)` when it does not exist.
    ///
    /// Errors: unreadable file, invalid JSON, unknown version (exit 2).
    pub fn load(path: &Path) -> Result<Option<Baseline>, BaselineError> {
        let text = match crate::fsio::read_text_bounded(path, MAX_BASELINE_BYTES) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(BaselineError(format!(
                    "cannot read the baseline {}: {e}",
                    path.display()
                )));
            }
        };
        let b: Baseline = serde_json::from_str(&text).map_err(|e| {
            BaselineError(format!(
                "{}:{}:{}: invalid baseline: {e} (regenerate it with `prr baseline`)",
                path.display(),
                e.line(),
                e.column()
            ))
        })?;
        if b.version != 1 {
            return Err(BaselineError(format!(
                "{}: baseline version {} is not supported (expected 1)",
                path.display(),
                b.version
            )));
        }
        Ok(Some(b))
    }

    /// Writes the baseline as pretty JSON, creating the folder.
    ///
    /// Errors (exit 2): the path or its folder is a symbolic link (a
    /// committed `.prr -> elsewhere`; never written through), I/O errors.
    /// `root` is the repository folder: no folder between it and `path` may
    /// be a link either.
    pub fn save(&self, root: &Path, path: &Path) -> Result<(), BaselineError> {
        let text =
            serde_json::to_string_pretty(self).map_err(|e| BaselineError(e.to_string()))? + "\n";
        crate::fsio::write_file_within(Some(root), path, text.as_bytes())
            .map_err(|e| BaselineError(e.to_string()))
    }

    /// A matcher over the entries, for findings that come in batches
    /// (the checks', then the readiness gate's).
    pub fn matcher(self) -> Matcher {
        let mut left: HashMap<String, HashMap<String, usize>> = HashMap::new();
        for e in &self.findings {
            *left
                .entry(e.rule.clone())
                .or_default()
                .entry(e.fingerprint.clone())
                .or_default() += 1;
        }
        Matcher {
            entries: self.findings,
            left,
        }
    }
}

/// The baseline's entries with how many of each (rule, fingerprint) are
/// still unmatched ([`Baseline::matcher`]).
pub struct Matcher {
    entries: Vec<Entry>,
    /// rule → fingerprint → entries not matched yet.
    left: HashMap<String, HashMap<String, usize>>,
}

impl Matcher {
    /// Marks the findings of `batch` that an unmatched entry accepts as
    /// suppressed (one finding per entry; never one of a rule the baseline
    /// does not [`accepts`]); `source` is the baseline file as shown.
    pub fn mark(&mut self, batch: &mut [Finding], source: &str) {
        for f in batch
            .iter_mut()
            .filter(|f| !f.suppressed && accepts(&f.rule))
        {
            let Some(fp) = f.fingerprint.as_deref() else {
                continue;
            };
            if let Some(n) = self.left.get_mut(&f.rule).and_then(|m| m.get_mut(fp))
                && *n > 0
            {
                *n -= 1;
                f.suppress(
                    SuppressionKind::External,
                    REASON.to_string(),
                    source.to_string(),
                );
            }
        }
    }

    /// The entries no finding matched so far (stale entries).
    pub fn stale(&self) -> Vec<Entry> {
        let mut left = self.left.clone();
        let mut stale = Vec::new();
        for e in &self.entries {
            if let Some(n) = left
                .get_mut(&e.rule)
                .and_then(|m| m.get_mut(&e.fingerprint))
                && *n > 0
            {
                *n -= 1;
                stale.push(e.clone());
            }
        }
        stale
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::Pos;

    fn f(rule: &str, fp: &str) -> Finding {
        let mut f = Finding::new(rule, "a.yaml", Pos::line(3), "m").with_level(Level::Error);
        f.fingerprint = Some(fp.to_string());
        f
    }

    #[test]
    fn entries_are_counted_and_stale_ones_returned() {
        let b = Baseline::of(&[f("r/a", "1"), f("r/a", "1"), f("r/b", "2")]);
        assert_eq!(b.findings.len(), 3);
        // Three copies now: two accepted, the third is new.
        let mut now = vec![f("r/a", "1"), f("r/a", "1"), f("r/a", "1")];
        let mut m = b.clone().matcher();
        m.mark(&mut now, ".prr/baseline.json");
        let stale = m.stale();
        assert_eq!(now.iter().filter(|f| f.suppressed).count(), 2);
        assert!(!now[2].suppressed);
        assert_eq!(stale.len(), 1);
        assert_eq!(stale[0].rule, "r/b");
        // Same fingerprint under another rule does not match.
        let mut other = vec![f("r/c", "1")];
        b.matcher().mark(&mut other, "b");
        assert!(!other[0].suppressed);
    }

    #[test]
    fn round_trip_and_errors() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join(".prr/baseline.json");
        assert_eq!(Baseline::load(&p).expect("missing is fine"), None);
        let b = Baseline::of(&[f("r/a", "1")]);
        b.save(dir.path(), &p).expect("save");
        assert_eq!(Baseline::load(&p).expect("load"), Some(b));
        std::fs::write(&p, "{\"version\": 2, \"findings\": []}").expect("write");
        let e = Baseline::load(&p).expect_err("version 2");
        assert!(e.to_string().contains("version 2"), "{e}");
        std::fs::write(&p, "{\"version\": 1,\n \"findings\": 3}").expect("write");
        let e = Baseline::load(&p).expect_err("bad");
        assert!(e.to_string().contains(":2:"), "{e}");
    }
}
