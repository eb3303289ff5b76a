//! Runbooks: Markdown files with headings. Only headings matter to the
//! checks (required sections, `#anchor` links), so this is a light
//! line-based reader: ATX headings (`#`…`######`) outside fenced code blocks,
//! and setext headings (`===` / `---` underlines). YAML front matter is
//! skipped. Anchors are GitHub's slugs.

/// One heading of a runbook.
#[derive(Clone, Debug, PartialEq)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// Heading text without the `#` markers or a closing `#` run.
    pub text: String,
    /// 1-based line.
    pub line: u32,
    /// GitHub-style anchor (`what-it-means`), de-duplicated with `-1`, `-2`.
    pub anchor: String,
}

/// A runbook file.
#[derive(Clone, Debug)]
pub struct Runbook {
    /// Repository-relative path.
    pub path: String,
    /// Headings in order.
    pub headings: Vec<Heading>,
}

impl Runbook {
    /// Reads the headings of `text`.
    pub fn parse(path: &str, text: &str) -> Runbook {
        let mut headings: Vec<Heading> = Vec::new();
        let mut fence: Option<String> = None;
        let lines: Vec<&str> = text.lines().collect();
        let mut start = 0;
        if lines.first().map(|l| l.trim_end()) == Some("---")
            && let Some(end) = lines.iter().skip(1).position(|l| l.trim_end() == "---")
        {
            start = end + 2;
        }
        let mut seen: std::collections::HashMap<String, usize> = Default::default();
        let mut push = |level: u8, text: &str, line: usize, headings: &mut Vec<Heading>| {
            let base = slug(text);
            let n = seen.entry(base.clone()).or_insert(0);
            let anchor = if *n == 0 {
                base.clone()
            } else {
                format!("{base}-{n}")
            };
            *n += 1;
            headings.push(Heading {
                level,
                text: text.to_string(),
                line: u32::try_from(line + 1).unwrap_or(u32::MAX),
                anchor,
            });
        };
        for i in start..lines.len() {
            let raw = lines[i];
            let t = raw.trim_start();
            let indent = raw.len() - t.len();
            if indent < 4 && (t.starts_with("```") || t.starts_with("~~~")) {
                let marker: String = t.chars().take_while(|c| *c == '`' || *c == '~').collect();
                match &fence {
                    None => fence = Some(marker),
                    Some(m) if t.starts_with(m.as_str()) && t.trim_end().len() == marker.len() => {
                        fence = None
                    }
                    _ => {}
                }
                continue;
            }
            if fence.is_some() || indent >= 4 {
                continue;
            }
            let hashes = t.chars().take_while(|c| *c == '#').count();
            if (1..=6).contains(&hashes) {
                let after = &t[hashes..];
                if after.is_empty() || after.starts_with(' ') || after.starts_with('\t') {
                    let text = after.trim().trim_end_matches('#').trim_end();
                    push(hashes as u8, text, i, &mut headings);
                    continue;
                }
            }
            // Setext: a non-empty paragraph line followed by === or ---.
            if let Some(next) = lines.get(i + 1) {
                let n = next.trim();
                let is_para = !t.is_empty() && !t.starts_with(['-', '*', '>', '|', '+']);
                if is_para && !n.is_empty() && next.len() - next.trim_start().len() < 4 {
                    if n.chars().all(|c| c == '=') {
                        push(1, t.trim(), i, &mut headings);
                    } else if n.chars().all(|c| c == '-') && n.len() >= 2 {
                        push(2, t.trim(), i, &mut headings);
                    }
                }
            }
        }
        Runbook {
            path: path.to_string(),
            headings,
        }
    }
}

/// GitHub's heading anchor: lowercase, drop everything but letters, digits,
/// spaces, `-` and `_`, spaces to `-`. Inline markup characters (`` ` ``,
/// `*`) disappear with the punctuation.
pub fn slug(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                Some(c)
            } else if c == ' ' {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_and_anchors() {
        let md = "---\ntitle: x\n---\n# Alert Name\n\n## Meaning\n```\n# not a heading\n```\n## Impact\nSetext\n------\n## Meaning\n";
        let r = Runbook::parse("r.md", md);
        let t: Vec<_> = r
            .headings
            .iter()
            .map(|h| (h.level, h.text.as_str(), h.line))
            .collect();
        assert_eq!(
            t,
            vec![
                (1, "Alert Name", 4),
                (2, "Meaning", 6),
                (2, "Impact", 10),
                (2, "Setext", 11),
                (2, "Meaning", 13)
            ]
        );
        assert_eq!(r.headings[4].anchor, "meaning-1");
        assert_eq!(slug("What it means / Impact?"), "what-it-means--impact");
    }
}
