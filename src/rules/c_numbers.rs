//! Number and IPv4 parsing with the C library's semantics ipvsadm relies on (`strtol`,
//! `atoi`, `inet_aton`), so lvsdeck accepts and rejects exactly the same spellings.

use std::net::Ipv4Addr;

/// C `isspace` in the "C" locale.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// C's number prefix: leading white space, then an optional sign. Returns whether the
/// number is negative and where its digits start.
fn sign(b: &[u8]) -> (bool, usize) {
    let mut i = 0;
    while i < b.len() && is_c_space(b[i]) {
        i += 1;
    }
    match b.get(i) {
        Some(b'-') => (true, i + 1),
        Some(b'+') => (false, i + 1),
        _ => (false, i),
    }
}

/// `strtol(s, &end, 10)` that must consume the whole string: leading white space and a
/// sign are allowed, at least one digit, nothing after. `None` on overflow of a C long.
pub fn strtol_whole(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let (negative, i) = sign(b);
    let digits = &b[i..];
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut value: i64 = 0;
    for d in digits {
        let d = i64::from(d - b'0');
        value = value.checked_mul(10)?;
        value = if negative {
            value.checked_sub(d)?
        } else {
            value.checked_add(d)?
        };
    }
    Some(value)
}

/// ipvsadm's `string_to_number`: a whole decimal number within `min..=max`.
pub fn number_in(s: &str, min: i64, max: i64) -> Option<i64> {
    strtol_whole(s).filter(|n| (min..=max).contains(n))
}

/// C `atoi`: leading white space, optional sign, then as many digits as there are;
/// anything else stops it. Saturates instead of C's undefined overflow.
pub fn atoi(s: &str) -> i64 {
    let b = s.as_bytes();
    let (negative, mut i) = sign(b);
    let mut value: i64 = 0;
    while let Some(d) = b.get(i).filter(|d| d.is_ascii_digit()) {
        value = value.saturating_mul(10).saturating_add(i64::from(d - b'0'));
        i += 1;
    }
    if negative {
        -value
    } else {
        value
    }
}

/// glibc `inet_aton`: one to four parts, each decimal, octal (`0`) or hex (`0x`); the
/// last part fills the remaining bytes (`10.1` = 10.0.0.1). Trailing white space ends
/// the address and whatever follows it is ignored, as glibc does.
pub fn inet_aton(s: &str) -> Option<Ipv4Addr> {
    let b = s.as_bytes();
    let mut parts: Vec<u64> = Vec::with_capacity(4);
    let mut i = 0;
    let last = loop {
        if !b.get(i).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        let (value, next) = c_unsigned(b, i)?;
        i = next;
        if b.get(i) == Some(&b'.') {
            if parts.len() >= 3 || value > 0xff {
                return None;
            }
            parts.push(value);
            i += 1;
        } else {
            break value;
        }
    };
    if let Some(&c) = b.get(i) {
        if !is_c_space(c) {
            return None;
        }
    }
    let limit: u64 = match parts.len() {
        0 => 0xffff_ffff,
        1 => 0x00ff_ffff,
        2 => 0xffff,
        _ => 0xff,
    };
    if last > limit {
        return None;
    }
    let mut addr = last;
    for (n, part) in parts.iter().enumerate() {
        addr |= part << (24 - 8 * n);
    }
    u32::try_from(addr).ok().map(Ipv4Addr::from)
}

/// One `strtoul(.., 0)`-style number starting at `i` (a digit): returns it and the index
/// after it. `None` if it overflows 32 bits or has an 8/9 in octal.
fn c_unsigned(b: &[u8], mut i: usize) -> Option<(u64, usize)> {
    let mut base = 10;
    if b.get(i) == Some(&b'0') {
        i += 1;
        base = 8;
        if matches!(b.get(i), Some(b'x') | Some(b'X')) {
            i += 1;
            base = 16;
        }
    }
    let mut value: u64 = 0;
    while let Some(&c) = b.get(i) {
        let digit = match c {
            b'0'..=b'9' if base != 8 || c < b'8' => u64::from(c - b'0'),
            b'8' | b'9' => return None,
            b'a'..=b'f' if base == 16 => u64::from(c - b'a' + 10),
            b'A'..=b'F' if base == 16 => u64::from(c - b'A' + 10),
            _ => break,
        };
        value = value * base + digit;
        if value > 0xffff_ffff {
            return None;
        }
        i += 1;
    }
    Some((value, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strtol_accepts_what_c_accepts() {
        assert_eq!(strtol_whole(" +80"), Some(80));
        assert_eq!(strtol_whole("-0"), Some(0));
        assert_eq!(strtol_whole("80 "), None);
        assert_eq!(strtol_whole(""), None);
        assert_eq!(strtol_whole("+"), None);
        assert_eq!(strtol_whole("9223372036854775808"), None);
        assert_eq!(strtol_whole("-9223372036854775808"), Some(i64::MIN));
    }

    #[test]
    fn atoi_stops_at_garbage() {
        assert_eq!(atoi("64abc"), 64);
        assert_eq!(atoi("abc"), 0);
        assert_eq!(atoi(" -3"), -3);
    }

    #[test]
    fn inet_aton_short_forms() {
        assert_eq!(inet_aton("192.168"), Some(Ipv4Addr::new(192, 0, 0, 168)));
        assert_eq!(
            inet_aton("192.168.16"),
            Some(Ipv4Addr::new(192, 168, 0, 16))
        );
        assert_eq!(inet_aton("64"), Some(Ipv4Addr::new(0, 0, 0, 64)));
        assert_eq!(inet_aton("0x7f.1"), Some(Ipv4Addr::new(127, 0, 0, 1)));
        assert_eq!(inet_aton("010.0.0.1"), Some(Ipv4Addr::new(8, 0, 0, 1)));
        assert_eq!(inet_aton("1.2.3.4 junk"), Some(Ipv4Addr::new(1, 2, 3, 4)));
        assert_eq!(inet_aton("1.2.3.256"), None);
        assert_eq!(inet_aton("1..2"), None);
        assert_eq!(inet_aton("08"), None);
        assert_eq!(inet_aton("1.2.3.4.5"), None);
        assert_eq!(inet_aton("host"), None);
        assert_eq!(inet_aton("4294967296"), None);
    }
}
