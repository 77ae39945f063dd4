//! HTTP_GET and SSL_GET: every url must answer with an accepted status code and, when a
//! digest is given, a body whose MD5 matches (and the regex, when given). One connection per
//! url, `Connection: close`, each step within connect_timeout.

use std::ops::RangeInclusive;
use std::sync::Arc;

use md5::{Digest, Md5};
use regex::bytes::Regex;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_rustls::TlsConnector;

use super::target::{within, Target};
use crate::check::Outcome;

/// Bodies are read whole for the digest; past this the check fails rather than buffer more.
pub const MAX_RESPONSE: usize = 8 << 20;

#[derive(Debug, Clone)]
pub struct UrlSpec {
    pub path: String,
    /// Lower-case hex MD5 of the body.
    pub digest: Option<String>,
    /// Empty: any status (a digest alone was asked for).
    pub status_codes: Vec<RangeInclusive<u16>>,
    /// Host header for this url; else the checker's.
    pub virtualhost: Option<String>,
    pub regex: Option<Regex>,
}

#[derive(Clone)]
pub struct Tls {
    pub connector: TlsConnector,
    /// Sent as SNI when set (`enable_sni`: `sni_name`, else the virtual host).
    pub sni: Option<String>,
}

#[derive(Clone)]
pub struct HttpSpec {
    pub urls: Vec<UrlSpec>,
    /// Default Host header; the target address when not set.
    pub virtualhost: Option<String>,
    /// "1.0" (keepalived's default) or "1.1".
    pub version: &'static str,
    pub tls: Option<Tls>,
}

impl std::fmt::Debug for HttpSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpSpec")
            .field("urls", &self.urls)
            .field("virtualhost", &self.virtualhost)
            .field("tls", &self.tls.is_some())
            .finish()
    }
}

pub async fn check(t: &Target, spec: &HttpSpec) -> Outcome {
    let mut last = Outcome::Up;
    for url in &spec.urls {
        match fetch(t, spec, url).await {
            Ok(detail) => last = detail,
            Err(why) => return Outcome::Down(format!("{}: {why}", url.path)),
        }
    }
    last
}

async fn fetch(t: &Target, spec: &HttpSpec, url: &UrlSpec) -> Result<Outcome, String> {
    let host = url
        .virtualhost
        .clone()
        .or_else(|| spec.virtualhost.clone())
        .unwrap_or_else(|| match t.connect {
            std::net::SocketAddr::V4(a) => a.ip().to_string(),
            std::net::SocketAddr::V6(a) => format!("[{}]", a.ip()),
        });
    let request = format!(
        "GET {} HTTP/{}\r\nUser-Agent: lvsdeck-check\r\nHost: {host}\r\nConnection: close\r\n\r\n",
        url.path, spec.version
    );
    let tcp = t.tcp().await.map_err(|e| format!("connect: {e}"))?;
    let raw = match &spec.tls {
        None => exchange(t, tcp, &request).await?,
        Some(tls) => {
            let name = match &tls.sni {
                Some(n) => ServerName::try_from(n.clone()).map_err(|e| format!("sni: {e}"))?,
                None => ServerName::IpAddress(t.connect.ip().into()),
            };
            let stream = within(t.timeout, "TLS handshake", tls.connector.connect(name, tcp))
                .await
                .map_err(|e| e.to_string())?;
            exchange(t, stream, &request).await?
        }
    };
    let resp = parse(&raw)?;
    if !url.status_codes.is_empty() && !url.status_codes.iter().any(|r| r.contains(&resp.status)) {
        return Err(format!("status {}", resp.status));
    }
    if let Some(want) = &url.digest {
        let got = hex(&Md5::digest(&resp.body));
        if &got != want {
            return Err(format!("digest {got}, expected {want}"));
        }
    }
    if let Some(re) = &url.regex {
        if !re.is_match(&resp.body) {
            return Err(format!("body does not match /{}/", re.as_str()));
        }
    }
    Ok(Outcome::Up)
}

/// Sends the request and reads the response until the server closes or the body is complete.
async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    t: &Target,
    mut s: S,
    request: &str,
) -> Result<Vec<u8>, String> {
    within(t.timeout, "send", s.write_all(request.as_bytes()))
        .await
        .map_err(|e| e.to_string())?;
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 8192];
    loop {
        let n = match within(t.timeout, "read", s.read(&mut chunk)).await {
            Ok(n) => n,
            // Servers that close TLS without close_notify: keep what was read.
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => 0,
            Err(e) => return Err(e.to_string()),
        };
        if n == 0 {
            return Ok(buf);
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.len() > MAX_RESPONSE {
            return Err(format!("response larger than {MAX_RESPONSE} bytes"));
        }
        if complete(&buf) {
            return Ok(buf);
        }
    }
}

struct Response {
    status: u16,
    body: Vec<u8>,
}

fn head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4)
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().skip(1).find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// A body with Content-Length that has fully arrived (for servers that keep the connection).
fn complete(buf: &[u8]) -> bool {
    let Some(end) = head_end(buf) else {
        return false;
    };
    let head = String::from_utf8_lossy(&buf[..end]);
    match header(&head, "content-length").and_then(|v| v.parse::<usize>().ok()) {
        Some(len) => buf.len() >= end + len,
        None => false,
    }
}

fn parse(buf: &[u8]) -> Result<Response, String> {
    let end = head_end(buf).ok_or("no complete response head")?;
    let head = String::from_utf8_lossy(&buf[..end]);
    let status_line = head.lines().next().unwrap_or_default();
    let mut parts = status_line.split_whitespace();
    let version = parts.next().unwrap_or_default();
    let status = parts
        .next()
        .and_then(|s| s.parse::<u16>().ok())
        .filter(|_| version.starts_with("HTTP/"))
        .ok_or_else(|| format!("bad status line '{status_line}'"))?;
    let rest = &buf[end..];
    let body =
        if header(&head, "transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
            dechunk(rest)?
        } else if let Some(len) = header(&head, "content-length") {
            let len: usize = len
                .parse()
                .map_err(|_| format!("bad Content-Length '{len}'"))?;
            if rest.len() < len {
                return Err(format!("body cut short: {} of {len} bytes", rest.len()));
            }
            rest[..len].to_vec()
        } else {
            rest.to_vec()
        };
    Ok(Response { status, body })
}

fn dechunk(mut rest: &[u8]) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let line_end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("chunked body cut short")?;
        let size_text = String::from_utf8_lossy(&rest[..line_end]);
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| format!("bad chunk size '{size_text}'"))?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Ok(body);
        }
        if rest.len() < size {
            return Err("chunked body cut short".into());
        }
        body.extend_from_slice(&rest[..size]);
        rest = rest.get(size + 2..).unwrap_or_default();
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The connector for SSL_GET checks.
pub fn tls_connector() -> Result<TlsConnector, rustls::Error> {
    Ok(TlsConnector::from(
        Arc::clone(&super::tls::client_config()?),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_length_chunked_and_close_delimited_bodies() {
        let r = parse(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcdef");
        assert_eq!(r.map(|r| (r.status, r.body)), Ok((200, b"abc".to_vec())));
        let r = parse(b"HTTP/1.1 201 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n");
        assert_eq!(r.map(|r| r.body), Ok(b"abcde".to_vec()));
        let r = parse(b"HTTP/1.0 404 Not Found\r\n\r\nbody");
        assert_eq!(r.map(|r| (r.status, r.body)), Ok((404, b"body".to_vec())));
        assert!(parse(b"SSH-2.0-OpenSSH\r\n\r\n").is_err());
        assert!(parse(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc").is_err());
        assert!(parse(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").is_err());
    }
}
