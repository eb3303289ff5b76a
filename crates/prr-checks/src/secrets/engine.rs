//! The secret-scanning engine: every `secrets.pattern` rule compiled into one
//! keyword automaton, run once over each file's bytes.
//!
//! Per file:
//! 1. path-only rules (gitleaks rules with `path` and no `regex`, such as
//!    `pkcs12-file`) match on the path alone, binary or not;
//! 2. binary files (a NUL byte in the first 8 KiB) stop here;
//! 3. one ASCII case-insensitive Aho-Corasick pass finds every keyword of
//!    every rule (overlapping, so `key` inside `apikey` counts for both);
//! 4. each rule whose keyword hit runs its `regex::bytes` regex (ASCII
//!    classes, as in Go's RE2) on a window around each hit — the hit's line
//!    and the next one, at most 1 KiB before and 4 KiB after the hit (64 KiB
//!    after it and 4 KiB before it for rules whose regex spans lines, such
//!    as private key blocks and Kubernetes Secrets); overlapping windows are merged, so no byte is searched twice
//!    by one rule;
//! 5. each match's secret goes through the gitleaks filters (entropy,
//!    `generic-*` rules need a digit, global and rule allowlists) and prr's
//!    placeholder filter (plus, for `generic-*` rules, code references such
//!    as `ed25519.PrivateKey`);
//! 6. a `generic-*` hit on the same secret as a specific rule's hit is
//!    dropped (gitleaks does the same);
//! 7. the context filters ([`super::context`]) judge what is left: a match
//!    they judge not to be a secret is returned with its reason
//!    ([`RawHit::dismissed`]) and reported as suppressed, never dropped.
//!
//! The engine borrows the rules' prepared parameters; it never allocates per
//! byte, only per hit.

pub use super::context::line_range;
use super::context::{self, NotSecret};
use crate::checks::secrets::{
    Allowlist, Pattern, Target, is_code_reference, is_placeholder, shannon_entropy,
};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
pub use prr_core::fsio::is_binary;
use std::ops::Range;

/// Bytes before a keyword hit that a window may start at (on a long line).
const BACK: usize = 1024;
/// Above this many bytes of windows in one file, rules are searched in parallel.
const PARALLEL_WINDOW_BYTES: usize = 4 * 1024 * 1024;
/// Bytes before a keyword hit that a multi-line rule's window may start at.
const BACK_MULTILINE: usize = 4096;
/// Bytes after a keyword hit that a single-line rule's window may reach.
const FORWARD: usize = 4096;
/// Bytes after a keyword hit that a multi-line rule's window may reach.
const FORWARD_MULTILINE: usize = 64 * 1024;

/// One rule in the engine.
pub struct EngineRule<'a> {
    /// prr rule ID (`secrets/aws-access-token`).
    pub id: &'a str,
    /// The rule's prepared parameters.
    pub pattern: &'a Pattern,
}

/// A match that passed the filters. Byte ranges index the scanned text.
#[derive(Clone, Debug, PartialEq)]
pub struct RawHit {
    /// Index of the rule in [`Engine::rules`].
    pub rule: usize,
    /// The whole regex match (empty for path-only rules).
    pub matched: Range<usize>,
    /// The secret (a capture group, or the whole match).
    pub secret: Range<usize>,
    /// Set when the context filters judged the match not to be a secret
    /// (reported as a suppressed finding with this reason).
    pub dismissed: Option<NotSecret>,
}

/// What the filters make of a match.
enum Verdict {
    /// Not reported (gitleaks' filters, placeholders, allowlists).
    Drop,
    /// A secret.
    Keep,
    /// Not a secret, by a context filter: reported as suppressed.
    Dismiss(NotSecret),
}

/// The compiled secret rules and global allowlists.
pub struct Engine<'a> {
    /// The rules, in the order given.
    pub rules: Vec<EngineRule<'a>>,
    keywords: Option<AhoCorasick>,
    /// For each keyword pattern of `keywords`, the rules it triggers.
    keyword_rules: Vec<Vec<usize>>,
    /// Rules with a regex and no keyword: searched over the whole file.
    unkeyed: Vec<usize>,
    /// Rules with a path and no regex.
    path_only: Vec<usize>,
    /// Global allowlists (gitleaks `[allowlist]` / `[[allowlists]]`).
    global: &'a [Allowlist],
}

impl<'a> Engine<'a> {
    /// Compiles `rules` (with their prepared `secrets.pattern` parameters)
    /// and the global allowlists into one engine.
    pub fn new(rules: Vec<EngineRule<'a>>, global: &'a [Allowlist]) -> Engine<'a> {
        let mut words: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        let mut unkeyed = Vec::new();
        let mut path_only = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            if r.pattern.regex.is_none() {
                path_only.push(i);
                continue;
            }
            let kws: Vec<String> = r
                .pattern
                .keywords
                .iter()
                .map(|k| k.to_ascii_lowercase())
                .filter(|k| !k.is_empty())
                .collect();
            if kws.is_empty() {
                unkeyed.push(i);
                continue;
            }
            for k in kws {
                match words.iter().position(|w| *w == k) {
                    Some(at) => {
                        if !keyword_rules[at].contains(&i) {
                            keyword_rules[at].push(i);
                        }
                    }
                    None => {
                        words.push(k);
                        keyword_rules.push(vec![i]);
                    }
                }
            }
        }
        let keywords = if words.is_empty() {
            None
        } else {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(&words)
                .ok()
        };
        Engine {
            rules,
            keywords,
            keyword_rules,
            unkeyed,
            path_only,
            global,
        }
    }

    /// Whether the global allowlists allow the whole file at `path` (a
    /// path-only allowlist matched): such files are not read for secrets.
    /// Returns the allowlist's description.
    pub fn path_allowed(&self, path: &str) -> Option<&str> {
        self.global
            .iter()
            .find(|a| a.target_rules.is_empty() && a.allows_path_alone(path))
            .map(|a| a.description.as_deref().unwrap_or("global allowlist"))
    }

    /// Every secret in `text` (the content of the file at `path`, relative
    /// to the root with `/`), in ascending order of position.
    pub fn scan(&self, path: &str, text: &[u8]) -> Vec<RawHit> {
        let mut hits = Vec::new();
        for &i in &self.path_only {
            let r = &self.rules[i];
            let hit = RawHit {
                rule: i,
                matched: 0..0,
                secret: 0..0,
                dismissed: None,
            };
            if r.pattern.path.as_ref().is_some_and(|p| p.0.is_match(path))
                && !self.allowed(path, text, &hit)
            {
                hits.push(hit);
            }
        }
        if is_binary(text) {
            return hits;
        }
        let mut windows: Vec<(usize, Range<usize>)> = Vec::new();
        if let Some(ac) = &self.keywords {
            // The end of the last window per rule: a hit inside it adds nothing.
            let mut covered: Vec<usize> = vec![0; self.rules.len()];
            let mut has_window: Vec<bool> = vec![false; self.rules.len()];
            let mut path_ok: Vec<Option<bool>> = vec![None; self.rules.len()];
            for m in ac.find_overlapping_iter(text) {
                let Some(rules) = self.keyword_rules.get(m.pattern().as_usize()) else {
                    continue;
                };
                for &i in rules {
                    if has_window[i] && m.end() <= covered[i] {
                        continue;
                    }
                    let ok = *path_ok[i].get_or_insert_with(|| {
                        self.rules[i]
                            .pattern
                            .path
                            .as_ref()
                            .is_none_or(|p| p.0.is_match(path))
                    });
                    if !ok {
                        continue;
                    }
                    let w = window(text, m.start(), m.end(), self.rules[i].pattern.multiline());
                    covered[i] = w.end;
                    has_window[i] = true;
                    windows.push((i, w));
                }
            }
        }
        for &i in &self.unkeyed {
            if self.rules[i]
                .pattern
                .path
                .as_ref()
                .is_none_or(|p| p.0.is_match(path))
            {
                windows.push((i, 0..text.len()));
            }
        }
        windows.sort_by_key(|(i, w)| (*i, w.start));
        let mut merged: Vec<(usize, Range<usize>)> = Vec::new();
        for (i, w) in windows {
            match merged.last_mut() {
                Some((j, last)) if *j == i && w.start <= last.end => last.end = last.end.max(w.end),
                _ => merged.push((i, w)),
            }
        }
        let searched: usize = merged.iter().map(|(_, w)| w.len()).sum();
        if searched > PARALLEL_WINDOW_BYTES {
            // A file dense with keywords for many rules (a secrets test
            // corpus): the rules' searches are independent, run them on
            // all cores.
            let mut groups: Vec<Vec<(usize, Range<usize>)>> = Vec::new();
            for (i, w) in merged {
                match groups.last_mut() {
                    Some(g) if g.first().is_some_and(|(j, _)| *j == i) => g.push((i, w)),
                    _ => groups.push(vec![(i, w)]),
                }
            }
            let found = crate::par::map_ordered(&groups, |g| {
                let mut out = Vec::new();
                for (i, w) in g {
                    self.search(*i, path, text, w.clone(), &mut out);
                }
                out
            });
            hits.extend(found.into_iter().flatten());
        } else {
            for (i, w) in merged {
                self.search(i, path, text, w, &mut hits);
            }
        }
        hits.sort_by_key(|h| (h.secret.start, h.rule));
        hits.dedup_by(|a, b| a.rule == b.rule && a.secret == b.secret);
        drop_generic_duplicates(&self.rules, &mut hits);
        hits
    }

    /// Runs rule `i`'s regex over window `w` of `text`.
    fn search(&self, i: usize, path: &str, text: &[u8], w: Range<usize>, out: &mut Vec<RawHit>) {
        let p = self.rules[i].pattern;
        let Some(re) = &p.regex else { return };
        let hay = &text[..w.end.min(text.len())];
        let mut at = w.start;
        while at <= hay.len() {
            let Some(caps) = re.0.captures_at(hay, at) else {
                break;
            };
            let Some(whole) = caps.get(0) else { break };
            at = if whole.end() > whole.start() {
                whole.end()
            } else {
                whole.end() + 1
            };
            let secret = match p.secret_group {
                Some(g) => caps.get(g),
                None => (1..caps.len())
                    .filter_map(|g| caps.get(g))
                    .find(|m| !m.is_empty())
                    .or(Some(whole)),
            };
            let Some(secret) = secret else { continue };
            if secret.is_empty() {
                continue;
            }
            let mut hit = RawHit {
                rule: i,
                matched: whole.range(),
                secret: secret.range(),
                dismissed: None,
            };
            hit.dismissed = match self.keep(path, text, &hit) {
                Verdict::Drop => continue,
                Verdict::Keep => None,
                Verdict::Dismiss(why) => Some(why),
            };
            out.push(hit);
        }
    }

    /// gitleaks' filters, prr's placeholder filter, the allowlists, then
    /// (for rules with the placeholder filter on) the context filters, for
    /// the match `hit` (not yet judged) in `text` of the file `path`.
    fn keep(&self, path: &str, text: &[u8], hit: &RawHit) -> Verdict {
        let r = &self.rules[hit.rule];
        let secret = hit.secret.clone();
        let s = &text[secret.clone()];
        if let Some(min) = r.pattern.entropy {
            if shannon_entropy(s) <= min {
                return Verdict::Drop;
            }
            // gitleaks: a `generic*` rule's secret must contain a digit
            // (Go's RE2 has no lookahead to say so in the regex).
            if r.pattern.is_generic() && !s.iter().any(u8::is_ascii_digit) {
                return Verdict::Drop;
            }
        }
        if r.pattern.placeholders
            && (is_placeholder(s)
                || (r.pattern.is_generic() && is_code_reference(s))
                || is_module_hash(text, secret.clone()))
        {
            return Verdict::Drop;
        }
        if self.allowed(path, text, hit) {
            return Verdict::Drop;
        }
        if !r.pattern.placeholders {
            return Verdict::Keep;
        }
        let gid = r.pattern.gitleaks_id.as_deref().unwrap_or(r.id);
        // A decoded Secret entry is rescanned by every rule; the entries the
        // filters rescan contain no keyword of the rules that rescan, so
        // this never recurses more than once.
        let rescan = |decoded: &[u8]| {
            self.scan(path, decoded)
                .iter()
                .any(|h| h.dismissed.is_none())
        };
        match context::judge(gid, r.pattern.is_generic(), text, secret, &rescan) {
            Some(why) => Verdict::Dismiss(why),
            None => Verdict::Keep,
        }
    }

    /// Whether a global or rule allowlist allows the hit.
    fn allowed(&self, path: &str, text: &[u8], hit: &RawHit) -> bool {
        let (matched, secret) = (&hit.matched, &hit.secret);
        let r = &self.rules[hit.rule];
        let gid = r.pattern.gitleaks_id.as_deref().unwrap_or(r.id);
        let globals = self
            .global
            .iter()
            .filter(|a| a.target_rules.is_empty() || a.target_rules.iter().any(|t| t == gid));
        let mut line: Option<Range<usize>> = None;
        for a in globals.chain(r.pattern.allowlists.iter()) {
            let target = match a.regex_target {
                Target::Secret => &text[secret.clone()],
                Target::Match => &text[matched.clone()],
                Target::Line => {
                    let l = line.get_or_insert_with(|| line_range(text, matched.start));
                    &text[l.clone()]
                }
            };
            if a.allows(path, target, &text[secret.clone()]) {
                return true;
            }
        }
        false
    }
}

/// A Go module checksum (`h1:` + base64 SHA-256, as in `go.sum` lines
/// copied into other files): a hash, never a credential.
fn is_module_hash(text: &[u8], secret: Range<usize>) -> bool {
    let s = &text[secret.clone()];
    let body = match s.strip_prefix(b"h1:") {
        Some(b) => b,
        None if secret.start >= 3 && &text[secret.start - 3..secret.start] == b"h1:" => s,
        None => return false,
    };
    body.len() == 44
        && body.ends_with(b"=")
        && body[..43]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
}

/// The window searched around a keyword hit at `start..end`.
fn window(text: &[u8], start: usize, end: usize, multiline: bool) -> Range<usize> {
    let floor = start.saturating_sub(if multiline { BACK_MULTILINE } else { BACK });
    // Single-line rules start at the hit's line; multi-line ones at the
    // first line start after `floor` (a keyword can follow the secret, as
    // `kind: Secret` after a `data:` block).
    let ws = if multiline {
        match text[floor..start].iter().position(|b| *b == b'\n') {
            Some(p) if floor > 0 => floor + p + 1,
            _ => floor,
        }
    } else {
        text[floor..start]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(floor, |p| floor + p + 1)
    };
    let cap = (end
        + if multiline {
            FORWARD_MULTILINE
        } else {
            FORWARD
        })
    .min(text.len());
    if multiline {
        return ws..cap;
    }
    // The hit's line and the next one.
    let mut we = end;
    for _ in 0..2 {
        match text[we.min(cap)..cap].iter().position(|b| *b == b'\n') {
            Some(p) => we = we.min(cap) + p + 1,
            None => {
                we = cap;
                break;
            }
        }
    }
    ws..we.min(cap)
}

/// gitleaks drops a `generic-*` finding whose secret a specific rule also
/// found; prr does the same (hits are sorted by secret start).
fn drop_generic_duplicates(rules: &[EngineRule<'_>], hits: &mut Vec<RawHit>) {
    let specific: Vec<Range<usize>> = hits
        .iter()
        .filter(|h| !rules[h.rule].pattern.is_generic())
        .map(|h| h.secret.clone())
        .collect();
    if specific.is_empty() {
        return;
    }
    hits.retain(|h| {
        !rules[h.rule].pattern.is_generic()
            || !specific
                .iter()
                .any(|s| s.start < h.secret.end && h.secret.start < s.end)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_cover_the_line_and_the_next() {
        let t = b"aaa\nkey = 1\nvalue\nzzz\n";
        let at = 4;
        let w = window(t, at, at + 3, false);
        assert_eq!(&t[w], b"key = 1\nvalue\n");
    }

    #[test]
    fn windows_on_a_long_line_are_bounded() {
        let mut t = vec![b'x'; 100_000];
        t[50_000..50_003].copy_from_slice(b"key");
        let w = window(&t, 50_000, 50_003, false);
        assert_eq!(w.start, 50_000 - BACK);
        assert_eq!(w.end, 50_003 + FORWARD);
    }

    #[test]
    fn go_module_hashes_are_not_secrets() {
        let line =
            b"github.com/keybase/go-crypto v0.0.0 h1:cYgR5ZS9tm1TQlbjB9eTdbJFBFCpNDoCmg8m6vsJ8VQ=";
        let at = line.len() - 44;
        assert!(is_module_hash(line, at..line.len()));
        assert!(is_module_hash(line, at - 3..line.len()));
        assert!(!is_module_hash(line, at + 1..line.len()));
    }

    #[test]
    fn binary_sniffing_looks_at_the_first_8_kib() {
        assert!(is_binary(b"abc\0def"));
        let mut late = vec![b'a'; 9000];
        late[8500] = 0;
        assert!(!is_binary(&late));
    }
}
