//! How an address and port are written in a rule: numerically (`-S -n`, logs) or with
//! names (`-S` without `-n`). Names come in through [`AddrFormat`]: `adm`'s resolver, or
//! `crate::adm::resolver::PortNames` for `/etc/services` port names.

use std::fmt::Write;
use std::net::{IpAddr, Ipv6Addr};

use crate::ipvs::Protocol;

/// Writes `addr:port` for a rule line. `protocol` is the service's (None for fwmark
/// services, whose ports have no service name).
pub trait AddrFormat {
    fn addr_port(&self, addr: &IpAddr, port: u16, protocol: Option<Protocol>) -> String;
}

/// `192.0.2.1:80`, `[2001:db8::1]:80`: what `ipvsadm -S -n` prints.
#[derive(Debug, Clone, Copy, Default)]
pub struct Numeric;

impl AddrFormat for Numeric {
    fn addr_port(&self, addr: &IpAddr, port: u16, _protocol: Option<Protocol>) -> String {
        join_host_port(addr, &ip_text(addr), &port.to_string())
    }
}

/// ipvsadm's `host:port`, bracketing the host of an IPv6 address (names included).
pub fn join_host_port(addr: &IpAddr, host: &str, port: &str) -> String {
    match addr {
        IpAddr::V4(_) => format!("{host}:{port}"),
        IpAddr::V6(_) => format!("[{host}]:{port}"),
    }
}

/// An address as glibc's `inet_ntop` writes it (ipvsadm's output), which differs from
/// Rust's `Display` for IPv6 with an embedded IPv4 (`::1.2.3.4`).
pub fn ip_text(addr: &IpAddr) -> String {
    match addr {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => ipv6_text(v6),
    }
}

fn ipv6_text(addr: &Ipv6Addr) -> String {
    let words = addr.segments();
    // Longest run of at least two zero words, the first one on a tie.
    let (mut best_start, mut best_len) = (None, 0usize);
    let mut i = 0;
    while i < 8 {
        if words[i] == 0 {
            let start = i;
            while i < 8 && words[i] == 0 {
                i += 1;
            }
            if i - start > best_len && i - start >= 2 {
                best_start = Some(start);
                best_len = i - start;
            }
        } else {
            i += 1;
        }
    }
    let mut out = String::with_capacity(40);
    let mut i = 0;
    while i < 8 {
        if Some(i) == best_start {
            if i == 0 {
                out.push(':');
            }
            out.push(':');
            i += best_len;
            continue;
        }
        let embedded_v4 = i == 6
            && best_start == Some(0)
            && (best_len == 6
                || (best_len == 7 && words[7] != 1)
                || (best_len == 5 && words[5] == 0xffff));
        if embedded_v4 {
            let [a, b] = words[6].to_be_bytes();
            let [c, d] = words[7].to_be_bytes();
            let _ = write!(out, "{a}.{b}.{c}.{d}");
            break;
        }
        let _ = write!(out, "{:x}", words[i]);
        if i < 7 {
            out.push(':');
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v6(s: &str) -> String {
        ipv6_text(&s.parse().unwrap())
    }

    #[test]
    fn like_inet_ntop() {
        assert_eq!(v6("2001:db8::1"), "2001:db8::1");
        assert_eq!(v6("::"), "::");
        assert_eq!(v6("::1"), "::1");
        assert_eq!(v6("::2"), "::2");
        assert_eq!(v6("0:0:0:0:0:1:0:0"), "::1:0:0");
        assert_eq!(v6("::ffff:0:1.2.3.4"), "::ffff:0:102:304");
        assert_eq!(v6("::1.2.3.4"), "::1.2.3.4");
        assert_eq!(v6("::ffff:1.2.3.4"), "::ffff:1.2.3.4");
        assert_eq!(v6("1::"), "1::");
        assert_eq!(v6("1:0:0:1:0:0:0:1"), "1:0:0:1::1");
        assert_eq!(v6("1:0:1:0:1:0:1:0"), "1:0:1:0:1:0:1:0");
        assert_eq!(v6("fe80::1:0:0:1"), "fe80::1:0:0:1");
    }

    #[test]
    fn ipv6_hosts_are_bracketed() {
        let a: IpAddr = "2001:db8::1".parse().unwrap();
        assert_eq!(Numeric.addr_port(&a, 80, None), "[2001:db8::1]:80");
        let b: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(Numeric.addr_port(&b, 0, Some(Protocol::Tcp)), "192.0.2.1:0");
    }
}
