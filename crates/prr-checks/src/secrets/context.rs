//! Context filters: a pattern match judged with what surrounds it — the
//! key it is assigned to, the token it sits in, what its base64 decodes
//! to — after gitleaks' own filters (entropy, allowlists, stopwords) and
//! prr's placeholder filter have kept it.
//!
//! A match these filters judge not to be a secret is not dropped: the engine
//! returns it with its [`NotSecret`] reason and the finding is reported as
//! suppressed (counted in every report, listed in JSON and SARIF) with that
//! reason. Each filter is a general shape, never a path or a repository:
//!
//! - `kubernetes-secret-yaml`: [`NotSecret::EncodedPlaceholder`] (every
//!   data entry is base64 of a placeholder) or
//!   [`NotSecret::SecretDataWithoutCredential`] (every data entry decodes to
//!   a configuration text without a credential);
//! - `generic-*` rules: [`NotSecret::Sequential`] (the value is mostly runs
//!   of sequential or repeated characters: `xoxb-1234-abcdefgh`),
//!   [`NotSecret::EncodedPlaceholder`] (base64 of a placeholder:
//!   `ZXhhbXBsZS1jb29raWUtc2VjcmV0enp6` = `example-cookie-secretzzz`),
//!   [`NotSecret::SecretName`] (a `…Secret` key holding a resource name,
//!   `tlsSecret = 'prometheus-k8s-tls'`),
//!   [`NotSecret::ArnName`] (the name part of an AWS ARN),
//!   [`NotSecret::GrafanaQueryKey`] (`"key": "Q-<uuid>-0"`) and
//!   [`NotSecret::Checksum`] (`checksum/secret: <sha256 hex>`).
//!
//! Each filter needs both a context and a value shape that a credential
//! does not have, so a real secret of the same length under the same key
//! still fires (see the paired tests below).

use crate::checks::secrets::is_placeholder;
use base64::Engine as _;
use std::ops::Range;

pub use prr_core::secret::NotSecret;

/// Judges the match whose secret is `secret` in `text`. `gitleaks_id` is
/// the rule's gitleaks ID, `generic` whether it is a `generic-*` rule;
/// `rescan` tells whether any secret rule finds a secret in a decoded text.
pub fn judge(
    gitleaks_id: &str,
    generic: bool,
    text: &[u8],
    secret: Range<usize>,
    rescan: &dyn Fn(&[u8]) -> bool,
) -> Option<NotSecret> {
    let s = unquote(&text[secret.clone()]);
    if gitleaks_id == "kubernetes-secret-yaml" {
        return secret_data(text, secret.start, rescan);
    }
    // A specific rule's match already has its vendor's prefix and length
    // (gitleaks' own samples for them use sequential bodies such as
    // `12345678-ABCD-…`, and must keep matching); the value-shape filters
    // judge the `generic-*` rules, which match any assignment.
    if !generic {
        return None;
    }
    if mostly_sequential(s) {
        return Some(NotSecret::Sequential);
    }
    if decode_token(s).is_some_and(|d| is_placeholder(&d) || mostly_sequential(&d)) {
        return Some(NotSecret::EncodedPlaceholder);
    }
    if in_arn(text, secret.start) {
        return Some(NotSecret::ArnName);
    }
    let words = key_words(assignment_key(text, secret.start));
    let last = words.last().map(String::as_str);
    if last == Some("key") && grafana_query_key(s) {
        return Some(NotSecret::GrafanaQueryKey);
    }
    if words.iter().any(|w| DIGEST_WORDS.contains(&w.as_str())) && hex_digest(s) {
        return Some(NotSecret::Checksum);
    }
    if matches!(last, Some("secret" | "secrets"))
        && !words.iter().any(|w| VALUE_WORDS.contains(&w.as_str()))
        && name_shaped(s)
    {
        return Some(NotSecret::SecretName);
    }
    None
}

/// Key words that say a hex value is a digest.
const DIGEST_WORDS: &[&str] = &[
    "checksum",
    "digest",
    "hash",
    "sha",
    "sha1",
    "sha256",
    "sha512",
    "md5",
    "integrity",
    "fingerprint",
    "etag",
];

/// Key words that say a `…secret` key holds a value (`clientSecret`,
/// `cookie-secret`, `jwt_secret`), not the name of a Secret.
const VALUE_WORDS: &[&str] = &[
    "client",
    "cookie",
    "session",
    "jwt",
    "sign",
    "signing",
    "shared",
    "api",
    "app",
    "webhook",
    "hmac",
    "encryption",
    "encrypt",
    "oauth",
    "consumer",
    "master",
    "private",
    "access",
    "auth",
    "token",
    "password",
    "passwd",
    "pass",
    "admin",
    "root",
    "user",
    "bot",
    "key",
    "value",
    "hook",
    "github",
    "slack",
    "stripe",
    "aws",
    "azure",
    "gcp",
    "google",
    "db",
    "database",
    "salt",
];

/// Words that make a decoded Secret entry (its key or its text) a possible
/// credential: such an entry is never judged harmless.
const CREDENTIAL_WORDS: &[&str] = &[
    "pass",
    "pwd",
    "secret",
    "token",
    "key",
    "cred",
    "auth",
    "bearer",
    "private",
    "cookie",
    "session",
    "salt",
    "signature",
    "cert",
    "-----begin",
];

fn unquote(s: &[u8]) -> &[u8] {
    let q = |b: &u8| matches!(b, b'"' | b'\'' | b'`') || b.is_ascii_whitespace();
    let start = s.iter().position(|b| !q(b)).unwrap_or(s.len());
    let end = s.iter().rposition(|b| !q(b)).map_or(start, |e| e + 1);
    &s[start..end.max(start)]
}

/// Whether at least 60 % of the letters and digits of `s` (at least 8) are
/// runs of 4 or more characters that each repeat or follow the previous one
/// (`1234`, `9012`, `abcd`, `0000`; letters case-insensitive).
pub fn mostly_sequential(s: &[u8]) -> bool {
    let a: Vec<u8> = s
        .iter()
        .filter(|b| b.is_ascii_alphanumeric())
        .map(u8::to_ascii_lowercase)
        .collect();
    if a.len() < 8 {
        return false;
    }
    let follows = |p: u8, c: u8| {
        p.is_ascii_digit() == c.is_ascii_digit()
            && (c == p
                || c == p.wrapping_add(1)
                || (p, c) == (b'9', b'0')
                || (p, c) == (b'z', b'a'))
    };
    let (mut covered, mut run) = (0usize, 1usize);
    for w in a.windows(2) {
        if follows(w[0], w[1]) {
            run += 1;
        } else {
            covered += if run >= 4 { run } else { 0 };
            run = 1;
        }
    }
    covered += if run >= 4 { run } else { 0 };
    covered * 5 >= a.len() * 3
}

/// The base64 decoding of `s` (standard or URL alphabet, padding optional,
/// at least 12 characters) when it is one printable ASCII token (no space,
/// no quote or bracket): a value, not a document.
fn decode_token(s: &[u8]) -> Option<Vec<u8>> {
    let d = decode(s)?;
    let token = d.len() >= 6
        && d.iter().all(|b| b.is_ascii_graphic())
        && !d.iter().any(|b| b"\"'{}[]<>".contains(b));
    token.then_some(d)
}

/// The base64 decoding of `s` (at least 12 characters).
fn decode(s: &[u8]) -> Option<Vec<u8>> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    if s.len() < 12 {
        return None;
    }
    let cfg = GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    let url = s.iter().any(|b| *b == b'-' || *b == b'_');
    let alphabet = if url {
        &base64::alphabet::URL_SAFE
    } else {
        &base64::alphabet::STANDARD
    };
    GeneralPurpose::new(alphabet, cfg).decode(s).ok()
}

/// Whether the secret starting at `at` is inside an AWS ARN token
/// (`arn:<partition>:<service>:<region>:<account>:<resource>`).
fn in_arn(text: &[u8], at: usize) -> bool {
    let line = line_range(text, at);
    let start = text[line.start..at]
        .iter()
        .rposition(|b| b.is_ascii_whitespace() || b"\"'`=,([{".contains(b))
        .map_or(line.start, |p| line.start + p + 1);
    let token = &text[start..at];
    token.starts_with(b"arn:aws") && token.iter().filter(|b| **b == b':').count() >= 5
}

/// The key a value at `at` is assigned to: the identifier before the
/// assignment operator on its line (`tlsSecret` in `tlsSecret = 'x'`,
/// `checksum/secret` in `checksum/secret: x`, `cookie-secret` in
/// `--cookie-secret=x`).
fn assignment_key(text: &[u8], at: usize) -> &[u8] {
    let line = line_range(text, at);
    let mut end = at;
    while end > line.start && b" \t'\"`=:>,|?".contains(&text[end - 1]) {
        end -= 1;
    }
    let mut start = end;
    while start > line.start
        && (text[start - 1].is_ascii_alphanumeric() || b"_.-/".contains(&text[start - 1]))
    {
        start -= 1;
    }
    &text[start..end]
}

/// The lowercase words of a key: split at non-alphanumerics and camelCase
/// boundaries (`prometheusTLSSecret` → prometheus, tls, secret).
fn key_words(key: &[u8]) -> Vec<String> {
    let mut words = Vec::new();
    for part in key.split(|b| !b.is_ascii_alphanumeric()) {
        let mut cur = String::new();
        for (i, &b) in part.iter().enumerate() {
            let prev = i.checked_sub(1).map(|j| part[j]);
            let next = part.get(i + 1);
            let boundary = b.is_ascii_uppercase()
                && prev.is_some_and(|p| {
                    p.is_ascii_lowercase()
                        || p.is_ascii_digit()
                        || (p.is_ascii_uppercase() && next.is_some_and(u8::is_ascii_lowercase))
                });
            if boundary && !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            cur.push(char::from(b.to_ascii_lowercase()));
        }
        if !cur.is_empty() {
            words.push(cur);
        }
    }
    words
}

/// `Q-` + a lowercase hex UUID + `-` + a query index (Grafana's
/// `generateKey`: `Q-${uuid()}-${index}`).
fn grafana_query_key(s: &[u8]) -> bool {
    let parts: Vec<&[u8]> = s.split(|b| *b == b'-').collect();
    let hex = |p: &[u8], n: usize| {
        p.len() == n
            && p.iter()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
    };
    parts.len() == 7
        && parts[0] == b"Q"
        && hex(parts[1], 8)
        && hex(parts[2], 4)
        && hex(parts[3], 4)
        && hex(parts[4], 4)
        && hex(parts[5], 12)
        && !parts[6].is_empty()
        && parts[6].len() <= 4
        && parts[6].iter().all(u8::is_ascii_digit)
}

/// A hex digest: MD5, SHA-1, SHA-256 or SHA-512 length, hex digits only.
fn hex_digest(s: &[u8]) -> bool {
    matches!(s.len(), 32 | 40 | 64 | 128) && s.iter().all(u8::is_ascii_hexdigit)
}

/// A Kubernetes resource name made of words: lowercase letters, digits,
/// `-` and `.`, at least two parts, each part a word (at most 2 digits
/// unless it is a short number), one part of 3 or more letters.
fn name_shaped(s: &[u8]) -> bool {
    if s.is_empty()
        || s.len() > 253
        || !s
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-' || *b == b'.')
    {
        return false;
    }
    let parts: Vec<&[u8]> = s.split(|b| *b == b'-' || *b == b'.').collect();
    let word = |p: &&[u8]| {
        let digits = p.iter().filter(|b| b.is_ascii_digit()).count();
        !p.is_empty() && p.len() <= 24 && (digits <= 2 || (digits == p.len() && p.len() <= 4))
    };
    parts.len() >= 2
        && parts.iter().all(word)
        && parts
            .iter()
            .any(|p| p.len() >= 3 && p.iter().all(u8::is_ascii_lowercase))
}

/// Whether `b` contains one of [`CREDENTIAL_WORDS`] (ASCII case-insensitive).
fn has_credential_word(b: &[u8]) -> bool {
    let lower = b.to_ascii_lowercase();
    CREDENTIAL_WORDS
        .iter()
        .any(|w| lower.windows(w.len()).any(|x| x == w.as_bytes()))
}

/// The data block of a Kubernetes Secret whose first entry starts at `at`:
/// judged harmless when every entry (`key: base64` at the first entry's
/// indentation, up to the end of the block) is base64 of a placeholder
/// token or of a multi-line configuration text without a credential. A
/// block scalar (`key: |`), a value that is not base64, or a key with a
/// credential word keeps the finding.
fn secret_data(text: &[u8], at: usize, rescan: &dyn Fn(&[u8]) -> bool) -> Option<NotSecret> {
    let first = line_range(text, at);
    let indent = &text[first.start..at];
    if indent.is_empty() || !indent.iter().all(|b| *b == b' ' || *b == b'\t') {
        return None;
    }
    let (mut n, mut all_placeholders) = (0usize, true);
    let mut pos = first.start;
    while pos < text.len() {
        let line = line_range(text, pos);
        pos = line.end + 1;
        let l = &text[line];
        let trimmed = l.trim_ascii();
        if trimmed.is_empty() || trimmed.starts_with(b"#") {
            continue;
        }
        let Some(rest) = l.strip_prefix(indent) else {
            break;
        };
        if rest.first().is_some_and(u8::is_ascii_whitespace) {
            return None;
        }
        let colon = rest.iter().position(|b| *b == b':')?;
        let (key, value) = (&rest[..colon], unquote(&rest[colon + 1..]));
        if value.is_empty() || b"|>".contains(&value[0]) {
            return None;
        }
        let decoded = decode(value)?;
        if decode_token(value).is_some_and(|d| is_placeholder(&d) || mostly_sequential(&d)) {
            n += 1;
            continue;
        }
        if has_credential_word(key) || !harmless_document(&decoded, rescan) {
            return None;
        }
        all_placeholders = false;
        n += 1;
    }
    match (n, all_placeholders) {
        (0, _) => None,
        (_, true) => Some(NotSecret::EncodedPlaceholder),
        (_, false) => Some(NotSecret::SecretDataWithoutCredential),
    }
}

/// A decoded Secret entry that is a configuration text, not a credential:
/// UTF-8, at least two non-empty lines, no credential word or PEM block, no
/// URL with user information, and no match of any secret rule.
fn harmless_document(d: &[u8], rescan: &dyn Fn(&[u8]) -> bool) -> bool {
    let Ok(s) = std::str::from_utf8(d) else {
        return false;
    };
    let lines = s.lines().filter(|l| !l.trim().is_empty()).count();
    let userinfo = s.contains("://") && s.contains('@');
    lines >= 2 && !has_credential_word(d) && !userinfo && !rescan(d)
}

/// The byte range of the line containing byte `at` (without its newline).
pub fn line_range(text: &[u8], at: usize) -> Range<usize> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn no_rescan(_: &[u8]) -> bool {
        false
    }

    /// Judges the first occurrence of `value` in `text` as a generic hit.
    fn generic(text: &str, value: &str) -> Option<NotSecret> {
        let at = text.find(value).expect("value in text");
        judge(
            "generic-api-key",
            true,
            text.as_bytes(),
            at..at + value.len(),
            &no_rescan,
        )
    }

    #[test]
    fn sequential_placeholders_and_real_tokens() {
        for p in [
            "xoxb-1234-abcdefgh",
            "xoxp-1234567890",
            "dapi123456789012345678a9bc01234defg5",
        ] {
            assert!(mostly_sequential(p.as_bytes()), "{p}");
        }
        // Same shapes with random bodies: not sequential (values not printed).
        for (i, s) in [
            "xoxb-7391-kqzmwtrp",
            "xoxp-8203947561",
            "dapi8f3a91c07d2e54b6a9bc1e7f4d20c3a85",
            "Zf3D0LXCM3EIMbgJpUNnkRtOfOueHznB",
        ]
        .iter()
        .enumerate()
        {
            assert!(!mostly_sequential(s.as_bytes()), "real-shaped sample {i}");
        }
    }

    #[test]
    fn base64_of_a_placeholder_is_not_a_secret_but_base64_of_a_secret_is() {
        // "example-cookie-secretzzz" (the oauth2-proxy example value).
        let t = "args:\n  - --cookie-secret=ZXhhbXBsZS1jb29raWUtc2VjcmV0enp6\n";
        assert_eq!(
            generic(t, "ZXhhbXBsZS1jb29raWUtc2VjcmV0enp6"),
            Some(NotSecret::EncodedPlaceholder)
        );
        // base64 of a random 24-byte cookie secret, same key, same length.
        let t = "args:\n  - --cookie-secret=c3F2N3BYcTJNOWtMcjRXdDhaYkUxbkhqVjZ5Rg\n";
        assert_eq!(generic(t, "c3F2N3BYcTJNOWtMcjRXdDhaYkUxbkhqVjZ5Rg"), None);
    }

    #[test]
    fn a_secret_name_is_not_a_secret_but_a_value_under_the_same_key_is() {
        for (t, v) in [
            (
                "  local prometheusTLSSecret = 'prometheus-k8s-tls';\n",
                "prometheus-k8s-tls",
            ),
            (
                "  tlsSecret: 'alertmanager-main-tls2',\n",
                "alertmanager-main-tls2",
            ),
            (
                "existingSecret: grafana-admin-credentials2\n",
                "grafana-admin-credentials2",
            ),
        ] {
            assert_eq!(generic(t, v), Some(NotSecret::SecretName), "{t}");
        }
        for (t, v) in [
            // A random value under the same key.
            (
                "  tlsSecret = 'q8Zr2kLm9XwT4vBn7Yc1';\n",
                "q8Zr2kLm9XwT4vBn7Yc1",
            ),
            // A value-holding secret key with a word-shaped value.
            ("clientSecret: prometheus-k8s-tls\n", "prometheus-k8s-tls"),
            (
                "cookie_secret = 'alertmanager-main-tls2'\n",
                "alertmanager-main-tls2",
            ),
            // A UUID-shaped secret (many digits per part).
            (
                "tlsSecret: 8f14e45f-ceea-467f-a0e6-ab1c2d3e4f50\n",
                "8f14e45f-ceea-467f-a0e6-ab1c2d3e4f50",
            ),
        ] {
            assert_eq!(generic(t, v), None, "{t}");
        }
    }

    #[test]
    fn an_aws_arn_names_a_secret() {
        let t = r#"expr: x{secret_id="arn:aws:secretsmanager:eu-west-2:754256621582:secret:live-app-prod-63ef5c501b8c67e3-TlsbDD"} > 0"#;
        assert_eq!(
            generic(t, "live-app-prod-63ef5c501b8c67e3-TlsbDD"),
            Some(NotSecret::ArnName)
        );
        // The same value assigned directly is still a finding.
        let t = "secret: live-app-prod-63ef5c501b8c67e3-TlsbDD\n";
        assert_eq!(generic(t, "live-app-prod-63ef5c501b8c67e3-TlsbDD"), None);
    }

    #[test]
    fn grafana_query_keys_and_checksums_are_known_formats() {
        let t = r#"          "key": "Q-e238fdbd-aed6-4215-a3e8-c611c6586c64-0","#;
        assert_eq!(
            generic(t, "Q-e238fdbd-aed6-4215-a3e8-c611c6586c64-0"),
            Some(NotSecret::GrafanaQueryKey)
        );
        // A UUID API key under `key` (no `Q-` prefix and index) still fires.
        let t = r#"  "key": "e238fdbd-aed6-4215-a3e8-c611c6586c64","#;
        assert_eq!(generic(t, "e238fdbd-aed6-4215-a3e8-c611c6586c64"), None);

        let h = "bed677784356b2af7fb0d87455db21f077853059b594101a4f6532bfbd962a7f";
        let t = format!("        checksum/secret: {h}\n");
        assert_eq!(generic(&t, h), Some(NotSecret::Checksum));
        // The same hex value as a secret's value still fires.
        let t = format!("        api_secret: {h}\n");
        assert_eq!(generic(&t, h), None);
    }

    #[test]
    fn key_words_split_camel_case_and_separators() {
        assert_eq!(
            key_words(b"prometheusTLSSecret"),
            ["prometheus", "tls", "secret"]
        );
        assert_eq!(key_words(b"checksum/secret"), ["checksum", "secret"]);
        assert_eq!(key_words(b"--cookie-secret"), ["cookie", "secret"]);
        assert_eq!(
            assignment_key(b"  - --cookie-secret=abc", 20),
            b"--cookie-secret"
        );
    }

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    fn k8s(data: &str, rescan: &dyn Fn(&[u8]) -> bool) -> Option<NotSecret> {
        let t = format!("apiVersion: v1\nkind: Secret\ndata:\n{data}metadata:\n  name: x\n");
        let at = t.find("data:\n").expect("data") + 6;
        let at = at + t[at..].find(|c: char| !c.is_whitespace()).expect("entry");
        judge(
            "kubernetes-secret-yaml",
            false,
            t.as_bytes(),
            at..at + 10,
            rescan,
        )
    }

    #[test]
    fn secret_data_without_credentials_and_with_them() {
        let scrape = b64(
            "- job_name: \"prometheus\"\n  static_configs:\n  - targets: [\"localhost:9090\"]\n",
        );
        assert_eq!(
            k8s(
                &format!("  prometheus-additional.yaml: {scrape}\n"),
                &no_rescan
            ),
            Some(NotSecret::SecretDataWithoutCredential)
        );
        let cookie = b64("example-cookie-secretzzz");
        assert_eq!(
            k8s(&format!("  cookie-secret: {cookie}\n"), &no_rescan),
            Some(NotSecret::EncodedPlaceholder)
        );
        // The same key with base64 of a random value keeps the finding.
        let random = b64("q8Zr2kLm9XwT4vBn7Yc1pA3s");
        assert_eq!(
            k8s(&format!("  cookie-secret: {random}\n"), &no_rescan),
            None
        );
        // A second entry holding a password keeps the finding.
        let pw = b64("S!B*d$zDsb=");
        assert_eq!(
            k8s(
                &format!("  prometheus-additional.yaml: {scrape}\n  password: {pw}\n"),
                &no_rescan
            ),
            None
        );
        // A config with a credential word, or one a secret rule matches.
        let with_pw = b64("- job_name: x\n  basic_auth:\n    password: hunter2\n");
        assert_eq!(
            k8s(&format!("  scrape.yaml: {with_pw}\n"), &no_rescan),
            None
        );
        assert_eq!(
            k8s(
                &format!("  prometheus-additional.yaml: {scrape}\n"),
                &|_: &[u8]| true
            ),
            None
        );
        // A single-line value is a value, not a document.
        let one = b64("q8Zr2kLm9XwT4vBn");
        assert_eq!(k8s(&format!("  extra: {one}\n"), &no_rescan), None);
        // A block scalar is not judged.
        assert_eq!(k8s(&format!("  cfg: |\n    {scrape}\n"), &no_rescan), None);
    }
}
