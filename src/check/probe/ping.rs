//! PING_CHECK: one ICMP echo. An unprivileged ICMP datagram socket when
//! `net.ipv4.ping_group_range` allows it (the kernel then owns the id and checksum), else a
//! raw socket (needs CAP_NET_RAW).

use std::io::{self, Read};
use std::net::SocketAddr;

use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use super::target::{within, Target};
use crate::check::Outcome;

const PAYLOAD: &[u8] = b"lvsdeck-ping";

/// Which kind of ICMP socket a check used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Datagram,
    Raw,
}

pub async fn check(t: &Target) -> Outcome {
    match ping(t).await {
        Ok(_) => Outcome::Up,
        Err(e) => Outcome::down(format!("ping: {e}")),
    }
}

/// Opens the best socket available for the target's family.
pub fn open(v6: bool) -> io::Result<(Socket, Kind)> {
    let (domain, proto) = if v6 {
        (Domain::IPV6, Protocol::ICMPV6)
    } else {
        (Domain::IPV4, Protocol::ICMPV4)
    };
    match Socket::new(domain, Type::DGRAM, Some(proto)) {
        Ok(s) => Ok((s, Kind::Datagram)),
        Err(_) => Ok((Socket::new(domain, Type::RAW, Some(proto))?, Kind::Raw)),
    }
}

fn checksum(b: &[u8]) -> u16 {
    let mut sum: u32 = b
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], c.get(1).copied().unwrap_or(0)])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// Sends one echo request and waits for its reply; returns the socket kind used.
pub async fn ping(t: &Target) -> io::Result<Kind> {
    let v6 = t.connect.is_ipv6();
    let (sock, kind) = open(v6)?;
    sock.set_nonblocking(true)?;
    if let Some(b) = t.bind {
        sock.bind(&SockAddr::from(SocketAddr::new(b.ip(), 0)))?;
    }
    let dest = SockAddr::from(SocketAddr::new(t.connect.ip(), 0));
    sock.connect(&dest)?;
    let id = fastrand::u16(..);
    let seq = fastrand::u16(..);
    let (req_type, reply_type) = if v6 { (128u8, 129u8) } else { (8u8, 0u8) };
    let mut pkt = vec![req_type, 0, 0, 0];
    pkt.extend_from_slice(&id.to_be_bytes());
    pkt.extend_from_slice(&seq.to_be_bytes());
    pkt.extend_from_slice(PAYLOAD);
    if !v6 {
        let c = checksum(&pkt);
        pkt[2..4].copy_from_slice(&c.to_be_bytes());
    }
    let fd = crate::linux::sys::async_socket(sock)?;
    within(t.timeout, "echo send", async {
        loop {
            let mut g = fd.writable().await?;
            if let Ok(r) = g.try_io(|s| s.get_ref().send(&pkt)) {
                return r.map(|_| ());
            }
        }
    })
    .await?;
    let mut buf = [0u8; 1500];
    within(t.timeout, "echo reply", async {
        loop {
            let mut g = fd.readable().await?;
            let n = match g.try_io(|s| s.get_ref().read(&mut buf)) {
                Ok(r) => r?,
                Err(_would_block) => continue,
            };
            // Raw IPv4 sockets see the IP header; skip it.
            let icmp = match (kind, v6) {
                (Kind::Raw, false) => {
                    let ihl = usize::from(buf.first().copied().unwrap_or(0) & 0x0f) * 4;
                    buf.get(ihl..n).unwrap_or_default()
                }
                _ => &buf[..n],
            };
            // The kernel picks the id of datagram sockets; raw sockets also see others' echoes.
            let ours = icmp.len() >= 8
                && icmp[0] == reply_type
                && icmp[6..8] == seq.to_be_bytes()
                && (kind == Kind::Datagram || icmp[4..6] == id.to_be_bytes());
            if ours {
                return Ok(kind);
            }
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    #[test]
    fn checksum_of_a_known_echo_request() {
        // type 8, code 0, id 0x1234, seq 1, no payload: ~(0x0800 + 0x1234 + 0x0001).
        let pkt = [8, 0, 0, 0, 0x12, 0x34, 0, 1];
        assert_eq!(super::checksum(&pkt), !0x1a35u16);
    }
}
