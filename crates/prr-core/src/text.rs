//! Text helpers every output shares: English plurals and the escaping that
//! keeps a message one line of the log (no control characters, no
//! bidirectional overrides).

/// `n word` with English plurals: `1 error`, `2 errors`, `0 notices`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Whether `c` must not reach a log or terminal raw: C0 and C1 control
/// characters (line breaks and tabs included), DEL, the Unicode line and
/// paragraph separators (U+2028, U+2029) and the bidirectional overrides,
/// embeddings, isolates and marks (U+202A–U+202E, U+2066–U+2069, U+200E,
/// U+200F, U+061C) that make text read differently from what it is.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{061c}'
        )
}

/// The visible escape of an unsafe character ([`is_unsafe_char`]): `\n`,
/// `\r`, `\t`, else `\u{202e}` (lowercase hex).
pub fn escape_char(c: char) -> String {
    match c {
        '\n' => "\\n".to_string(),
        '\r' => "\\r".to_string(),
        '\t' => "\\t".to_string(),
        c => format!("\\u{{{:x}}}", u32::from(c)),
    }
}

/// `s` with every unsafe character ([`is_unsafe_char`]) shown as its escape
/// ([`escape_char`]), for every human-facing output: a line break in a file
/// name or a YAML string can then never start a line of the log (GitHub
/// reads a line starting with `::` as a workflow command), and no bidi
/// override can reorder what a reviewer reads. Borrowed when nothing needed
/// escaping.
pub fn visible(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(is_unsafe_char) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe_char(c) {
            out.push_str(&escape_char(c));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Escapes text for a Markdown table cell or list item on GitHub: `&`, `<`,
/// `>` become entities (no HTML injection), `|` `` ` `` `\` `*` `_` `[` `]`
/// are backslash-escaped (CommonMark); line breaks, other control
/// characters and bidi overrides are shown escaped (`\\n`, `\\u{202e}`,
/// [`visible`]).
pub fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' | '`' | '\\' | '*' | '_' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            // Shown escaped (`\n`, `\u{202e}`), its backslash escaped for
            // CommonMark, so it reads as written.
            c if is_unsafe_char(c) => {
                out.push('\\');
                out.push_str(&escape_char(c));
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_characters_are_shown_escaped() {
        assert_eq!(visible("plain"), "plain");
        assert_eq!(
            visible("x\n::error file=y::forged\r\u{202e}\u{2028}\u{85}"),
            "x\\n::error file=y::forged\\r\\u{202e}\\u{2028}\\u{85}"
        );
    }
}
