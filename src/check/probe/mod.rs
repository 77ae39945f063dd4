//! One configured checker ready to run: where it connects and what it asks.

pub mod dns;
pub mod http;
pub mod misc;
pub mod ping;
pub mod smtp;
pub mod target;
pub mod tcp;
pub mod tls;
pub mod udp;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use regex::bytes::Regex;
use tokio_rustls::TlsConnector;

use crate::config::{Checker, CheckerKind};

use self::http::{HttpSpec, Tls, UrlSpec};
use self::misc::MiscSpec;
use self::target::Target;
use super::Outcome;

#[derive(Debug, Clone)]
pub enum Probe {
    Tcp,
    Http(Arc<HttpSpec>),
    Misc(MiscSpec),
    Dns {
        qtype: u16,
        name: String,
    },
    Udp {
        payload: Vec<u8>,
        require_reply: Option<Vec<u8>>,
    },
    Smtp {
        helo: String,
    },
    Ping,
}

#[derive(Debug, Clone)]
pub struct Check {
    pub target: Target,
    pub probe: Probe,
}

impl Check {
    pub async fn run(&self) -> Outcome {
        let t = &self.target;
        match &self.probe {
            Probe::Tcp => tcp::check(t).await,
            Probe::Http(h) => http::check(t, h).await,
            Probe::Misc(m) => misc::check(m).await,
            Probe::Dns { qtype, name } => dns::check(t, *qtype, name).await,
            Probe::Udp {
                payload,
                require_reply,
            } => udp::check(t, payload, require_reply.as_deref()).await,
            Probe::Smtp { helo } => smtp::check(t, helo).await,
            Probe::Ping => ping::check(t).await,
        }
    }
}

/// Where the check's defaults come from besides the checker block.
pub struct Context<'a> {
    pub addr: IpAddr,
    pub port: u16,
    /// real_server's, else virtual_server's `virtualhost`.
    pub virtualhost: Option<&'a str>,
    pub helo: &'a str,
    pub tls: Option<&'a TlsConnector>,
    /// global_defs' `script_user` (`user[:group]`), for MISC_CHECK without its own `user`.
    pub script_user: Option<&'a str>,
}

/// The runnable form of a parsed checker, or why it cannot run.
pub fn from_config(c: &Checker, cx: &Context<'_>) -> Result<Check, String> {
    let target = Target::from_common(&c.common, cx.addr, cx.port);
    let probe = match &c.kind {
        CheckerKind::Tcp => Probe::Tcp,
        CheckerKind::Http(h) => {
            let mut urls = Vec::new();
            for u in &h.urls {
                let regex = match &u.regex {
                    Some(r) => Some(Regex::new(r).map_err(|e| format!("regex {r}: {e}"))?),
                    None => None,
                };
                urls.push(UrlSpec {
                    path: u.path.clone(),
                    digest: u.digest.clone(),
                    status_codes: u.status_codes.clone(),
                    virtualhost: u.virtualhost.clone(),
                    regex,
                });
            }
            let virtualhost = h.virtualhost.clone().or(cx.virtualhost.map(String::from));
            let tls = if h.ssl {
                let connector = cx.tls.ok_or("no TLS client available")?.clone();
                let sni = h
                    .enable_sni
                    .then(|| h.sni_name.clone().or(virtualhost.clone()))
                    .flatten();
                Some(Tls { connector, sni })
            } else {
                None
            };
            Probe::Http(Arc::new(HttpSpec {
                urls,
                virtualhost,
                version: if h.http_protocol.as_deref() == Some("1.1") {
                    "1.1"
                } else {
                    "1.0"
                },
                tls,
            }))
        }
        CheckerKind::Misc(m) => {
            let mut spec = MiscSpec::new(
                &m.path,
                m.timeout
                    .unwrap_or(c.common.delay_loop)
                    .max(Duration::from_millis(1)),
                m.dynamic,
            )
            .ok_or_else(|| format!("misc_path '{}' cannot be split into words", m.path))?;
            if let Some(u) = m.user.as_deref().or(cx.script_user) {
                // keepalived leaves out a script whose user or group is unknown.
                spec.who = Some(
                    crate::linux::script::resolve(u)
                        .ok_or_else(|| format!("unknown user or group '{u}'"))?,
                );
            }
            Probe::Misc(spec)
        }
        CheckerKind::Dns { query_type, name } => Probe::Dns {
            qtype: dns::qtype(query_type).ok_or_else(|| format!("DNS type {query_type}"))?,
            name: name.clone(),
        },
        CheckerKind::Udp {
            payload,
            require_reply,
        } => Probe::Udp {
            payload: payload.clone().unwrap_or_default(),
            require_reply: require_reply.clone(),
        },
        CheckerKind::Smtp { helo_name } => Probe::Smtp {
            helo: helo_name.clone().unwrap_or_else(|| cx.helo.to_string()),
        },
        CheckerKind::Ping => Probe::Ping,
    };
    Ok(Check { target, probe })
}
