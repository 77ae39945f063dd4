//! A service, or one real server of it, named as ipvsadm names them: `-t 198.51.100.10:80`,
//! `-f 7 -6`, `-u [2001:db8::1]:53 -r 192.0.2.5:53`. The control socket, `lvsdeck control`
//! and the console's `:` bar take selectors; they are read here, by the rule language's own
//! option scanner, with ipvsadm's messages.

use std::net::IpAddr;

use crate::ipvs::ServiceKey;

use super::error::RuleError;
use super::resolve::Resolver;

/// What a selector names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Selector {
    pub service: ServiceKey,
    /// `-r ADDR[:PORT]`: a real server of the service.
    pub server: Option<(IpAddr, u16)>,
}

/// Reads a selector (words split on white space; names asked of `resolver`).
pub fn parse_selector(text: &str, resolver: &dyn Resolver) -> Result<Selector, RuleError> {
    let words: Vec<&str> = text.split_whitespace().collect();
    super::parser::parse_selector(&words, resolver)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipvs::{Family, Protocol};
    use crate::rules::NoResolver;

    fn sel(text: &str) -> Result<Selector, RuleError> {
        parse_selector(text, &NoResolver)
    }

    #[test]
    fn services_and_servers() {
        let vip: IpAddr = "198.51.100.10".parse().unwrap();
        let k = ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: vip,
            port: 80,
        };
        assert_eq!(
            sel("-t 198.51.100.10:80"),
            Ok(Selector {
                service: k,
                server: None
            })
        );
        assert_eq!(
            sel("--tcp-service 198.51.100.10:80  -r 192.0.2.5:8080"),
            Ok(Selector {
                service: k,
                server: Some(("192.0.2.5".parse().unwrap(), 8080))
            })
        );
        assert_eq!(
            sel("-f 7 -6").map(|s| s.service),
            Ok(ServiceKey::Fwmark {
                mark: 7,
                family: Family::Inet6
            })
        );
    }

    #[test]
    fn refusals_are_ipvsadms() {
        assert_eq!(
            sel("-t 198.51.100.10:http:x").map_err(|e| e.to_string()),
            Err("illegal virtual server address[:port] specified".to_string())
        );
        assert!(matches!(
            sel("-A -t 198.51.100.10:80"),
            Err(RuleError::MisplacedOption { .. })
        ));
        assert!(sel("-t 198.51.100.10:80 -w 3").is_err());
        assert!(sel("").is_err());
    }
}
