//! The stream `lvsdeck serve --stdio` speaks: one JSON object per line each way. The
//! serving end says hello (version, capabilities), then sends a snapshot of its picture,
//! then only the changes, each with a sequence number and its own clock, and a heartbeat
//! when nothing changed, so the watching end can tell a quiet director from a gone one.
//! The watching end sends requests (the control protocol's, with an id) and may ask for a
//! new snapshot. Unknown fields are ignored and unknown frame types skipped, so either end
//! may be newer; a line longer than [`MAX_FRAME`] or not JSON is refused with the reason.
//!
//! ```text
//! < {"t":"hello","version":1,"capabilities":["changes","commands"],"host":"lb2","read_only":false}
//! > {"t":"hello","version":1,"from":"alice@lb1"}
//! < {"t":"snapshot","seq":1,"clock_ms":5031,"state":{"items":{...}}}
//! < {"t":"changes","seq":2,"clock_ms":6031,"upsert":{...},"remove":[...]}
//! < {"t":"heartbeat","seq":3,"clock_ms":7031}
//! > {"t":"request","id":1,"request":{"cmd":"drain","server":"-t ... -r ..."}}
//! < {"t":"reply","id":1,"reply":{"reply":"done","message":"..."}}
//! > {"t":"apply","id":2,"lines":["-e -t 198.51.100.10:80 -r 192.0.2.21:80 -g -w 0"]}
//! < {"t":"reply","id":2,"reply":{"reply":"done","message":"applied 1 change","applied":[...]}}
//! ```
//!
//! `apply` carries ipvsadm lines (as `ipvsadm -R` reads them) that the serving end parses
//! with the rule language and applies itself, all or nothing, through its one IPVS client:
//! the control protocol has no kernel edits, and the console's edits of a peer are these.

use serde::{Deserialize, Serialize};

use super::delta::Changes;
use super::state::DirectorState;
use crate::engine::control::protocol::{Reply, Request};

/// The protocol's version; a peer with another major version is refused at hello.
pub const VERSION: u32 = 1;

/// Longest line either end reads: a snapshot of a 10,000 × 10 table fits.
pub const MAX_FRAME: usize = 64 << 20;

/// What the serving end can do, as named in its hello.
pub mod capability {
    /// Sends changes after the snapshot (else only snapshots).
    pub const CHANGES: &str = "changes";
    /// Takes control requests (absent when read-only).
    pub const COMMANDS: &str = "commands";
    /// A daemon runs there: VRRP, health, intent and drift are in the picture.
    pub const DAEMON: &str = "daemon";
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    pub version: u32,
    #[serde(default)]
    pub capabilities: Vec<String>,
    /// The director's host name.
    #[serde(default)]
    pub host: String,
    /// `serve --read-only`: every request is refused.
    #[serde(default)]
    pub read_only: bool,
    /// lvsdeck's version there.
    #[serde(default)]
    pub lvsdeck: String,
    /// How often it reads its picture (a frame comes at least this often), in ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_ms: Option<u64>,
}

/// A line from the serving end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum ServerFrame {
    Hello(Hello),
    Snapshot {
        seq: u64,
        /// The director's monotonic clock, in milliseconds since it started serving.
        clock_ms: u64,
        #[serde(default)]
        wall_secs: Option<u64>,
        /// The director's wall clock in milliseconds when the picture was read (a drill's
        /// timeline places each side's events by it).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        wall_ms: Option<u64>,
        state: DirectorState,
    },
    Changes {
        seq: u64,
        clock_ms: u64,
        #[serde(default)]
        wall_secs: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        wall_ms: Option<u64>,
        #[serde(flatten)]
        changes: Changes,
    },
    Heartbeat {
        seq: u64,
        clock_ms: u64,
    },
    Reply {
        id: u64,
        reply: Reply,
    },
    /// The serving end cannot go on (or refused a line): the reason, as it says it.
    Error {
        message: String,
    },
    #[serde(other)]
    Unknown,
}

/// A line from the watching end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum ClientFrame {
    Hello {
        version: u32,
        /// Who watches, `user@host`, for the serving director's audit log.
        #[serde(default)]
        from: String,
    },
    Request {
        id: u64,
        request: Request,
    },
    /// ipvsadm lines the serving end applies itself, all or nothing (a weight change, a
    /// drain of a server no checker owns); answered by a `reply` with the same id.
    Apply {
        id: u64,
        lines: Vec<String>,
    },
    /// Asks for a new snapshot (after a gap in the sequence).
    Resync,
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    #[error("line of {0} bytes is longer than the {MAX_FRAME}-byte limit")]
    TooLong(usize),
    #[error("not a frame (column {column}): {message}")]
    Bad { column: usize, message: String },
    #[error("protocol version {theirs} is not {VERSION}: upgrade lvsdeck on the older end")]
    Version { theirs: u32 },
}

fn parse<T: for<'de> Deserialize<'de>>(line: &str) -> Result<T, WireError> {
    if line.len() > MAX_FRAME {
        return Err(WireError::TooLong(line.len()));
    }
    serde_json::from_str(line.trim()).map_err(|e| WireError::Bad {
        column: e.column(),
        message: e.to_string(),
    })
}

pub fn parse_server_frame(line: &str) -> Result<ServerFrame, WireError> {
    parse(line)
}

pub fn parse_client_frame(line: &str) -> Result<ClientFrame, WireError> {
    parse(line)
}

/// Whether the other end's hello can be spoken to.
pub fn check_version(version: u32) -> Result<(), WireError> {
    if version == VERSION {
        Ok(())
    } else {
        Err(WireError::Version { theirs: version })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::control::protocol::to_line;

    #[test]
    fn frames_round_trip_and_unknowns_are_tolerated() {
        let frames = [
            ServerFrame::Hello(Hello {
                version: VERSION,
                capabilities: vec![capability::CHANGES.into()],
                host: "lb2".into(),
                read_only: true,
                lvsdeck: "0.1.0".into(),
                interval_ms: Some(1000),
            }),
            ServerFrame::Heartbeat {
                seq: 3,
                clock_ms: 7,
            },
            ServerFrame::Changes {
                seq: 2,
                clock_ms: 6,
                wall_secs: None,
                wall_ms: None,
                changes: Changes::default(),
            },
        ];
        for f in frames {
            assert_eq!(parse_server_frame(&to_line(&f)), Ok(f));
        }
        assert_eq!(
            parse_server_frame(r#"{"t":"hologram","x":1}"#),
            Ok(ServerFrame::Unknown)
        );
        assert_eq!(
            parse_server_frame(r#"{"t":"heartbeat","seq":1,"clock_ms":2,"new_field":true}"#),
            Ok(ServerFrame::Heartbeat {
                seq: 1,
                clock_ms: 2
            })
        );
        assert_eq!(
            parse_client_frame(r#"{"t":"request","id":1,"request":{"cmd":"status"}}"#),
            Ok(ClientFrame::Request {
                id: 1,
                request: Request::Status
            })
        );
    }

    #[test]
    fn apply_frames_carry_ipvsadm_lines() {
        let f = ClientFrame::Apply {
            id: 7,
            lines: vec!["-e -t 198.51.100.10:80 -r 192.0.2.21:80 -g -w 0".into()],
        };
        assert_eq!(parse_client_frame(&to_line(&f)), Ok(f));
        // A hello from an older end, without interval_ms, still parses.
        let h = parse_server_frame(r#"{"t":"hello","version":1}"#);
        assert!(matches!(
            h,
            Ok(ServerFrame::Hello(Hello {
                interval_ms: None,
                ..
            }))
        ));
    }

    #[test]
    fn bad_and_oversized_lines_are_refused() {
        assert!(matches!(
            parse_server_frame("{\"t\":"),
            Err(WireError::Bad { .. })
        ));
        let long = "x".repeat(MAX_FRAME + 1);
        assert_eq!(
            parse_client_frame(&long),
            Err(WireError::TooLong(MAX_FRAME + 1))
        );
        assert!(check_version(VERSION).is_ok());
        assert!(check_version(2)
            .unwrap_err()
            .to_string()
            .contains("upgrade"));
    }
}
