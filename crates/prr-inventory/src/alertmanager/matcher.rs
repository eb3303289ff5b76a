//! Alertmanager label matchers: the `matchers:` strings of `alertmanager.yml`
//! (`name="value"`, `name!~"regex"`, several in one string separated by
//! commas, optionally in braces), the deprecated `match` / `match_re` maps,
//! and the `{name, value, matchType}` objects of prometheus-operator's
//! `AlertmanagerConfig`.
//!
//! Parsing follows Alertmanager's classic matcher parser
//! (`pkg/labels/parse.go`, the one amtool 0.25 falls back to): the value may
//! be quoted (`\"`, `\\`, `\n` escapes) or bare; a regular expression is
//! fully anchored (`^(?:re)$`) as Alertmanager compiles it. A label the alert
//! does not carry has the empty value (`team=""` matches it).

use regex::Regex;

/// The comparison of a matcher.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchOp {
    /// `=`
    Equal,
    /// `!=`
    NotEqual,
    /// `=~` (anchored regular expression)
    Regex,
    /// `!~`
    NotRegex,
}

impl MatchOp {
    /// The operator as written in Alertmanager's syntax.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchOp::Equal => "=",
            MatchOp::NotEqual => "!=",
            MatchOp::Regex => "=~",
            MatchOp::NotRegex => "!~",
        }
    }

    /// Parses `=`, `!=`, `=~`, `!~`.
    pub fn parse(s: &str) -> Option<MatchOp> {
        Some(match s {
            "=" => MatchOp::Equal,
            "!=" => MatchOp::NotEqual,
            "=~" => MatchOp::Regex,
            "!~" => MatchOp::NotRegex,
            _ => return None,
        })
    }
}

/// One label matcher.
#[derive(Clone, Debug)]
pub struct Matcher {
    /// The label name.
    pub name: String,
    /// The comparison.
    pub op: MatchOp,
    /// The value (unquoted, unescaped), or the regular expression as written.
    pub value: String,
    /// The anchored expression for `=~` / `!~`.
    re: Option<Regex>,
}

impl Matcher {
    /// A matcher; for `=~` / `!~` the expression is compiled anchored
    /// (`^(?:value)$`). Errors read like Alertmanager's
    /// (`error parsing regexp: …`).
    pub fn new(name: &str, op: MatchOp, value: &str) -> Result<Matcher, String> {
        let re = match op {
            MatchOp::Regex | MatchOp::NotRegex => {
                Some(Regex::new(&format!("^(?:{value})$")).map_err(|e| {
                    format!(
                        "error parsing regexp `^(?:{value})$`: {}",
                        first_line(&e.to_string())
                    )
                })?)
            }
            _ => None,
        };
        Ok(Matcher {
            name: name.to_string(),
            op,
            value: value.to_string(),
            re,
        })
    }

    /// Whether the matcher accepts `value` (the label's value; `""` when
    /// the alert does not carry the label).
    pub fn matches(&self, value: &str) -> bool {
        match self.op {
            MatchOp::Equal => value == self.value,
            MatchOp::NotEqual => value != self.value,
            MatchOp::Regex => self.re.as_ref().is_some_and(|r| r.is_match(value)),
            MatchOp::NotRegex => !self.re.as_ref().is_some_and(|r| r.is_match(value)),
        }
    }

    /// The matcher in Alertmanager's syntax, value quoted: `severity=~"crit|page"`.
    pub fn render(&self) -> String {
        let v = self
            .value
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n");
        format!("{}{}\"{v}\"", self.name, self.op.as_str())
    }

    /// The values this matcher selects by equality (`=`), or the plain
    /// alternatives of a regex such as `critical|page` (none for other
    /// expressions and negative matchers).
    pub fn selected_values(&self) -> Vec<String> {
        match self.op {
            MatchOp::Equal => vec![self.value.clone()],
            MatchOp::Regex => {
                let plain = |s: &str| s.chars().all(|c| c.is_alphanumeric() || "_- ".contains(c));
                let body = self
                    .value
                    .strip_prefix('(')
                    .and_then(|v| v.strip_suffix(')'))
                    .unwrap_or(&self.value);
                let parts: Vec<&str> = body.split('|').collect();
                if parts.iter().all(|p| plain(p) && !p.is_empty()) {
                    parts.into_iter().map(str::to_string).collect()
                } else {
                    Vec::new()
                }
            }
            _ => Vec::new(),
        }
    }
}

fn first_line(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or_default()
        .to_string()
}

/// Whether `name` is a valid label name (`[a-zA-Z_][a-zA-Z0-9_]*`, Prometheus'
/// `model.LabelNameRE`).
pub fn valid_label_name(name: &str) -> bool {
    let mut cs = name.chars();
    cs.next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && cs.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Parses one `matchers:` entry: one or more matchers separated by commas,
/// optionally wrapped in `{…}` (Alertmanager's `labels.ParseMatchers`).
/// Errors read like Alertmanager's (`bad matcher format: a b`, `matcher
/// value contains unescaped double quote: "z`).
pub fn parse_matchers(s: &str) -> Result<Vec<Matcher>, String> {
    let mut t = s.trim();
    if let Some(inner) = t.strip_prefix('{').and_then(|x| x.strip_suffix('}')) {
        t = inner;
    }
    let mut out = Vec::new();
    for part in split_outside_quotes(t) {
        if part.trim().is_empty() {
            continue;
        }
        out.push(parse_matcher(part)?);
    }
    Ok(out)
}

/// Splits at commas outside double quotes (a `\"` does not close a quote).
fn split_outside_quotes(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

/// Parses one matcher (`name op value`).
pub fn parse_matcher(s: &str) -> Result<Matcher, String> {
    let t = s.trim();
    let name_end = t
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(t.len());
    let name = &t[..name_end];
    let bad = || format!("bad matcher format: {s}");
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(bad());
    }
    let rest = t[name_end..].trim_start();
    let (op, rest) = ["=~", "!=", "!~", "="]
        .iter()
        .find_map(|o| rest.strip_prefix(o).map(|r| (MatchOp::parse(o), r)))
        .ok_or_else(bad)?;
    let op = op.ok_or_else(bad)?;
    let raw = rest.trim();
    let (body, mut expect_quote) = match raw.strip_prefix('"') {
        Some(b) => (b, true),
        None => (raw, false),
    };
    let chars: Vec<char> = body.chars().collect();
    let mut value = String::new();
    let mut escaped = false;
    for (i, &c) in chars.iter().enumerate() {
        if escaped {
            escaped = false;
            match c {
                'n' => value.push('\n'),
                '"' | '\\' => value.push(c),
                _ => {
                    value.push('\\');
                    value.push(c);
                }
            }
            continue;
        }
        match c {
            '\\' if i + 1 < chars.len() => escaped = true,
            '"' => {
                if !expect_quote || i + 1 < chars.len() {
                    return Err(format!(
                        "matcher value contains unescaped double quote: {raw}"
                    ));
                }
                expect_quote = false;
            }
            _ => value.push(c),
        }
    }
    if expect_quote {
        return Err(format!(
            "matcher value contains unescaped double quote: {raw}"
        ));
    }
    Matcher::new(name, op, &value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_alertmanager() {
        let m = parse_matchers(r#"a=b, c=~"x|y""#).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(
            (m[0].name.as_str(), m[0].op, m[0].value.as_str()),
            ("a", MatchOp::Equal, "b")
        );
        assert_eq!(m[1].op, MatchOp::Regex);
        assert!(m[1].matches("x") && m[1].matches("y") && !m[1].matches("xy"));
        let m = parse_matchers("{d!=e}").unwrap();
        assert_eq!(m[0].op, MatchOp::NotEqual);
        assert!(m[0].matches("") && !m[0].matches("e"));
        // Empty value: the label is absent.
        let m = parse_matchers("x=").unwrap();
        assert!(m[0].matches(""));
        assert!(parse_matchers(r#"x="a,b""#).unwrap()[0].matches("a,b"));
    }

    #[test]
    fn errors_like_alertmanager() {
        assert_eq!(
            parse_matchers("a b").unwrap_err(),
            "bad matcher format: a b"
        );
        assert_eq!(
            parse_matchers(r#"a=="b""#).unwrap_err(),
            r#"matcher value contains unescaped double quote: ="b""#
        );
        assert_eq!(
            parse_matchers(r#"y="z"#).unwrap_err(),
            r#"matcher value contains unescaped double quote: "z"#
        );
        assert!(
            parse_matchers("a=~((")
                .unwrap_err()
                .starts_with("error parsing regexp")
        );
    }

    #[test]
    fn regex_is_fully_anchored() {
        let m = Matcher::new("s", MatchOp::Regex, "crit").unwrap();
        assert!(m.matches("crit") && !m.matches("critical") && !m.matches("xcrit"));
        let m = Matcher::new("s", MatchOp::NotRegex, "a|b").unwrap();
        assert!(!m.matches("a") && m.matches("ab"));
        assert_eq!(m.selected_values(), Vec::<String>::new());
        let m = Matcher::new("s", MatchOp::Regex, "(critical|page)").unwrap();
        assert_eq!(m.selected_values(), vec!["critical", "page"]);
    }
}
