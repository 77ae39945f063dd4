//! Where a checker connects: the real server unless `connect_ip`/`connect_port` say
//! otherwise, from `bindto`/`bind_port`, within `connect_timeout`.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use tokio::net::{TcpSocket, TcpStream};

use crate::config::CheckCommon;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub connect: SocketAddr,
    pub bind: Option<SocketAddr>,
    /// Bounds each step of a check (connect, each read), as keepalived's connect_timeout.
    pub timeout: Duration,
}

impl Target {
    pub fn new(connect: SocketAddr, timeout: Duration) -> Target {
        Target {
            connect,
            bind: None,
            timeout,
        }
    }

    pub fn from_common(c: &CheckCommon, addr: IpAddr, port: u16) -> Target {
        let connect = SocketAddr::new(c.connect_ip.unwrap_or(addr), c.connect_port.unwrap_or(port));
        let bind = match (c.bindto, c.bind_port) {
            (None, None) => None,
            (ip, port) => Some(SocketAddr::new(
                ip.unwrap_or(unspecified(&connect)),
                port.unwrap_or(0),
            )),
        };
        Target {
            connect,
            bind,
            timeout: c.connect_timeout,
        }
    }

    /// A TCP connection from `bind`, if set, bounded by the timeout.
    pub async fn tcp(&self) -> io::Result<TcpStream> {
        let socket = if self.connect.is_ipv4() {
            TcpSocket::new_v4()?
        } else {
            TcpSocket::new_v6()?
        };
        if let Some(b) = self.bind {
            socket.set_reuseaddr(true)?;
            socket.bind(b)?;
        }
        within(self.timeout, "connect", socket.connect(self.connect)).await
    }
}

fn unspecified(a: &SocketAddr) -> IpAddr {
    if a.is_ipv4() {
        IpAddr::V4(Ipv4Addr::UNSPECIFIED)
    } else {
        IpAddr::V6(Ipv6Addr::UNSPECIFIED)
    }
}

/// `f` within `t`; a timeout becomes an error that names the step.
pub async fn within<T>(
    t: Duration,
    step: &str,
    f: impl std::future::Future<Output = io::Result<T>>,
) -> io::Result<T> {
    match tokio::time::timeout(t, f).await {
        Ok(r) => r,
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!("{step} timed out after {t:?}"),
        )),
    }
}
