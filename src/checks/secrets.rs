//! Committed-secret checks (`secrets/…`): keyword prefilter, then regex; values are always redacted.
//!
//! This is the first stage of the secret-scanning engine. Rules are data (the
//! rule files under `rules/secrets-*.yaml`), modelled on gitleaks' rule format
//! (`config/gitleaks.toml`): `keywords`, `regex`, `secretGroup`, `entropy`,
//! allowlists by secret (`allow`), by whole match (`allow-match`) and by line
//! (`allow-line`), and `stopwords`.
//!
//! How a file is scanned, per rule:
//! 1. lock files, `vendor/` and `node_modules/` are skipped (`skip-paths`);
//!    binary and over-size files have no text and are skipped by the inventory;
//! 2. an ASCII case-insensitive Aho-Corasick automaton finds the keywords; a
//!    file without any keyword costs one linear pass and nothing else;
//! 3. around each keyword hit, a window (the hit's line plus `window-lines`
//!    following lines; overlapping windows merged) is searched with the
//!    regex — never the whole file;
//! 4. each match's secret (a capture group) is filtered: minimum Shannon
//!    entropy, placeholders (`EXAMPLE`, `xxxx`, `${VAR}`, `{{ … }}`, `<…>`,
//!    `YOUR_…`, `changeme`, repeated or sequential characters), stopwords and
//!    the allow regexes;
//! 5. line and column are computed only for the hits left.
//!
//! A finding never holds the secret: the message shows the redacted form
//! ([`redact`]: first 4 characters, `…`, the length), the finding is marked
//! `sensitive` and carries its own snippet — the source line with the secret
//! (and any other long high-entropy word on it) redacted.

use super::Context;
use crate::finding::Finding;
use crate::inventory::globset;
use crate::rules::Rule;
use crate::yaml::Pos;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, Input, MatchKind};
use regex::bytes::{Regex, RegexBuilder};
use serde::{Deserialize, Deserializer};
use std::ops::Range;

/// A compiled regular expression in a rule's parameters (`regex::bytes`
/// syntax; write `(?-u)` for ASCII-only classes and word boundaries).
#[derive(Debug, Clone)]
pub struct Re(pub Regex);

impl<'de> Deserialize<'de> for Re {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        compile(&s).map(Re).map_err(serde::de::Error::custom)
    }
}

fn compile(s: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(s)
        .size_limit(1 << 24)
        .dfa_size_limit(1 << 24)
        .build()
}

/// Parameters of `secrets.pattern`.
///
/// ```yaml
/// check: secrets.pattern
/// with:
///   name: AWS access key ID
///   keywords: [akia, asia, abia, acca, a3t]
///   regex: '(?-u:\b)((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})(?-u:\b)'
///   entropy: 3.0
///   allow: ['EXAMPLE$']
/// ```
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Pattern {
    /// What the secret is, for messages ("AWS access key ID").
    #[serde(default = "default_name")]
    pub name: String,
    /// Prefilter: a file (and a window) is searched only around an ASCII
    /// case-insensitive occurrence of one of these. Empty: every line.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// The secret's regular expression (`regex::bytes` syntax).
    pub regex: Re,
    /// Capture group holding the secret. Default: the first capture group
    /// that took part in the match, or the whole match when there is none.
    #[serde(default)]
    pub secret_group: Option<usize>,
    /// Minimum Shannon entropy of the secret, in bits per byte (gitleaks'
    /// `entropy`; a random base62 string of 20+ characters has ≈ 4–5.5).
    #[serde(default)]
    pub entropy: Option<f64>,
    /// Regexes on the secret: a match means "not a secret" (placeholder, example).
    #[serde(default)]
    pub allow: Vec<Re>,
    /// Regexes on the whole regex match (gitleaks' `regexTarget = "match"`).
    #[serde(default)]
    pub allow_match: Vec<Re>,
    /// Regexes on the source line of the match (gitleaks' `regexTarget = "line"`).
    #[serde(default)]
    pub allow_line: Vec<Re>,
    /// Case-insensitive words: a secret containing one is not reported.
    #[serde(default)]
    pub stopwords: Vec<String>,
    /// Apply the built-in placeholder filter ([`is_placeholder`]).
    #[serde(default = "yes")]
    pub placeholders: bool,
    /// Lines after the keyword's line that the regex may also see (for
    /// secrets that span lines, such as private key blocks).
    #[serde(default)]
    pub window_lines: usize,
    /// Globs of files not to scan (lock files, vendored code).
    #[serde(default = "default_skip_paths")]
    pub skip_paths: Vec<String>,
}

fn default_name() -> String {
    "secret".to_string()
}

fn yes() -> bool {
    true
}

/// Lock files and vendored dependencies: full of hashes, never our secrets.
pub fn default_skip_paths() -> Vec<String> {
    [
        "**/Cargo.lock",
        "**/package-lock.json",
        "**/npm-shrinkwrap.json",
        "**/yarn.lock",
        "**/pnpm-lock.yaml",
        "**/deno.lock",
        "**/go.sum",
        "**/go.work.sum",
        "**/poetry.lock",
        "**/Pipfile.lock",
        "**/composer.lock",
        "**/Gemfile.lock",
        "**/gradle.lockfile",
        "**/vendor/**",
        "**/node_modules/**",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// One secret found in a text.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// Byte range of the whole regex match.
    pub matched: Range<usize>,
    /// Byte range of the secret.
    pub secret: Range<usize>,
}

/// A rule compiled for scanning: the keyword automaton and the parameters.
pub struct Scanner<'a> {
    p: &'a Pattern,
    keywords: Option<AhoCorasick>,
    stopwords: Option<AhoCorasick>,
}

impl<'a> Scanner<'a> {
    /// Builds the automata for `p`.
    pub fn new(p: &'a Pattern) -> Scanner<'a> {
        let ac = |words: &[String]| {
            let words: Vec<&String> = words.iter().filter(|w| !w.is_empty()).collect();
            if words.is_empty() {
                return None;
            }
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostFirst)
                .build(words)
                .ok()
        };
        Scanner {
            p,
            keywords: ac(&p.keywords),
            stopwords: ac(&p.stopwords),
        }
    }

    /// The windows (byte ranges, whole lines, disjoint, ascending) of `text`
    /// that contain a keyword; the whole text when the rule has no keywords.
    pub fn windows(&self, text: &[u8]) -> Vec<Range<usize>> {
        let Some(ac) = &self.keywords else {
            return std::iter::once(0..text.len()).collect();
        };
        let mut out: Vec<Range<usize>> = Vec::new();
        let mut from = 0;
        while from < text.len() {
            let Some(m) = ac.find(Input::new(text).range(from..)) else {
                break;
            };
            let start = text[..m.start()]
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |i| i + 1);
            let mut end = m.end();
            for _ in 0..=self.p.window_lines {
                match text[end..].iter().position(|b| *b == b'\n') {
                    Some(i) if end + i + 1 < text.len() => end += i + 1,
                    Some(i) => {
                        end += i;
                        break;
                    }
                    None => {
                        end = text.len();
                        break;
                    }
                }
            }
            // `end` is just past a newline unless at the end: leave the
            // newline out so `$` means the end of the window's last line.
            if end > start && text.get(end - 1) == Some(&b'\n') {
                end -= 1;
            }
            match out.last_mut() {
                Some(last) if start <= last.end => last.end = last.end.max(end),
                _ => out.push(start..end),
            }
            from = end.max(m.end());
        }
        out
    }

    /// Every secret in `text`, in order.
    pub fn scan(&self, text: &[u8]) -> Vec<Hit> {
        let mut hits = Vec::new();
        for w in self.windows(text) {
            let hay = &text[w.clone()];
            for caps in self.p.regex.0.captures_iter(hay) {
                let Some(whole) = caps.get(0) else { continue };
                let secret = match self.p.secret_group {
                    Some(g) => caps.get(g),
                    None => (1..caps.len()).find_map(|i| caps.get(i)).or(Some(whole)),
                };
                let Some(secret) = secret else { continue };
                let hit = Hit {
                    matched: w.start + whole.start()..w.start + whole.end(),
                    secret: w.start + secret.start()..w.start + secret.end(),
                };
                if self.keep(text, &hit) {
                    hits.push(hit);
                }
            }
        }
        hits
    }

    /// The filters of step 4: entropy, placeholders, stopwords, allowlists.
    fn keep(&self, text: &[u8], hit: &Hit) -> bool {
        let secret = &text[hit.secret.clone()];
        if secret.is_empty() {
            return false;
        }
        if let Some(min) = self.p.entropy
            && shannon_entropy(secret) < min
        {
            return false;
        }
        if self.p.placeholders && is_placeholder(secret) {
            return false;
        }
        if let Some(sw) = &self.stopwords
            && sw.is_match(secret)
        {
            return false;
        }
        if self.p.allow.iter().any(|r| r.0.is_match(secret)) {
            return false;
        }
        let matched = &text[hit.matched.clone()];
        if self.p.allow_match.iter().any(|r| r.0.is_match(matched)) {
            return false;
        }
        if !self.p.allow_line.is_empty() {
            let line = line_range(text, hit.matched.start);
            if self
                .p
                .allow_line
                .iter()
                .any(|r| r.0.is_match(&text[line.clone()]))
            {
                return false;
            }
        }
        true
    }
}

/// The byte range of the line containing byte `at` (without its newline).
fn line_range(text: &[u8], at: usize) -> Range<usize> {
    let at = at.min(text.len());
    let start = text[..at]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let end = text[at..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(text.len(), |i| at + i);
    start..end
}

/// Shannon entropy of `s` in bits per byte: −Σ p·log2 p over the byte
/// frequencies (the measure gitleaks' `entropy` uses).
pub fn shannon_entropy(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0usize; 256];
    for b in s {
        counts[usize::from(*b)] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|c| **c > 0)
        .map(|c| {
            let p = *c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// Whether `secret` is a placeholder, not a credential: a template or
/// variable reference (`${X}`, `$X`, `{{ x }}`, `<x>`, `%X%`, `@X@`), a
/// marker word (`EXAMPLE`, `xxxx`, `YOUR_…`, `changeme`, `placeholder`,
/// `redacted`, `dummy`), `true`/`false`/`null`, a single repeated
/// character or unit (`aaaa`, `abcabc`), or letters and digits in runs that
/// are each sequential (`abcdef`, `123456`, `abc123`).
pub fn is_placeholder(secret: &[u8]) -> bool {
    let s = String::from_utf8_lossy(secret);
    let t = s.trim_matches(|c: char| c == '"' || c == '\'' || c == '`' || c.is_whitespace());
    if t.is_empty() {
        return true;
    }
    let lower = t.to_ascii_lowercase();
    let wrapped =
        |open: &str, close: &str| t.starts_with(open) && t.ends_with(close) && t.len() > open.len();
    if wrapped("${", "}")
        || wrapped("{{", "}}")
        || wrapped("<", ">")
        || wrapped("%", "%")
        || wrapped("@", "@")
        || wrapped("$(", ")")
        || (t.starts_with('$')
            && t[1..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_'))
    {
        return true;
    }
    if t.contains("${") || t.contains("{{") {
        return true;
    }
    const MARKERS: &[&str] = &[
        "example",
        "xxxx",
        "****",
        "your_",
        "your-",
        "yourkey",
        "yourtoken",
        "yoursecret",
        "changeme",
        "change_me",
        "change-me",
        "placeholder",
        "redacted",
        "dummy",
        "replace_me",
        "replaceme",
        "insert_",
        "fixme",
    ];
    if MARKERS.iter().any(|m| lower.contains(m))
        || matches!(lower.as_str(), "true" | "false" | "null" | "none" | "nil")
    {
        return true;
    }
    let alnum: Vec<u8> = lower.bytes().filter(u8::is_ascii_alphanumeric).collect();
    if alnum.is_empty() {
        return true;
    }
    // One repeated unit of 1–4 characters ("aaaaaa", "abab…", "1234 1234").
    for unit in 1..=4.min(alnum.len()) {
        if alnum.len() >= unit * 3 && alnum.chunks(unit).all(|c| c == &alnum[..c.len()]) {
            return true;
        }
    }
    // At most three runs of letters / digits, each sequential.
    let mut runs = 1;
    let mut prev: Option<u8> = None;
    for &c in &alnum {
        if let Some(p) = prev {
            if p.is_ascii_digit() != c.is_ascii_digit() {
                runs += 1;
            } else if c != p.wrapping_add(1)
                && !(p == b'9' && c == b'0')
                && !(p == b'z' && c == b'a')
            {
                return false;
            }
        }
        prev = Some(c);
    }
    runs <= 3
}

pub use crate::finding::redact;

/// Runs `secrets.pattern`.
pub fn pattern(ctx: &Context, rule: &Rule, p: &Pattern) -> Vec<Finding> {
    let skip = globset(&p.skip_paths);
    let scanner = Scanner::new(p);
    let files: Vec<_> = ctx
        .inventory
        .files
        .iter()
        .filter(|f| f.text.is_some() && !skip.is_match(&f.path))
        .collect();
    // Files are independent: scan them on all cores, merge in path order.
    crate::par::map_ordered(&files, |f| {
        let text = f.text.as_deref().unwrap_or_default();
        let hits = scanner.scan(text.as_bytes());
        findings_for(rule, p, &f.path, text, &hits)
    })
    .into_iter()
    .flatten()
    .collect()
}

/// Findings for the hits of one file: redacted message and snippet, position
/// of the secret (or of the match start when the secret begins on a later
/// line, as for a private key block whose BEGIN line is reported).
fn findings_for(rule: &Rule, p: &Pattern, path: &str, text: &str, hits: &[Hit]) -> Vec<Finding> {
    let mut out = Vec::new();
    // Line counting is incremental: hits are in ascending order.
    let mut line_no: usize = 1;
    let mut counted_to: usize = 0;
    let mut last_line: Option<(Range<usize>, String)> = None;
    for hit in hits {
        let bytes = text.as_bytes();
        let match_line = line_range(bytes, hit.matched.start);
        let at = if hit.secret.start <= match_line.end {
            hit.secret.start
        } else {
            hit.matched.start
        };
        let at = floor_char_boundary(text, at);
        if at < counted_to {
            // Not expected (hits ascend), but never panic: recount.
            line_no = 1;
            counted_to = 0;
        }
        line_no += bytes[counted_to..at]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        counted_to = at;
        let line = line_range(bytes, at);
        let column = text[line.start..at].chars().count() + 1;
        let secret = String::from_utf8_lossy(&bytes[hit.secret.clone()]).into_owned();
        let shown = redact(&secret);
        let msg = format!(
            "{} committed: {shown} — revoke it at the issuer now (it is in the history), remove it and load it at run time from a secret store",
            p.name
        );
        let mut finding = Finding::new(
            &rule.id,
            path,
            Pos {
                line: u32::try_from(line_no).unwrap_or(u32::MAX),
                column: u32::try_from(column).unwrap_or(u32::MAX),
            },
            msg,
        );
        finding.sensitive = true;
        // Hits ascend, so hits on one line are consecutive: redact each
        // line once (a long line can hold thousands of secrets).
        let snippet = match &last_line {
            Some((range, s)) if *range == line => s.clone(),
            _ => {
                let s = redacted_line(text, line.clone(), hits);
                last_line = Some((line, s.clone()));
                s
            }
        };
        let in_snippet = snippet
            .find(&shown)
            .map_or(1, |i| snippet[..i].chars().count() + 1);
        let (clipped, col) =
            crate::finding::clip_line(&snippet, u32::try_from(in_snippet).unwrap_or(1));
        finding.snippet_column = Some(col);
        finding.snippet = Some(clipped);
        finding.secret_values = vec![secret];
        out.push(finding);
    }
    out
}

fn floor_char_boundary(s: &str, mut at: usize) -> usize {
    at = at.min(s.len());
    while at > 0 && !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The source line `line` with every part of a secret in `hits` replaced by
/// its redacted form, and every other long, high-entropy word (which may be
/// a secret another rule reports) redacted as well.
fn redacted_line(text: &str, line: Range<usize>, hits: &[Hit]) -> String {
    let mut cuts: Vec<Range<usize>> = hits
        .iter()
        .filter(|h| h.secret.start < line.end && h.secret.end > line.start)
        .map(|h| h.secret.start.max(line.start)..h.secret.end.min(line.end))
        .collect();
    let bytes = text.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b"+/_.-".contains(&b);
    let mut i = line.start;
    while i < line.end {
        if is_word(bytes[i]) {
            let s = i;
            while i < line.end && is_word(bytes[i]) {
                i += 1;
            }
            if i - s >= 16
                && shannon_entropy(&bytes[s..i]) > 3.0
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
    let mut pos = line.start;
    for c in cuts {
        let (s, e) = (
            floor_char_boundary(text, c.start.max(pos)),
            floor_char_boundary(text, c.end),
        );
        if s < pos || e <= s {
            continue;
        }
        out.push_str(&text[pos..s]);
        out.push_str(&redact(&text[s..e]));
        pos = e;
    }
    if pos < line.end {
        out.push_str(&text[floor_char_boundary(text, pos)..floor_char_boundary(text, line.end)]);
    }
    out.trim_end_matches('\r').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{RuleSource, parse_rule};
    use crate::testutil;

    const RULES: &[(&str, &str)] = &[
        (
            "secrets/aws-access-key",
            include_str!("../../rules/secrets-aws-access-key.yaml"),
        ),
        (
            "secrets/github-token",
            include_str!("../../rules/secrets-github-token.yaml"),
        ),
        (
            "secrets/slack-token",
            include_str!("../../rules/secrets-slack-token.yaml"),
        ),
        (
            "secrets/private-key",
            include_str!("../../rules/secrets-private-key.yaml"),
        ),
        (
            "secrets/generic-assignment",
            include_str!("../../rules/secrets-generic-assignment.yaml"),
        ),
    ];

    fn rule_params(id: &str) -> Pattern {
        let (_, text) = RULES.iter().find(|(i, _)| *i == id).expect("known rule");
        let rule = parse_rule(text, RuleSource::Builtin("test.yaml")).expect("rule parses");
        assert_eq!(rule.id, id);
        super::super::params::<Pattern>(&rule.with).expect("params decode")
    }

    fn hits(id: &str, text: &str) -> Vec<String> {
        let p = rule_params(id);
        Scanner::new(&p)
            .scan(text.as_bytes())
            .into_iter()
            .map(|h| text[h.secret].to_string())
            .collect()
    }

    #[test]
    fn entropy_and_redaction() {
        assert_eq!(shannon_entropy(b""), 0.0);
        assert_eq!(shannon_entropy(b"aaaa"), 0.0);
        assert!((shannon_entropy(b"abcd") - 2.0).abs() < 1e-9);
        assert_eq!(redact("AKIALALEMEL33243OLIA"), "AKIA…(20 chars)");
        // Short values would show half of themselves: only the length.
        assert_eq!(redact("ab"), "…(2 chars)");
        assert_eq!(redact("ééééé"), "…(5 chars)");
        assert_eq!(redact("éééééééééé"), "éééé…(10 chars)");
    }

    #[test]
    fn placeholders() {
        for p in [
            "${DB_PASSWORD}",
            "$DB_PASSWORD",
            "{{ .Values.password }}",
            "<your-token>",
            "YOUR_API_KEY_HERE",
            "changeme",
            "AKIAIOSFODNN7EXAMPLE",
            "xxxxxxxxxxxxxxxx",
            "aaaaaaaaaaaa",
            "abcdef",
            "123456",
            "abcdefgh12345678",
            "abcabcabcabc",
            "%PASSWORD%",
            "null",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p} is a placeholder");
        }
        for s in [
            "8ae31cacf141669ddfb5da",
            "Zf3D0LXCM3EIMbgJpUNnkRtOfOueHznB",
            "a1b2c3d4e5f6g7h8",
            "k9x2m4p7",
        ] {
            assert!(!is_placeholder(s.as_bytes()), "{s} is not a placeholder");
        }
    }

    #[test]
    fn windows_are_lines_around_keywords_only() {
        let p = rule_params("secrets/aws-access-key");
        let s = Scanner::new(&p);
        let text = b"one\ntwo akia three\nfour\nfive asia\n";
        let w = s.windows(text);
        let got: Vec<&[u8]> = w.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(got, vec![&b"two akia three"[..], &b"five asia"[..]]);
        assert!(s.windows(b"no keyword in here\n").is_empty());
        // A file without keywords is never given to the regex, even when it
        // would match (the keyword list is the contract of the prefilter).
        let p2: Pattern = super::super::params(
            &crate::yaml::parse_documents("keywords: [zzz]\nregex: 'AKIA[A-Z2-7]{16}'\n")
                .expect("yaml")[0],
        )
        .expect("params");
        assert!(
            Scanner::new(&p2)
                .scan(b"k = AKIALALEMEL33243OLIA")
                .is_empty()
        );
        // Windows merge and extend over following lines.
        let pk = rule_params("secrets/private-key");
        let text = b"x\n-----BEGIN RSA PRIVATE KEY-----\nA\nB\n";
        let w = Scanner::new(&pk).windows(text);
        assert_eq!(w, vec![2..text.len() - 1]);
    }

    #[test]
    fn each_rule_finds_and_passes() {
        assert_eq!(
            hits("secrets/aws-access-key", "k := \"AKIALALEMEL33243OLIA\""),
            vec!["AKIALALEMEL33243OLIA"]
        );
        assert!(
            hits(
                "secrets/aws-access-key",
                "aws_access_key: AKIAIOSFODNN7EXAMPLE"
            )
            .is_empty()
        );
        assert!(hits("secrets/aws-access-key", "TODAYINASIAASACKOFRICEFELLOVER").is_empty());
        let gh = "ghp_ph96tgc94ne8e3qkvxj3e2ejicia8tp3ue74";
        assert_eq!(
            hits("secrets/github-token", &format!("token: {gh}")),
            vec![gh]
        );
        assert!(
            hits(
                "secrets/github-token",
                "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
            )
            .is_empty()
        );
        let hook = "https://hooks.slack.com/services/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";
        assert_eq!(
            hits("secrets/slack-token", &format!("url: {hook}")),
            vec![hook]
        );
        assert!(
            hits(
                "secrets/slack-token",
                "xoxb-xxxxxxxxx-xxxxxxxxxx-xxxxxxxxxxxx"
            )
            .is_empty()
        );
        assert_eq!(
            hits(
                "secrets/generic-assignment",
                "DB_PASSWORD=8ae31cacf141669ddfb5da\n"
            ),
            vec!["8ae31cacf141669ddfb5da"]
        );
        for ok in [
            "DB_PASSWORD=${DB_PASSWORD}",
            "password: changeme",
            "api_key = \"YOUR_API_KEY_HERE\"",
            "token: {{ .Values.token }}",
            "password = 'abcdef123456'",
            "public_key = \"9Cnzj4p4WGeKLs1Pt8QuKUpRKfFLfRYC9AIKjbJTWit\"",
            "REGULAR_VALUE = 'this is just a long string, like a user facing error message'",
            // linux-raw-sys: a type after `:`, not a value.
            "pub const NL80211_KEY_MAX: nl80211_key_attributes = nl80211_key_attributes::NL80211_KEY_DEFAULT_BEACON;",
        ] {
            assert!(hits("secrets/generic-assignment", ok).is_empty(), "{ok}");
        }
    }

    /// The samples of the gitleaks rules our five rules cover
    /// (tests/fixtures/secrets/gitleaks-rule-samples/samples.jsonl): recall on
    /// the true positives ≥ 0.9 and flags on the false positives ≤ 10 %.
    #[test]
    fn gitleaks_rule_samples_recall() {
        let text = std::fs::read_to_string(
            testutil::fixtures().join("secrets/gitleaks-rule-samples/samples.jsonl"),
        )
        .expect("samples");
        let ours = |gl: &str| -> Option<&str> {
            Some(match gl {
                "aws-access-token" => "secrets/aws-access-key",
                g if g.starts_with("github-") => "secrets/github-token",
                g if g.starts_with("slack-") => "secrets/slack-token",
                "private-key" => "secrets/private-key",
                "generic-api-key" => "secrets/generic-assignment",
                _ => return None,
            })
        };
        let mut per_rule: Vec<(String, usize, usize, usize, usize)> = Vec::new();
        let mut cache: Vec<(&str, Pattern)> = Vec::new();
        let (mut tp_n, mut tp_hit, mut fp_n, mut fp_hit) = (0, 0, 0, 0);
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).expect("json line");
            let gl = v["rule"].as_str().unwrap_or_default().to_string();
            let Some(id) = ours(&gl) else { continue };
            if !cache.iter().any(|(i, _)| *i == id) {
                cache.push((id, rule_params(id)));
            }
            let Some((_, p)) = cache.iter().find(|(i, _)| *i == id) else {
                continue;
            };
            let s = Scanner::new(p);
            let strings = |k: &str| -> Vec<String> {
                v[k].as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let (tps, fps) = (strings("tps"), strings("fps"));
            let th = tps
                .iter()
                .filter(|t| !s.scan(t.as_bytes()).is_empty())
                .count();
            let flagged: Vec<&String> = fps
                .iter()
                .filter(|t| !s.scan(t.as_bytes()).is_empty())
                .collect();
            for f in &flagged {
                eprintln!("{gl}: false positive flagged: {f:?}");
            }
            let fh = flagged.len();
            per_rule.push((gl, tps.len(), th, fps.len(), fh));
            (tp_n, tp_hit, fp_n, fp_hit) =
                (tp_n + tps.len(), tp_hit + th, fp_n + fps.len(), fp_hit + fh);
        }
        for (gl, n, h, fn_, fh) in &per_rule {
            eprintln!("{gl}: recall {h}/{n}, false positives flagged {fh}/{fn_}");
        }
        let recall = tp_hit as f64 / tp_n as f64;
        let fp_rate = fp_hit as f64 / fp_n as f64;
        eprintln!(
            "overall: recall {tp_hit}/{tp_n} = {recall:.3}; false positives flagged {fp_hit}/{fp_n} = {fp_rate:.3}"
        );
        assert_eq!(
            per_rule.len(),
            17,
            "every covered gitleaks rule has samples"
        );
        assert!(tp_n > 600, "{tp_n}");
        assert!(recall >= 0.9, "recall {recall}");
        assert!(fp_rate <= 0.10, "false-positive rate {fp_rate}");
        for (gl, n, h, _, _) in &per_rule {
            assert!(*h as f64 >= 0.8 * *n as f64, "{gl}: {h}/{n}");
        }
    }
}

#[cfg(test)]
mod repo_tests {
    use crate::testutil;

    fn found(root: &std::path::Path) -> Vec<(String, String, u32, u32)> {
        testutil::findings(root, "")
            .into_iter()
            .filter(|f| f.rule.starts_with("secrets/"))
            .map(|f| (f.rule, f.path, f.line, f.column))
            .collect()
    }

    #[test]
    fn gitleaks_nogit_repo() {
        let root = testutil::fixtures().join("secrets/gitleaks/testdata/repos/nogit");
        let all = testutil::findings(&root, "");
        let got = found(&root);
        assert_eq!(
            got,
            vec![
                (
                    "secrets/generic-assignment".into(),
                    ".env.prod".into(),
                    4,
                    13
                ),
                ("secrets/aws-access-key".into(), "api.go".into(), 20, 15),
                ("secrets/aws-access-key".into(), "main.go".into(), 20, 15),
            ]
        );
        for f in all.iter().filter(|f| f.rule.starts_with("secrets/")) {
            assert!(f.sensitive);
            for raw in ["AKIALALEMEL33243OLIA", "8ae31cacf141669ddfb5da"] {
                assert!(!f.message.contains(raw), "{}", f.message);
                assert!(!f.snippet.as_deref().unwrap_or_default().contains(raw));
            }
        }
        let aws = all
            .iter()
            .find(|f| f.rule == "secrets/aws-access-key")
            .expect("aws finding");
        assert_eq!(
            aws.snippet.as_deref(),
            Some("\tawsToken := \"AKIA…(20 chars)\"")
        );
        assert!(
            aws.message
                .starts_with("AWS access key ID committed: AKIA…(20 chars)"),
            "{}",
            aws.message
        );
        let db = all
            .iter()
            .find(|f| f.rule == "secrets/generic-assignment")
            .expect("generic finding");
        assert_eq!(db.snippet.as_deref(), Some("DB_PASSWORD=8ae3…(22 chars)"));
    }

    #[test]
    fn detect_secrets_files() {
        let dir = testutil::fixtures().join("secrets/detect-secrets/test_data/files");
        let got = found(&dir);
        assert_eq!(
            got,
            vec![
                // `SUPER_SEECRET_VALUE` (line 3) has no credential word in its
                // name: detect-secrets finds it by entropy alone, we do not.
                (
                    "secrets/generic-assignment".into(),
                    "file_with_secrets.py".into(),
                    4,
                    20
                ),
                ("secrets/private-key".into(), "private_key".into(), 1, 1),
            ]
        );
    }

    #[test]
    fn skips_lock_files_vendor_and_binaries() {
        let key = "ghp_ph96tgc94ne8e3qkvxj3e2ejicia8tp3ue74";
        let line = format!("token: {key}\n");
        let tmp = testutil::repo(&[
            ("Cargo.lock", &line),
            ("web/package-lock.json", &line),
            ("vendor/x/conf.yaml", &line),
            ("web/node_modules/a/index.js", &line),
            ("src/conf.yaml", &line),
        ]);
        std::fs::write(tmp.path().join("blob.bin"), format!("\0\0{line}")).expect("write");
        let got = found(tmp.path());
        assert_eq!(
            got,
            vec![("secrets/github-token".into(), "src/conf.yaml".into(), 1, 8)]
        );
        // `skip-paths` is a parameter: a team can scan lock files too.
        std::fs::write(
            tmp.path().join("prr.yaml"),
            "rules:\n  secrets/github-token:\n    with: { skip-paths: [] }\n",
        )
        .expect("write");
        assert_eq!(
            found(tmp.path())
                .iter()
                .filter(|f| f.0 == "secrets/github-token")
                .count(),
            5
        );
    }

    #[test]
    fn snippet_redacts_other_secrets_on_the_line() {
        let tmp = testutil::repo(&[(
            "ci.env",
            "X=AKIALALEMEL33243OLIA Y=ghp_ph96tgc94ne8e3qkvxj3e2ejicia8tp3ue74\n",
        )]);
        let all = testutil::findings(tmp.path(), "");
        let snippets: Vec<&str> = all
            .iter()
            .filter(|f| f.rule.starts_with("secrets/"))
            .filter_map(|f| f.snippet.as_deref())
            .collect();
        assert_eq!(snippets.len(), 2, "{all:?}");
        for s in snippets {
            assert_eq!(s, "X=AKIA…(20 chars) Y=ghp_…(40 chars)");
        }
    }
}
