//! Numbers for people: SI counts (`12.3k`), decimal bytes (`1.2 MB`), exact digits on demand.
//!
//! Decimal units because link speeds and ipvsadm's own scaling are decimal.

use humansize::{format_size, FormatSizeOptions, DECIMAL};

/// How a number column is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Connections, packets, weights: `98765`, `123k`, `4.5M`.
    Count,
    /// Bytes or bytes per second: `512 B`, `1.2 MB`.
    Bytes,
}

/// One cell's text; `exact` prints every digit.
pub fn number(n: u64, unit: Unit, exact: bool) -> String {
    if exact {
        return n.to_string();
    }
    match unit {
        Unit::Count => count(n),
        Unit::Bytes => bytes(n),
    }
}

/// Counts below 100 000 whole, above with one decimal below 100 of the unit.
pub fn count(n: u64) -> String {
    if n < 100_000 {
        return n.to_string();
    }
    const UNITS: [&str; 6] = ["k", "M", "G", "T", "P", "E"];
    let mut value = n as f64 / 1000.0;
    let mut unit = 0;
    while value >= 999.95 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    if value < 99.95 {
        format!("{value:.1}{}", UNITS[unit])
    } else {
        format!("{value:.0}{}", UNITS[unit])
    }
}

pub fn bytes(n: u64) -> String {
    let opts = FormatSizeOptions::from(DECIMAL).decimal_places(1);
    format_size(n, opts)
}

/// Seconds as `0.4s`, `1s`, `12s`, `3m05s`, for the data age and interval.
pub fn age(d: std::time::Duration) -> String {
    let ms = d.as_millis();
    if ms < 10_000 && !ms.is_multiple_of(1000) {
        format!("{}.{}s", ms / 1000, (ms % 1000) / 100)
    } else if ms < 60_000 {
        format!("{}s", ms / 1000)
    } else {
        let s = ms / 1000;
        format!("{}m{:02}s", s / 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_scale_past_five_digits() {
        assert_eq!(count(0), "0");
        assert_eq!(count(99_999), "99999");
        assert_eq!(count(100_000), "100k");
        assert_eq!(count(1_234_567), "1.2M");
        assert_eq!(count(999_999_999), "1.0G");
        assert_eq!(count(u64::MAX), "18.4E");
    }

    #[test]
    fn bytes_are_decimal_with_one_place() {
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(1_250_000), "1.2 MB");
        assert_eq!(number(1_250_000, Unit::Bytes, true), "1250000");
    }

    #[test]
    fn ages_shorten() {
        use std::time::Duration;
        assert_eq!(age(Duration::from_millis(430)), "0.4s");
        assert_eq!(age(Duration::from_secs(1)), "1s");
        assert_eq!(age(Duration::from_secs(42)), "42s");
        assert_eq!(age(Duration::from_secs(185)), "3m05s");
    }
}
