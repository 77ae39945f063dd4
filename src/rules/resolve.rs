//! Host and service names, looked up only when a word is not numeric (ipvsadm's order:
//! numeric first, then the resolver), so restoring numeric rules never touches DNS. The
//! lookups themselves are the caller's ([`Resolver`]); the system's resolver and its
//! `/etc/services` live at the edge, in `crate::adm::resolver`.

use std::collections::HashMap;
use std::net::Ipv4Addr;

use crate::ipvs::Protocol;

/// Where names come from. The parser asks only for words that are not numbers.
pub trait Resolver {
    /// IPv4 address of a host name (ipvsadm's `gethostbyname`: IPv4 only, first address).
    fn host_v4(&self, name: &str) -> Option<Ipv4Addr>;
    /// Port of a service name for a protocol (`/etc/services`).
    fn service_port(&self, name: &str, protocol: Protocol) -> Option<u16>;
}

/// Resolves nothing: for tests and for callers that must never block on a lookup.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoResolver;

impl Resolver for NoResolver {
    fn host_v4(&self, _name: &str) -> Option<Ipv4Addr> {
        None
    }
    fn service_port(&self, _name: &str, _protocol: Protocol) -> Option<u16> {
        None
    }
}

/// The `/etc/services` table both ways, read once on first use.
pub struct Services {
    by_name: HashMap<(String, Protocol), u16>,
    by_port: HashMap<(u16, Protocol), String>,
}

impl Services {
    /// Parses `/etc/services` text: `name port/proto [aliases...] [# comment]`.
    pub fn parse(text: &str) -> Services {
        let mut by_name = HashMap::new();
        let mut by_port = HashMap::new();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("");
            let mut words = line.split_whitespace();
            let (Some(name), Some(port_proto)) = (words.next(), words.next()) else {
                continue;
            };
            let Some((port, proto)) = port_proto.split_once('/') else {
                continue;
            };
            let Ok(port) = port.parse::<u16>() else {
                continue;
            };
            let protocol = match proto {
                "tcp" => Protocol::Tcp,
                "udp" => Protocol::Udp,
                "sctp" => Protocol::Sctp,
                _ => continue,
            };
            // The first entry wins, as with getservbyname/getservbyport.
            by_port
                .entry((port, protocol))
                .or_insert_with(|| name.to_string());
            for n in std::iter::once(name).chain(words) {
                by_name.entry((n.to_string(), protocol)).or_insert(port);
            }
        }
        Services { by_name, by_port }
    }

    pub fn port(&self, name: &str, protocol: Protocol) -> Option<u16> {
        self.by_name.get(&(name.to_string(), protocol)).copied()
    }

    pub fn name(&self, port: u16, protocol: Protocol) -> Option<&str> {
        self.by_port.get(&(port, protocol)).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_file_both_ways() {
        let s = Services::parse(
            "# comment\nhttp\t\t80/tcp\t\twww # WorldWideWeb\nhttp 80/udp\nbad x/tcp\ndomain 53/udp\n",
        );
        assert_eq!(s.port("www", Protocol::Tcp), Some(80));
        assert_eq!(s.port("http", Protocol::Udp), Some(80));
        assert_eq!(s.port("domain", Protocol::Tcp), None);
        assert_eq!(s.name(53, Protocol::Udp), Some("domain"));
        assert_eq!(s.name(80, Protocol::Sctp), None);
    }
}
