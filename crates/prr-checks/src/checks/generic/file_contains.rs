//! `file.contains`: files matching a glob contain (or, negated, do not contain) a pattern.

use super::*;

/// `file.contains`: files matching `files` must (or, with `negate`, must
/// not) contain a match of the regex `pattern`.
///
/// ```yaml
/// check: file.contains
/// with: { files: ["**/Dockerfile"], pattern: "^USER ", negate: false }
/// ```
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileContains {
    /// Globs of the files to look at.
    pub files: Vec<String>,
    /// A regular expression (Rust `regex` syntax, multi-line mode).
    #[serde(deserialize_with = "de_regex")]
    pub pattern: regex::Regex,
    /// `true`: report each match (the pattern is forbidden).
    #[serde(default)]
    pub negate: bool,
    /// Message override.
    #[serde(default)]
    pub message: Option<String>,
}

fn de_regex<'de, D: serde::Deserializer<'de>>(d: D) -> Result<regex::Regex, D::Error> {
    let s = String::deserialize(d)?;
    regex::RegexBuilder::new(&s)
        .multi_line(true)
        .size_limit(1 << 22)
        .build()
        .map_err(serde::de::Error::custom)
}

/// Runs `file.contains`.
pub fn file_contains(ctx: &Context, p: &FileContains, sink: &mut Sink) {
    let set = globset(&p.files);
    for f in &ctx.inventory.files {
        if !set.is_match(&f.path) {
            continue;
        }
        let Some(text) = ctx.inventory.load_text(f) else {
            continue;
        };
        let text: &str = &text;
        if p.negate {
            for m in p.pattern.find_iter(text) {
                let pos = pos_of(text, m.start());
                let msg = p
                    .message
                    .clone()
                    .unwrap_or_else(|| format!("forbidden pattern `{}` found", p.pattern.as_str()));
                sink.report(&f.path, pos, msg);
            }
        } else if !p.pattern.is_match(text) {
            let msg = p
                .message
                .clone()
                .unwrap_or_else(|| format!("does not contain `{}`", p.pattern.as_str()));
            sink.report(&f.path, Pos::default(), msg);
        }
    }
}
