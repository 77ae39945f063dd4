//! The top-level `SSL { password P; ca FILE; certificate FILE; key FILE }` block: the TLS
//! client SSL_GET presents (keepalived's `check_parser.c`/`check_ssl.c`). Only the file
//! names are read here; the files are read and checked by [`crate::check::probe::tls`].

use std::path::PathBuf;

use super::diag::{Diagnostics, Location};
use super::tree::Item;
use super::value as v;

/// A file named in the block, with where it was named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SslFile {
    pub path: PathBuf,
    pub at: Location,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ssl {
    pub at: Location,
    /// Decrypts an encrypted PKCS#8 `key`.
    pub password: Option<String>,
    /// Verify real servers' certificates against these (keepalived loads but never checks).
    pub ca: Option<SslFile>,
    /// The client certificate chain (PEM); may hold the key too.
    pub certificate: Option<SslFile>,
    pub key: Option<SslFile>,
}

pub fn parse(item: &Item, d: &mut Diagnostics) -> Ssl {
    v::extra(item, 0, d);
    let mut ssl = Ssl {
        at: item.at.clone(),
        password: None,
        ca: None,
        certificate: None,
        key: None,
    };
    let file = |c: &Item, d: &mut Diagnostics| {
        v::string(c, d).map(|p| SslFile {
            path: PathBuf::from(p),
            at: c.at.clone(),
        })
    };
    for c in v::block(item, d) {
        match c.keyword.as_str() {
            "password" => ssl.password = v::string(c, d),
            "ca" => ssl.ca = file(c, d),
            "certificate" => ssl.certificate = file(c, d),
            "key" => ssl.key = file(c, d),
            _ => v::unsupported(c, "SSL", d),
        }
    }
    ssl
}

#[cfg(test)]
mod tests {
    #[test]
    fn keywords_and_locations() {
        let text = "SSL {\n password secret\n ca /etc/ca.pem\n certificate /etc/c.pem\n \
                    key /etc/k.pem\n}\n";
        let loaded = crate::config::parse_str(text, std::path::Path::new("s.conf"));
        assert!(loaded.is_ok(), "{:?}", loaded.diagnostics);
        let ssl = loaded.config.ssl.expect("SSL block");
        assert_eq!(ssl.password.as_deref(), Some("secret"));
        let ca = ssl.ca.expect("ca");
        assert_eq!(
            (ca.path, ca.at.to_string()),
            ("/etc/ca.pem".into(), "s.conf:3".into())
        );
        assert_eq!(ssl.key.expect("key").at.line, 5);
    }
}
