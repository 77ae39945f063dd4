//! Which connections a reader keeps: applied while reading, so a filtered view of a
//! million-entry table never holds the entries it drops.

use std::net::IpAddr;

use super::line::ConnFields;
use crate::ipvs::model::Connection;

/// An address with an optional port; `None` matches any port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Endpoint {
    pub addr: IpAddr,
    pub port: Option<u16>,
}

impl Endpoint {
    pub fn addr(addr: IpAddr) -> Endpoint {
        Endpoint { addr, port: None }
    }

    pub fn with_port(addr: IpAddr, port: u16) -> Endpoint {
        Endpoint {
            addr,
            port: Some(port),
        }
    }

    fn matches(&self, addr: IpAddr, port: u16) -> bool {
        self.addr == addr && self.port.is_none_or(|p| p == port)
    }
}

/// Every set criterion must hold; the default filter keeps everything.
/// State and protocol compare without regard to case (`established` finds `ESTABLISHED`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnFilter {
    pub client: Option<Endpoint>,
    pub virtual_service: Option<Endpoint>,
    pub real_server: Option<Endpoint>,
    pub state: Option<String>,
    pub protocol: Option<String>,
}

impl ConnFilter {
    pub fn is_empty(&self) -> bool {
        *self == ConnFilter::default()
    }

    pub fn matches(&self, c: &ConnFields<'_>) -> bool {
        self.client
            .is_none_or(|e| e.matches(c.client_addr, c.client_port))
            && self
                .virtual_service
                .is_none_or(|e| e.matches(c.virtual_addr, c.virtual_port))
            && self
                .real_server
                .is_none_or(|e| e.matches(c.dest_addr, c.dest_port))
            && self
                .state
                .as_deref()
                .is_none_or(|s| s.eq_ignore_ascii_case(c.state))
            && self
                .protocol
                .as_deref()
                .is_none_or(|p| p.eq_ignore_ascii_case(c.protocol))
    }

    pub fn matches_connection(&self, conn: &Connection) -> bool {
        self.matches(&ConnFields::of(conn))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipvs::conn::parse_line;

    fn conn() -> Connection {
        parse_line("TCP C633640A E6D8 C633640B 0050 7F000001 1F91 ESTABLISHED 900").unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn empty_filter_keeps_all() {
        assert!(ConnFilter::default().is_empty());
        assert!(ConnFilter::default().matches_connection(&conn()));
    }

    #[test]
    fn each_criterion_can_reject() {
        let c = conn();
        let keep = [
            ConnFilter {
                client: Some(Endpoint::addr(ip("198.51.100.10"))),
                ..Default::default()
            },
            ConnFilter {
                virtual_service: Some(Endpoint::with_port(ip("198.51.100.11"), 80)),
                ..Default::default()
            },
            ConnFilter {
                real_server: Some(Endpoint::with_port(ip("127.0.0.1"), 8081)),
                state: Some("established".into()),
                protocol: Some("tcp".into()),
                ..Default::default()
            },
        ];
        for f in &keep {
            assert!(f.matches_connection(&c), "{f:?}");
        }
        let drop = [
            ConnFilter {
                client: Some(Endpoint::addr(ip("198.51.100.11"))),
                ..Default::default()
            },
            ConnFilter {
                virtual_service: Some(Endpoint::with_port(ip("198.51.100.11"), 443)),
                ..Default::default()
            },
            ConnFilter {
                real_server: Some(Endpoint::addr(ip("::1"))),
                ..Default::default()
            },
            ConnFilter {
                state: Some("TIME_WAIT".into()),
                ..Default::default()
            },
            ConnFilter {
                protocol: Some("UDP".into()),
                ..Default::default()
            },
        ];
        for f in &drop {
            assert!(!f.matches_connection(&c), "{f:?}");
        }
    }
}
