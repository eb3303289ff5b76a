//! Where a stage reports how long its parts took (`PRR_TIMINGS=1`).
//! Libraries never read the environment or print: the app passes a
//! printer, and `None` measures nothing.

/// A stage's timing line (`post-pass in-source suppressions 1.2ms`),
/// handed to the app's printer; `None`: not wanted.
pub type Timings<'a> = Option<&'a (dyn Fn(std::fmt::Arguments<'_>) + Sync)>;
