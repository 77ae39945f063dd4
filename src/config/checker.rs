//! Health checkers inside `real_server { }`: TCP_CHECK, HTTP_GET/SSL_GET, MISC_CHECK,
//! DNS_CHECK, SMTP_CHECK, UDP_CHECK, PING_CHECK, and the timing options they share.

use std::net::IpAddr;
use std::ops::RangeInclusive;
use std::time::Duration;

use super::diag::{Diagnostics, Location};
use super::tree::Item;
use super::value as v;

/// Timing options that a virtual server or real server sets for the checkers below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckDefaults {
    pub connect_timeout: Option<Duration>,
    pub retry: Option<u32>,
    pub delay_before_retry: Option<Duration>,
    pub warmup: Option<Duration>,
    /// 60 s at the virtual server unless set.
    pub delay_loop: Duration,
    pub alpha: bool,
}

impl Default for CheckDefaults {
    fn default() -> Self {
        CheckDefaults {
            connect_timeout: None,
            retry: None,
            delay_before_retry: None,
            warmup: None,
            delay_loop: Duration::from_secs(60),
            alpha: false,
        }
    }
}

const TIMER_MAX: Duration = Duration::from_secs(1000);

/// Handles a timing keyword shared by virtual servers, real servers and checkers.
pub fn common_keyword(c: &Item, defaults: &mut CheckDefaults, d: &mut Diagnostics) -> bool {
    match c.keyword.as_str() {
        "connect_timeout" => {
            defaults.connect_timeout =
                v::timer(c, Duration::from_millis(1), TIMER_MAX, d).or(defaults.connect_timeout)
        }
        "retry" | "nb_get_retry" => {
            defaults.retry = v::uint(c, 0, u64::from(u32::MAX), d)
                .map(|n| n as u32)
                .or(defaults.retry)
        }
        "delay_before_retry" => {
            defaults.delay_before_retry =
                v::timer(c, Duration::ZERO, TIMER_MAX, d).or(defaults.delay_before_retry)
        }
        "warmup" => defaults.warmup = v::timer(c, Duration::ZERO, TIMER_MAX, d).or(defaults.warmup),
        "delay_loop" => {
            if let Some(t) = v::timer(c, Duration::from_millis(1), TIMER_MAX, d) {
                defaults.delay_loop = t;
            }
        }
        "alpha" => defaults.alpha = v::boolean(c, d).unwrap_or(defaults.alpha),
        _ => return false,
    }
    true
}

/// Options every checker has, with keepalived's defaults applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckCommon {
    /// Default: the real server's address.
    pub connect_ip: Option<IpAddr>,
    /// Default: the real server's port.
    pub connect_port: Option<u16>,
    pub bindto: Option<IpAddr>,
    pub bind_port: Option<u16>,
    /// 5 s.
    pub connect_timeout: Duration,
    /// 1; 3 for DNS_CHECK; 0 for MISC_CHECK.
    pub retry: u32,
    /// 1 s; 3 s for HTTP_GET/SSL_GET; delay_loop for DNS_CHECK.
    pub delay_before_retry: Duration,
    /// Random start delay up to this; defaults to delay_loop.
    pub warmup: Duration,
    pub delay_loop: Duration,
    pub alpha: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    pub path: String,
    /// Lower-case MD5 hex of the body.
    pub digest: Option<String>,
    /// 200-299 when not given.
    pub status_codes: Vec<RangeInclusive<u16>>,
    pub virtualhost: Option<String>,
    pub regex: Option<String>,
    pub at: Location,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpCheck {
    pub ssl: bool,
    pub urls: Vec<Url>,
    /// 1.0, 1.0C or 1.1; keepalived's default is 1.0.
    pub http_protocol: Option<String>,
    pub virtualhost: Option<String>,
    pub enable_sni: bool,
    pub sni_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MiscCheck {
    pub path: String,
    /// Defaults to delay_loop.
    pub timeout: Option<Duration>,
    pub dynamic: bool,
    pub user: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckerKind {
    Tcp,
    Http(HttpCheck),
    Misc(MiscCheck),
    /// Query type (SOA default) and name ("." default).
    Dns {
        query_type: String,
        name: String,
    },
    Smtp {
        helo_name: Option<String>,
    },
    /// Payload bytes to send; `require_reply` bytes that the reply must start with
    /// (`Some(empty)` = any reply).
    Udp {
        payload: Option<Vec<u8>>,
        require_reply: Option<Vec<u8>>,
    },
    Ping,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checker {
    pub kind: CheckerKind,
    pub common: CheckCommon,
    pub at: Location,
}

impl Checker {
    /// The keyword that declared it.
    pub fn name(&self) -> &'static str {
        match &self.kind {
            CheckerKind::Tcp => "TCP_CHECK",
            CheckerKind::Http(h) if h.ssl => "SSL_GET",
            CheckerKind::Http(_) => "HTTP_GET",
            CheckerKind::Misc(_) => "MISC_CHECK",
            CheckerKind::Dns { .. } => "DNS_CHECK",
            CheckerKind::Smtp { .. } => "SMTP_CHECK",
            CheckerKind::Udp { .. } => "UDP_CHECK",
            CheckerKind::Ping => "PING_CHECK",
        }
    }
}

/// Whether `keyword` names a checker block this module reads.
pub fn is_checker(keyword: &str) -> bool {
    matches!(
        keyword,
        "TCP_CHECK"
            | "HTTP_GET"
            | "SSL_GET"
            | "MISC_CHECK"
            | "DNS_CHECK"
            | "SMTP_CHECK"
            | "UDP_CHECK"
            | "PING_CHECK"
    )
}

fn hex_bytes(c: &Item, s: &str, d: &mut Diagnostics) -> Option<Vec<u8>> {
    let s = s.strip_prefix("0x").unwrap_or(s);
    let ok = s.len().is_multiple_of(2) && s.bytes().all(|b| b.is_ascii_hexdigit());
    let bytes = ok.then(|| {
        (0..s.len())
            .step_by(2)
            .filter_map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
            .collect::<Vec<u8>>()
    });
    if bytes.is_none() {
        d.error(&c.at, format!("'{}' needs hex bytes, not '{s}'", c.keyword));
    }
    bytes
}

fn status_codes(c: &Item, d: &mut Diagnostics) -> Vec<RangeInclusive<u16>> {
    let mut out = Vec::new();
    if c.args.is_empty() {
        d.error(&c.at, "'status_code' needs a value");
    }
    for a in &c.args {
        let (lo, hi) = a.split_once('-').unwrap_or((a, a));
        match (v::parse_u64(lo), v::parse_u64(hi)) {
            (Some(lo), Some(hi)) if (100..=599).contains(&lo) && (lo..=599).contains(&hi) => {
                out.push(lo as u16..=hi as u16)
            }
            _ => d.error(
                &c.at,
                format!("'status_code' needs codes or ranges within 100-599, not '{a}'"),
            ),
        }
    }
    out
}

fn parse_url(c: &Item, d: &mut Diagnostics) -> Option<Url> {
    let mut url = Url {
        path: String::new(),
        digest: None,
        status_codes: Vec::new(),
        virtualhost: None,
        regex: None,
        at: c.at.clone(),
    };
    for u in v::block(c, d) {
        match u.keyword.as_str() {
            "path" => url.path = v::string(u, d).unwrap_or_default(),
            "digest" => match v::string(u, d) {
                Some(h) if h.len() == 32 && h.bytes().all(|b| b.is_ascii_hexdigit()) => {
                    url.digest = Some(h.to_ascii_lowercase())
                }
                Some(h) => d.error(
                    &u.at,
                    format!("'digest' must be 32 hex digits (MD5), not '{h}'"),
                ),
                None => {}
            },
            "status_code" => url.status_codes.extend(status_codes(u, d)),
            "virtualhost" => url.virtualhost = v::string(u, d),
            "regex" => url.regex = v::string(u, d),
            _ => v::unsupported(u, "url", d),
        }
    }
    if url.path.is_empty() {
        d.error(&c.at, "url has no 'path'");
        return None;
    }
    if url.status_codes.is_empty() && url.digest.is_none() {
        url.status_codes.push(200..=299);
    }
    Some(url)
}

/// Reads a checker block; `inherited` carries the server-level timing defaults.
pub fn parse(item: &Item, inherited: &CheckDefaults, d: &mut Diagnostics) -> Option<Checker> {
    v::extra(item, 0, d);
    let kw = item.keyword.as_str();
    let mut own = inherited.clone();
    let mut common = CheckCommon {
        connect_ip: None,
        connect_port: None,
        bindto: None,
        bind_port: None,
        connect_timeout: Duration::ZERO,
        retry: 0,
        delay_before_retry: Duration::ZERO,
        warmup: Duration::ZERO,
        delay_loop: Duration::ZERO,
        alpha: false,
    };
    let mut http = HttpCheck {
        ssl: kw == "SSL_GET",
        urls: Vec::new(),
        http_protocol: None,
        virtualhost: None,
        enable_sni: false,
        sni_name: None,
    };
    let mut misc = MiscCheck {
        path: String::new(),
        timeout: None,
        dynamic: false,
        user: None,
    };
    let (mut dns_type, mut dns_name) = ("SOA".to_string(), ".".to_string());
    let mut helo = None;
    let (mut payload, mut reply) = (None, None);
    let is_http = kw == "HTTP_GET" || kw == "SSL_GET";
    for c in v::block(item, d) {
        if common_keyword(c, &mut own, d) {
            continue;
        }
        match (kw, c.keyword.as_str()) {
            (_, "connect_ip") => common.connect_ip = v::ip(c, d),
            (_, "connect_port") => common.connect_port = v::port(c, d),
            (_, "bindto") => common.bindto = v::ip(c, d),
            (_, "bind_port") => common.bind_port = v::port(c, d),
            (_, "url") if is_http => http.urls.extend(parse_url(c, d)),
            (_, "http_protocol") if is_http => match v::string(c, d) {
                Some(p) if ["1.0", "1.0C", "1.1"].contains(&p.as_str()) => {
                    http.http_protocol = Some(p)
                }
                Some(p) => d.error(
                    &c.at,
                    format!("'http_protocol' must be 1.0, 1.0C or 1.1, not '{p}'"),
                ),
                None => {}
            },
            (_, "virtualhost") if is_http => http.virtualhost = v::string(c, d),
            ("SSL_GET", "enable_sni") => http.enable_sni = v::boolean(c, d).unwrap_or(true),
            ("SSL_GET", "sni_name") => http.sni_name = v::string(c, d),
            ("MISC_CHECK", "misc_path") => {
                if let Some(s) = v::script(c, d) {
                    misc.path = s.command;
                    misc.user = s.user.or(misc.user.take());
                }
            }
            ("MISC_CHECK", "misc_timeout") => {
                misc.timeout = v::uint(c, 1, 1000, d).map(Duration::from_secs)
            }
            ("MISC_CHECK", "misc_dynamic") => misc.dynamic = v::boolean(c, d).unwrap_or(true),
            ("MISC_CHECK", "user") => {
                v::extra(c, 2, d);
                misc.user = v::need(c, 0, d).map(|u| match c.arg(1) {
                    Some(g) => format!("{u}:{g}"),
                    None => u.to_string(),
                });
            }
            ("DNS_CHECK", "type") => match v::string(c, d) {
                Some(t)
                    if ["A", "NS", "CNAME", "SOA", "MX", "TXT", "AAAA"]
                        .contains(&t.to_ascii_uppercase().as_str()) =>
                {
                    dns_type = t.to_ascii_uppercase()
                }
                Some(t) => d.error(
                    &c.at,
                    format!("'type' must be A, NS, CNAME, SOA, MX, TXT or AAAA, not '{t}'"),
                ),
                None => {}
            },
            ("DNS_CHECK", "name") => dns_name = v::string(c, d).unwrap_or(dns_name),
            ("SMTP_CHECK", "helo_name") => helo = v::string(c, d),
            ("UDP_CHECK", "payload") => payload = v::string(c, d).and_then(|s| hex_bytes(c, &s, d)),
            ("UDP_CHECK", "require_reply") => {
                v::extra(c, 1, d);
                reply = match c.arg(0) {
                    None => Some(Vec::new()),
                    Some(s) => hex_bytes(c, s, d),
                };
            }
            _ => v::unsupported(c, kw, d),
        }
    }
    let kind = match kw {
        "TCP_CHECK" => CheckerKind::Tcp,
        "HTTP_GET" | "SSL_GET" => {
            if http.urls.is_empty() {
                d.error(&item.at, format!("{kw} has no url"));
            }
            CheckerKind::Http(http)
        }
        "MISC_CHECK" => {
            if misc.path.is_empty() {
                d.error(&item.at, "MISC_CHECK has no misc_path");
                return None;
            }
            CheckerKind::Misc(misc)
        }
        "DNS_CHECK" => CheckerKind::Dns {
            query_type: dns_type,
            name: dns_name,
        },
        "SMTP_CHECK" => CheckerKind::Smtp { helo_name: helo },
        "UDP_CHECK" => CheckerKind::Udp {
            payload,
            require_reply: reply,
        },
        _ => CheckerKind::Ping,
    };
    let retry_default = match kw {
        "DNS_CHECK" => 3,
        "MISC_CHECK" => 0,
        _ => 1,
    };
    let dbr_default = match kw {
        "HTTP_GET" | "SSL_GET" => Duration::from_secs(3),
        "DNS_CHECK" => own.delay_loop,
        _ => Duration::from_secs(1),
    };
    common.connect_timeout = own.connect_timeout.unwrap_or(Duration::from_secs(5));
    common.retry = own.retry.unwrap_or(retry_default);
    common.delay_before_retry = own.delay_before_retry.unwrap_or(dbr_default);
    common.delay_loop = own.delay_loop;
    common.warmup = own.warmup.unwrap_or(own.delay_loop);
    common.alpha = own.alpha;
    Some(Checker {
        kind,
        common,
        at: item.at.clone(),
    })
}
