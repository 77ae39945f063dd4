//! Typed reading of one statement's arguments. Every helper reports its own problem with the
//! keyword, file and line, and returns `None` so the caller keeps its default.

use std::net::IpAddr;
use std::time::Duration;

use super::diag::{Diagnostics, Location};
use super::tree::Item;

/// A script or command line to run, with the user it runs as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    /// The whole command line, as written (quotes removed).
    pub command: String,
    /// `user[:group]` when given after the command.
    pub user: Option<String>,
    pub at: Location,
}

/// Warns about a keyword lvsdeck does not understand in `section`.
pub fn unsupported(item: &Item, section: &str, d: &mut Diagnostics) {
    let what = if item.block.is_some() { " block" } else { "" };
    d.warning(
        &item.at,
        format!(
            "unsupported keyword '{}'{what} in {section}; ignored",
            item.keyword
        ),
    );
}

/// Warns when a plain statement carries a `{ }` block.
fn no_block(item: &Item, d: &mut Diagnostics) {
    if item.block.is_some() {
        d.warning(
            &item.at,
            format!(
                "'{}' takes no block; its contents are ignored",
                item.keyword
            ),
        );
    }
}

/// Warns about arguments past the first `n`.
pub fn extra(item: &Item, n: usize, d: &mut Diagnostics) {
    if item.args.len() > n {
        d.warning(
            &item.at,
            format!(
                "'{}': extra arguments ignored: {}",
                item.keyword,
                item.args[n..].join(" ")
            ),
        );
    }
}

/// Argument `i`, or an error that it is missing.
pub fn need<'a>(item: &'a Item, i: usize, d: &mut Diagnostics) -> Option<&'a str> {
    let v = item.arg(i);
    if v.is_none() {
        d.error(&item.at, format!("'{}' needs a value", item.keyword));
    }
    v
}

/// The block of a keyword that must have one.
pub fn block<'a>(item: &'a Item, d: &mut Diagnostics) -> &'a [Item] {
    if item.block.is_none() {
        d.error(&item.at, format!("'{}' needs a {{ }} block", item.keyword));
    }
    item.children()
}

/// Plain decimal digits only: keepalived rejects signs, hex and trailing garbage here.
pub fn parse_u64(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn parse_i64(s: &str) -> Option<i64> {
    match s.strip_prefix('-') {
        Some(rest) => parse_u64(rest)
            .and_then(|v| i64::try_from(v).ok())
            .map(|v| -v),
        None => parse_u64(s.strip_prefix('+').unwrap_or(s)).and_then(|v| i64::try_from(v).ok()),
    }
}

/// An unsigned integer in `min..=max` from argument `i`.
pub fn uint_at(item: &Item, i: usize, min: u64, max: u64, d: &mut Diagnostics) -> Option<u64> {
    let s = need(item, i, d)?;
    in_range(item, s, parse_u64(s), min, max, d)
}

/// `value` when it parsed and lies in `min..=max`; else the error naming the keyword.
fn in_range<T: PartialOrd + Copy + std::fmt::Display>(
    item: &Item,
    text: &str,
    value: Option<T>,
    min: T,
    max: T,
    d: &mut Diagnostics,
) -> Option<T> {
    match value {
        Some(v) if (min..=max).contains(&v) => Some(v),
        _ => {
            d.error(
                &item.at,
                format!(
                    "'{}' must be an integer between {min} and {max}, not '{text}'",
                    item.keyword
                ),
            );
            None
        }
    }
}

/// The single unsigned argument of a statement, in `min..=max`.
pub fn uint(item: &Item, min: u64, max: u64, d: &mut Diagnostics) -> Option<u64> {
    no_block(item, d);
    extra(item, 1, d);
    uint_at(item, 0, min, max, d)
}

/// A signed integer in `min..=max` from the first argument (extra arguments are the
/// caller's business).
pub fn int(item: &Item, min: i64, max: i64, d: &mut Diagnostics) -> Option<i64> {
    no_block(item, d);
    let s = need(item, 0, d)?;
    in_range(item, s, parse_i64(s), min, max, d)
}

/// Seconds with an optional fraction (`1`, `0.5`, `2.125`), to the microsecond.
pub fn parse_seconds(s: &str) -> Option<Duration> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    let secs = if whole.is_empty() {
        0
    } else {
        parse_u64(whole)?
    };
    if !frac.is_empty() && (frac.len() > 6 || parse_u64(frac).is_none()) {
        return None;
    }
    let micros = if frac.is_empty() {
        0
    } else {
        let padded = format!("{frac:0<6}");
        parse_u64(&padded)?
    };
    Some(Duration::from_secs(secs) + Duration::from_micros(micros))
}

/// A time in seconds (fractions allowed) within `min..=max`.
pub fn timer(item: &Item, min: Duration, max: Duration, d: &mut Diagnostics) -> Option<Duration> {
    no_block(item, d);
    extra(item, 1, d);
    let s = need(item, 0, d)?;
    match parse_seconds(s) {
        Some(v) if v >= min && v <= max => Some(v),
        _ => {
            d.error(
                &item.at,
                format!(
                    "'{}' must be a time between {} and {} seconds, not '{s}'",
                    item.keyword,
                    secs_text(min),
                    secs_text(max)
                ),
            );
            None
        }
    }
}

/// `1`, `0.5`: a duration as the config writes it.
pub fn secs_text(d: Duration) -> String {
    let micros = d.subsec_micros();
    if micros == 0 {
        d.as_secs().to_string()
    } else {
        let frac = format!("{micros:06}");
        format!("{}.{}", d.as_secs(), frac.trim_end_matches('0'))
    }
}

/// A flag that may carry an explicit boolean (`alpha`, `alpha on`, `alpha false`).
pub fn boolean(item: &Item, d: &mut Diagnostics) -> Option<bool> {
    no_block(item, d);
    extra(item, 1, d);
    match item.arg(0) {
        None => Some(true),
        Some(s) => match s.to_ascii_lowercase().as_str() {
            "true" | "on" | "yes" | "1" => Some(true),
            "false" | "off" | "no" | "0" => Some(false),
            _ => {
                d.error(
                    &item.at,
                    format!("'{}' takes true or false, not '{s}'", item.keyword),
                );
                None
            }
        },
    }
}

/// A flag with no arguments at all (`nopreempt`).
pub fn flag(item: &Item, d: &mut Diagnostics) -> bool {
    no_block(item, d);
    extra(item, 0, d);
    true
}

/// One word.
pub fn string(item: &Item, d: &mut Diagnostics) -> Option<String> {
    no_block(item, d);
    extra(item, 1, d);
    need(item, 0, d).map(str::to_string)
}

/// An IP address from argument `i`.
pub fn ip_at(item: &Item, i: usize, d: &mut Diagnostics) -> Option<IpAddr> {
    let s = need(item, i, d)?;
    match s.parse() {
        Ok(a) => Some(a),
        Err(_) => {
            d.error(
                &item.at,
                format!("'{}' needs an IP address, not '{s}'", item.keyword),
            );
            None
        }
    }
}

/// The single IP address argument.
pub fn ip(item: &Item, d: &mut Diagnostics) -> Option<IpAddr> {
    no_block(item, d);
    extra(item, 1, d);
    ip_at(item, 0, d)
}

/// A port number 0..=65535.
pub fn port(item: &Item, d: &mut Diagnostics) -> Option<u16> {
    uint(item, 0, 65535, d).and_then(|v| u16::try_from(v).ok())
}

/// `script "cmd args" [user[:group]]`.
pub fn script(item: &Item, d: &mut Diagnostics) -> Option<Script> {
    no_block(item, d);
    extra(item, 3, d);
    let command = need(item, 0, d)?;
    if command.is_empty() {
        d.error(&item.at, format!("'{}' has an empty command", item.keyword));
        return None;
    }
    Some(Script {
        command: command.to_string(),
        // keepalived: `script [user [group]]`.
        user: item.arg(1).map(|u| match item.arg(2) {
            Some(g) => format!("{u}:{g}"),
            None => u.to_string(),
        }),
        at: item.at.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds() {
        assert_eq!(parse_seconds("1"), Some(Duration::from_secs(1)));
        assert_eq!(parse_seconds("0.5"), Some(Duration::from_millis(500)));
        assert_eq!(parse_seconds(".25"), Some(Duration::from_millis(250)));
        assert_eq!(parse_seconds("1.0000001"), None);
        assert_eq!(parse_seconds("-1"), None);
        assert_eq!(parse_seconds("1s"), None);
        assert_eq!(parse_seconds("."), None);
        assert_eq!(secs_text(Duration::from_millis(1500)), "1.5");
        assert_eq!(secs_text(Duration::from_secs(6)), "6");
    }

    #[test]
    fn integers() {
        assert_eq!(parse_u64("0042"), Some(42));
        assert_eq!(parse_u64("+1"), None);
        assert_eq!(parse_i64("-30"), Some(-30));
        assert_eq!(parse_i64("x"), None);
    }
}
