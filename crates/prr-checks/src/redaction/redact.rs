//! The last line of defence against printing a secret: every text prr is
//! about to print or write (finding messages, snippets and code frames,
//! paths, budget reasons, stderr errors) goes through a [`Redactor`] just
//! before it leaves the process.
//!
//! A [`Redactor`] cuts three kinds of spans out of a text and replaces each
//! with its redacted form ([`redact`]: first 4 characters and the length;
//! only the length for parts of a secret):
//! 1. **known secrets** — every value the secret scan found in the files of
//!    the run, whatever the scan's scope, in the forms a check may have
//!    re-encoded it into: as found, with `\n`-style escapes decoded (a
//!    double-quoted YAML string), JSON-escaped, each line of a multi-line
//!    value on its own (trimmed: YAML block scalars are dedented), and the
//!    lines joined without their breaks (a folded or base64-joined value);
//! 2. **what the secret engine finds in the text itself** — the run's
//!    gitleaks rules (or the default pack, [`redact_text`]), matches the
//!    context filters dismiss included;
//! 3. **private key blocks**, also partial ones: a `-----BEGIN … PRIVATE
//!    KEY-----` header and the base64 body lines after it (separated by line
//!    breaks, spaces or escaped `\n`), with the `-----END …-----` line.
//!
//! Redacting never adds a character that any report format must escape
//! (no quote, backslash, `<`, `&`, `%`), so it can run before every
//! reporter.

use crate::finding::redact;
use crate::secrets::engine::Engine;
use aho_corasick::{AhoCorasick, MatchKind};
use regex::Regex;
use std::borrow::Cow;
use std::ops::Range;
use std::sync::{LazyLock, Mutex};

/// Shortest secret value redacted wherever it appears (shorter values would
/// cut ordinary words).
pub const MIN_VALUE_CHARS: usize = 4;

/// Shortest line of a multi-line secret that is redacted on its own.
pub const MIN_FRAGMENT_CHARS: usize = 8;

/// Lines above a base64-looking line searched for the `BEGIN … PRIVATE
/// KEY` header of the block it belongs to ([`in_private_key_block`]).
pub const PEM_LOOKBACK_LINES: usize = 200;

/// A private key block, whole or partial: the header, the body lines
/// (base64 runs of 16+ characters, or encrypted-PEM `Proc-Type:` /
/// `DEK-Info:` headers) separated by whitespace or escaped line breaks, a
/// short last body line, and the footer when present.
static PEM_BLOCK: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----",
        r"(?:(?:\s|\\[nrt])+(?:[A-Z0-9+/=]{16,}|(?:Proc-Type|DEK-Info):[^\n\\]{0,100}))*",
        r"(?:(?:\s|\\[nrt])+[A-Z0-9+/=]{1,15})?",
        r"(?:(?:\s|\\[nrt])*-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----)?",
    ))
    .ok()
});

/// A line that is only base64 words of 16+ characters (a private key's
/// body line), once trimmed of indentation and quotes.
static BASE64_LINE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z0-9+/=]{16,}(?:[ \t]+[A-Za-z0-9+/=]{16,})*$").ok());

/// A private key block's header line.
static PEM_HEADER: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?i)-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----").ok()
});

/// Secret values found in this process's run, kept for the messages printed
/// after the run (an error on the way out). Holds raw values: never
/// printed, only matched.
static REMEMBERED: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// The default gitleaks pack's engine, built on first use, for texts
/// printed outside a run (exit-2 errors, `prr budget`, `prr config`).
static DEFAULT_ENGINE: LazyLock<Option<Engine<'static>>> = LazyLock::new(|| {
    let pack = DEFAULT_PACK.as_ref()?;
    Some(crate::rules::secret_pack::engine(&pack.rules, &pack.global))
});

static DEFAULT_PACK: LazyLock<Option<crate::rules::secret_pack::SecretPack>> =
    LazyLock::new(|| {
        let config = crate::config::Config::default_for(std::path::Path::new("/nonexistent"));
        crate::rules::secret_pack::load_pack(&config).ok()
    });

/// Records secret values found by the run, so [`redact_text`] also cuts
/// them out of whatever is printed later in the process.
pub fn remember<'a>(values: impl IntoIterator<Item = &'a str>) {
    if let Ok(mut known) = REMEMBERED.lock() {
        known.extend(values.into_iter().map(str::to_string));
        known.sort();
        known.dedup();
    }
}

/// Redacts `text` with the default gitleaks pack, private-key blocks and
/// every secret value [`remember`]ed so far. For text printed outside a
/// run's reports: error messages (exit 2), `prr budget`, `prr config`.
/// Returns the text unchanged (borrowed) when it holds no secret.
pub fn redact_text(text: &str) -> Cow<'_, str> {
    default_redactor().text("", text)
}

/// A [`Redactor`] over the default gitleaks pack (built once per process),
/// private-key blocks and every secret value [`remember`]ed so far.
pub fn default_redactor() -> Redactor<'static> {
    let known: Vec<String> = REMEMBERED.lock().map(|k| k.clone()).unwrap_or_default();
    Redactor::new(DEFAULT_ENGINE.as_ref(), known.iter().map(String::as_str))
}

/// Cuts secrets out of text; see the module documentation.
pub struct Redactor<'e> {
    engine: Option<&'e Engine<'e>>,
    /// One automaton over every known form; leftmost-longest, so a value
    /// that contains another is replaced whole.
    known: Option<AhoCorasick>,
    /// Per pattern of `known`: a whole value (shows its first 4 characters)
    /// rather than a part of one (shows only its length).
    whole: Vec<bool>,
}

impl<'e> Redactor<'e> {
    /// A redactor for the secret `values` (raw, as the scan found them) and,
    /// when given, the secrets `engine` finds in each text.
    pub fn new<'v>(
        engine: Option<&'e Engine<'e>>,
        values: impl IntoIterator<Item = &'v str>,
    ) -> Self {
        let mut forms: Vec<(String, bool)> = Vec::new();
        for v in values {
            forms_of(v, &mut forms);
        }
        // Whole values first, so a fragment equal to a whole value shows as one.
        forms.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        forms.dedup_by(|a, b| a.0 == b.0);
        let known = if forms.is_empty() {
            None
        } else {
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(forms.iter().map(|f| f.0.as_str()))
                .ok()
        };
        Redactor {
            engine,
            known,
            whole: forms.into_iter().map(|f| f.1).collect(),
        }
    }

    /// `text` with every secret cut out (borrowed when there was none).
    /// `path` is the repository-relative file the text is about ("" for
    /// none): secret rules limited to some paths apply to it.
    pub fn text<'a>(&self, path: &str, text: &'a str) -> Cow<'a, str> {
        let cuts = self.cuts(path, text);
        if cuts.is_empty() {
            return Cow::Borrowed(text);
        }
        Cow::Owned(apply_cuts(text, cuts))
    }

    /// [`Redactor::text`] in place.
    pub fn scrub(&self, path: &str, text: &mut String) {
        if let Cow::Owned(s) = self.text(path, text) {
            *text = s;
        }
    }

    /// [`Redactor::scrub`] over many texts about one `path` at once: one
    /// scan of the texts joined by line breaks, so the cost per text is a
    /// copy, not a scan (a run with thousands of findings).
    pub fn scrub_all(&self, path: &str, texts: &mut [&mut String]) {
        // Each distinct text once (6,000 findings in one file share a path
        // and often a message).
        let mut seen: std::collections::HashMap<&str, usize> = Default::default();
        let mut owner: Vec<usize> = Vec::with_capacity(texts.len());
        let mut joined = String::new();
        let mut spans: Vec<Range<usize>> = Vec::new();
        for t in texts.iter() {
            let u = *seen.entry(t.as_str()).or_insert_with(|| {
                let start = joined.len();
                joined.push_str(t);
                spans.push(start..joined.len());
                joined.push('\n');
                spans.len() - 1
            });
            owner.push(u);
        }
        drop(seen);
        let cuts = self.cuts(path, &joined);
        if cuts.is_empty() {
            return;
        }
        let mut local: Vec<Vec<(Range<usize>, bool)>> = vec![Vec::new(); spans.len()];
        for (r, whole) in cuts {
            // The texts this cut touches (a cut across a separator touches
            // both sides; each is cut, the secret shows only its length).
            let first = spans.partition_point(|s| s.end < r.start);
            for (i, s) in spans.iter().enumerate().skip(first) {
                if s.start > r.end || (s.start == r.end && !s.is_empty()) {
                    break;
                }
                let (a, b) = (r.start.max(s.start), r.end.min(s.end));
                if a < b {
                    let inside = a == r.start && b == r.end;
                    local[i].push((a - s.start..b - s.start, whole && inside));
                }
            }
        }
        for (t, u) in texts.iter_mut().zip(owner) {
            if !local[u].is_empty() {
                **t = apply_cuts(t, local[u].clone());
            }
        }
    }

    /// The spans of `text` to cut, with whether each is a whole value.
    fn cuts(&self, path: &str, text: &str) -> Vec<(Range<usize>, bool)> {
        let mut cuts: Vec<(Range<usize>, bool)> = Vec::new();
        if let Some(ac) = &self.known {
            for m in ac.find_iter(text) {
                cuts.push((m.range(), self.whole[m.pattern().as_usize()]));
            }
        }
        if let Some(engine) = self.engine {
            // The engine skips "binary" text (a NUL byte): scan a copy
            // without them, so a NUL in a message cannot switch it off.
            let bytes: Cow<[u8]> = if text.contains('\0') {
                Cow::Owned(
                    text.bytes()
                        .map(|b| if b == 0 { b' ' } else { b })
                        .collect(),
                )
            } else {
                Cow::Borrowed(text.as_bytes())
            };
            for h in engine.scan(path, &bytes) {
                if !h.matched.is_empty() {
                    cuts.push((h.secret, true));
                }
            }
        }
        if let Some(re) = PEM_BLOCK.as_ref()
            && text.contains("-----")
        {
            cuts.extend(re.find_iter(text).map(|m| (m.range(), false)));
        }
        cuts
    }
}

/// Replaces each span (merged when they overlap; widened to character
/// boundaries) by its redacted form.
fn apply_cuts(text: &str, mut cuts: Vec<(Range<usize>, bool)>) -> String {
    for (r, _) in cuts.iter_mut() {
        r.end = r.end.min(text.len());
        while r.start > 0 && !text.is_char_boundary(r.start) {
            r.start -= 1;
        }
        while r.end < text.len() && !text.is_char_boundary(r.end) {
            r.end += 1;
        }
    }
    cuts.retain(|(r, _)| r.start < r.end);
    cuts.sort_by_key(|(r, _)| (r.start, std::cmp::Reverse(r.end)));
    let mut merged: Vec<(Range<usize>, bool)> = Vec::new();
    for (r, whole) in cuts {
        match merged.last_mut() {
            Some((last, w)) if r.start < last.end => {
                if r.end > last.end {
                    last.end = r.end;
                    *w = false;
                }
            }
            _ => merged.push((r, whole)),
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (r, whole) in merged {
        out.push_str(&text[at..r.start]);
        let part = &text[r.clone()];
        if whole {
            out.push_str(&redact(part));
        } else {
            out.push_str(&format!("…({} chars)", part.chars().count()));
        }
        at = r.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Adds the forms a secret `value` may be printed in: `(form, whole)`.
fn forms_of(value: &str, out: &mut Vec<(String, bool)>) {
    let long = |s: &str, min: usize| s.chars().count() >= min;
    let mut push = |s: &str, whole: bool| {
        let min = if whole {
            MIN_VALUE_CHARS
        } else {
            MIN_FRAGMENT_CHARS
        };
        if long(s, min) {
            out.push((s.to_string(), whole));
            let json = json_escaped(s);
            if json != s {
                out.push((json, whole));
            }
        }
    };
    let decoded = unescape(value);
    for v in std::iter::once(value).chain(decoded.as_deref()) {
        push(v, true);
        if !v.contains(['\n', '\r']) {
            continue;
        }
        let lines: Vec<&str> = v
            .split(['\n', '\r'])
            .map(|l| l.trim_matches(|c: char| c.is_whitespace() || c == '"' || c == '\''))
            .filter(|l| !l.is_empty())
            .collect();
        for l in &lines {
            push(l, false);
        }
        // Folded (`>`) or joined: the lines without their breaks.
        push(&lines.join(" "), true);
        push(&lines.concat(), true);
        push(&lines.join("\n"), true);
    }
}

/// `s` as the body of a JSON string (what serde_json writes between the quotes).
fn json_escaped(s: &str) -> String {
    let q = serde_json::to_string(s).unwrap_or_default();
    q.get(1..q.len().saturating_sub(1))
        .unwrap_or_default()
        .to_string()
}

/// `s` with the escapes of a double-quoted YAML or JSON string decoded
/// (`\n`, `\r`, `\t`, `\"`, `\\`, `\/`), or `None` when it has none.
fn unescape(s: &str) -> Option<String> {
    if !s.contains('\\') {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some(e @ ('"' | '\\' | '/' | '\'')) => out.push(e),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    (out != s).then_some(out)
}

/// Whether `line` is a body line of a private key block: it is only
/// base64 words, and walking up the lines `above` it (nearest first, at
/// most [`PEM_LOOKBACK_LINES`]) over such lines reaches a `BEGIN … PRIVATE
/// KEY` header. Catches a block the secret rules miss (no footer, a broken
/// indentation).
pub fn in_private_key_block<'a>(line: &str, above: impl Iterator<Item = &'a str>) -> bool {
    let (Some(b64), Some(header)) = (BASE64_LINE.as_ref(), PEM_HEADER.as_ref()) else {
        return false;
    };
    let body = |l: &str| {
        b64.is_match(l.trim_matches(|c: char| c.is_whitespace() || c == '"' || c == '\''))
    };
    if !body(line) {
        return false;
    }
    for l in above.take(PEM_LOOKBACK_LINES) {
        if header.is_match(l) {
            return true;
        }
        let t = l.trim();
        let encrypted = t.starts_with("Proc-Type:") || t.starts_with("DEK-Info:");
        if !(t.is_empty() || encrypted || body(l)) {
            return false;
        }
    }
    false
}

/// A message for stderr or any other text printed outside a report: secrets
/// redacted ([`redact_text`]: the default gitleaks
/// pack, private-key blocks, the values the run found) and unsafe
/// characters made visible ([`prr_core::text::visible`]), so it is one line of the log.
pub fn safe_message(s: &str) -> String {
    prr_core::text::visible(&redact_text(s)).into_owned()
}

/// [`safe_message`] line by line: multi-line text (a rule's help) keeps its
/// line breaks, each line redacted and escaped.
pub fn safe_lines(s: &str) -> String {
    let mut out: Vec<String> = s.lines().map(safe_message).collect();
    if s.ends_with('\n') {
        out.push(String::new());
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {

    #[test]
    fn messages_are_redacted_and_escaped() {
        assert_eq!(
            super::safe_message("a\nghp_ph96tgc94ne8e3qkvxj3e2ejicia8tp3ue74"),
            "a\\nghp_…(40 chars)"
        );
    }
    use super::*;

    const PEM_BODY: [&str; 2] = [
        "MIIEpQIBAAKCAQEAn6/O8li+SX4m98LLYt/PKSzEmQ++ZBD7Loh9P13f4yQ92EF3",
        "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6",
    ];

    fn pem(indent: &str) -> String {
        format!(
            "{indent}{}BEGIN RSA PRIVATE KEY-----\n{indent}{}\n{indent}{}\n{indent}-----END RSA PRIVATE KEY-----\n",
            "-----", PEM_BODY[0], PEM_BODY[1]
        )
    }

    fn leaks(out: &str) -> bool {
        PEM_BODY
            .iter()
            .any(|l| out.contains(l) || out.contains(&l[..20]))
    }

    #[test]
    fn known_values_in_every_encoding() {
        let raw = pem("    ");
        let r = Redactor::new(None, [raw.as_str()]);
        // As found, YAML-decoded (dedented), JSON-escaped, one line alone.
        let dedented = pem("");
        let json = json_escaped(&dedented);
        for text in [
            raw.clone(),
            format!("link `{dedented}` does not resolve"),
            format!("{{\"m\": \"{json}\"}}"),
            format!("12 |\t{}", PEM_BODY[1]),
            format!("folded: {} {}", PEM_BODY[0], PEM_BODY[1]),
        ] {
            let out = r.text("", &text);
            assert!(!leaks(&out), "{out}");
        }
        // Escaped in the file (`"…\n…"`), decoded in the message.
        let escaped = format!("-----BEGIN X-----\\n{}\\n-----END X-----", PEM_BODY[0]);
        let r = Redactor::new(None, [escaped.as_str()]);
        let text = format!("value {}\n", unescape(&escaped).unwrap());
        let out = r.text("", &text);
        assert!(!leaks(&out), "{out}");
    }

    #[test]
    fn whole_values_keep_their_head_and_parts_only_their_length() {
        let r = Redactor::new(None, ["AKIAQ3FAKEKEY7TESTZ2"]);
        assert_eq!(r.text("", "k=AKIAQ3FAKEKEY7TESTZ2;"), "k=AKIA…(20 chars);");
        assert!(matches!(r.text("", "nothing here"), Cow::Borrowed(_)));
        let text = format!("x {}", PEM_BODY[0]);
        assert_eq!(r.text("", &text), text, "unknown values stay");
    }

    #[test]
    fn many_texts_at_once_as_one_by_one() {
        let r = Redactor::new(None, ["AKIAQ3FAKEKEY7TESTZ2"]);
        let (mut a, mut b, mut c) = (
            "AKIAQ3FAKEKEY7TESTZ2".to_string(),
            "none".to_string(),
            format!("k: {}\0", "AKIAQ3FAKEKEY7TESTZ2"),
        );
        r.scrub_all("", &mut [&mut a, &mut b, &mut c]);
        assert_eq!((a.as_str(), b.as_str()), ("AKIA…(20 chars)", "none"));
        assert_eq!(c, "k: AKIA…(20 chars)\0");
        // The engine still runs over text with a NUL byte.
        let d = redact_text("\0ghp_ph96tgc94ne8e3qkvxj3e2ejicia8tp3ue74");
        assert!(!d.contains("ph96tgc94"), "{d}");
    }

    #[test]
    fn private_key_blocks_without_a_known_value() {
        let r = Redactor::new(None, std::iter::empty());
        for text in [
            pem("  "),
            pem("").replace('\n', "\\n"),
            // No footer: a partial block.
            format!(
                "-----BEGIN PRIVATE KEY-----\n{}\n{}",
                PEM_BODY[0], PEM_BODY[1]
            ),
        ] {
            let out = r.text("", &text);
            assert!(!leaks(&out) && !out.contains("BEGIN"), "{out}");
        }
    }

    #[test]
    fn body_lines_are_found_by_their_header() {
        let text = format!(
            "key: |\n  -----BEGIN EC PRIVATE KEY-----\n  {}\n\t{}\n",
            PEM_BODY[0], PEM_BODY[1]
        );
        let lines: Vec<&str> = text.lines().collect();
        let at =
            |n: usize| in_private_key_block(lines[n - 1], lines[..n - 1].iter().rev().copied());
        assert!(at(4) && at(3));
        assert!(!at(2) && !at(1));
        assert!(!in_private_key_block(PEM_BODY[0], ["a: b"].into_iter()));
    }

    /// Secrets between multi-byte characters, NULs and escapes, in many
    /// mixes: redaction never panics (cuts widen to character boundaries)
    /// and never leaves a secret behind.
    #[test]
    fn mixed_text_never_panics_and_never_leaks() {
        let token = "ghp_ph96tgc94ne8e3qkvxj3e2ejicia8tp3ue74";
        let block = pem("");
        let parts = [
            "é",
            "€",
            "\u{202e}",
            "\0",
            "\\n",
            "\n",
            " ",
            "key: ",
            "\"",
            token,
            &block,
            PEM_BODY[0],
            "-----BEGIN PRIVATE KEY-----",
            "日本",
        ];
        let values = [block.as_str()];
        let r = Redactor::new(DEFAULT_ENGINE.as_ref(), values);
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..300 {
            let mut text = String::new();
            for _ in 0..8 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(parts[(seed % parts.len() as u64) as usize]);
            }
            let out = r.text("a.yaml", &text);
            assert!(!out.contains(&token[4..]), "{text:?} -> {out:?}");
            assert!(!leaks(&out), "{text:?} -> {out:?}");
            let mut many = [text.clone(), text.clone()];
            let [a, b] = &mut many;
            r.scrub_all("a.yaml", &mut [a, b]);
            assert!(many.iter().all(|t| !t.contains(&token[4..]) && !leaks(t)));
        }
    }

    #[test]
    fn the_default_engine_redacts_tokens_in_any_text() {
        let t = "extends `ghp_ph96tgc94ne8e3qkvxj3e2ejicia8tp3ue74.yaml`: cannot read";
        let out = redact_text(t);
        assert!(
            !out.contains("ph96tgc94ne8e3qkvxj3e2ejicia8tp3ue74"),
            "{out}"
        );
        assert_eq!(redact_text("plain words"), "plain words");
    }
}
