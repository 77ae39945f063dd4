//! Small real servers on loopback for the checker tests. Each accepts a bounded number of
//! connections and stops when its handle is dropped (the task is aborted).

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};
use tokio::task::JoinHandle;

use lvsdeck::check::Target;

pub const T: Duration = Duration::from_millis(800);

/// Aborts the server task when dropped.
pub struct Server {
    pub addr: SocketAddr,
    task: JoinHandle<()>,
    /// What the server saw (request heads, HELO lines, SNI names).
    pub seen: Arc<Mutex<Vec<String>>>,
}

impl Server {
    pub fn new(addr: SocketAddr, task: JoinHandle<()>, seen: Arc<Mutex<Vec<String>>>) -> Server {
        Server { addr, task, seen }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub fn target(addr: SocketAddr) -> Target {
    Target::new(addr, T)
}

/// A port on loopback with nothing listening (bound then released).
pub async fn closed_port() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    l.local_addr().expect("addr")
}

pub type Respond = Arc<dyn Fn(&str) -> Vec<u8> + Send + Sync>;

/// An HTTP server: `respond(request head)` gives the raw response; the connection is then
/// closed. `tls` wraps connections in TLS first.
pub async fn http(respond: Respond, tls: Option<tokio_rustls::TlsAcceptor>) -> Server {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = l.local_addr().expect("addr");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let task = tokio::spawn(async move {
        for _ in 0..1000 {
            let Ok((s, _)) = l.accept().await else { return };
            let respond = respond.clone();
            let seen = seen2.clone();
            let tls = tls.clone();
            tokio::spawn(async move {
                match tls {
                    None => serve_http(s, respond, seen).await,
                    Some(acc) => {
                        if let Ok(s) = acc.accept(s).await {
                            let sni = s.get_ref().1.server_name().unwrap_or("-").to_string();
                            seen.lock().expect("lock").push(format!("sni {sni}"));
                            serve_http(s, respond, seen).await
                        }
                    }
                }
            });
        }
    });
    Server { addr, task, seen }
}

async fn serve_http<S: AsyncRead + AsyncWrite + Unpin>(
    mut s: S,
    respond: Respond,
    seen: Arc<Mutex<Vec<String>>>,
) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 65536 {
        match s.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let head = String::from_utf8_lossy(&buf).to_string();
    seen.lock().expect("lock").push(head.clone());
    let _ = s.write_all(&respond(&head)).await;
    let _ = s.shutdown().await;
}

/// Accepts connections and never answers (holds them until aborted).
pub async fn silent_tcp() -> Server {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = l.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        for _ in 0..100 {
            let Ok((s, _)) = l.accept().await else { return };
            held.push(s);
        }
    });
    Server {
        addr,
        task,
        seen: Arc::default(),
    }
}

/// A UDP server: `respond(datagram)` gives the replies to send (possibly none).
pub type Datagrams = Arc<dyn Fn(&[u8]) -> Vec<Vec<u8>> + Send + Sync>;

/// A UDP server (see [`udp`]).
pub async fn udp(respond: Datagrams) -> Server {
    let s = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
    let addr = s.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        let mut buf = [0u8; 2048];
        for _ in 0..1000 {
            let Ok((n, from)) = s.recv_from(&mut buf).await else {
                return;
            };
            for r in respond(&buf[..n]) {
                let _ = s.send_to(&r, from).await;
            }
        }
    });
    Server {
        addr,
        task,
        seen: Arc::default(),
    }
}
