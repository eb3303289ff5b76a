//! Findings: what a check reports, with rule ID, level and position.

use serde::Serialize;

crate::named_enum! {
    /// How serious a finding is. Ordered: `Notice < Warning < Error`.
    ///
    /// `Off` exists only in rule files and overrides (a rule at `off` does
    /// not run); no finding carries it.
    pub enum Level {
        /// Rule disabled.
        Off = "off",
        /// Informational; never blocks.
        Notice = "notice",
        /// Shown and annotated; never blocks.
        Warning = "warning",
        /// Blocks the gate (exit 1) unless suppressed.
        Error = "error",
    }
}

/// One problem found by a check.
///
/// `path` is relative to the repository root with `/` separators; `line` and
/// `column` are 1-based (0 = the finding is about the whole file, or about the
/// repository when `path` is empty).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// Stable rule ID, `family/name` (docs/design.md §3).
    pub rule: String,
    /// Level after rule overrides.
    pub level: Level,
    /// Repository-relative path with `/` separators; empty for repository-wide findings.
    pub path: String,
    /// 1-based line; 0 when not applicable.
    pub line: u32,
    /// 1-based column; 0 when not applicable.
    pub column: u32,
    /// What is wrong and, briefly, what to do.
    pub message: String,
    /// The service the finding belongs to, when one matches.
    pub service: Option<String>,
    /// Whether a suppression matched (suppressed findings never block).
    pub suppressed: bool,
    /// The source line to show under the message. For secrets this is the
    /// redacted line; checks that handle sensitive values set it themselves
    /// and mark the finding `sensitive` so it is never filled from the file.
    #[serde(skip)]
    pub snippet: Option<String>,
    /// The finding concerns a secret: its source line must never be shown raw.
    #[serde(skip)]
    pub sensitive: bool,
    /// 1-based column inside `snippet` when the snippet is not the raw
    /// source line (a redacted line is shorter than the original).
    #[serde(skip)]
    pub snippet_column: Option<u32>,
    /// The raw secret values of a `sensitive` finding. Never serialised or
    /// printed: the run uses them once, to redact these values from every
    /// finding (`prr::secrets::scrub::findings`), then clears them.
    #[serde(skip)]
    pub secret_values: Vec<String>,
    /// A content-based fingerprint that survives lines moving: for secrets
    /// `sha256(rule id + ":" + normalised secret)` in hex (never the secret,
    /// never the line number); for other findings see [`fingerprint`].
    /// Filled for every finding before baselines and reports use it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// Why the finding is suppressed (`suppressed` is true), and by what.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppression: Option<Suppression>,
    /// The check itself established that the subject runs in production
    /// (an alert that the routing pages someone with): the deploy-environment
    /// pass (`prr::suppress::environment`) never sets it aside.
    #[serde(skip)]
    pub in_production: bool,
}

/// Where a suppression comes from (SARIF 2.1.0 §3.35.3 `kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SuppressionKind {
    /// In the source file itself (`prr:allow-secret`, `gitleaks:allow`).
    InSource,
    /// Outside it: prr.yaml, the baseline, `.gitleaksignore`.
    External,
}

/// A suppression that matched a finding.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Suppression {
    /// In source or external.
    pub kind: SuppressionKind,
    /// The reason given (or what matched, for the baseline).
    pub reason: String,
    /// Where the suppression is written (`prr.yaml:12`, `.prr/baseline.json`,
    /// `api.go:20`).
    pub source: String,
}

/// A count by key for a notice that stands for many findings: the total
/// and `key n, key n, …` in the order given (`dev 40, staging 3`).
pub fn tally<'a>(counts: impl IntoIterator<Item = (&'a str, usize)>) -> (usize, String) {
    let mut total = 0;
    let mut parts = Vec::new();
    for (k, n) in counts {
        total += n;
        parts.push(format!("{k} {n}"));
    }
    (total, parts.join(", "))
}

/// [`tally`] of counts by rule (or any key), most first, ties by key:
/// `rollout/replicas 7, rollout/pdb 3`.
pub fn tally_by_count(counts: &std::collections::BTreeMap<String, usize>) -> (usize, String) {
    let mut v: Vec<(&str, usize)> = counts.iter().map(|(k, n)| (k.as_str(), *n)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    tally(v)
}

/// The content fingerprint of a finding: hex `sha256(rule + ":" + path +
/// ":" + normalised source line or message)`, so a finding keeps its
/// fingerprint when lines are added above it. Secrets use
/// [`secret_fingerprint`] instead (no path: the same key moved to another
/// file is the same leak).
pub fn fingerprint(rule: &str, path: &str, content: &str) -> String {
    use sha2::{Digest, Sha256};
    let norm: String = content.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut h = Sha256::new();
    h.update(rule.as_bytes());
    h.update(b":");
    h.update(path.as_bytes());
    h.update(b":");
    h.update(norm.as_bytes());
    hex(&h.finalize())
}

/// The fingerprint of a secret: hex `sha256(rule id + ":" + secret)` with
/// the secret trimmed of surrounding quotes and whitespace. It identifies
/// the leak without revealing it (a SHA-256 of a high-entropy credential
/// cannot be reversed).
pub fn secret_fingerprint(rule: &str, secret: &str) -> String {
    use sha2::{Digest, Sha256};
    let norm =
        secret.trim_matches(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == '`');
    let mut h = Sha256::new();
    h.update(rule.as_bytes());
    h.update(b":");
    h.update(norm.as_bytes());
    hex(&h.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Characters of context kept on each side of the column when a snippet
/// line is clipped for display.
pub const SNIPPET_CONTEXT: usize = 60;

/// Clips `line` to [`SNIPPET_CONTEXT`] characters on each side of the
/// 1-based character `column`, marking cuts with `…`. Returns the clipped
/// line and the column inside it. Short lines come back unchanged.
pub fn clip_line(line: &str, column: u32) -> (String, u32) {
    let n = line.chars().count();
    if n <= 2 * SNIPPET_CONTEXT + 20 {
        return (line.to_string(), column);
    }
    let col = usize::try_from(column).unwrap_or(1).clamp(1, n);
    let from = col.saturating_sub(SNIPPET_CONTEXT + 1);
    let to = (col + SNIPPET_CONTEXT).min(n);
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    out.extend(line.chars().skip(from).take(to - from));
    if to < n {
        out.push('…');
    }
    let new_col = col - from + usize::from(from > 0);
    (out, u32::try_from(new_col).unwrap_or(1))
}

/// The redacted form of a secret: its first 4 characters, `…`, and its
/// length in characters (`AKIA…(20 chars)`). Never reveals more than 4
/// characters, and for values of 8 characters or less only the length.
pub fn redact(secret: &str) -> String {
    let n = secret.chars().count();
    if n <= 8 {
        format!("…({n} chars)")
    } else {
        let head: String = secret.chars().take(4).collect();
        format!("{head}…({n} chars)")
    }
}

impl Finding {
    /// A finding for `rule` at `path:line:column`; the level is filled in by
    /// the engine from the rule definition.
    pub fn new(rule: &str, path: &str, pos: crate::yaml::Pos, message: impl Into<String>) -> Self {
        Finding {
            rule: rule.to_string(),
            level: Level::Error,
            path: path.to_string(),
            line: pos.line,
            column: pos.column,
            message: message.into(),
            service: None,
            suppressed: false,
            snippet: None,
            sensitive: false,
            snippet_column: None,
            secret_values: Vec::new(),
            fingerprint: None,
            suppression: None,
            in_production: false,
        }
    }

    /// Marks the subject as known to run in production (see
    /// [`Finding::in_production`]).
    pub fn in_production(mut self) -> Self {
        self.in_production = true;
        self
    }

    /// Sets the service.
    pub fn with_service(mut self, service: impl Into<String>) -> Self {
        self.service = Some(service.into());
        self
    }

    /// Sets the level (used by the engine for built-in `prr/…` findings).
    pub fn with_level(mut self, level: Level) -> Self {
        self.level = level;
        self
    }

    /// Sets the finding aside: marks it suppressed, with the kind of
    /// suppression, the reason every report shows and where the
    /// suppression is written (`prr.yaml:12`, `.gitleaksignore:3`). A
    /// suppressed finding is kept in every report and never fails the run.
    pub fn suppress(
        &mut self,
        kind: SuppressionKind,
        reason: impl Into<String>,
        source: impl Into<String>,
    ) {
        self.suppressed = true;
        self.suppression = Some(Suppression {
            kind,
            reason: reason.into(),
            source: source.into(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_keeps_the_column() {
        assert_eq!(clip_line("short", 3), ("short".to_string(), 3));
        let long = format!("{}X{}", "a".repeat(500), "b".repeat(500));
        let (c, col) = clip_line(&long, 501);
        assert_eq!(c.chars().nth(col as usize - 1), Some('X'));
        assert!(c.starts_with('…') && c.ends_with('…'));
        assert!(c.chars().count() <= 2 * SNIPPET_CONTEXT + 3);
    }

    #[test]
    fn redaction() {
        assert_eq!(redact("AKIAQ3FAKEKEY7TESTZ2"), "AKIA…(20 chars)");
        assert_eq!(redact("short"), "…(5 chars)");
    }
}
