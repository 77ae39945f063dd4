//! The connections view's `/` query, turned into the scan's [`ConnFilter`] so the reader
//! drops what is not wanted before it reaches the console.
//!
//! `client=198.51.100.7` `vip=192.0.2.10:80` `rs=10.0.0.1` `state=established` `proto=tcp`;
//! a bare address means the client, a bare word the state. All terms must hold.

use std::net::IpAddr;

use crate::ipvs::conn::{ConnFilter, Endpoint};

/// Parses the query; the error says which word is wrong and what is accepted.
pub fn parse(text: &str) -> Result<ConnFilter, String> {
    let mut f = ConnFilter::default();
    for word in text.split_whitespace() {
        let (field, value) = match word.split_once('=') {
            Some((k, v)) => (k.to_ascii_lowercase(), v),
            None if endpoint(word).is_some() => ("client".to_string(), word),
            None => ("state".to_string(), word),
        };
        let ep = || endpoint(value).ok_or_else(|| format!("`{value}` is not an address[:port]"));
        match field.as_str() {
            "client" | "from" => f.client = Some(ep()?),
            "vip" | "virtual" | "to" => f.virtual_service = Some(ep()?),
            "rs" | "dest" | "server" => f.real_server = Some(ep()?),
            "state" if !value.is_empty() && value.chars().all(is_state_char) => {
                f.state = Some(value.to_ascii_uppercase());
            }
            "proto" if !value.is_empty() => f.protocol = Some(value.to_ascii_uppercase()),
            _ => {
                return Err(format!(
                    "`{word}`: use client= vip= rs= state= proto= (address[:port] or a name)"
                ))
            }
        }
    }
    Ok(f)
}

fn is_state_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// `10.0.0.1`, `10.0.0.1:80`, `2001:db8::1`, `[2001:db8::1]:80`.
pub fn endpoint(s: &str) -> Option<Endpoint> {
    if let Ok(addr) = s.parse::<IpAddr>() {
        return Some(Endpoint::addr(addr));
    }
    let (host, port) = s.rsplit_once(':')?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let addr: IpAddr = host.parse().ok()?;
    if matches!(addr, IpAddr::V6(_)) && !s.starts_with('[') {
        return None;
    }
    Some(Endpoint::with_port(addr, port.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn fields_and_bare_words() {
        let f = parse("198.51.100.7 vip=192.0.2.10:80 rs=[2001:db8::1]:8080 established")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(f.client, Some(Endpoint::addr(ip("198.51.100.7"))));
        assert_eq!(
            f.virtual_service,
            Some(Endpoint::with_port(ip("192.0.2.10"), 80))
        );
        assert_eq!(
            f.real_server,
            Some(Endpoint::with_port(ip("2001:db8::1"), 8080))
        );
        assert_eq!(f.state.as_deref(), Some("ESTABLISHED"));
        assert_eq!(parse("").map(|f| f.is_empty()), Ok(true));
        assert_eq!(
            parse("proto=udp").map(|f| f.protocol),
            Ok(Some("UDP".into()))
        );
    }

    #[test]
    fn errors_name_the_word() {
        for bad in [
            "vip=10.0.0",
            "rs=",
            "weight=3",
            "state=a-b",
            "client=10.0.0.1:x",
        ] {
            let e = parse(bad).expect_err(bad);
            assert!(e.contains('`'), "{bad}: {e}");
        }
    }
}
