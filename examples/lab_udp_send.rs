//! Sends its standard input as one UDP datagram to ADDR:PORT and exits.
//!
//! The lab VM's busybox `nc` has no UDP mode; the /proc fixture capture
//! (tests/fixtures/proc/scenario.sh) uses this to make UDP and SIP connection entries.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Read;
use std::net::UdpSocket;

fn main() -> std::io::Result<()> {
    let target = std::env::args()
        .nth(1)
        .ok_or_else(|| std::io::Error::other("usage: lab_udp_send ADDR:PORT < payload"))?;
    let mut payload = Vec::new();
    std::io::stdin().read_to_end(&mut payload)?;
    let socket = UdpSocket::bind("0.0.0.0:0")?;
    let sent = socket.send_to(&payload, &target)?;
    println!("sent {sent} bytes to {target}");
    Ok(())
}
