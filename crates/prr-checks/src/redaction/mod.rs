//! The last step before any output: every secret the run found, what the
//! secret engine finds in a text and private-key blocks are cut out of
//! findings, budget entries, readiness lines and messages ([`redact`],
//! [`scrub`]). A post-pass: it reads the rules (the default gitleaks pack)
//! and the inventory, and nothing below it reads it.

pub mod redact;
pub mod scrub;
