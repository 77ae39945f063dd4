//! Host and service names for listings without `-n`, behind a trait so formatters stay pure.

use crate::rules::{ip_text, AddrFormat};
use std::collections::HashMap;
use std::ffi::{CStr, CString};
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;

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

/// `getservbyport` returns a static buffer; one caller at a time.
static SERVENT_LOCK: Mutex<()> = Mutex::new(());

impl ReverseNames for SystemNames {
    fn host_name(&self, addr: &IpAddr) -> Option<String> {
        let sock = raw_sockaddr(&SocketAddr::new(*addr, 0));
        let mut host = [0 as libc::c_char; 1025];
        // SAFETY: `sock` is a valid sockaddr of the given length and `host` a writable buffer
        // of the given length; getnameinfo writes a NUL-terminated string into it.
        let rc = unsafe {
            libc::getnameinfo(
                sock.as_ptr(),
                sock.len(),
                host.as_mut_ptr(),
                host.len() as libc::socklen_t,
                std::ptr::null_mut(),
                0,
                libc::NI_NAMEREQD,
            )
        };
        if rc != 0 {
            return None;
        }
        // SAFETY: on success getnameinfo NUL-terminated `host`.
        let name = unsafe { CStr::from_ptr(host.as_ptr()) };
        Some(name.to_string_lossy().into_owned())
    }

    fn service_name(&self, port: u16, protocol: Protocol) -> Option<String> {
        let proto = CString::new(match protocol {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Sctp => "sctp",
        })
        .ok()?;
        let _guard = SERVENT_LOCK.lock().ok()?;
        // SAFETY: `proto` is NUL-terminated; the returned entry is read before the lock drops.
        unsafe {
            let ent = libc::getservbyport(libc::c_int::from(port.to_be()), proto.as_ptr());
            if ent.is_null() || (*ent).s_name.is_null() {
                return None;
            }
            Some(CStr::from_ptr((*ent).s_name).to_string_lossy().into_owned())
        }
    }
}

/// A `sockaddr_in`/`sockaddr_in6` in a buffer, for getnameinfo.
struct RawSockaddr {
    storage: libc::sockaddr_storage,
    len: libc::socklen_t,
}

impl RawSockaddr {
    fn as_ptr(&self) -> *const libc::sockaddr {
        (&self.storage as *const libc::sockaddr_storage).cast()
    }

    fn len(&self) -> libc::socklen_t {
        self.len
    }
}

fn raw_sockaddr(addr: &SocketAddr) -> RawSockaddr {
    // SAFETY: sockaddr_storage is plain data; all-zero is a valid value.
    let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let len = match addr {
        SocketAddr::V4(a) => {
            let sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: a.port().to_be(),
                sin_addr: libc::in_addr {
                    s_addr: u32::from(*a.ip()).to_be(),
                },
                sin_zero: [0; 8],
            };
            // SAFETY: sockaddr_storage is large and aligned enough for any sockaddr.
            unsafe { std::ptr::write((&mut storage as *mut libc::sockaddr_storage).cast(), sin) };
            std::mem::size_of::<libc::sockaddr_in>()
        }
        SocketAddr::V6(a) => {
            let sin6 = libc::sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: a.port().to_be(),
                sin6_flowinfo: 0,
                sin6_addr: libc::in6_addr {
                    s6_addr: a.ip().octets(),
                },
                sin6_scope_id: 0,
            };
            // SAFETY: as above.
            unsafe { std::ptr::write((&mut storage as *mut libc::sockaddr_storage).cast(), sin6) };
            std::mem::size_of::<libc::sockaddr_in6>()
        }
    };
    RawSockaddr {
        storage,
        len: len as libc::socklen_t,
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
