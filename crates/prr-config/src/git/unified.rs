//! Reading `git diff -U0` patches: the new-side lines each hunk adds.
//!
//! Patches have no NUL-terminated form, so file names are read the way git
//! writes them: `+++ b/PATH`, or C-quoted (`+++ "b/tab\there"`) when the
//! name holds `"`, `\`, a control character or (with `core.quotePath=true`,
//! which the runner sets) a byte over 0x7f, written as octal `\ooo`. Names
//! are read only outside a hunk's body, and a body is exactly as long as its
//! header says: an added line `++ b/x` shows as `+++ b/x` inside a hunk and
//! must not switch files. Only `+` lines actually present are counted. The
//! runner forces the `a/`/`b/` prefixes, so the user's `diff.noprefix` or
//! `diff.mnemonicPrefix` cannot hide a name.

use std::collections::HashSet;

/// The new-side lines of a `-U0` unified diff, as (path, 1-based line):
/// `+++ b/PATH` (plain or C-quoted) names the file, each `@@ -a,b +c,d @@`
/// starts the new side at line c, and each `+` line of the hunk's body is
/// one added line (a ` ` context line, should the user's
/// `diff.interHunkContext` add some, moves the count on). A hunk's body is
/// exactly its b old and d new lines (b and d default to 1), so a body line
/// `+++ x` (an added `++ x`) never reads as a header, and the result never
/// holds more pairs than the patch has lines. A deleted file (`+++
/// /dev/null`) or a name without the `b/` prefix adds nothing. Invalid
/// UTF-8 in names is replaced by U+FFFD (as the file walk does).
pub fn parse_unified_zero(diff: impl AsRef<[u8]>) -> HashSet<(String, u32)> {
    let mut out = HashSet::new();
    let mut file: Option<String> = None;
    let mut hunk: Option<Hunk> = None;
    for line in diff.as_ref().split(|b| *b == b'\n') {
        if let Some(h) = hunk.as_mut() {
            let (old, new) = match line.first() {
                Some(b'+') if h.new_left > 0 => (0, 1),
                Some(b'-') if h.old_left > 0 => (1, 0),
                Some(b' ') if h.old_left > 0 && h.new_left > 0 => (1, 1),
                Some(b'\\') => (0, 0),
                // Not a body line: the hunk ended early; read it as a header.
                _ => {
                    hunk = None;
                    (0, 0)
                }
            };
            if let Some(h) = hunk.as_mut() {
                if line.first() == Some(&b'+')
                    && let Some(f) = &file
                {
                    out.insert((f.clone(), h.next));
                }
                if new == 1 {
                    h.next = h.next.saturating_add(1);
                }
                h.old_left -= old;
                h.new_left -= new;
                if h.old_left == 0 && h.new_left == 0 {
                    hunk = None;
                }
                continue;
            }
        }
        if line.starts_with(b"diff --git ") {
            file = None;
        } else if let Some(rest) = line.strip_prefix(b"+++ ") {
            file = new_path(rest);
        } else if let Some(h) = line.strip_prefix(b"@@ ") {
            hunk = Hunk::parse(h).filter(|h| h.old_left > 0 || h.new_left > 0);
        }
    }
    out
}

/// The state of a hunk's body: lines still to come on each side, the next
/// new-side line number.
struct Hunk {
    old_left: u64,
    new_left: u64,
    next: u32,
}

impl Hunk {
    /// A hunk header after `@@ `: `-a,b +c,d @@ …` (`,b`/`,d` default to 1).
    fn parse(h: &[u8]) -> Option<Hunk> {
        let h = String::from_utf8_lossy(h);
        let mut it = h.split_whitespace();
        let range = |t: Option<&str>, sign: char| -> Option<(u64, u64)> {
            let mut p = t?.strip_prefix(sign)?.splitn(2, ',');
            let start = p.next()?.parse().ok()?;
            let count = p.next().map_or(Some(1), |c| c.parse().ok())?;
            Some((start, count))
        };
        let (_, old_left) = range(it.next(), '-')?;
        let (start, new_left) = range(it.next(), '+')?;
        Some(Hunk {
            old_left,
            new_left,
            next: u32::try_from(start).ok()?,
        })
    }
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

    /// A cheap stand-in for the `git_patch` fuzz target: mutations of a
    /// seed patch (bytes replaced by ones the grammar cares about) never
    /// panic and never yield more pairs than lines.
    #[test]
    fn mutated_patches_never_panic() {
        let seed: &[u8] =
            include_bytes!("../../../../fuzz/seeds/git_patch/quoted-and-header-lookalike.patch");
        let alphabet = b"+- @\\\"\n,0123456789abt/\t\xff";
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut rnd = |n: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n as u64) as usize
        };
        for _ in 0..3000 {
            let mut d = seed.to_vec();
            for _ in 0..1 + rnd(8) {
                let at = rnd(d.len());
                match rnd(3) {
                    0 => d[at] = alphabet[rnd(alphabet.len())],
                    1 => d.insert(at, alphabet[rnd(alphabet.len())]),
                    _ => {
                        d.remove(at);
                    }
                }
            }
            let lines = d.iter().filter(|b| **b == b'\n').count() + 1;
            assert!(parse_unified_zero(&d).len() <= lines);
            let _ = c_unquote(&d);
        }
    }

    #[test]
    fn counts_come_from_the_body() {
        // A header claiming four billion lines adds only the lines present;
        // context lines (diff.interHunkContext) move the count on.
        let d = "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1,4000000000 @@\n+a\n\
                 @@ -3,3 +3,4 @@\n-b\n+c\n d\n+e\n\\ No newline at end of file\n";
        assert_eq!(
            sorted(d),
            vec![
                ("x".to_string(), 1),
                ("x".to_string(), 3),
                ("x".to_string(), 5)
            ]
        );
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
