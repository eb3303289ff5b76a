//! GitHub workflow commands (`::error file=…,line=…,col=…,title=…::message`),
//! with the escaping of `@actions/core` (toolkit `command.ts`): in data,
//! `%`→`%25`, CR→`%0D`, LF→`%0A`; in properties also `:`→`%3A`, `,`→`%2C`.

use super::Reporter;
use super::RunReport;
use crate::finding::Level;

/// Escapes a command's message.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One command line per unsuppressed finding, most severe first.
pub fn render(r: &RunReport) -> String {
    let mut items: Vec<_> = r.findings.iter().filter(|f| !f.suppressed).collect();
    items.sort_by_key(|f| std::cmp::Reverse(f.level));
    let mut out = String::new();
    for f in items {
        let cmd = match f.level {
            Level::Error => "error",
            Level::Warning => "warning",
            _ => "notice",
        };
        let mut props = Vec::new();
        if !f.path.is_empty() {
            props.push(format!("file={}", escape_property(&f.path)));
            if f.line > 0 {
                props.push(format!("line={}", f.line));
                if f.column > 0 {
                    props.push(format!("col={}", f.column));
                }
            }
        }
        let title = match &f.service {
            Some(s) => format!("{} ({s})", f.rule),
            None => f.rule.clone(),
        };
        props.push(format!("title={}", escape_property(&title)));
        out.push_str(&format!(
            "::{cmd} {}::{}\n",
            props.join(","),
            escape_data(&f.message)
        ));
    }
    out
}

/// The `github` format.
pub struct Github;

impl Reporter for Github {
    fn render(&self, r: &RunReport, color: bool) -> String {
        let _ = color;
        render(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toolkit_escaping() {
        assert_eq!(escape_data("50% done\nnext\r"), "50%25 done%0Anext%0D");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
