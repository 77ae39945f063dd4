//! DNS_CHECK: one query over UDP; up on a reply with our id, the response bit and NOERROR.
//! The query is built here (a header and one question is all a check needs).

use std::io;

use tokio::net::UdpSocket;

use super::target::{within, Target};
use crate::check::Outcome;

/// The record types keepalived's DNS_CHECK accepts.
pub fn qtype(name: &str) -> Option<u16> {
    Some(match name.to_ascii_uppercase().as_str() {
        "A" => 1,
        "NS" => 2,
        "CNAME" => 5,
        "SOA" => 6,
        "MX" => 15,
        "TXT" => 16,
        "AAAA" => 28,
        _ => return None,
    })
}

/// A recursion-desired query for `name` (class IN); `None` for a name DNS cannot carry.
pub fn query(id: u16, name: &str, qtype: u16) -> Option<Vec<u8>> {
    let mut m = Vec::with_capacity(32 + name.len());
    m.extend_from_slice(&id.to_be_bytes());
    m.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    for label in name
        .trim_end_matches('.')
        .split('.')
        .filter(|l| !l.is_empty())
    {
        let len = u8::try_from(label.len()).ok().filter(|&l| l <= 63)?;
        m.push(len);
        m.extend_from_slice(label.as_bytes());
    }
    m.push(0);
    if m.len() > 12 + 255 {
        return None;
    }
    m.extend_from_slice(&qtype.to_be_bytes());
    m.extend_from_slice(&1u16.to_be_bytes());
    Some(m)
}

/// Why a reply does not pass, if it does not.
pub fn judge(id: u16, reply: &[u8]) -> Result<(), String> {
    if reply.len() < 12 {
        return Err(format!("short reply ({} bytes)", reply.len()));
    }
    if reply[..2] != id.to_be_bytes() {
        return Err("reply id does not match".into());
    }
    if reply[2] & 0x80 == 0 {
        return Err("reply is not a response".into());
    }
    match reply[3] & 0x0f {
        0 => Ok(()),
        rcode => Err(format!("rcode {rcode}")),
    }
}

pub async fn check(t: &Target, qtype: u16, name: &str) -> Outcome {
    match run(t, qtype, name).await {
        Ok(()) => Outcome::Up,
        Err(e) => Outcome::Down(e),
    }
}

async fn run(t: &Target, qtype: u16, name: &str) -> Result<(), String> {
    let id = fastrand::u16(..);
    let q = query(id, name, qtype).ok_or_else(|| format!("'{name}' is not a DNS name"))?;
    let sock = super::udp::socket(t).await.map_err(|e| e.to_string())?;
    sock.send(&q).await.map_err(|e| format!("send: {e}"))?;
    let mut buf = [0u8; 1500];
    // Stray datagrams with another id are skipped until the deadline.
    let deadline = tokio::time::Instant::now() + t.timeout;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let n = recv(&sock, &mut buf, left)
            .await
            .map_err(|e| e.to_string())?;
        match judge(id, &buf[..n]) {
            Err(e) if e == "reply id does not match" => continue,
            r => return r,
        }
    }
}

async fn recv(sock: &UdpSocket, buf: &mut [u8], left: std::time::Duration) -> io::Result<usize> {
    within(left, "reply", sock.recv(buf)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_layout_and_reply_judgement() {
        let q = query(0xabcd, "example.org.", 6);
        assert_eq!(
            q.as_deref(),
            Some(&b"\xab\xcd\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03org\x00\x00\x06\x00\x01"[..])
        );
        assert_eq!(query(1, ".", 6).map(|q| q.len()), Some(12 + 1 + 4));
        assert_eq!(query(1, &"a".repeat(64), 1), None);
        let mut r = q.unwrap_or_default();
        assert!(judge(0xabcd, &r).is_err(), "a query is not a reply");
        r[2] |= 0x80;
        assert_eq!(judge(0xabcd, &r), Ok(()));
        assert!(judge(0xabce, &r).is_err());
        r[3] = 3;
        assert_eq!(judge(0xabcd, &r), Err("rcode 3".into()));
        assert!(judge(1, &[0; 5]).is_err());
    }
}
