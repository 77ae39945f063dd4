//! `host[:port]` and `[ipv6]:port` words, read as ipvsadm's `parse_service` reads them.
//!
//! Quirks kept on purpose (they decide what ipvsadm accepts): an unbracketed IPv6 address
//! has no port (`2001:db8::1:80` is one address); `[1.2.3.4]:80` is IPv4 *without* port;
//! IPv4 is `inet_aton` (`10.1` = 10.0.0.1); a word of digits only is refused.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::c_numbers::{inet_aton, number_in};
use super::resolve::Resolver;
use crate::ipvs::Protocol;

/// An address with the port if the word had one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostPort {
    pub addr: IpAddr,
    pub port: Option<u16>,
}

/// Reads `word`; `protocol` selects the `/etc/services` column for a port name.
pub fn parse_host_port(
    word: &str,
    protocol: Option<Protocol>,
    resolver: &dyn Resolver,
) -> Option<HostPort> {
    if word.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (text, bracket_port) = match word.strip_prefix('[') {
        Some(inner) => {
            let (inside, after) = inner.split_once(']')?;
            (inside, Some(after.strip_prefix(':')?))
        }
        None => (word, None),
    };
    if let Ok(v6) = text.parse::<Ipv6Addr>() {
        let port = match bracket_port {
            Some(p) => Some(parse_port(p, protocol, resolver)?),
            None => None,
        };
        return Some(HostPort {
            addr: IpAddr::V6(v6),
            port,
        });
    }
    // Not IPv6: the port is after the last ':' of the text (the bracket's port, if any,
    // is ignored, as ipvsadm does).
    let (host, port_text) = match text.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (text, None),
    };
    let v4 = ipv4_or_host(host, resolver)?;
    let port = match port_text {
        Some(p) => Some(parse_port(p, protocol, resolver)?),
        None => None,
    };
    Some(HostPort {
        addr: IpAddr::V4(v4),
        port,
    })
}

/// Numeric first (`inet_aton`), then the resolver.
pub fn ipv4_or_host(text: &str, resolver: &dyn Resolver) -> Option<Ipv4Addr> {
    inet_aton(text).or_else(|| resolver.host_v4(text))
}

fn parse_port(text: &str, protocol: Option<Protocol>, resolver: &dyn Resolver) -> Option<u16> {
    if let Some(n) = number_in(text, 0, 65535) {
        return u16::try_from(n).ok();
    }
    resolver.service_port(text, protocol?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::resolve::NoResolver;

    struct Fake;
    impl Resolver for Fake {
        fn host_v4(&self, name: &str) -> Option<Ipv4Addr> {
            (name == "web").then_some(Ipv4Addr::new(10, 0, 0, 7))
        }
        fn service_port(&self, name: &str, protocol: Protocol) -> Option<u16> {
            (name == "http" && protocol == Protocol::Tcp).then_some(80)
        }
    }

    fn hp(word: &str) -> Option<(String, Option<u16>)> {
        parse_host_port(word, Some(Protocol::Tcp), &Fake).map(|h| (h.addr.to_string(), h.port))
    }

    #[test]
    fn forms_ipvsadm_accepts() {
        assert_eq!(hp("1.2.3.4:80"), Some(("1.2.3.4".into(), Some(80))));
        assert_eq!(hp("1.2.3.4"), Some(("1.2.3.4".into(), None)));
        assert_eq!(hp("192.168"), Some(("192.0.0.168".into(), None)));
        assert_eq!(
            hp("[2001:db8::1]:443"),
            Some(("2001:db8::1".into(), Some(443)))
        );
        assert_eq!(hp("2001:db8::1:80"), Some(("2001:db8::1:80".into(), None)));
        assert_eq!(hp("[1.2.3.4]:80"), Some(("1.2.3.4".into(), None)));
        assert_eq!(hp("web:http"), Some(("10.0.0.7".into(), Some(80))));
        assert_eq!(hp("1.2.3.4: 80"), Some(("1.2.3.4".into(), Some(80))));
    }

    #[test]
    fn forms_ipvsadm_refuses() {
        for bad in [
            "80",
            "",
            "[::1]",
            "[::1]80",
            "[::1",
            "1.2.3.4:65536",
            "1.2.3.4:",
            "nohost:80",
        ] {
            assert_eq!(hp(bad), None, "{bad}");
        }
        assert_eq!(
            parse_host_port("1.2.3.4:http", Some(Protocol::Tcp), &NoResolver),
            None
        );
        assert_eq!(parse_host_port("1.2.3.4:http", None, &Fake), None);
    }
}
