//! UDP_CHECK: send the payload; with `require_reply`, up when a reply starting with those
//! bytes comes back in time. Without it, up unless the port is refused (an ICMP port
//! unreachable comes back as ECONNREFUSED on a connected socket).

use std::io;

use tokio::net::UdpSocket;

use super::target::{within, Target};
use crate::check::Outcome;

/// A UDP socket connected to the target, bound as asked.
pub async fn socket(t: &Target) -> io::Result<UdpSocket> {
    let local = t.bind.unwrap_or_else(|| {
        if t.connect.is_ipv4() {
            "0.0.0.0:0".parse().unwrap_or(t.connect)
        } else {
            "[::]:0".parse().unwrap_or(t.connect)
        }
    });
    let s = UdpSocket::bind(local).await?;
    s.connect(t.connect).await?;
    Ok(s)
}

pub async fn check(t: &Target, payload: &[u8], require_reply: Option<&[u8]>) -> Outcome {
    let sock = match socket(t).await {
        Ok(s) => s,
        Err(e) => return Outcome::down(format!("socket: {e}")),
    };
    if let Err(e) = sock.send(payload).await {
        return Outcome::down(format!("send: {e}"));
    }
    let mut buf = vec![0u8; 65536];
    match (
        within(t.timeout, "reply", sock.recv(&mut buf)).await,
        require_reply,
    ) {
        (Ok(n), Some(want)) if buf[..n].starts_with(want) => Outcome::Up,
        (Ok(_), Some(_)) => Outcome::down("reply does not match require_reply"),
        (Ok(_), None) => Outcome::Up,
        (Err(e), _) if e.kind() == io::ErrorKind::ConnectionRefused => {
            Outcome::down("port unreachable")
        }
        (Err(e), None) if e.kind() == io::ErrorKind::TimedOut => Outcome::Up,
        (Err(e), _) => Outcome::down(e),
    }
}
