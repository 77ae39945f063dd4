//! SSL_GET's TLS client, from the top-level `SSL { }` block. Like keepalived, it checks that
//! the server speaks TLS and answers, not who it is: without `ca` certificates are not
//! verified (handshake signatures still are). `certificate`/`key` are presented to servers
//! that ask for a client certificate. Deviation: keepalived loads `ca` but never sets
//! OpenSSL's verify mode, so it checks nothing; here `ca` verifies the server's chain
//! (not its name — real servers are addressed by IP) and a server that fails is down.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{ring, verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

use crate::config::ssl::{Ssl, SslFile};

/// keepalived's leniency as a verifier: handshake signatures are always checked; the
/// certificate only against `ca` when there is one (its chain, not its name: real servers
/// are addressed by IP), else not at all.
#[derive(Debug)]
struct Verifier {
    provider: Arc<CryptoProvider>,
    /// `ca`'s verifier; `None`: any certificate.
    chain: Option<Arc<WebPkiServerVerifier>>,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let Some(chain) = &self.chain else {
            return Ok(ServerCertVerified::assertion());
        };
        match chain.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// `file:line: SSL <what> <path>: why`.
fn fail(f: &SslFile, what: &str, why: impl std::fmt::Display) -> String {
    format!("{}: SSL {what} {}: {why}", f.at, f.path.display())
}

/// Every certificate of a PEM file (at least one).
fn certificates(f: &SslFile, what: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    std::fs::metadata(&f.path).map_err(|e| fail(f, what, e))?;
    let certs = CertificateDer::pem_file_iter(&f.path)
        .map_err(|e| fail(f, what, e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| fail(f, what, format!("bad PEM: {e}")))?;
    if certs.is_empty() {
        return Err(fail(f, what, "no certificate in it (PEM expected)"));
    }
    Ok(certs)
}

/// The key of `f`: PKCS#8, PKCS#1 or SEC1 PEM; an encrypted PKCS#8 key (`ENCRYPTED PRIVATE
/// KEY`, PBES2) is decrypted with `password`, as keepalived's password callback does.
fn private_key(f: &SslFile, password: Option<&str>) -> Result<PrivateKeyDer<'static>, String> {
    let bytes = std::fs::read(&f.path).map_err(|e| fail(f, "key", e))?;
    let text = String::from_utf8_lossy(&bytes);
    if text.contains("Proc-Type: 4,ENCRYPTED") {
        return Err(fail(
            f,
            "key",
            "OpenSSL's legacy key encryption is not supported: convert it with \
             `openssl pkcs8 -topk8 -v2 aes-256-cbc`",
        ));
    }
    if let Some(start) = text.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
        let Some(password) = password else {
            return Err(fail(
                f,
                "key",
                "the key is encrypted and SSL has no password",
            ));
        };
        let (_, doc) = pkcs8::SecretDocument::from_pem(&text[start..])
            .map_err(|e| fail(f, "key", format!("bad PEM: {e}")))?;
        let info = pkcs8::EncryptedPrivateKeyInfo::try_from(doc.as_bytes())
            .map_err(|e| fail(f, "key", format!("bad encrypted key: {e}")))?;
        let plain = info
            .decrypt(password)
            .map_err(|e| fail(f, "key", format!("cannot decrypt (wrong password?): {e}")))?;
        return Ok(PrivateKeyDer::Pkcs8(plain.as_bytes().to_vec().into()));
    }
    PrivateKeyDer::from_pem_slice(&bytes)
        .map_err(|e| fail(f, "key", format!("no PEM private key ({e})")))
}

fn read_ca(
    f: &SslFile,
    provider: &Arc<CryptoProvider>,
) -> Result<Arc<WebPkiServerVerifier>, String> {
    let mut roots = RootCertStore::empty();
    for c in certificates(f, "ca")? {
        roots.add(c).map_err(|e| fail(f, "ca", e))?;
    }
    let v = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| fail(f, "ca", e))?;
    Ok(v)
}

/// The client configuration SSL_GET uses: `ssl` is the configuration's `SSL { }` block.
/// Errors name the file and line of the keyword whose file is unusable.
pub fn client_config_for(ssl: Option<&Ssl>) -> Result<Arc<ClientConfig>, String> {
    let provider = Arc::new(ring::default_provider());
    let chain = match ssl.and_then(|s| s.ca.as_ref()) {
        Some(ca) => Some(read_ca(ca, &provider)?),
        None => None,
    };
    let verifier = Arc::new(Verifier {
        provider: provider.clone(),
        chain,
    });
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let config = match ssl.map(|s| (&s.certificate, &s.key)) {
        Some((Some(cert), key)) => {
            let chain = certificates(cert, "certificate")?;
            // keepalived (OpenSSL) takes the key from the certificate file when `key` is absent.
            let key_file = key.as_ref().unwrap_or(cert);
            let key = private_key(key_file, ssl.and_then(|s| s.password.as_deref()))?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| fail(key_file, "key", e))?
        }
        Some((None, Some(key))) => return Err(fail(key, "key", "no certificate goes with it")),
        _ => builder.with_no_client_auth(),
    };
    Ok(Arc::new(config))
}

/// The client configuration without an `SSL { }` block.
pub fn client_config() -> Result<Arc<ClientConfig>, rustls::Error> {
    client_config_for(None).map_err(rustls::Error::General)
}
