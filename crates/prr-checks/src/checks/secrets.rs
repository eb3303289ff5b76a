//! Committed-secret checks (`secrets/…`): the parameters of a secret rule
//! (`secrets.pattern`), its allowlists, the placeholder and entropy filters,
//! and the analyzer that turns the inventory's secret hits into findings.
//!
//! Rules are data: gitleaks' default configuration is shipped as the
//! default pack (`rules/secrets/gitleaks.toml`, read by
//! [`crate::secrets::gitleaks`]), a team's `.gitleaks.toml` replaces or
//! extends it, and prr rule files can declare more with `check:
//! secrets.pattern`. The scan itself runs once per file, for every secret
//! rule at once, while the inventory reads the file
//! ([`crate::secrets::engine`]); this module only reports.
//!
//! A finding never holds the secret in clear: the message shows the
//! redacted form ([`redact`]: first 4 characters, `…`, the length), the
//! snippet is the source line with the secret (and any other long
//! high-entropy word on it) redacted, and the finding is marked `sensitive`.

use super::{Context, Sink};
use crate::finding::Finding;
use regex::bytes::{Regex, RegexBuilder};
use serde::{Deserialize, Deserializer};

/// A compiled regular expression on bytes (Go RE2 syntax as gitleaks
/// writes it: `\w`, `\b`, `\s`, `\d` are ASCII, as in RE2).
#[derive(Debug, Clone)]
pub struct Re(pub Regex);

impl<'de> Deserialize<'de> for Re {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        compile(&s).map(Re).map_err(serde::de::Error::custom)
    }
}

/// A compiled regular expression on a repository-relative path.
#[derive(Debug, Clone)]
pub struct PathRe(pub regex::Regex);

impl<'de> Deserialize<'de> for PathRe {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        regex::RegexBuilder::new(&s)
            .size_limit(1 << 22)
            .build()
            .map(PathRe)
            .map_err(serde::de::Error::custom)
    }
}

/// Compiles `s` with ASCII-only classes (RE2's semantics, and 30× faster
/// than Unicode classes on large inputs); a pattern that needs Unicode (a
/// non-ASCII class) is compiled with Unicode on.
pub fn compile(s: &str) -> Result<Regex, regex::Error> {
    let s = &go_braces(s);
    let build = |unicode: bool| {
        RegexBuilder::new(s)
            .unicode(unicode)
            .size_limit(1 << 24)
            .dfa_size_limit(1 << 24)
            .build()
    };
    build(false).or_else(|_| build(true))
}

/// Go's RE2 reads a `{` that does not start a repetition (`{2}`, `{2,}`,
/// `{2,5}`) as a literal brace; Rust's `regex` rejects it. This escapes such
/// braces outside character classes, so gitleaks' patterns (`\$?{{[^}]+}}`)
/// compile with the same meaning.
pub fn go_braces(s: &str) -> String {
    let b: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 8);
    let mut i = 0;
    let mut in_class = false;
    while i < b.len() {
        let c = b[i];
        if c == '\\' {
            out.push(c);
            if let Some(n) = b.get(i + 1) {
                out.push(*n);
            }
            i += 2;
            continue;
        }
        if in_class {
            if c == ']' {
                in_class = false;
            }
            out.push(c);
            i += 1;
            continue;
        }
        if c == '[' {
            in_class = true;
            out.push(c);
            i += 1;
            // A `]` (or `^]`) right after `[` is a literal member.
            if b.get(i) == Some(&'^') {
                out.push('^');
                i += 1;
            }
            if b.get(i) == Some(&']') {
                out.push(']');
                i += 1;
            }
            continue;
        }
        if c == '{' {
            let rest: String = b[i + 1..].iter().take(24).collect();
            let close = rest.find('}');
            let valid = close.is_some_and(|e| {
                let inner = &rest[..e];
                let (lo, hi) = inner.split_once(',').unwrap_or((inner, ""));
                !lo.is_empty()
                    && lo.chars().all(|d| d.is_ascii_digit())
                    && hi.chars().all(|d| d.is_ascii_digit())
            });
            if !valid {
                out.push_str("\\{");
                i += 1;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

/// What an allowlist's `regexes` are matched against (gitleaks `regexTarget`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// The secret (capture group).
    #[default]
    Secret,
    /// The whole regex match.
    Match,
    /// The source line of the match.
    Line,
}

/// How an allowlist's criteria combine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Condition {
    /// Any criterion allows (gitleaks' default).
    #[default]
    Or,
    /// Every given criterion must match.
    And,
}

/// An allowlist (gitleaks `[[rules.allowlists]]` / `[[allowlists]]`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Allowlist {
    /// Free text (shown when a whole file is skipped by it).
    #[serde(default)]
    pub description: Option<String>,
    /// `or` (default) or `and`.
    #[serde(default)]
    pub condition: Condition,
    /// Commit SHAs: prr scans files, not history; a list makes an `or`
    /// allowlist no broader and an `and` allowlist never match.
    #[serde(default)]
    pub commits: Vec<String>,
    /// Regexes on the repository-relative path.
    #[serde(default)]
    pub paths: Vec<PathRe>,
    /// Regexes on the [`Target`].
    #[serde(default)]
    pub regexes: Vec<Re>,
    /// What `regexes` see.
    #[serde(default)]
    pub regex_target: Target,
    /// Words that, contained in the secret (ASCII case-insensitive), allow it.
    #[serde(default, deserialize_with = "lowercase")]
    pub stopwords: Vec<String>,
    /// Global allowlists only: the gitleaks rule IDs it applies to (empty: all).
    #[serde(default)]
    pub target_rules: Vec<String>,
}

fn lowercase<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(Vec::<String>::deserialize(d)?
        .into_iter()
        .map(|s| s.to_ascii_lowercase())
        .collect())
}

impl Allowlist {
    /// Whether it allows a hit at `path` whose target text is `target` and
    /// secret is `secret` (gitleaks' `condition` semantics).
    pub fn allows(&self, path: &str, target: &[u8], secret: &[u8]) -> bool {
        let path_hit = || self.paths.iter().any(|p| p.0.is_match(path));
        let regex_hit = || self.regexes.iter().any(|r| r.0.is_match(target));
        let stop_hit = || {
            let lower = secret.to_ascii_lowercase();
            self.stopwords
                .iter()
                .any(|w| !w.is_empty() && contains(&lower, w.as_bytes()))
        };
        match self.condition {
            Condition::Or => path_hit() || regex_hit() || stop_hit(),
            Condition::And => {
                let any = !self.paths.is_empty()
                    || !self.regexes.is_empty()
                    || !self.stopwords.is_empty();
                any && self.commits.is_empty()
                    && (self.paths.is_empty() || path_hit())
                    && (self.regexes.is_empty() || regex_hit())
                    && (self.stopwords.is_empty() || stop_hit())
            }
        }
    }

    /// Whether the path alone allows every hit in the file: an `or` list
    /// whose path regexes match, or an `and` list with only paths.
    pub fn allows_path_alone(&self, path: &str) -> bool {
        let only_paths = self.regexes.is_empty() && self.stopwords.is_empty();
        let path_hit = self.paths.iter().any(|p| p.0.is_match(path));
        match self.condition {
            Condition::Or => path_hit,
            Condition::And => only_paths && self.commits.is_empty() && path_hit,
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// Parameters of `secrets.pattern`: one secret rule, in gitleaks' model.
///
/// ```yaml
/// check: secrets.pattern
/// with:
///   name: AWS access key ID
///   keywords: [akia, asia, abia, acca, a3t]
///   regex: '\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b'
///   entropy: 3.0
///   allowlists:
///     - regexes: ['.+EXAMPLE$']
/// ```
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Pattern {
    /// What the secret is, for messages ("AWS access key ID").
    #[serde(default = "default_name")]
    pub name: String,
    /// The gitleaks rule ID, for rules read from a gitleaks config (global
    /// allowlists' `targetRules` and `.gitleaksignore` entries name it).
    #[serde(default)]
    pub gitleaks_id: Option<String>,
    /// Prefilter: the regex runs only around an ASCII case-insensitive
    /// occurrence of one of these. Empty: over the whole file.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// The secret's regular expression; absent for a path-only rule.
    #[serde(default)]
    pub regex: Option<Re>,
    /// Capture group holding the secret. Default: the first capture group
    /// that matched something, or the whole match when there is none.
    #[serde(default)]
    pub secret_group: Option<usize>,
    /// Minimum Shannon entropy of the secret, in bits per byte; a secret at
    /// or below it is not reported (gitleaks' `entropy`).
    #[serde(default)]
    pub entropy: Option<f64>,
    /// Regex on the repository-relative path: the rule runs only on matching
    /// files (with no `regex`, a matching file is itself the finding).
    #[serde(default)]
    pub path: Option<PathRe>,
    /// Allowlists of this rule.
    #[serde(default)]
    pub allowlists: Vec<Allowlist>,
    /// Apply prr's placeholder filter ([`is_placeholder`]).
    #[serde(default = "yes")]
    pub placeholders: bool,
    /// Whether the regex spans lines (searched up to 64 KiB past the
    /// keyword instead of 2 lines). Default: guessed from the regex
    /// (`[\s\S]`, `(?s)`, `\n`).
    #[serde(default)]
    pub multiline: Option<bool>,
    /// Rule tags (free text, from gitleaks `tags`).
    #[serde(default)]
    pub tags: Vec<String>,
}

fn default_name() -> String {
    "secret".to_string()
}

fn yes() -> bool {
    true
}

impl Pattern {
    /// gitleaks' `generic*` rules (their secret must contain a digit, and a
    /// specific rule's hit on the same secret wins).
    pub fn is_generic(&self) -> bool {
        self.gitleaks_id
            .as_deref()
            .is_some_and(|g| g.starts_with("generic"))
    }

    /// Whether the regex can span lines (see [`Pattern::multiline`]).
    pub fn multiline(&self) -> bool {
        self.multiline.unwrap_or_else(|| {
            self.regex.as_ref().is_some_and(|r| {
                let s = r.0.as_str();
                ["\\s\\S", "\\S\\s", "(?s", "\\n"]
                    .iter()
                    .any(|m| s.contains(m))
            })
        })
    }
}

/// The first clause of a rule's description ("Detected a Generic API Key,
/// potentially exposing …" → "Detected a Generic API Key").
fn short_name(name: &str) -> &str {
    let end = [", ", ". "]
        .iter()
        .filter_map(|sep| name.find(sep))
        .min()
        .unwrap_or(name.len());
    name[..end].trim_end_matches('.')
}

/// Runs `secrets.pattern`: the inventory already scanned every file for
/// every secret rule (one pass); this turns the rule's hits into findings.
pub fn pattern(ctx: &Context, p: &Pattern, sink: &mut Sink) {
    let found: Vec<Finding> = ctx.inventory
        .secrets
        .iter()
        .filter(|h| h.rule == sink.id())
        .map(|h| {
            let what = short_name(&p.name);
            let msg = if h.path_only {
                format!(
                    "{what} (matched by file name) — remove it from the repository and keep it in a secret store"
                )
            } else if h.dismissed.is_some() {
                format!(
                    "{what}: {} matches the rule's pattern but is not reported as a secret",
                    h.redacted
                )
            } else {
                format!(
                    "{what}: {} — revoke it at the issuer now (it stays in the Git history), remove it and load it at run time from a secret store",
                    h.redacted
                )
            };
            let mut f = sink.finding(&h.path, h.pos, msg);
            f.sensitive = true;
            f.snippet = Some(h.snippet.clone());
            f.snippet_column = Some(h.snippet_column);
            f.secret_values = vec![h.secret.clone()];
            f.fingerprint = Some(h.fingerprint.clone());
            if let Some(why) = h.dismissed {
                f.suppress(
                    crate::finding::SuppressionKind::External,
                    why.reason(),
                    "prr's built-in secret context filters (crates/prr-checks/src/secrets/context.rs)",
                );
            } else if let Some(how) = h.inline_allow {
                f.suppress(
                    crate::finding::SuppressionKind::InSource,
                    format!("`{how}` on the line"),
                    format!("{}:{}", h.path, h.pos.line),
                );
            }
            f
        })
        .collect();
    sink.extend(found);
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

/// Whether `secret` is a reference to code, not a value: a qualified
/// identifier whose last part is a word (`ed25519.PrivateKey`,
/// `os.Getenv`, `config.token`). gitleaks' generic rule matches `key =
/// ed25519.PrivateKey` in Go sources; a credential never ends in a
/// dictionary-shaped CamelCase or lowercase word after a dot. Applied to
/// `generic*` rules only.
pub fn is_code_reference(secret: &[u8]) -> bool {
    let Ok(s) = std::str::from_utf8(secret) else {
        return false;
    };
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() < 2 {
        return false;
    }
    let ident = |p: &str| {
        let mut c = p.chars();
        c.next()
            .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
            && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
            && p.len() <= 32
    };
    if !parts.iter().all(|p| ident(p)) {
        return false;
    }
    // The last part: `Word`, `word`, `WordWord`, `wordWord` (letters only,
    // each capital followed by at least two lowercase letters).
    let last = parts[parts.len() - 1];
    let bytes = last.as_bytes();
    let mut i = 0;
    let mut words = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_uppercase() {
            i += 1;
        } else if i > 0 || !bytes[i].is_ascii_lowercase() {
            return false;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_lowercase() {
            i += 1;
        }
        if i - start < 2 {
            return false;
        }
        words += 1;
    }
    words >= 1
}

pub use crate::finding::redact;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_references_are_not_values() {
        for r in [
            "ed25519.PrivateKey",
            "os.Getenv",
            "config.token",
            "a.b.SecretKey",
        ] {
            assert!(is_code_reference(r.as_bytes()), "{r}");
        }
        for v in [
            "8ae31cacf141669ddfb5da",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            "abc.DEF1x",
            "CLOJARS_34bf0e88955ff5a1c328d6a7491acc4f48e865a7b8dd4d70a70749037443",
            "x.Y",
        ] {
            assert!(!is_code_reference(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn go_literal_braces_are_escaped() {
        assert_eq!(go_braces(r"\$?{{[^}]+}}"), r"\$?\{\{[^}]+}}");
        assert_eq!(go_braces(r"a{2,5}b{3}c{1,}"), r"a{2,5}b{3}c{1,}");
        assert_eq!(go_braces(r"[{]x\{"), r"[{]x\{");
        assert!(compile(r#"['"]?\$?{{[^}]+}}['"]?"#).is_ok());
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
}
