//! The one netlink socket (neli's `NlSocket`, non-blocking, driven by tokio's `AsyncFd`).
//!
//! Requests run in exclusive sessions: the kernel answers every IPVS request synchronously
//! while the request is sent (and produces each further dump chunk while the previous one
//! is read), so one owner at a time needs no routing, and a session dropped halfway is
//! cleaned up by the next one simply by reading the socket empty. Receiving goes into one
//! reused 64 KiB buffer: no per-message allocation or zeroing.

use std::io;

use neli::consts::socket::{Msg, NlFamily};
use neli::socket::NlSocket;
use neli::utils::Groups;
use tokio::io::unix::AsyncFd;
use tokio::sync::{Mutex, MutexGuard};

use super::frame::push_message;

/// Larger than any datagram the kernel builds for us (dump chunks are at most 32 KiB).
const RECV_BUF: usize = 64 * 1024;

/// Asked-for receive buffer: room for a window of unread acks (the kernel caps it at
/// `net.core.rmem_max`).
const RCVBUF_HINT: usize = 1 << 20;

pub struct Transport {
    io: AsyncFd<NlSocket>,
    pid: u32,
    state: Mutex<State>,
}

struct State {
    buf: Vec<u8>,
    out: Vec<u8>,
    next_seq: u32,
    /// A session ended without reading all its answers (its future was dropped).
    dirty: bool,
}

/// Exclusive use of the socket for one exchange.
pub struct Session<'a> {
    t: &'a Transport,
    st: MutexGuard<'a, State>,
}

impl Transport {
    pub fn open() -> io::Result<Transport> {
        let sock = NlSocket::connect(NlFamily::Generic, None, Groups::empty())?;
        sock.nonblock()?;
        // Best effort: a smaller buffer still works with the windows used here.
        let _ = sock.set_recv_buffer_size(RCVBUF_HINT);
        let pid = sock.pid()?;
        let io = crate::linux::sys::async_netlink(sock)?;
        Ok(Transport {
            io,
            pid,
            state: Mutex::new(State {
                buf: vec![0; RECV_BUF],
                out: Vec::with_capacity(RECV_BUF),
                next_seq: 1,
                dirty: false,
            }),
        })
    }

    /// Waits for the socket, reading away whatever a cancelled session left behind.
    pub async fn session(&self) -> io::Result<Session<'_>> {
        let mut st = self.state.lock().await;
        if st.dirty {
            let State { buf, .. } = &mut *st;
            loop {
                match self.io.get_ref().recv(&mut buf[..], Msg::empty()) {
                    Ok(_) => continue,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    // Empty (WouldBlock), or an error such as a past overrun: clean now.
                    Err(_) => break,
                }
            }
        }
        st.dirty = true;
        Ok(Session { t: self, st })
    }
}

impl Session<'_> {
    /// Queues one request in the outgoing datagram and returns its sequence number.
    pub fn push(&mut self, ty: u16, flags: u16, payload: &[u8]) -> u32 {
        let seq = self.st.next_seq;
        self.st.next_seq = seq.wrapping_add(1);
        let pid = self.t.pid;
        push_message(&mut self.st.out, ty, flags, seq, pid, payload);
        seq
    }

    /// Bytes queued and not yet sent.
    pub fn queued(&self) -> usize {
        self.st.out.len()
    }

    /// Sends the queued requests as one datagram; the kernel handles them in order.
    pub async fn send(&mut self) -> io::Result<()> {
        let State { out, .. } = &mut *self.st;
        if out.is_empty() {
            return Ok(());
        }
        loop {
            match self.t.io.get_ref().send(&out[..], Msg::empty()) {
                Ok(_) => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    let mut guard = self.t.io.writable().await?;
                    guard.clear_ready();
                }
                Err(e) => {
                    out.clear();
                    return Err(e);
                }
            }
        }
        out.clear();
        Ok(())
    }

    /// Receives one datagram (one or more messages).
    pub async fn recv(&mut self) -> io::Result<&[u8]> {
        let State { buf, .. } = &mut *self.st;
        let n = loop {
            // The answer is usually queued already: try before asking epoll.
            match self.t.io.get_ref().recv(&mut buf[..], Msg::TRUNC) {
                Ok((n, _)) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    let mut guard = self.t.io.readable().await?;
                    guard.clear_ready();
                }
                Err(e) => return Err(e),
            }
        };
        if n > buf.len() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("netlink datagram of {n} bytes exceeds the {RECV_BUF}-byte buffer"),
            ));
        }
        Ok(buf.get(..n).unwrap_or_default())
    }

    /// Marks the exchange complete: every answer was read.
    pub fn finish(mut self) {
        self.st.dirty = false;
    }
}
