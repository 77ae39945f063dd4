//! The daemon's control protocol: one JSON object per line each way, a request then its
//! reply. Servers and drift entries are named as ipvsadm names them
//! (`-t 198.51.100.10:80 -r 127.0.0.1:8081`, `-f 1`), so an operator can type them.
//!
//! ```text
//! {"cmd":"status"}
//! {"cmd":"drain","server":"-t 198.51.100.10:80 -r 127.0.0.1:8081"}
//! {"cmd":"undrain","server":"..."}   {"cmd":"disable","server":"..."}
//! {"cmd":"reconcile","entry":"-t 198.51.100.10:80 -r 127.0.0.1:8081"}  (no entry: all)
//! {"cmd":"keep","entry":"-t 198.51.100.10:80"}                          (no entry: all)
//! {"cmd":"give_up","instance":"VI_1"}                 (priority 0, BACKUP for 30 s)
//! {"cmd":"priority","instance":"VI_1","priority":50,"for_secs":30}
//! ```

use serde::{Deserialize, Serialize};

use crate::adm::resolver::SystemResolver;
use crate::engine::ipvs::desired::ServerId;
use crate::engine::ipvs::drift::DriftKey;
use crate::rules::{parse_selector, RuleError};

/// Longest request or reply line read (a status of thousands of servers fits).
pub const MAX_LINE: usize = 16 << 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case", deny_unknown_fields)]
pub enum Request {
    Status,
    Drain {
        server: String,
    },
    Disable {
        server: String,
    },
    Undrain {
        server: String,
    },
    Reconcile {
        #[serde(default)]
        entry: Option<String>,
    },
    Keep {
        #[serde(default)]
        entry: Option<String>,
    },
    /// VRRP drill: advertise priority 0 if master, then stay BACKUP for `for_secs`
    /// ([`DRILL_SECS`] when absent) — the console's give-up drill.
    GiveUp {
        instance: String,
        #[serde(default)]
        for_secs: Option<u64>,
    },
    /// VRRP drill: run at `priority` (1..=254) for `for_secs` ([`DRILL_SECS`] when
    /// absent), then at the configured one again — the console's raise/lower drill.
    Priority {
        instance: String,
        priority: u8,
        #[serde(default)]
        for_secs: Option<u64>,
    },
}

/// How long a drill lasts when the request does not say (the console's default).
pub const DRILL_SECS: u64 = 30;
/// The longest drill (the console's bound).
pub const DRILL_MAX_SECS: u64 = 3600;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "snake_case")]
pub enum Reply {
    Done {
        message: String,
        /// For an operator command: the ipvsadm lines the health policy applied for it
        /// (replayable, for the caller's audit log).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        applied: Vec<String>,
    },
    Status(Box<StatusReply>),
    Error {
        message: String,
    },
}

/// The daemon's health picture.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusReply {
    /// Unix seconds when it was taken.
    pub wall_secs: Option<u64>,
    pub servers: Vec<ServerReport>,
    pub drift: Vec<DriftReport>,
    pub reconciler_error: Option<String>,
    /// The VRRP instances the daemon runs (absent from older daemons' replies).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vrrp: Vec<VrrpReport>,
    /// Connection sync, when configured or when the kernel runs sync daemons (absent from
    /// older daemons' replies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync: Option<SyncReport>,
    /// The daemon's configuration file, as a path a peer can read and digest (absent from
    /// older daemons' replies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
}

/// Connection sync on the daemon's director.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncReport {
    /// The configuration's `lvs_sync_daemon ...` as it runs (sync id resolved); absent
    /// when the kernel runs daemons the configuration does not ask for.
    #[serde(default)]
    pub setting: Option<String>,
    /// The VRRP instance the daemons follow, and its state.
    #[serde(default)]
    pub instance: Option<String>,
    #[serde(default)]
    pub instance_state: Option<String>,
    /// The roles the configuration wants now: `master`, `backup`.
    #[serde(default)]
    pub wanted: Vec<String>,
    /// The daemons the kernel runs.
    #[serde(default)]
    pub daemons: Vec<SyncDaemonReport>,
    /// Connection entries this director scheduled / received from the peer's master
    /// daemon (/proc/net/ip_vs_conn_sync's Origin column).
    #[serde(default)]
    pub local_connections: Option<u64>,
    #[serde(default)]
    pub synced_connections: Option<u64>,
    #[serde(default)]
    pub error: Option<String>,
}

/// One kernel sync daemon as `ipvsadm -L --daemon` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncDaemonReport {
    /// `master` or `backup`.
    pub role: String,
    pub interface: String,
    pub syncid: u32,
    #[serde(default)]
    pub maxlen: Option<u16>,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub ttl: Option<u8>,
}

/// One running VRRP instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VrrpReport {
    pub name: String,
    pub interface: String,
    pub vrid: u8,
    /// `MASTER`, `BACKUP`, `FAULT` or `INIT`.
    pub state: String,
    pub configured_priority: u8,
    pub effective_priority: u8,
    /// The last master heard (ourselves when master) and its advertised priority.
    #[serde(default)]
    pub master: Option<String>,
    #[serde(default)]
    pub master_priority: Option<u8>,
    /// `198.51.100.10/32`, `... dev eth1` for one on another interface.
    #[serde(default)]
    pub vips: Vec<String>,
    pub in_state_ms: u64,
    /// Adverts dropped by the checks, all reasons together.
    #[serde(default)]
    pub rejected: u64,
}

/// Why a server is where it is (`engine::Why`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WhyReport {
    Weight { weight: u32 },
    CheckerDown,
    Inhibited,
    OperatorDrained,
    OperatorDisabled,
    SorryServerInstead,
    SorryServer { active: bool },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerReport {
    /// `virtual_server` as written in the configuration.
    pub virtual_server: String,
    /// Kernel services (`-t 198.51.100.10:80`).
    pub services: Vec<String>,
    /// `-t 198.51.100.10:80 -r 127.0.0.1:8081`: what drain/undrain take.
    pub server: String,
    pub why: WhyReport,
    /// Plain words for `why`.
    pub reason: String,
    /// `up`/`down`; absent for a sorry server (not checked).
    pub health: Option<String>,
    /// `auto`, `drain` or `disable`.
    pub intent: Option<String>,
    /// Weight the checks give it.
    pub weight: Option<u32>,
    /// Weight in the table as the policy wants it; absent when out.
    pub in_table: Option<u32>,
    pub checkers: Vec<CheckerReport>,
    /// Newest last.
    pub transitions: Vec<TransitionReport>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckerReport {
    pub name: String,
    pub up: bool,
    /// `ok HTTP 200` / `FAILED connection refused`.
    pub last: Option<String>,
    pub last_ok: Option<bool>,
    pub last_ago_ms: Option<u64>,
    pub latency_ms: Option<u64>,
    pub consecutive_failures: u32,
    pub next_in_ms: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransitionReport {
    pub ago_ms: u64,
    pub health: String,
    pub intent: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriftReport {
    /// `-t 198.51.100.10:80 -r 127.0.0.1:8081` (or the service alone).
    pub entry: String,
    pub expected: Option<String>,
    pub found: Option<String>,
    /// The ipvsadm line that reverts it.
    pub revert: String,
    pub kept: bool,
}

/// Why a request, a reply or a name in one was refused; the text is what the operator (or
/// the peer's log) reads, and names what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ControlError {
    #[error("empty request line")]
    EmptyRequest,
    #[error("bad request (column {column}): {message}; expected e.g. {{\"cmd\":\"status\"}}")]
    BadRequest { column: usize, message: String },
    #[error("bad reply from the daemon: {0}")]
    BadReply(String),
    /// A service or server not named as ipvsadm names them.
    #[error("`{text}`: {source}")]
    Selector {
        text: String,
        #[source]
        source: RuleError,
    },
    #[error("`{0}`: name the real server with -r ADDR:PORT")]
    NoServer(String),
    /// `lvsdeck control`'s short forms.
    #[error("{0}")]
    Usage(String),
}

/// One request line.
pub fn parse_request(line: &str) -> Result<Request, ControlError> {
    let line = line.trim();
    if line.is_empty() {
        return Err(ControlError::EmptyRequest);
    }
    serde_json::from_str(line).map_err(|e| ControlError::BadRequest {
        column: e.column(),
        message: e.to_string(),
    })
}

/// One reply line.
pub fn parse_reply(line: &str) -> Result<Reply, ControlError> {
    serde_json::from_str(line.trim()).map_err(|e| ControlError::BadReply(e.to_string()))
}

/// `value` as one line (JSON escapes any newline in strings).
pub fn to_line<T: Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string(value).unwrap_or_else(|e| {
        format!("{{\"reply\":\"error\",\"message\":\"cannot encode the reply: {e}\"}}")
    });
    s.push('\n');
    s
}

/// A drift entry or a service named as ipvsadm does (`-t 198.51.100.10:80 -r 10.0.0.1:80`).
pub fn parse_entry(text: &str) -> Result<DriftKey, ControlError> {
    let words = text.trim();
    parse_selector(words, &SystemResolver)
        .map(|s| DriftKey {
            service: s.service,
            server: s.server,
        })
        .map_err(|source| ControlError::Selector {
            text: words.to_string(),
            source,
        })
}

/// A real server named as ipvsadm does (`-t 198.51.100.10:80 -r 127.0.0.1:8081`).
pub fn parse_server(text: &str) -> Result<ServerId, ControlError> {
    let k = parse_entry(text)?;
    match k.server {
        Some((addr, port)) => Ok(ServerId {
            service: k.service,
            addr,
            port,
        }),
        None => Err(ControlError::NoServer(text.trim().to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_round_trip() {
        let all = [
            Request::Status,
            Request::Drain {
                server: "-t 198.51.100.10:80 -r 127.0.0.1:8081".into(),
            },
            Request::Disable { server: "x".into() },
            Request::Undrain { server: "x".into() },
            Request::Reconcile { entry: None },
            Request::Keep {
                entry: Some("-f 1".into()),
            },
            Request::GiveUp {
                instance: "VI_1".into(),
                for_secs: None,
            },
            Request::Priority {
                instance: "VI_1".into(),
                priority: 50,
                for_secs: Some(30),
            },
        ];
        for r in all {
            let line = to_line(&r);
            assert!(line.ends_with('\n') && line.matches('\n').count() == 1);
            assert_eq!(parse_request(&line), Ok(r));
        }
        assert_eq!(
            parse_request(r#"{"cmd":"reconcile"}"#),
            Ok(Request::Reconcile { entry: None })
        );
        assert_eq!(
            parse_request(r#"{"cmd":"give_up","instance":"VI_1"}"#),
            Ok(Request::GiveUp {
                instance: "VI_1".into(),
                for_secs: None
            })
        );
        let e = parse_request(r#"{"cmd":"priority","instance":"VI_1","priority":300}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("300"), "{e}");
    }

    #[test]
    fn replies_round_trip() {
        let status = StatusReply {
            wall_secs: Some(1),
            servers: vec![ServerReport {
                virtual_server: "198.51.100.10 80".into(),
                services: vec!["-t 198.51.100.10:80".into()],
                server: "-t 198.51.100.10:80 -r 127.0.0.1:8081".into(),
                why: WhyReport::OperatorDrained,
                reason: "drained\nby the operator".into(),
                health: Some("up".into()),
                intent: Some("drain".into()),
                weight: Some(2),
                in_table: Some(0),
                checkers: vec![CheckerReport {
                    name: "TCP_CHECK".into(),
                    up: true,
                    last: Some("ok connected".into()),
                    last_ok: Some(true),
                    last_ago_ms: Some(300),
                    latency_ms: Some(1),
                    consecutive_failures: 0,
                    next_in_ms: Some(700),
                }],
                transitions: vec![],
            }],
            drift: vec![],
            reconciler_error: None,
            vrrp: vec![VrrpReport {
                name: "VI_1".into(),
                interface: "veth0".into(),
                vrid: 51,
                state: "MASTER".into(),
                configured_priority: 100,
                effective_priority: 90,
                master: Some("198.51.100.1".into()),
                master_priority: Some(90),
                vips: vec![
                    "198.51.100.10/32".into(),
                    "2001:db8::10/128 dev eth1".into(),
                ],
                in_state_ms: 4200,
                rejected: 3,
            }],
            sync: Some(SyncReport {
                setting: Some("lvs_sync_daemon eth0 VI_1 id 7".into()),
                instance: Some("VI_1".into()),
                instance_state: Some("MASTER".into()),
                wanted: vec!["master".into()],
                daemons: vec![SyncDaemonReport {
                    role: "master".into(),
                    interface: "eth0".into(),
                    syncid: 7,
                    maxlen: Some(1472),
                    group: Some("224.0.0.81".into()),
                    port: Some(8848),
                    ttl: Some(1),
                }],
                local_connections: Some(12),
                synced_connections: Some(0),
                error: None,
            }),
            config: Some("/etc/keepalived/keepalived.conf".into()),
        };
        for r in [
            Reply::Done {
                message: "ok".into(),
                applied: vec!["-e -t 198.51.100.10:80 -r 127.0.0.1:8081 -m -w 0".into()],
            },
            Reply::Done {
                message: "ok".into(),
                applied: vec![],
            },
            Reply::Error {
                message: "no".into(),
            },
            Reply::Status(Box::new(status)),
        ] {
            let line = to_line(&r);
            assert_eq!(line.matches('\n').count(), 1, "{line}");
            assert_eq!(parse_reply(&line), Ok(r));
        }
    }

    #[test]
    fn older_status_replies_without_vrrp_still_parse() {
        let old =
            r#"{"reply":"status","wall_secs":5,"servers":[],"drift":[],"reconciler_error":null}"#;
        match parse_reply(old) {
            Ok(Reply::Status(s)) => {
                assert!(s.vrrp.is_empty());
                assert!(s.sync.is_none());
                assert_eq!(s.wall_secs, Some(5));
            }
            other => panic!("{other:?}"),
        }
        // A minimal instance entry: the optional fields default.
        let line = r#"{"reply":"status","wall_secs":null,"servers":[],"drift":[],"reconciler_error":null,"vrrp":[{"name":"VI_1","interface":"veth0","vrid":51,"state":"BACKUP","configured_priority":100,"effective_priority":100,"in_state_ms":10}]}"#;
        match parse_reply(line) {
            Ok(Reply::Status(s)) => {
                assert_eq!(s.vrrp.len(), 1);
                assert_eq!(s.vrrp[0].master, None);
                assert!(s.vrrp[0].vips.is_empty());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_lines_are_refused_with_a_reason() {
        let e = parse_request("drain 1.2.3.4").unwrap_err().to_string();
        assert!(e.starts_with("bad request (column 1)"), "{e}");
        let e = parse_request(r#"{"cmd":"explode"}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown variant `explode`"), "{e}");
        let e = parse_request(r#"{"cmd":"drain"}"#).unwrap_err().to_string();
        assert!(e.contains("missing field `server`"), "{e}");
        let e = parse_request(r#"{"cmd":"drain","server":"-f 1","x":1}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown field `x`"), "{e}");
        assert_eq!(parse_request("  ").unwrap_err(), ControlError::EmptyRequest);
    }

    #[test]
    fn servers_and_entries_by_their_ipvsadm_names() {
        let s = parse_server("-t 198.51.100.10:80 -r 127.0.0.1:8081").unwrap();
        assert_eq!(s.port, 8081);
        assert_eq!(
            crate::engine::health::operator::server_text(&s),
            "-t 198.51.100.10:80 -r 127.0.0.1:8081"
        );
        let k = parse_entry("-f 1").unwrap();
        assert!(k.server.is_none());
        assert_eq!(k.to_string(), "-f 1");
        let e = parse_server("-t 198.51.100.10:80").unwrap_err();
        assert_eq!(e, ControlError::NoServer("-t 198.51.100.10:80".into()));
        assert!(e.to_string().contains("name the real server"), "{e}");
        assert!(matches!(
            parse_entry("-t nonsense:port:x"),
            Err(ControlError::Selector { .. })
        ));
        // The drift key's display is what parse_entry reads back.
        let k = parse_entry("-u [2001:db8::1]:53 -r [2001:db8::2]:53").unwrap();
        assert_eq!(parse_entry(&k.to_string()), Ok(k));
    }
}
