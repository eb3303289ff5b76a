//! GitHub REST API delivery via octocrab (docs/design.md §8): a check run with
//! annotations, one sticky pull-request comment, and the pull request's live
//! labels with who applied each.
//!
//! Every call returns a [`GithubError`] naming the call and the HTTP status,
//! so the caller can turn it into a warning: a read-only token (fork pull
//! requests: 403/404) or any API error must never fail the gate.
//!
//! Requests go through octocrab's generic `get`/`post`/`patch` with our own
//! request bodies and minimal response types (only the fields we read), so a
//! field GitHub adds, drops or nulls in a response does not break delivery.

mod check_run;
mod client;
mod comment;
mod context;
mod label_audit;
mod pr_labels;

pub use check_run::{
    ANNOTATIONS_PER_REQUEST, Annotation, AnnotationLevel, Conclusion, MAX_SUMMARY_CHARS,
};
pub use client::GithubClient;
pub use comment::{ACTIONS_BOT_LOGIN, Author, MAX_COMMENT_CHARS, STICKY_MARKER};
pub use context::PrContext;
pub use label_audit::{LabelAudit, Permission, head_arrived_at, judge_label, last_labeled};
pub use pr_labels::{PrLabels, pr_labels};

/// A failed GitHub API call. The message names the call and, when GitHub
/// answered, the HTTP status; it never contains the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("GitHub API: {call} failed{}: {message}", status.map(|s| format!(" (HTTP {s})")).unwrap_or_default())]
pub struct GithubError {
    /// Which call failed, e.g. `create check run for acme/shop`.
    pub call: String,
    /// The HTTP status when GitHub answered with an error, else `None`
    /// (connection, TLS or decoding failures).
    pub status: Option<u16>,
    /// GitHub's error message, or the transport/decoding error.
    pub message: String,
}

impl GithubError {
    /// The token lacks permission or the resource is hidden from it
    /// (401/403/404): typical of read-only tokens on fork pull requests.
    pub fn is_permission(&self) -> bool {
        matches!(self.status, Some(401 | 403 | 404))
    }
}

/// Percent-encodes a path segment (owner or repository name).
fn seg(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Removes any occurrence of the token from a message.
fn redact(message: &str, token: &str) -> String {
    if token.is_empty() {
        message.to_string()
    } else {
        message.replace(token, "***")
    }
}

/// Cuts `text` to at most `max` characters, ending with a note when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    const NOTE: &str = "\n\n…(truncated by prr: see the job summary for the full report)";
    let keep = max.saturating_sub(NOTE.chars().count());
    let mut out: String = text.chars().take(keep).collect();
    out.push_str(NOTE);
    out
}

#[cfg(test)]
mod tests;
