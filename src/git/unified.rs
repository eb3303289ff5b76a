//! Reading `git diff -U0` patches: the new-side lines each hunk adds.
//!
//! Patches have no NUL-terminated form, so file names are read the way git
//! writes them: `+++ b/PATH`, or C-quoted (`+++ "b/tab\there"`) when the
//! name holds `"`, `\`, a control character or (with `core.quotePath=true`,
//! which the runner sets) a byte over 0x7f, written as octal `\ooo`. Only
//! the header of each file (between `diff --git` and its first `@@`) is
//! read for names: an added line `++ b/x` shows as `+++ b/x` inside a hunk
//! and must not switch files. The runner forces the `a/`/`b/` prefixes, so
//! the user's `diff.noprefix` or `diff.mnemonicPrefix` cannot hide a name.

use std::collections::HashSet;

/// The new-side lines of a `-U0` unified diff, as (path, 1-based line):
/// `+++ b/PATH` (plain or C-quoted) names the file, each `@@ -a,b +c,d @@`
/// adds lines c..c+d (d defaults to 1; 0 = a pure deletion, no new line).
/// A deleted file (`+++ /dev/null`) or a name without the `b/` prefix adds
/// nothing. Invalid UTF-8 in names is replaced by U+FFFD (as the file walk
/// does).
pub fn parse_unified_zero(diff: impl AsRef<[u8]>) -> HashSet<(String, u32)> {
    let mut out = HashSet::new();
    let mut file: Option<String> = None;
    let mut in_header = false;
    for line in diff.as_ref().split(|b| *b == b'\n') {
        if line.starts_with(b"diff --git ") {
            in_header = true;
            file = None;
        } else if in_header && let Some(rest) = line.strip_prefix(b"+++ ") {
            file = new_path(rest);
        } else if let Some(h) = line.strip_prefix(b"@@ ") {
            in_header = false;
            let Some(f) = &file else { continue };
            let h = String::from_utf8_lossy(h);
            let Some(new) = h.split_whitespace().find(|t| t.starts_with('+')) else {
                continue;
            };
            let mut it = new[1..].splitn(2, ',');
            let start: u32 = it.next().and_then(|s| s.parse().ok()).unwrap_or(0);
            let count: u32 = it.next().map_or(1, |c| c.parse().unwrap_or(0));
            for l in start..start.saturating_add(count) {
                out.insert((f.clone(), l));
            }
        }
    }
    out
}

/// The path of a `+++ ` header (what follows `+++ `), without its `b/`
/// prefix; `None` for `/dev/null`, a malformed quoted name or another prefix.
fn new_path(rest: &[u8]) -> Option<String> {
    let name = if rest.first() == Some(&b'"') {
        c_unquote(rest)?
    } else {
        let mut end = rest.len();
        while end > 0 && matches!(rest[end - 1], b'\t' | b'\r') {
            end -= 1;
        }
        rest[..end].to_vec()
    };
    let path = name.strip_prefix(b"b/")?;
    Some(String::from_utf8_lossy(path).into_owned())
}

/// Undoes git's C-style quoting (`quote_c_style`): `s` starts with `"`; the
/// bytes up to the closing `"` with `\a \b \t \n \v \f \r \" \\` and octal
/// `\ooo` decoded. `None` without a closing quote or with an unknown escape.
pub fn c_unquote(s: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len());
    let mut it = s.strip_prefix(b"\"")?.iter().copied();
    while let Some(b) = it.next() {
        match b {
            b'"' => return Some(out),
            b'\\' => {
                let e = it.next()?;
                out.push(match e {
                    b'a' => 0x07,
                    b'b' => 0x08,
                    b't' => b'\t',
                    b'n' => b'\n',
                    b'v' => 0x0b,
                    b'f' => 0x0c,
                    b'r' => b'\r',
                    b'"' | b'\\' => e,
                    b'0'..=b'3' => {
                        let (d2, d3) = (it.next()?, it.next()?);
                        if !(b'0'..=b'7').contains(&d2) || !(b'0'..=b'7').contains(&d3) {
                            return None;
                        }
                        ((e - b'0') << 6) | ((d2 - b'0') << 3) | (d3 - b'0')
                    }
                    _ => return None,
                });
            }
            _ => out.push(b),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(d: &str) -> Vec<(String, u32)> {
        let mut v: Vec<_> = parse_unified_zero(d).into_iter().collect();
        v.sort();
        v
    }

    #[test]
    fn quoted_names_are_unquoted() {
        let d = "diff --git \"a/t\\tb \\\"q\\\" \\\\ \\303\\251.env\" \"b/t\\tb \\\"q\\\" \\\\ \\303\\251.env\"\n\
                 new file mode 100644\n--- /dev/null\n\
                 +++ \"b/t\\tb \\\"q\\\" \\\\ \\303\\251.env\"\n@@ -0,0 +1 @@\n+x\n";
        assert_eq!(sorted(d), vec![("t\tb \"q\" \\ é.env".to_string(), 1)]);
        assert_eq!(c_unquote(b"\"a\\001\\177\""), Some(b"a\x01\x7f".to_vec()));
        assert_eq!(c_unquote(b"\"open"), None);
        assert_eq!(c_unquote(b"\"bad\\q\""), None);
        assert_eq!(c_unquote(b"\"bad\\38\""), None);
    }

    #[test]
    fn an_added_line_never_renames_the_file() {
        // `++ /dev/null` added at line 1 shows as `+++ /dev/null`.
        let d = "diff --git a/x.env b/x.env\n--- a/x.env\n+++ b/x.env\n@@ -0,0 +1 @@\n+++ /dev/null\n\
                 @@ -5,0 +6 @@\n+secret\ndiff --git a/y b/y\n--- a/y\n+++ b/y\n@@ -1 +1 @@\n-a\n+b\n";
        assert_eq!(
            sorted(d),
            vec![
                ("x.env".to_string(), 1),
                ("x.env".to_string(), 6),
                ("y".to_string(), 1)
            ]
        );
    }

    #[test]
    fn names_with_spaces_and_other_prefixes() {
        let d = "diff --git a/a b.yaml b/a b.yaml\n--- a/a b.yaml\n+++ b/a b.yaml\t\n@@ -1 +1,2 @@\n+x\n+y\n\
                 diff --git i/m w/m\n--- i/m\n+++ w/m\n@@ -1 +1 @@\n+z\n";
        assert_eq!(
            sorted(d),
            vec![("a b.yaml".to_string(), 1), ("a b.yaml".to_string(), 2)]
        );
    }
}
