//! Host and service names for listings without `-n`, behind a trait so formatters stay pure.

use crate::rules::{ip_text, AddrFormat};
use std::collections::HashMap;
use std::net::IpAddr;

use crate::ipvs::Protocol;

/// Reverse lookups ipvsadm makes without `-n`; `None` falls back to the number, as ipvsadm does.
pub trait ReverseNames {
    /// The host name of an address (ipvsadm: `gethostbyaddr`).
    fn host_name(&self, addr: &IpAddr) -> Option<String>;
    /// The service name of a port for a protocol (ipvsadm: `getservbyport`).
    fn service_name(&self, port: u16, protocol: Protocol) -> Option<String>;
}

/// Resolves nothing: every name prints as its number, exactly like `-n`.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoNames;

impl ReverseNames for NoNames {
    fn host_name(&self, _addr: &IpAddr) -> Option<String> {
        None
    }

    fn service_name(&self, _port: u16, _protocol: Protocol) -> Option<String> {
        None
    }
}

/// Fixed tables of names: for tests and for callers that resolved names ahead of time.
#[derive(Debug, Clone, Default)]
pub struct NameTable {
    pub hosts: HashMap<IpAddr, String>,
    pub services: HashMap<(u16, Protocol), String>,
}

impl ReverseNames for NameTable {
    fn host_name(&self, addr: &IpAddr) -> Option<String> {
        self.hosts.get(addr).cloned()
    }

    fn service_name(&self, port: u16, protocol: Protocol) -> Option<String> {
        self.services.get(&(port, protocol)).cloned()
    }
}

/// The C library's resolver (`getnameinfo`, `getservbyport`): /etc/hosts, DNS, /etc/services.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemNames;

impl ReverseNames for SystemNames {
    fn host_name(&self, addr: &IpAddr) -> Option<String> {
        crate::linux::sys::host_name(addr)
    }

    fn service_name(&self, port: u16, protocol: Protocol) -> Option<String> {
        let proto = match protocol {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Sctp => "sctp",
        };
        crate::linux::sys::service_name(port, proto)
    }
}

/// How names are printed: `-n` or through a resolver.
#[derive(Clone, Copy)]
pub struct Naming<'a> {
    pub numeric: bool,
    pub resolver: &'a dyn ReverseNames,
}

impl<'a> Naming<'a> {
    pub fn new(numeric: bool, resolver: &'a dyn ReverseNames) -> Naming<'a> {
        Naming { numeric, resolver }
    }

    /// `addr:port` as ipvsadm's `addrport_to_anyname` prints it: IPv6 in brackets, a name
    /// in brackets too; ports named only for TCP, UDP and SCTP.
    pub fn addr_port(&self, addr: &IpAddr, port: u16, protocol: Option<Protocol>) -> String {
        let mut s = String::with_capacity(24);
        self.push_addr_port(&mut s, addr, port, protocol);
        s
    }

    /// [`Naming::addr_port`] appended to `out`; the numeric IPv4 case allocates nothing.
    pub fn push_addr_port(
        &self,
        out: &mut String,
        addr: &IpAddr,
        port: u16,
        protocol: Option<Protocol>,
    ) {
        use std::fmt::Write as _;
        if self.numeric {
            let _ = match addr {
                IpAddr::V4(a) => write!(out, "{a}:{port}"),
                IpAddr::V6(_) => write!(out, "[{}]:{port}", ip_text(addr)),
            };
            return;
        }
        let (host, service) = if self.numeric {
            (ip_text(addr), port.to_string())
        } else {
            (
                self.resolver
                    .host_name(addr)
                    .unwrap_or_else(|| ip_text(addr)),
                protocol
                    .and_then(|p| self.resolver.service_name(port, p))
                    .unwrap_or_else(|| port.to_string()),
            )
        };
        let _ = match addr {
            IpAddr::V4(_) => write!(out, "{host}:{service}"),
            IpAddr::V6(_) => write!(out, "[{host}]:{service}"),
        };
    }
}

/// Lets the rule language's printer (`-S` lines) write names the way listings do.
impl AddrFormat for Naming<'_> {
    fn addr_port(&self, addr: &IpAddr, port: u16, protocol: Option<Protocol>) -> String {
        Naming::addr_port(self, addr, port, protocol)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_and_named_forms() {
        let mut names = NameTable::default();
        names
            .hosts
            .insert("2001:db8::11".parse().unwrap(), "web6.example".into());
        names.services.insert((80, Protocol::Tcp), "http".into());
        let v6: IpAddr = "2001:db8::11".parse().unwrap();
        let named = Naming::new(false, &names);
        assert_eq!(
            named.addr_port(&v6, 80, Some(Protocol::Tcp)),
            "[web6.example]:http"
        );
        assert_eq!(
            named.addr_port(&v6, 80, Some(Protocol::Udp)),
            "[web6.example]:80"
        );
        assert_eq!(named.addr_port(&v6, 80, None), "[web6.example]:80");
        let numeric = Naming::new(true, &names);
        assert_eq!(
            numeric.addr_port(&v6, 80, Some(Protocol::Tcp)),
            "[2001:db8::11]:80"
        );
        let v4: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(
            Naming::new(false, &NoNames).addr_port(&v4, 0, None),
            "192.0.2.1:0"
        );
    }
}
