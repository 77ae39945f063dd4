//! SSL_GET with the global `SSL { }` block against a rustls server on loopback (certificates
//! made with rcgen): the client certificate is presented to a server that requires one
//! (up with it, down without; an encrypted key opened with `password`), `ca` verifies the server's chain (up with the right CA, down
//! with another; no `ca`: not verified, as keepalived), and unusable files are refused at
//! load with the file and line of their keyword.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/servers.rs"]
mod check_support;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::RootCertStore;
use tokio_rustls::{TlsAcceptor, TlsConnector};

use lvsdeck::check::build::build;
use lvsdeck::check::probe::tls::client_config_for;
use lvsdeck::check::Outcome;

use check_support::*;

struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut p = CertificateParams::new(Vec::<String>::new()).expect("params");
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.distinguished_name.push(rcgen::DnType::CommonName, name);
    CertifiedIssuer::self_signed(p, KeyPair::generate().expect("key")).expect("CA")
}

/// A leaf for `name` signed by `issuer`: (certificate PEM, key PEM, DER forms).
fn leaf(
    name: &str,
    issuer: &CertifiedIssuer<'static, KeyPair>,
) -> (
    String,
    String,
    CertificateDer<'static>,
    PrivateKeyDer<'static>,
) {
    let key = KeyPair::generate().expect("key");
    let cert = CertificateParams::new(vec![name.to_string()])
        .expect("params")
        .signed_by(&key, issuer)
        .expect("sign");
    let der_key = PrivateKeyDer::Pkcs8(key.serialize_der().into());
    (cert.pem(), key.serialize_pem(), cert.der().clone(), der_key)
}

/// A TLS server that requires a client certificate issued by `client_ca`.
fn acceptor(
    cert: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
    client_ca: &CertifiedIssuer<'static, KeyPair>,
) -> TlsAcceptor {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    roots.add(client_ca.der().clone()).expect("root");
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .expect("client verifier");
    let cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![cert], key)
        .expect("server cert");
    TlsAcceptor::from(Arc::new(cfg))
}

fn conf(ssl_block: &str, port: u16) -> String {
    format!(
        "{ssl_block}\nvirtual_server 127.0.0.1 443 {{\n  protocol TCP\n  \
         real_server 127.0.0.1 {port} {{\n    SSL_GET {{\n      url {{\n        path /\n        \
         status_code 200\n      }}\n      connect_timeout 2\n    }}\n  }}\n}}\n"
    )
}

/// Builds the SSL_GET of `text` with its SSL block and runs it once; `Err`: refused at load.
async fn check(text: &str) -> Result<Outcome, String> {
    let loaded = lvsdeck::config::parse_str(text, Path::new("ssl.conf"));
    assert!(loaded.is_ok(), "{:?}", loaded.diagnostics);
    let cfg = loaded.config;
    let tls = TlsConnector::from(client_config_for(cfg.ssl.as_ref())?);
    let built = build(&cfg, "h", Some(&tls));
    assert_eq!(built.problems, Vec::<String>::new());
    Ok(built.checks[0].1.run().await)
}

#[tokio::test]
async fn client_certificate_ca_verification_and_load_errors() {
    let dir = Scratch(std::env::temp_dir().join(format!("lvsdeck-ssl-{}", std::process::id())));
    std::fs::create_dir_all(&dir.0).expect("dir");
    let root = ca("lvsdeck test CA");
    let other = ca("another CA");
    // The server's name is not the address SSL_GET connects to: the name is not checked.
    let (_, _, server_der, server_key) = leaf("www.example.test", &root);
    let (client_pem, client_key_pem, _, _) = leaf("director.example.test", &root);
    let write = |name: &str, text: &str| -> String {
        let p = dir.0.join(name);
        std::fs::write(&p, text).expect("write");
        p.display().to_string()
    };
    let ca_file = write("ca.pem", &root.pem());
    let other_ca = write("other-ca.pem", &other.pem());
    let cert = write("client.pem", &client_pem);
    let key = write("client.key", &client_key_pem);
    let both = write("both.pem", &format!("{client_pem}{client_key_pem}"));
    let bad = write(
        "bad.pem",
        "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n",
    );
    // An encrypted PKCS#8 key, as `openssl pkcs8 -topk8` writes it (PBES2, AES-256-CBC).
    let encrypted = dir.0.join("client-enc.key").display().to_string();
    let st = std::process::Command::new("openssl")
        .args([
            "pkcs8",
            "-topk8",
            "-v2",
            "aes-256-cbc",
            "-passout",
            "pass:s3cret",
        ])
        .args(["-in", &key, "-out", &encrypted])
        .status()
        .expect("openssl (Debian package openssl)");
    assert!(st.success());

    let ok = |head: &str| {
        let _ = head;
        b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok".to_vec()
    };
    let s = http(Arc::new(ok), Some(acceptor(server_der, server_key, &root))).await;
    let port = s.addr.port();

    // Client certificate: presented when configured, and the server then answers.
    let with_cert = format!("SSL {{\n  certificate {cert}\n  key {key}\n}}");
    assert_eq!(check(&conf(&with_cert, port)).await, Ok(Outcome::Up));
    let combined = format!("SSL {{\n  certificate {both}\n}}");
    assert_eq!(
        check(&conf(&combined, port)).await,
        Ok(Outcome::Up),
        "key taken from the certificate file"
    );
    let without = check(&conf("", port)).await.expect("loads");
    assert!(!without.is_up(), "no client certificate: {without:?}");
    eprintln!("without a client certificate: {without:?}");

    // ca: the server's chain is verified against it.
    let right = format!("SSL {{\n  ca {ca_file}\n  certificate {cert}\n  key {key}\n}}");
    assert_eq!(check(&conf(&right, port)).await, Ok(Outcome::Up));
    let wrong = format!("SSL {{\n  ca {other_ca}\n  certificate {cert}\n  key {key}\n}}");
    let out = check(&conf(&wrong, port)).await.expect("loads");
    assert!(
        matches!(&out, Outcome::Down(w) if w.contains("UnknownIssuer") || w.contains("issuer")),
        "server not signed by ca: {out:?}"
    );
    eprintln!("with another ca: {out:?}");

    // Load errors: file and line of the keyword.
    let missing = format!(
        "SSL {{\n  certificate {cert}\n  key {}/nope.key\n}}",
        dir.0.display()
    );
    let e = check(&conf(&missing, port))
        .await
        .expect_err("missing key file");
    assert!(e.starts_with("ssl.conf:3: SSL key "), "{e}");
    let garbage = format!("SSL {{\n  ca {bad}\n}}");
    let e = check(&conf(&garbage, port)).await.expect_err("bad PEM");
    assert!(
        e.starts_with("ssl.conf:2: SSL ca ") && e.contains("PEM"),
        "{e}"
    );
    // password: the encrypted key is decrypted; a wrong or missing one is refused at load.
    let enc = |pw: &str| format!("SSL {{\n  {pw}\n  certificate {cert}\n  key {encrypted}\n}}");
    assert_eq!(
        check(&conf(&enc("password s3cret"), port)).await,
        Ok(Outcome::Up)
    );
    let e = check(&conf(&enc("password wrong"), port))
        .await
        .expect_err("wrong password");
    assert!(
        e.starts_with("ssl.conf:4: SSL key ") && e.contains("cannot decrypt"),
        "{e}"
    );
    let e = check(&conf(&enc(""), port)).await.expect_err("no password");
    assert!(e.contains("encrypted and SSL has no password"), "{e}");
    let key_only = format!("SSL {{\n  key {key}\n}}");
    let e = check(&conf(&key_only, port)).await.expect_err("key alone");
    assert!(e.starts_with("ssl.conf:2: SSL key "), "{e}");

    // `lvsdeck validate` refuses the same file, naming it.
    let file = write("bad-ssl.conf", &conf(&garbage, port));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lvsdeck"))
        .args(["validate", "-f", &file])
        .output()
        .expect("run lvsdeck validate");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("{file}:2: SSL ca {bad}")),
        "{stderr}"
    );
}
