//! The kernel's /proc notation for numbers and addresses: `%08X` IPv4, `%pI6` IPv6 (eight
//! groups of four hex digits, never compressed), `%04X` ports, `%X` counters.
//!
//! Hand-rolled rather than `str::parse` because a busy director's connection table has
//! millions of lines and these run on every column of every line.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Value of one ASCII hex digit.
fn digit(b: u8) -> Option<u32> {
    match b {
        b'0'..=b'9' => Some(u32::from(b - b'0')),
        b'a'..=b'f' => Some(u32::from(b - b'a' + 10)),
        b'A'..=b'F' => Some(u32::from(b - b'A' + 10)),
        _ => None,
    }
}

/// 1 to 16 hex digits, no sign or prefix.
pub fn parse_u64(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 16 {
        return None;
    }
    s.bytes()
        .try_fold(0u64, |acc, b| Some((acc << 4) | u64::from(digit(b)?)))
}

/// 1 to 8 hex digits.
pub fn parse_u32(s: &str) -> Option<u32> {
    if s.len() > 8 {
        return None;
    }
    parse_u64(s).and_then(|v| u32::try_from(v).ok())
}

/// A port: 1 to 4 hex digits (the kernel prints exactly 4).
pub fn parse_port(s: &str) -> Option<u16> {
    if s.len() > 4 {
        return None;
    }
    parse_u64(s).and_then(|v| u16::try_from(v).ok())
}

/// An IPv4 address as `%08X` of the host-order value: exactly 8 hex digits.
pub fn parse_ipv4(s: &str) -> Option<Ipv4Addr> {
    if s.len() != 8 {
        return None;
    }
    parse_u32(s).map(Ipv4Addr::from)
}

/// An IPv6 address as `%pI6` prints it: eight colon-separated groups of 1 to 4 hex digits.
pub fn parse_ipv6(s: &str) -> Option<Ipv6Addr> {
    let mut groups = [0u16; 8];
    let mut group = 0;
    let mut value = 0u32;
    let mut digits = 0;
    for &b in s.as_bytes() {
        if b == b':' {
            if digits == 0 || group == 7 {
                return None;
            }
            groups[group] = value as u16;
            group += 1;
            value = 0;
            digits = 0;
        } else {
            digits += 1;
            if digits > 4 {
                return None;
            }
            value = (value << 4) | digit(b)?;
        }
    }
    if group != 7 || digits == 0 {
        return None;
    }
    groups[7] = value as u16;
    Some(Ipv6Addr::from(groups))
}

/// Either form, told apart by the colons the IPv6 form always has.
pub fn parse_addr(s: &str) -> Option<IpAddr> {
    if s.contains(':') {
        parse_ipv6(s).map(IpAddr::V6)
    } else {
        parse_ipv4(s).map(IpAddr::V4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_is_host_order_hex() {
        assert_eq!(
            parse_ipv4("C633640A"),
            Some(Ipv4Addr::new(198, 51, 100, 10))
        );
        assert_eq!(
            parse_ipv4("c633640a"),
            Some(Ipv4Addr::new(198, 51, 100, 10))
        );
        assert_eq!(parse_ipv4("C633640"), None);
        assert_eq!(parse_ipv4("C633640AB"), None);
        assert_eq!(parse_ipv4("G633640A"), None);
    }

    #[test]
    fn ipv6_needs_all_eight_groups() {
        let full = "2001:0db8:0000:0000:0000:0000:0000:0001";
        assert_eq!(parse_ipv6(full), "2001:db8::1".parse().ok());
        assert_eq!(parse_ipv6("2001:db8::1"), None);
        assert_eq!(
            parse_ipv6("2001:0db8:0000:0000:0000:0000:0000:0001:0000"),
            None
        );
        assert_eq!(parse_ipv6("2001:0db8:0000:0000:0000:0000:0000:10001"), None);
        assert_eq!(parse_ipv6("2001:0db8:0000:0000:0000:0000:0000:"), None);
        assert_eq!(parse_ipv6(":0db8:0000:0000:0000:0000:0000:0001"), None);
        assert_eq!(
            parse_ipv6("1:2:3:4:5:6:7:8"),
            "1:2:3:4:5:6:7:8".parse().ok()
        );
    }

    #[test]
    fn addr_picks_the_family_by_form() {
        assert_eq!(parse_addr("7F000001"), "127.0.0.1".parse().ok());
        assert_eq!(
            parse_addr("0000:0000:0000:0000:0000:0000:0000:0001"),
            "::1".parse().ok()
        );
        assert_eq!(parse_addr(""), None);
    }

    #[test]
    fn numbers_reject_overflow_and_junk() {
        assert_eq!(parse_port("1F90"), Some(8080));
        assert_eq!(parse_port("10000"), None);
        assert_eq!(parse_u32("FFFFFFFF"), Some(u32::MAX));
        assert_eq!(parse_u32("100000000"), None);
        assert_eq!(parse_u64("171B"), Some(0x171b));
        assert_eq!(parse_u64("+1"), None);
        assert_eq!(parse_u64(""), None);
    }
}
