//! Config errors a person understands: turns the deserializer's messages
//! (serde's and serde-saphyr's wording: "unknown field `servics`, expected
//! one of …", "expected sequence start", "externally tagged enum …") into
//! plain sentences in YAML's terms (key, list, mapping), without the
//! duplicated "at line N, column M" (the caller prints the position once),
//! and with "did you mean `services`?" for a misspelt key or value
//! (`strsim`'s optimal string alignment distance).

/// The position and plain message of a serde-saphyr error: its first line
/// as [`crate::yaml::error_message`] reads it, through [`humanize`];
/// `fallback` when it has no text.
pub fn from_saphyr(e: &serde_saphyr::Error, fallback: &str) -> (crate::yaml::Pos, String) {
    let (pos, msg) = crate::yaml::error_message(e, fallback);
    (pos, humanize(&msg))
}

/// Deserializes one of prr's own YAML files (prr.yaml, a rule file) as
/// they are all read: YAML 1.2 booleans (`yes`, `on` stay strings), no
/// source snippet in errors. Errors: the position and plain message of
/// [`from_saphyr`] (`fallback` when the parser gave no text).
pub fn from_str<T: serde::de::DeserializeOwned>(
    text: &str,
    fallback: &str,
) -> Result<T, (crate::yaml::Pos, String)> {
    let mut opts = serde_saphyr::Options::default();
    opts.strict_booleans = true;
    opts.with_snippet = false;
    serde_saphyr::from_str_with_options(text, opts).map_err(|e| from_saphyr(&e, fallback))
}

/// The closest of `candidates` to `word`, when it is close enough to be a
/// slip: at most 2 edits (optimal string alignment, case-insensitive), or
/// one third of the longer word's length, whichever is larger (1 for words
/// of up to 3 characters), and fewer edits than `word` has characters; ties
/// go to the earlier candidate. `word` itself is never suggested.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let w = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::osa_distance(&w, &c.to_lowercase()), c))
        .filter(|(d, c)| {
            let longest = w.chars().count().max(c.chars().count());
            let allowed = if longest <= 3 { 1 } else { 2.max(longest / 3) };
            *c != word && *d <= allowed && *d < w.chars().count()
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// The plain-sentence form of a deserializer message (see the module docs).
/// Unknown shapes are returned with only the position suffix removed.
pub fn humanize(message: &str) -> String {
    let msg = crate::yaml::strip_position(message.trim());
    if let Some((what, rest)) = unknown(msg) {
        let (word, expected) = rest;
        let names = expected_names(expected);
        let hint = did_you_mean(word, names.iter().map(String::as_str))
            .map(|c| format!(": did you mean `{c}`?"))
            .unwrap_or_default();
        let list = if names.is_empty() {
            String::new()
        } else {
            format!(" (expected {})", join_or(&names))
        };
        return match what {
            "field" => format!("unknown key `{word}`{hint}{list}"),
            _ => format!("`{word}` is not an allowed value{hint}{list}"),
        };
    }
    if let Some(field) = msg
        .strip_prefix("missing field `")
        .and_then(|r| r.strip_suffix('`'))
    {
        return format!("missing key `{field}`");
    }
    for head in ["invalid type: ", "invalid value: "] {
        // "invalid type: string \"x\", expected a sequence": the value
        // itself is not repeated (it may be text of a file that is no prr
        // config at all, or a token written in the wrong place).
        if let Some((found, expected)) = msg
            .strip_prefix(head)
            .and_then(|rest| rest.rsplit_once(", expected "))
        {
            let kind = found.split([' ', '"', '`']).next().unwrap_or(found);
            return format!(
                "expected {}, found {}",
                yaml_term(expected),
                yaml_term(kind)
            );
        }
    }
    match msg {
        m if m.starts_with("expected sequence start") => "expected a list here".to_string(),
        m if m.starts_with("expected mapping start") => {
            "expected a mapping (`key: value` lines) here".to_string()
        }
        m if m.contains("externally tagged enum") => {
            "expected one name (a string) or a mapping with one key here".to_string()
        }
        m => m.to_string(),
    }
}

/// ("field" | "variant", (word, what follows "expected")) of an
/// "unknown field/variant `w`, expected …" message.
fn unknown(msg: &str) -> Option<(&str, (&str, &str))> {
    for what in ["field", "variant"] {
        let Some(rest) = msg.strip_prefix(&format!("unknown {what} `")[..]) else {
            continue;
        };
        let (word, after) = rest.split_once('`')?;
        let expected = after
            .strip_prefix(", expected ")
            .or_else(|| after.strip_prefix(", there are no "))
            .unwrap_or("");
        return Some((what, (word, expected)));
    }
    None
}

/// The names in "one of `a`, `b`", "one of a, b", "`a` or `b`", "`a`".
fn expected_names(expected: &str) -> Vec<String> {
    let list = expected.strip_prefix("one of ").unwrap_or(expected);
    list.split([',', ' '])
        .map(|w| w.trim().trim_matches('`'))
        .filter(|w| !w.is_empty() && *w != "or" && *w != "fields" && *w != "variants")
        .map(str::to_string)
        .collect()
}

fn join_or(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        n => format!("one of {}", quoted[..n].join(", ")),
    }
}

/// serde's type words in YAML's terms.
fn yaml_term(s: &str) -> String {
    let s = s.trim();
    for (serde, yaml) in [
        ("a sequence", "a list"),
        ("sequence", "a list"),
        ("a map", "a mapping"),
        ("map", "a mapping"),
        ("a string", "a string"),
        ("a boolean", "true or false"),
        ("unit value", "nothing (null)"),
    ] {
        if s == serde {
            return yaml.to_string();
        }
    }
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_jargon_becomes_plain_sentences() {
        assert_eq!(
            humanize(
                "unknown field `servics`, expected one of extends, version, services, rules at line 1, column 1"
            ),
            "unknown key `servics`: did you mean `services`? (expected one of `extends`, `version`, `services`, `rules`)"
        );
        assert_eq!(
            humanize(
                "unknown variant `critcal`, expected one of critical, important, standard at line 1, column 28"
            ),
            "`critcal` is not an allowed value: did you mean `critical`? (expected one of `critical`, `important`, `standard`)"
        );
        assert_eq!(
            humanize("unknown variant `x`, expected `a` or `b`"),
            "`x` is not an allowed value (expected one of `a`, `b`)"
        );
        assert_eq!(
            humanize("expected sequence start at line 1, column 11"),
            "expected a list here"
        );
        assert_eq!(
            humanize("invalid type: string \"ghp_secret\", expected a sequence"),
            "expected a list, found string"
        );
        assert_eq!(humanize("missing field `name`"), "missing key `name`");
        assert!(!humanize("externally tagged enum expected scalar or mapping").contains("tagged"));
        // Unknown shapes pass through; a position in the middle stays.
        assert_eq!(humanize("boom at line x"), "boom at line x");
    }

    #[test]
    fn suggestions_only_for_slips() {
        let keys = ["services", "rules", "budget"];
        assert_eq!(did_you_mean("servics", keys), Some("services"));
        assert_eq!(did_you_mean("Rules", keys), Some("rules"), "case slips too");
        assert_eq!(
            did_you_mean("rules", keys),
            None,
            "the word itself: nothing to suggest"
        );
        assert_eq!(did_you_mean("rulez", keys), Some("rules"));
        assert_eq!(did_you_mean("timeout", keys), None);
        assert_eq!(
            did_you_mean("alerts/fr", ["alerts/for", "alerts/parse"]),
            Some("alerts/for")
        );
    }
}
