//! Secret scanning: the rule pack (gitleaks' TOML format), the one-pass
//! engine, and the conversion of raw hits into located, redacted hits.
//!
//! Data flow: config → [`load_pack`] (the embedded gitleaks default config,
//! or the team's `.gitleaks.toml` with `[extend]`) → prr rules
//! `secrets/<id>` → [`engine::Engine`] over every file while the inventory
//! reads it → [`SecretHit`]s in the inventory → the `secrets.pattern`
//! analyzer → findings. The raw secret leaves this module only inside a
//! hit's `secret` field, which the finding pipeline uses once to redact
//! every output and then clears.

pub mod context;
pub mod engine;
pub mod gitleaks;

use crate::finding::{clip_line, redact, secret_fingerprint};

use crate::yaml::Pos;
pub use prr_core::secret::SecretHit;

use engine::{Engine, RawHit, line_range};
use std::ops::Range;

/// Inline markers that allow a secret on their line.
pub const INLINE_ALLOW: [&str; 2] = ["prr:allow-secret", "gitleaks:allow"];

/// Locates `hits` (ascending) in `text`: line, column, redacted snippet,
/// fingerprint, inline marker.
pub fn locate(engine: &Engine<'_>, path: &str, text: &[u8], hits: &[RawHit]) -> Vec<SecretHit> {
    let mut out = Vec::with_capacity(hits.len());
    let mut line_no = 1usize;
    let mut counted_to = 0usize;
    for hit in hits {
        let r = &engine.rules[hit.rule];
        let secret = String::from_utf8_lossy(&text[hit.secret.clone()]).into_owned();
        if hit.matched.is_empty() {
            out.push(SecretHit {
                rule: r.id.to_string(),
                path: path.to_string(),
                pos: Pos::default(),
                redacted: String::new(),
                fingerprint: secret_fingerprint(r.id, path),
                secret: String::new(),
                snippet: String::new(),
                snippet_column: 1,
                inline_allow: None,
                path_only: true,
                dismissed: None,
            });
            continue;
        }
        // The secret's line, or the match's when the secret starts on a
        // later line (a private key block is reported at its BEGIN line).
        let mline = line_range(text, hit.matched.start);
        let at = if hit.secret.start <= mline.end {
            hit.secret.start
        } else {
            hit.matched.start
        };
        if at < counted_to {
            line_no = 1;
            counted_to = 0;
        }
        line_no += text[counted_to..at].iter().filter(|b| **b == b'\n').count();
        counted_to = at;
        let line = line_range(text, at);
        let column = String::from_utf8_lossy(&text[line.start..at])
            .chars()
            .count()
            + 1;
        let redacted = redact(&secret);
        // The column of this hit in the redacted line, mapped from its byte
        // offset (two secrets on one line share a redacted form, so
        // searching for it would point both at the first).
        let (snippet, in_snippet) = redacted_line(text, line.clone(), hits, at);
        let (snippet, snippet_column) = clip_line(&snippet, u32::try_from(in_snippet).unwrap_or(1));
        let raw_line = &text[line.clone()];
        let inline_allow = INLINE_ALLOW
            .into_iter()
            .find(|m| raw_line.windows(m.len()).any(|w| w == m.as_bytes()));
        out.push(SecretHit {
            rule: r.id.to_string(),
            path: path.to_string(),
            pos: Pos {
                line: u32::try_from(line_no).unwrap_or(u32::MAX),
                column: u32::try_from(column).unwrap_or(u32::MAX),
            },
            fingerprint: secret_fingerprint(r.id, &secret),
            redacted,
            secret,
            snippet,
            snippet_column,
            inline_allow,
            path_only: false,
            dismissed: hit.dismissed,
        });
    }
    out
}

/// The source line `line` with every secret of `hits` on it replaced by its
/// redacted form, and every other long, high-entropy word (which may be a
/// secret another rule reports) redacted as well; and the 1-based character
/// column in that line of the byte offset `at` of the original (the start of
/// the redacted form when `at` falls inside a cut).
fn redacted_line(text: &[u8], line: Range<usize>, hits: &[RawHit], at: usize) -> (String, usize) {
    let mut cuts: Vec<Range<usize>> = hits
        .iter()
        .filter(|h| h.secret.start < line.end && h.secret.end > line.start)
        .map(|h| h.secret.start.max(line.start)..h.secret.end.min(line.end))
        .collect();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b"+/_.-=".contains(&b);
    let mut i = line.start;
    while i < line.end {
        if is_word(text[i]) {
            let s = i;
            while i < line.end && is_word(text[i]) {
                i += 1;
            }
            if i - s >= 16
                && crate::checks::secrets::shannon_entropy(&text[s..i]) > 3.0
                && !cuts.iter().any(|c| c.start < i && c.end > s)
            {
                cuts.push(s..i);
            }
        } else {
            i += 1;
        }
    }
    cuts.sort_by_key(|c| c.start);
    let mut out = String::new();
    let mut column: Option<usize> = None;
    let mut pos = line.start;
    let chars = |s: &String| s.chars().count();
    for c in cuts {
        let s = c.start.max(pos);
        if c.end <= s {
            continue;
        }
        if column.is_none() && at < s {
            column =
                Some(chars(&out) + String::from_utf8_lossy(&text[pos..at]).chars().count() + 1);
        }
        out.push_str(&String::from_utf8_lossy(&text[pos..s]));
        if column.is_none() && at < c.end {
            column = Some(chars(&out) + 1);
        }
        out.push_str(&redact(&String::from_utf8_lossy(&text[s..c.end])));
        pos = c.end;
    }
    if column.is_none() {
        let at = at.clamp(pos, line.end.max(pos));
        column = Some(chars(&out) + String::from_utf8_lossy(&text[pos..at]).chars().count() + 1);
    }
    if pos < line.end {
        out.push_str(&String::from_utf8_lossy(&text[pos..line.end]));
    }
    let out = out.trim_end_matches('\r').to_string();
    let column = column.unwrap_or(1).min(out.chars().count().max(1));
    (out, column)
}

/// The walk's secret scan ([`crate::inventory::ScanHook`]): the engine's
/// path allowlist, then its hits located in the file.
impl crate::inventory::ScanHook for Engine<'_> {
    fn allowlisted(&self, path: &str) -> bool {
        self.path_allowed(path).is_some()
    }

    fn secrets_in(&self, path: &str, bytes: &[u8]) -> Vec<SecretHit> {
        locate(self, path, bytes, &self.scan(path, bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::rules::secret_pack::{engine, load_pack};
    use crate::testutil;
    use std::path::Path;

    /// gitleaks' own samples (tests/fixtures/secrets/gitleaks-rule-samples,
    /// the strings each rule's unit test validates): each true positive must
    /// be found by its own rule, each false positive not flagged by it.
    /// Targets (issue 4): ≥ 97 % of true positives, ≥ 215 of 220 rules with
    /// a hit, ≤ 5 % of false positives flagged.
    #[test]
    fn gitleaks_rule_samples_recall() {
        let text = std::fs::read_to_string(
            testutil::fixtures().join("secrets/gitleaks-rule-samples/samples.jsonl"),
        )
        .expect("samples");
        let config = Config::default_for(Path::new("/nonexistent"));
        let pack = load_pack(&config).expect("pack");
        let engine = engine(&pack.rules, &pack.global);
        let scan = |path: &str, body: &str| -> Vec<String> {
            engine
                .scan(path, body.as_bytes())
                .iter()
                .filter(|h| h.dismissed.is_none())
                .map(|h| engine.rules[h.rule].id.to_string())
                .collect()
        };
        let (mut tp_n, mut tp_own, mut tp_any, mut fp_n, mut fp_own, mut fp_any) =
            (0, 0, 0, 0, 0, 0);
        let mut rules_n = 0;
        let mut rules_hit = 0;
        let mut misses: Vec<String> = Vec::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).expect("json line");
            let gl = v["rule"].as_str().unwrap_or_default();
            let id = gitleaks::prr_id(gl);
            let mut cases: Vec<(String, String, bool)> = Vec::new();
            for (key, tp) in [("tps", true), ("fps", false)] {
                for s in v[key].as_array().into_iter().flatten() {
                    if let Some(s) = s.as_str() {
                        cases.push(("sample.txt".into(), s.into(), tp));
                    }
                }
            }
            for (key, tp) in [("path_tps", true), ("path_fps", false)] {
                for (p, s) in v[key].as_object().into_iter().flatten() {
                    cases.push((p.clone(), s.as_str().unwrap_or_default().into(), tp));
                }
            }
            rules_n += 1;
            let mut any_hit = false;
            for (path, body, tp) in cases {
                let got = scan(&path, &body);
                let own = got.contains(&id);
                if tp {
                    tp_n += 1;
                    tp_own += usize::from(own);
                    tp_any += usize::from(!got.is_empty());
                    any_hit |= own;
                    if got.is_empty() {
                        misses.push(format!("{gl}: missed {body:?}"));
                    }
                } else {
                    fp_n += 1;
                    fp_own += usize::from(own);
                    fp_any += usize::from(!got.is_empty());
                    if !got.is_empty() && !own {
                        misses.push(format!("{gl}: false positive flagged by {got:?}: {body:?}"));
                    }
                    if own {
                        misses.push(format!("{gl}: flagged false positive {body:?}"));
                    }
                }
            }
            rules_hit += usize::from(any_hit);
        }
        for m in misses.iter().take(400) {
            eprintln!("{}", m.chars().take(300).collect::<String>());
        }
        eprintln!(
            "true positives found by their rule: {tp_own}/{tp_n} (by any rule {tp_any}); rules with a hit {rules_hit}/{rules_n}; false positives flagged by their rule {fp_own}/{fp_n} (by any rule {fp_any})"
        );
        assert!(tp_n >= 6368, "{tp_n}");
        // Issue 12: the context filters keep recall at 99.9 % or more.
        assert!(
            tp_any as f64 >= 0.999 * tp_n as f64,
            "recall {tp_any}/{tp_n}"
        );
        assert!(rules_hit >= 215, "rules with a hit {rules_hit}/{rules_n}");
        assert!(
            fp_own as f64 <= 0.05 * fp_n as f64,
            "false positives {fp_own}/{fp_n}"
        );
        // By any rule: most are a sibling rule's true positive (a Cloudflare
        // global key is a false positive only for the origin-CA rule), so the
        // issue's 5 % is gated on the own rule above; this guards the any-rule
        // figure against a regression past 10 %.
        assert!(
            fp_any * 10 <= fp_n,
            "false positives (any rule) {fp_any}/{fp_n}"
        );
        // gitleaks 8.30.1 flags 29 of these samples by any rule (bench/RESULTS.md,
        // measured side by side with prr); issue 12: prr flags fewer.
        const GITLEAKS_FP_ANY: usize = 29;
        assert!(
            fp_any < GITLEAKS_FP_ANY,
            "false positives (any rule) {fp_any}, gitleaks {GITLEAKS_FP_ANY}"
        );
    }
}
