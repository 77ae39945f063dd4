//! TCP_CHECK, HTTP_GET and SSL_GET against real servers on loopback.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/servers.rs"]
mod check_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use lvsdeck::check::probe::http::{self, HttpSpec, Tls, UrlSpec};
use lvsdeck::check::probe::tcp;
use lvsdeck::check::Outcome;

use check_support::*;

fn ok_body(body: &'static str) -> Respond {
    Arc::new(move |_| {
        format!(
            "HTTP/1.0 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    })
}

fn url(path: &str) -> UrlSpec {
    UrlSpec {
        path: path.into(),
        digest: None,
        status_codes: vec![200..=299],
        virtualhost: None,
        regex: None,
    }
}

fn spec(urls: Vec<UrlSpec>) -> HttpSpec {
    HttpSpec {
        urls,
        virtualhost: None,
        version: "1.0",
        tls: None,
    }
}

// md5("hello") = 5d41402abc4b2a76b9719d911017c592
const HELLO_MD5: &str = "5d41402abc4b2a76b9719d911017c592";

#[tokio::test]
async fn tcp_check_up_on_a_listener_down_on_a_closed_port() {
    let s = http(ok_body(""), None).await;
    assert_eq!(tcp::check(&target(s.addr)).await, Outcome::Up);
    let closed = closed_port().await;
    let out = tcp::check(&target(closed)).await;
    assert!(
        matches!(&out, Outcome::Down(w) if w.contains("refused")),
        "{out:?}"
    );
}

#[tokio::test]
async fn http_status_ranges_digest_and_every_url() {
    let s = http(
        Arc::new(|head: &str| {
            let path = head.split_whitespace().nth(1).unwrap_or("");
            match path {
                "/hello" => b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello".to_vec(),
                "/chunked" => b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n".to_vec(),
                "/moved" => b"HTTP/1.0 302 Found\r\nLocation: /\r\n\r\n".to_vec(),
                _ => b"HTTP/1.0 404 Not Found\r\n\r\nnope".to_vec(),
            }
        }),
        None,
    )
    .await;
    let t = target(s.addr);
    assert_eq!(
        http::check(&t, &spec(vec![url("/hello")])).await,
        Outcome::Up
    );
    let mut digest = url("/hello");
    digest.digest = Some(HELLO_MD5.into());
    let mut chunked = url("/chunked");
    chunked.digest = Some(HELLO_MD5.into());
    assert_eq!(
        http::check(&t, &spec(vec![digest.clone(), chunked])).await,
        Outcome::Up
    );
    let mut wrong = url("/hello");
    wrong.digest = Some("00000000000000000000000000000000".into());
    let out = http::check(&t, &spec(vec![wrong])).await;
    assert!(
        matches!(&out, Outcome::Down(w) if w.contains("digest 5d41")),
        "{out:?}"
    );
    // 302 fails 200-299 but passes a 300-399 range.
    assert!(!http::check(&t, &spec(vec![url("/moved")])).await.is_up());
    let mut redirect = url("/moved");
    redirect.status_codes = vec![200..=200, 300..=399];
    assert_eq!(http::check(&t, &spec(vec![redirect])).await, Outcome::Up);
    // All urls must pass: one 404 among them fails the check.
    let out = http::check(&t, &spec(vec![digest, url("/missing")])).await;
    assert!(
        matches!(&out, Outcome::Down(w) if w.contains("/missing: status 404")),
        "{out:?}"
    );
    let mut re = url("/hello");
    re.regex = Some(regex::bytes::Regex::new("^h.l+o$").expect("regex"));
    assert_eq!(http::check(&t, &spec(vec![re])).await, Outcome::Up);
}

#[tokio::test]
async fn http_sends_the_virtualhost_as_host_header() {
    let s = http(
        Arc::new(|head: &str| {
            if head.contains("\r\nHost: www.example.test\r\n") {
                b"HTTP/1.0 200 OK\r\n\r\n".to_vec()
            } else {
                b"HTTP/1.0 421 Misdirected\r\n\r\n".to_vec()
            }
        }),
        None,
    )
    .await;
    let t = target(s.addr);
    assert!(!http::check(&t, &spec(vec![url("/")])).await.is_up());
    let mut sp = spec(vec![url("/")]);
    sp.virtualhost = Some("www.example.test".into());
    assert_eq!(http::check(&t, &sp).await, Outcome::Up);
    // A url's own virtualhost wins over the checker's.
    let mut u = url("/");
    u.virtualhost = Some("other.test".into());
    sp.urls = vec![u];
    assert!(!http::check(&t, &sp).await.is_up());
    let heads = s.seen.lock().expect("lock").clone();
    assert!(heads[0].starts_with("GET / HTTP/1.0\r\n"), "{heads:?}");
    assert!(heads[0].contains("Host: 127.0.0.1\r\n"), "{heads:?}");
}

#[tokio::test]
async fn a_server_that_accepts_and_never_answers_times_out() {
    let s = silent_tcp().await;
    let started = Instant::now();
    let out = http::check(&target(s.addr), &spec(vec![url("/")])).await;
    let took = started.elapsed();
    assert!(
        matches!(&out, Outcome::Down(w) if w.contains("timed out")),
        "{out:?}"
    );
    assert!(
        took >= T && took < T + Duration::from_millis(500),
        "{took:?}"
    );
}

fn tls_acceptor() -> tokio_rustls::TlsAcceptor {
    let key = rcgen::generate_simple_self_signed(vec!["www.example.test".into()]).expect("rcgen");
    let cert = key.cert.der().clone();
    let pk = rustls::pki_types::PrivateKeyDer::Pkcs8(key.signing_key.serialize_der().into());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(vec![cert], pk)
        .expect("cert");
    tokio_rustls::TlsAcceptor::from(Arc::new(cfg))
}

#[tokio::test]
async fn ssl_get_digest_over_tls_with_and_without_sni() {
    let s = http(ok_body("hello"), Some(tls_acceptor())).await;
    let connector = http::tls_connector().expect("client config");
    let mut u = url("/");
    u.digest = Some(HELLO_MD5.into());
    let mut sp = spec(vec![u]);
    sp.tls = Some(Tls {
        connector: connector.clone(),
        sni: None,
    });
    assert_eq!(http::check(&target(s.addr), &sp).await, Outcome::Up);
    sp.tls = Some(Tls {
        connector,
        sni: Some("www.example.test".into()),
    });
    assert_eq!(http::check(&target(s.addr), &sp).await, Outcome::Up);
    let seen = s.seen.lock().expect("lock").clone();
    assert_eq!(
        seen.iter()
            .filter(|l| l.starts_with("sni "))
            .cloned()
            .collect::<Vec<_>>(),
        vec!["sni -", "sni www.example.test"]
    );
    // Plain HTTP to a TLS port fails; TLS to a plain port fails.
    let plain = http(ok_body("hello"), None).await;
    assert!(!http::check(&target(plain.addr), &sp).await.is_up());
    sp.tls = None;
    assert!(!http::check(&target(s.addr), &sp).await.is_up());
}
