//! The budget chart: the remaining error budget of each gated SLO over its
//! window, the policy's thresholds and the projection to exhaustion at the
//! current burn rate.
//!
//! - Markdown (report, job summary, sticky PR comment): a Mermaid
//!   `xychart-beta` chart (<https://mermaid.js.org/syntax/xyChart.html>),
//!   which GitHub renders in fenced `mermaid` blocks. xychart-beta has no
//!   legend and no gaps, so the lines are, in order: the remaining budget
//!   (the history, continued after *now* by the projection), the warning
//!   threshold, the critical threshold; a caption under the chart says so.
//! - Text: a Unicode sparkline of the history with the remaining percentage.
//!
//! Projection: remaining(t) = remaining − burn rate × (t − now) / window (a
//! burn rate of 1 spends the whole budget in one window; Google SRE
//! Workbook, ch. 5), drawn until exhaustion, at most [`PROJECTION_STEPS`]
//! history steps ahead (or one window, without history). Providers without
//! history get the projection only.

use super::budget::{current_burn_rate, human_duration, time_to_exhaustion};
use prr_core::budget::BudgetEntry;
use std::fmt::Write as _;

/// Most steps drawn after *now*.
pub const PROJECTION_STEPS: usize = 10;

/// Sparkline levels, lowest first.
const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// One chart's points: (Unix seconds, remaining fraction) for the history,
/// then the projection; `now` is the reading's time.
#[derive(Clone, Debug, PartialEq)]
pub struct Course {
    /// History points, oldest first.
    pub history: Vec<(f64, f64)>,
    /// Projection points after `now`, nearest first.
    pub projection: Vec<(f64, f64)>,
    /// The reading's time (Unix seconds).
    pub now: f64,
}

/// The course of `e`'s budget; `None` without a reading, or with neither
/// history nor a projection.
pub fn course(e: &BudgetEntry) -> Option<Course> {
    let r = e.reading.as_ref()?;
    let history: Vec<(f64, f64)> = r
        .history
        .iter()
        .filter(|p| p.t.is_finite() && p.remaining.is_finite())
        .map(|p| (p.t, p.remaining))
        .collect();
    let now = r
        .as_of
        .or_else(|| history.last().map(|p| p.0))
        .unwrap_or(0.0);
    let step = match history.as_slice() {
        [.., a, b] if b.0 > a.0 => Some(b.0 - a.0),
        _ => None,
    };
    let mut projection = Vec::new();
    if let (Some(burn), Some(window), Some(tte)) = (
        current_burn_rate(e),
        r.window_seconds,
        time_to_exhaustion(e),
    ) && burn > 0.0
        && tte > 0.0
        && window > 0.0
    {
        let step = step.unwrap_or(window / PROJECTION_STEPS as f64);
        let horizon = tte.min(step * PROJECTION_STEPS as f64);
        let n = ((horizon / step).ceil() as usize).clamp(1, PROJECTION_STEPS);
        for i in 1..=n {
            let dt = (step * i as f64).min(tte);
            projection.push((now + dt, r.remaining - burn * dt / window));
        }
    }
    if history.is_empty() && projection.is_empty() {
        return None;
    }
    let mut history = history;
    if history.is_empty() {
        // Projection only: start from the reading itself.
        history.push((now, r.remaining));
    }
    Some(Course {
        history,
        projection,
        now,
    })
}

/// Time relative to now as an axis label: `-30d`, `-12h`, `now`, `+2.5d`.
fn relative(dt: f64) -> String {
    if dt.abs() < 60.0 {
        return "now".to_string();
    }
    let days = dt / 86_400.0;
    let trim = |x: f64| {
        let s = format!("{x:+.1}");
        s.strip_suffix(".0").map_or(s.clone(), str::to_string)
    };
    if days.abs() >= 1.0 {
        format!("{}d", trim(days))
    } else {
        format!("{}h", trim(dt / 3600.0))
    }
}

/// `text` reduced to characters that cannot end a Mermaid string or
/// statement (names come from repository files).
fn mermaid_text(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || " -_./:%()".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect()
}

fn pct(x: f64) -> String {
    format!("{:.1}", x * 100.0)
}

/// The Mermaid `xychart-beta` chart of `e` in a fenced block with its
/// caption; `None` when there is nothing to draw.
pub fn mermaid(e: &BudgetEntry) -> Option<String> {
    let c = course(e)?;
    let r = e.reading.as_ref()?;
    let points: Vec<(f64, f64)> = c.history.iter().chain(&c.projection).copied().collect();
    let labels: Vec<String> = points
        .iter()
        .map(|p| format!("\"{}\"", relative(p.0 - c.now)))
        .collect();
    // Threshold lines only when a policy set them: none is invented.
    let thresholds = e.thresholds;
    let lowest = points.iter().map(|p| p.1).fold(0.0f64, f64::min).max(-10.0);
    let highest = points.iter().map(|p| p.1).fold(1.0f64, f64::max);
    let y_min = (lowest * 10.0).floor() * 10.0;
    let y_max = (highest * 10.0).ceil() * 10.0;
    let line = |f: &dyn Fn(f64) -> f64| {
        points
            .iter()
            .map(|p| pct(f(p.1).clamp(y_min / 100.0, y_max / 100.0)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = String::from("```mermaid\nxychart-beta\n");
    let _ = writeln!(
        out,
        "    title \"{} / {}: error budget remaining (%)\"",
        mermaid_text(&e.service),
        mermaid_text(&e.slo)
    );
    let _ = writeln!(out, "    x-axis [{}]", labels.join(", "));
    let _ = writeln!(out, "    y-axis \"remaining %\" {y_min} --> {y_max}");
    let _ = writeln!(out, "    line [{}]", line(&|v| v));
    if let Some((warning, critical)) = thresholds {
        let _ = writeln!(out, "    line [{}]", line(&|_| warning));
        let _ = writeln!(out, "    line [{}]", line(&|_| critical));
    }
    out.push_str("```\n\n");
    let what = if r.history.is_empty() {
        "no history from this provider: the line is the projection from now"
    } else if c.projection.is_empty() {
        "the remaining budget over the window"
    } else {
        "the remaining budget over the window, then the projection after *now*"
    };
    match thresholds {
        Some((warning, critical)) => {
            let _ = write!(
                out,
                "_Lines: {what}; warning at {} %, critical at {} %._",
                pct(warning),
                pct(critical)
            );
        }
        None => {
            let _ = write!(out, "_Line: {what}._");
        }
    }
    match (current_burn_rate(e), time_to_exhaustion(e)) {
        (Some(b), Some(t)) if t > 0.0 => {
            let _ = write!(
                out,
                " _At the current burn rate {b:.2}× the budget is spent in {}._",
                human_duration(t)
            );
        }
        (_, Some(_)) => out.push_str(" _The budget is spent._"),
        _ => {}
    }
    out.push_str("\n\n");
    Some(out)
}

/// A sparkline of `e`'s history with the remaining percentage
/// (`▇▇▇▆▆▅▄▃ 70.0 %`); `None` without history.
pub fn sparkline(e: &BudgetEntry) -> Option<String> {
    let r = e.reading.as_ref()?;
    if r.history.is_empty() {
        return None;
    }
    let line: String = r
        .history
        .iter()
        .map(|p| {
            let x = p.remaining.clamp(0.0, 1.0);
            LEVELS[((x * (LEVELS.len() - 1) as f64).round() as usize).min(LEVELS.len() - 1)]
        })
        .collect();
    Some(format!("{line} {} %", pct(r.remaining)))
}

/// The Markdown charts of every entry that has one, each with its heading.
pub fn markdown_charts(entries: &[BudgetEntry]) -> Vec<String> {
    entries
        .iter()
        .filter_map(|e| {
            let chart = mermaid(e)?;
            Some(format!(
                "**{}/{}**\n\n{chart}",
                prr_core::text::escape_markdown(&e.service),
                prr_core::text::escape_markdown(&e.slo)
            ))
        })
        .collect()
}

/// The text block of sparklines (empty when no entry has history).
pub fn text_sparklines(entries: &[BudgetEntry]) -> String {
    let rows: Vec<(String, String)> = entries
        .iter()
        .filter_map(|e| {
            let s = sparkline(e)?;
            let name = format!("{}/{}", super::visible(&e.service), super::visible(&e.slo));
            Some((name, s))
        })
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let width = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let mut out = String::from("Error budget over the SLO window (oldest → now)\n");
    for (name, s) in rows {
        let pad = width - name.chars().count();
        let _ = writeln!(out, "  {name}{}  {s}", " ".repeat(pad));
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use prr_core::budget::OnError;
    use prr_core::budget::{Action, Decision, State};
    use prr_core::budget::{HistoryPoint, Reading};

    const DAY: f64 = 86_400.0;
    const NOW: f64 = 1_706_659_200.0;

    fn entry(history: &[f64], remaining: f64, burn: Option<f64>) -> BudgetEntry {
        let mut r = Reading {
            remaining,
            window_seconds: Some(30.0 * DAY),
            as_of: Some(NOW),
            history: history
                .iter()
                .enumerate()
                .map(|(i, v)| HistoryPoint {
                    t: NOW - (history.len() - 1 - i) as f64 * DAY,
                    remaining: *v,
                })
                .collect(),
            ..Default::default()
        };
        if let Some(b) = burn {
            r.burn_rates.insert("1h".into(), b);
        }
        BudgetEntry {
            service: "checkout".into(),
            slo: "availability\"]\nline [0".into(),
            provider: "prom".into(),
            on_error: OnError::FailClosed,
            reading: Some(r),
            error: None,
            decision: Decision {
                state: State::Healthy,
                action: Action::Pass,
                reason: String::new(),
                exception: None,
                fast_burn: None,
            },
            location: None,
            thresholds: Some((0.5, 0.25)),
        }
    }

    #[test]
    fn chart_draws_history_thresholds_and_projection() {
        // 3 days of history, 70 % left, burning 3× (30d window): spent in
        // 0.7 × 30d / 3 = 7 days; projection 1 day per step, 7 steps.
        let e = entry(&[1.0, 0.9, 0.7], 0.7, Some(3.0));
        let c = course(&e).expect("course");
        assert_eq!(c.history.len(), 3);
        assert_eq!(c.projection.len(), 7);
        let last = c.projection.last().expect("projection");
        assert!(
            (last.0 - (NOW + 7.0 * DAY)).abs() < 1.0 && last.1.abs() < 1e-9,
            "{last:?}"
        );
        let md = mermaid(&e).expect("chart");
        assert!(md.starts_with("```mermaid\nxychart-beta\n"), "{md}");
        assert!(
            md.contains("x-axis [\"-2d\", \"-1d\", \"now\", \"+1d\""),
            "{md}"
        );
        assert!(md.contains("y-axis \"remaining %\" 0 --> 100"), "{md}");
        assert!(
            md.contains("    line [100.0, 90.0, 70.0, 60.0, 50.0"),
            "{md}"
        );
        assert!(md.contains("    line [50.0, 50.0, 50.0"), "{md}");
        assert!(md.contains("    line [25.0, 25.0, 25.0"), "{md}");
        assert!(md.contains("spent in 7d 0h"), "{md}");
        // A name from a repository file cannot end the title or add a line.
        let title = md.lines().nth(2).expect("title");
        assert_eq!(
            title,
            "    title \"checkout / availability___line _0: error budget remaining (%)\""
        );
        assert_eq!(md.matches("    line [").count(), 3);
    }

    #[test]
    fn without_history_the_projection_alone_is_drawn() {
        let e = entry(&[], 0.4, Some(2.0));
        let md = mermaid(&e).expect("projection chart");
        assert!(md.contains("no history from this provider"), "{md}");
        assert!(md.contains("x-axis [\"now\", \"+3d\""), "{md}");
        // Nothing burning and no history: nothing to draw.
        assert_eq!(mermaid(&entry(&[], 0.4, None)), None);
        assert_eq!(sparkline(&entry(&[], 0.4, Some(2.0))), None);
    }

    #[test]
    fn sparkline_shows_the_course_and_the_percentage() {
        let e = entry(&[1.0, 0.75, 0.5, 0.25, 0.0, -0.5], -0.5, None);
        assert_eq!(sparkline(&e).as_deref(), Some("█▆▅▃▁▁ -50.0 %"));
        let text = text_sparklines(&[e]);
        assert!(
            text.starts_with("Error budget over the SLO window"),
            "{text}"
        );
    }
}
