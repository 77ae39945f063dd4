//! MISC_CHECK, DNS_CHECK, UDP_CHECK, SMTP_CHECK and PING_CHECK against real programs and
//! servers on loopback.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/servers.rs"]
mod check_support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use lvsdeck::check::probe::misc::{self, MiscSpec};
use lvsdeck::check::probe::{dns, ping, smtp, udp};
use lvsdeck::check::{Outcome, Target};

use check_support::*;

async fn run_misc(cmd: &str, dynamic: bool) -> Outcome {
    let spec = MiscSpec::new(cmd, Duration::from_secs(5), dynamic).expect("command");
    misc::check(&spec).await
}

#[tokio::test]
async fn misc_exit_codes_static_and_dynamic() {
    assert_eq!(run_misc("true", false).await, Outcome::Up);
    assert_eq!(run_misc("false", false).await, Outcome::down("exit 1"));
    assert_eq!(
        run_misc("/bin/sh -c 'exit 5'", false).await,
        Outcome::down("exit 5")
    );
    assert_eq!(
        run_misc("/bin/sh -c 'exit 5'", true).await,
        Outcome::Weight(3)
    );
    assert_eq!(
        run_misc("/bin/sh -c 'exit 255'", true).await,
        Outcome::Weight(253)
    );
    assert_eq!(run_misc("false", true).await, Outcome::down("exit 1"));
    assert!(!run_misc("/nonexistent/check", false).await.is_up());
}

#[tokio::test]
async fn misc_runs_no_shell_unless_asked() {
    // Without a shell, ';' and 'false' are arguments to echo, which succeeds.
    assert_eq!(run_misc("echo ok; false", false).await, Outcome::Up);
    assert_eq!(
        run_misc("/bin/sh -c 'echo ok; false'", false).await,
        Outcome::down("exit 1")
    );
    // Quoted words arrive whole: test's three arguments, not five.
    assert_eq!(run_misc("test 'a b' = \"a b\"", false).await, Outcome::Up);
}

#[tokio::test]
async fn misc_timeout_kills_the_process_group() {
    let spec = MiscSpec::new(
        "/bin/sh -c 'sleep 30 & sleep 30'",
        Duration::from_millis(300),
        false,
    )
    .expect("command");
    let started = Instant::now();
    let out = misc::check(&spec).await;
    assert!(
        matches!(&out, Outcome::Down(w) if w.contains("timed out")),
        "{out:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

/// A DNS responder: answers each query with its id, QR set and `rcode`; with `stray`, a
/// reply with a wrong id comes first.
async fn dns_server(rcode: u8, stray: bool) -> Server {
    udp(Arc::new(move |q: &[u8]| {
        if q.len() < 12 {
            return vec![];
        }
        let mut r = q.to_vec();
        r[2] |= 0x80;
        r[3] = (r[3] & 0xf0) | rcode;
        let mut out = vec![];
        if stray {
            let mut wrong = r.clone();
            wrong[0] ^= 0xff;
            out.push(wrong);
        }
        out.push(r);
        out
    }))
    .await
}

#[tokio::test]
async fn dns_check_needs_our_id_and_noerror() {
    let soa = dns::qtype("soa").expect("type");
    let ok = dns_server(0, false).await;
    assert_eq!(dns::check(&target(ok.addr), soa, ".").await, Outcome::Up);
    let stray = dns_server(0, true).await;
    assert_eq!(
        dns::check(&target(stray.addr), soa, "example.org").await,
        Outcome::Up
    );
    let nx = dns_server(3, false).await;
    assert_eq!(
        dns::check(&target(nx.addr), soa, "x.test").await,
        Outcome::down("rcode 3")
    );
    let mute = udp(Arc::new(|_: &[u8]| vec![])).await;
    let out = dns::check(&target(mute.addr), soa, ".").await;
    assert!(
        matches!(&out, Outcome::Down(w) if w.contains("timed out")),
        "{out:?}"
    );
}

#[tokio::test]
async fn udp_check_reply_prefix_refusal_and_silence() {
    let echo = udp(Arc::new(|d: &[u8]| vec![d.to_vec()])).await;
    let t = target(echo.addr);
    assert_eq!(udp::check(&t, b"PING", Some(b"PI")).await, Outcome::Up);
    assert_eq!(udp::check(&t, b"PING", Some(b"")).await, Outcome::Up);
    assert!(!udp::check(&t, b"PING", Some(b"PONG")).await.is_up());
    let closed = tokio::net::UdpSocket::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let gone = closed.local_addr().expect("addr");
    drop(closed);
    assert_eq!(
        udp::check(&target(gone), b"x", None).await,
        Outcome::down("port unreachable")
    );
    let mute = udp(Arc::new(|_: &[u8]| vec![])).await;
    assert_eq!(
        udp::check(&target(mute.addr), b"x", None).await,
        Outcome::Up
    );
    assert!(!udp::check(&target(mute.addr), b"x", Some(b""))
        .await
        .is_up());
}

/// An SMTP server: a two-line 220 greeting, then `helo_reply` to HELO.
async fn smtp_server(greeting: &'static str, helo_reply: &'static str) -> Server {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = l.local_addr().expect("addr");
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let task = tokio::spawn(async move {
        for _ in 0..100 {
            let Ok((s, _)) = l.accept().await else { return };
            let mut s = BufReader::new(s);
            let _ = s.get_mut().write_all(greeting.as_bytes()).await;
            let mut line = String::new();
            if s.read_line(&mut line).await.is_ok() {
                seen2
                    .lock()
                    .expect("lock")
                    .push(line.trim_end().to_string());
                let _ = s.get_mut().write_all(helo_reply.as_bytes()).await;
            }
        }
    });
    Server::new(addr, task, seen)
}

#[tokio::test]
async fn smtp_check_banner_then_helo() {
    let good = smtp_server("220-mx.test ESMTP\r\n220 ready\r\n", "250 mx.test\r\n").await;
    assert_eq!(
        smtp::check(&target(good.addr), "director.test").await,
        Outcome::Up
    );
    assert_eq!(
        good.seen.lock().expect("lock").clone(),
        vec!["HELO director.test"]
    );
    let busy = smtp_server("554 no service\r\n", "").await;
    assert!(!smtp::check(&target(busy.addr), "d").await.is_up());
    let rejects = smtp_server("220 ok\r\n", "501 bad helo\r\n").await;
    let out = smtp::check(&target(rejects.addr), "d").await;
    assert!(
        matches!(&out, Outcome::Down(w) if w.contains("501")),
        "{out:?}"
    );
    let silent = silent_tcp().await;
    assert!(!smtp::check(&target(silent.addr), "d").await.is_up());
}

#[tokio::test]
async fn ping_check_answers_on_loopback() {
    let t = Target::new("127.0.0.1:0".parse::<SocketAddr>().expect("addr"), T);
    match ping::ping(&t).await {
        Ok(kind) => eprintln!("ping via {kind:?} socket"),
        // Neither ping_group_range nor CAP_NET_RAW: nothing this test can check.
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => return,
        Err(e) => panic!("ping 127.0.0.1: {e}"),
    }
    assert_eq!(ping::check(&t).await, Outcome::Up);
    let t6 = Target::new("[::1]:0".parse::<SocketAddr>().expect("addr"), T);
    assert_eq!(ping::check(&t6).await, Outcome::Up);
}
