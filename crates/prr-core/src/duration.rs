//! Durations in seconds, to and from text: Prometheus duration strings
//! (`5m`, `1h30m`, `30d`) both ways ([`parse_duration`], [`format_duration`])
//! and the rough form people read in reports ([`human_duration`]). Every
//! duration prr prints goes through one of the two formatters.

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

/// Units [`format_duration`] writes, largest first, with their length in
/// seconds. Weeks and years are never written (`14d`, not `2w`): SLO
/// windows and periods are counted in days.
const UNITS: [(&str, u64); 4] = [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)];

/// Seconds as a Prometheus duration (the syntax of Prometheus'
/// `model.ParseDuration`, which [`parse_duration`] reads back), rounded to
/// the nearest second: the shorter of its two spellings, one count of the
/// largest unit that divides the value (`90s`, `90m`, `30d`) or a count of
/// each unit from days down (`2h3m`, `1d1m`), the second when both are as
/// long (it reads in larger units). Zero is `0s`. A negative value gets a
/// leading `-` (as a PromQL `offset` takes it); a value that is not finite
/// is written as Rust prints it (`NaN`, `inf`), which no parser accepts.
///
/// For everything prr writes in Prometheus syntax or next to durations a
/// user wrote in it: range selectors and window labels of queries, rule
/// windows and `for:` in messages, the error-budget policy's ages.
pub fn format_duration(seconds: f64) -> String {
    if !seconds.is_finite() {
        return seconds.to_string();
    }
    let rounded = seconds.round();
    if rounded < 0.0 {
        return format!("-{}", format_duration(-rounded));
    }
    // Saturates above u64::MAX seconds (far beyond any duration Prometheus
    // accepts, see MAX_DURATION_SECONDS).
    let s = rounded as u64;
    if s == 0 {
        return "0s".to_string();
    }
    let single = UNITS
        .iter()
        .find(|(_, len)| s.is_multiple_of(*len))
        .map_or_else(
            || format!("{s}s"),
            |(unit, len)| format!("{}{unit}", s / len),
        );
    let mut compound = String::new();
    let mut rest = s;
    for (unit, len) in UNITS {
        if rest >= len {
            compound.push_str(&format!("{}{unit}", rest / len));
            rest %= len;
        }
    }
    if single.len() < compound.len() {
        single
    } else {
        compound
    }
}

/// Seconds as a rough duration for people, in its two largest units with
/// a space between (`7d 12h`, `3h 5m`), or minutes alone under an hour
/// (`50m`, `0m`); smaller units are dropped, not rounded, and a negative
/// value counts as 0. Not a Prometheus duration (the space, the dropped
/// units): for estimates shown in reports, such as the time until an
/// error budget runs out, where more digits would claim a precision the
/// estimate does not have.
pub fn human_duration(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    let (d, h, m) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60);
    if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else {
        format!("{m}m")
    }
}

#[cfg(test)]
mod tests {
    use super::{format_duration, human_duration, parse_duration};

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

    #[test]
    fn formatted_durations_are_the_shorter_spelling() {
        for (secs, text) in [
            (0.0, "0s"),
            (0.4, "0s"),
            (90.0, "90s"),
            (120.0, "2m"),
            (900.0, "15m"),
            (1800.0, "30m"),
            (3600.0, "1h"),
            (5400.0, "90m"),
            (7380.0, "2h3m"),
            (3661.0, "3661s"),
            (86_400.0, "1d"),
            (86_460.0, "1d1m"),
            (93_600.0, "26h"),
            (2_592_000.0, "30d"),
            (604_800.0, "7d"),
            (-900.0, "-15m"),
        ] {
            assert_eq!(format_duration(secs), text, "{secs} s");
        }
        assert_eq!(format_duration(f64::NAN), "NaN");
        // Every whole number of seconds reads back as itself.
        for secs in (0..200_000u32).step_by(7).chain([2_592_000, 31_536_000]) {
            let secs = f64::from(secs);
            assert_eq!(parse_duration(&format_duration(secs)), Some(secs));
        }
    }

    #[test]
    fn human_durations_keep_two_units() {
        assert_eq!(human_duration(7.5 * 86_400.0), "7d 12h");
        assert_eq!(human_duration(3.0 * 3600.0 + 5.0 * 60.0 + 9.0), "3h 5m");
        assert_eq!(human_duration(3_000.0), "50m");
        assert_eq!(human_duration(-5.0), "0m");
    }
}
