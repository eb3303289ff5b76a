//! Generic analyzers, so a team can add a check without Rust:
//! `file.exists`, `file.contains` and `yaml.assert`.

use super::{Context, Sink};
use crate::inventory::{FileKind, globset};
use crate::yaml::{Node, Pos};
use serde::Deserialize;
use serde_json_path::{JsonPath, PathElement};

mod file_contains;
mod file_exists;
mod yaml_assert;

pub use file_contains::*;
pub use file_exists::*;
pub use yaml_assert::*;

/// 1-based line and column (in characters) of byte offset `at`.
pub fn pos_of(text: &str, at: usize) -> Pos {
    let before = &text[..at.min(text.len())];
    let line = before.bytes().filter(|b| *b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    Pos {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        column: u32::try_from(column).unwrap_or(u32::MAX),
    }
}
