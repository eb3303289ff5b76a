//! Timestamps: RFC 3339 text to Unix seconds (UTC).

/// Parses RFC 3339 (with `Z`, a numeric offset, or no zone = UTC) to Unix seconds.
pub fn rfc3339(s: &str) -> Option<f64> {
    let (base, offset) = split_offset(s)?;
    let t = humantime::parse_rfc3339_weak(base).ok()?;
    let secs = t.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs_f64();
    Some(secs - offset)
}

/// Splits a trailing `Z` / `±HH:MM` zone off `s`; returns the offset in seconds.
fn split_offset(s: &str) -> Option<(&str, f64)> {
    if let Some(base) = s.strip_suffix('Z').or_else(|| s.strip_suffix('z')) {
        return Some((base, 0.0));
    }
    // A zone is after the time part: look past the date's own '-' signs.
    let t = s.find(['T', 't', ' '])?;
    let tail = &s[t..];
    match tail.rfind(['+', '-']) {
        Some(i) => {
            let zone = &tail[i + 1..];
            let (h, m) = zone
                .split_once(':')
                .unwrap_or((zone.get(..2)?, zone.get(2..)?));
            let (h, m): (f64, f64) = (h.parse().ok()?, m.parse().ok()?);
            let sign = if tail[i..].starts_with('-') {
                -1.0
            } else {
                1.0
            };
            Some((&s[..t + i], sign * (h * 3600.0 + m * 60.0)))
        }
        None => Some((s, 0.0)),
    }
}
