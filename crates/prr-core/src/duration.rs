//! Durations: Prometheus duration strings (`5m`, `1h30m`, `30d`) to seconds.

/// Parses a Prometheus duration (`5m`, `1h30m`, `30d`, `1w`, `500ms`) into
/// seconds. Units as in Prometheus' `model.ParseDuration`: ms, s, m, h, d
/// (24 h), w (7 d), y (365 d). Returns `None` for anything else, including
/// an empty string and a duration over [`MAX_DURATION_SECONDS`] (Prometheus
/// refuses those too: "duration out of range").
pub fn parse_duration(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s == "0" {
        return Some(0.0);
    }
    let mut total = 0.0;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return None;
        }
        let n: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let (unit, len) = if rest.starts_with("ms") {
            (0.001, 2)
        } else {
            match rest.chars().next()? {
                's' => (1.0, 1),
                'm' => (60.0, 1),
                'h' => (3600.0, 1),
                'd' => (86_400.0, 1),
                'w' => (604_800.0, 1),
                'y' => (31_536_000.0, 1),
                _ => return None,
            }
        };
        total += n * unit;
        rest = &rest[len..];
    }
    (total.is_finite() && total <= MAX_DURATION_SECONDS).then_some(total)
}

/// The longest duration [`parse_duration`] accepts, in seconds: Prometheus'
/// `model.Duration` limit (a Go `time.Duration`: `math.MaxInt64`
/// nanoseconds, about 292 years).
/// Any accepted value fits `std::time::Duration` without overflow.
pub const MAX_DURATION_SECONDS: f64 = i64::MAX as f64 / 1e9;

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn durations_out_of_range_are_refused() {
        assert_eq!(parse_duration("99999999999999999999h"), None);
        assert_eq!(parse_duration("300y"), None);
        assert!(parse_duration("290y").is_some());
        // Everything accepted converts without a panic.
        let _ = std::time::Duration::from_secs_f64(parse_duration("290y").unwrap());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("5m"), Some(300.0));
        assert_eq!(parse_duration("1h30m"), Some(5400.0));
        assert_eq!(parse_duration("30d"), Some(2_592_000.0));
        assert_eq!(parse_duration("1w"), Some(604_800.0));
        assert_eq!(parse_duration("500ms"), Some(0.5));
        assert_eq!(parse_duration("0"), Some(0.0));
        assert_eq!(parse_duration(""), None);
        assert_eq!(parse_duration("5"), None);
        assert_eq!(parse_duration("m5"), None);
        assert_eq!(parse_duration("5x"), None);
    }
}
