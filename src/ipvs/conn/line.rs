//! One line of /proc/net/ip_vs_conn (or ip_vs_conn_sync) into a connection.
//!
//! Kernel format (`ip_vs_conn_seq_show`): `Pro FromIP FPrt ToIP TPrt DestIP DPrt State Expires`
//! then, on kernels with persistence engines and only for entries that carry PE data,
//! ` PEName PEData`. Addresses are `%08X` (IPv4) or uncompressed `%pI6`; the destination may be
//! of the other family (tunnelled real servers). The sync variant prints an `Origin`
//! column (`LOCAL`/`SYNC`) before `Expires` and never the PE columns.

use std::fmt;
use std::net::IpAddr;

use thiserror::Error;

use crate::ipvs::model::Connection;
use crate::ipvs::procfs::hex;

/// A column of the connection table, named as the kernel's header names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Protocol,
    ClientAddr,
    ClientPort,
    VirtualAddr,
    VirtualPort,
    DestAddr,
    DestPort,
    State,
    Origin,
    Expires,
    PeName,
    PeData,
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Column::Protocol => "Pro",
            Column::ClientAddr => "FromIP",
            Column::ClientPort => "FPrt",
            Column::VirtualAddr => "ToIP",
            Column::VirtualPort => "TPrt",
            Column::DestAddr => "DestIP",
            Column::DestPort => "DPrt",
            Column::State => "State",
            Column::Origin => "Origin",
            Column::Expires => "Expires",
            Column::PeName => "PEName",
            Column::PeData => "PEData",
        })
    }
}

/// Why a line is not a connection.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConnParseError {
    /// The first line of the file; readers skip it.
    #[error("header line, not a connection")]
    Header,
    #[error("empty line")]
    Empty,
    #[error("column {0} is missing")]
    Missing(Column),
    #[error("column {column}: {value:?} is not {expected}")]
    Invalid {
        column: Column,
        value: String,
        expected: &'static str,
    },
    #[error("unexpected text after column {after}: {extra:?}")]
    Trailing { after: Column, extra: String },
}

/// Longest offending text kept in an error, so a garbage line cannot make a huge message.
const MAX_ERROR_TEXT: usize = 64;

fn clip(s: &str) -> String {
    match s.char_indices().nth(MAX_ERROR_TEXT) {
        Some((end, _)) => format!("{}...", &s[..end]),
        None => s.to_string(),
    }
}

fn invalid(column: Column, value: &str, expected: &'static str) -> ConnParseError {
    ConnParseError::Invalid {
        column,
        value: clip(value),
        expected,
    }
}

/// Where a connection entry came from, per /proc/net/ip_vs_conn_sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// Scheduled by this director.
    Local,
    /// Received from the master's sync daemon.
    Sync,
}

/// A line of /proc/net/ip_vs_conn_sync. Kept apart from `Connection` (the shared model has no
/// origin) rather than widening the model for one file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SyncConnection {
    pub conn: Connection,
    pub origin: Origin,
}

/// A parsed line borrowing its text: filters and counters look at it before anything is
/// allocated, which is what keeps a million-line scan fast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnFields<'a> {
    pub protocol: &'a str,
    pub client_addr: IpAddr,
    pub client_port: u16,
    pub virtual_addr: IpAddr,
    pub virtual_port: u16,
    pub dest_addr: IpAddr,
    pub dest_port: u16,
    pub state: &'a str,
    pub expires: u32,
    pub pe_name: Option<&'a str>,
    pub pe_data: Option<&'a str>,
}

impl<'a> ConnFields<'a> {
    /// A borrowed view of an owned connection, so one filter serves both.
    pub fn of(conn: &'a Connection) -> ConnFields<'a> {
        ConnFields {
            protocol: &conn.protocol,
            client_addr: conn.client_addr,
            client_port: conn.client_port,
            virtual_addr: conn.virtual_addr,
            virtual_port: conn.virtual_port,
            dest_addr: conn.dest_addr,
            dest_port: conn.dest_port,
            state: &conn.state,
            expires: conn.expires,
            pe_name: conn.pe_name.as_deref(),
            pe_data: conn.pe_data.as_deref(),
        }
    }

    pub fn to_connection(&self) -> Connection {
        Connection {
            protocol: self.protocol.to_string(),
            client_addr: self.client_addr,
            client_port: self.client_port,
            virtual_addr: self.virtual_addr,
            virtual_port: self.virtual_port,
            dest_addr: self.dest_addr,
            dest_port: self.dest_port,
            state: self.state.to_string(),
            expires: self.expires,
            pe_name: self.pe_name.map(str::to_string),
            pe_data: self.pe_data.map(str::to_string),
        }
    }
}

/// Whitespace-separated columns that can also hand back the rest of the line (PEData).
struct Columns<'a> {
    rest: &'a str,
}

impl<'a> Columns<'a> {
    /// Byte loops rather than `str` patterns: this is the hottest code of a table scan.
    fn next(&mut self) -> Option<&'a str> {
        let b = self.rest.as_bytes();
        let mut i = 0;
        while i < b.len() && matches!(b[i], b' ' | b'\t') {
            i += 1;
        }
        if i == b.len() || matches!(b[i], b'\n' | b'\r') {
            self.rest = "";
            return None;
        }
        let start = i;
        while i < b.len() && !matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
        }
        // Both ends sit next to ASCII bytes (or at the end): valid char boundaries.
        let token = &self.rest[start..i];
        self.rest = &self.rest[i..];
        Some(token)
    }

    fn take(&mut self, column: Column) -> Result<&'a str, ConnParseError> {
        self.next().ok_or(ConnParseError::Missing(column))
    }

    fn remainder(&mut self) -> &'a str {
        let s = self.rest.trim_matches([' ', '\t', '\n', '\r']);
        self.rest = "";
        s
    }
}

fn addr(cols: &mut Columns<'_>, column: Column) -> Result<IpAddr, ConnParseError> {
    let s = cols.take(column)?;
    hex::parse_addr(s).ok_or_else(|| invalid(column, s, "a hex IPv4 or full IPv6 address"))
}

fn port(cols: &mut Columns<'_>, column: Column) -> Result<u16, ConnParseError> {
    let s = cols.take(column)?;
    hex::parse_port(s).ok_or_else(|| invalid(column, s, "a 4-digit hex port"))
}

/// Seconds left. A timer already due prints as a wrapped `unsigned long`: that is 0 left.
fn expires(cols: &mut Columns<'_>) -> Result<u32, ConnParseError> {
    let s = cols.take(Column::Expires)?;
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(Column::Expires, s, "a decimal number of seconds"));
    }
    match s.parse::<u64>() {
        Ok(v) => Ok(u32::try_from(v).unwrap_or(0)),
        // More digits than a u64 holds: also a wrapped value.
        Err(_) if s.len() > 19 => Ok(0),
        Err(_) => Err(invalid(Column::Expires, s, "a decimal number of seconds")),
    }
}

/// The columns both files share, up to and including State.
fn common<'a>(line: &'a str) -> Result<(Columns<'a>, ConnFields<'a>), ConnParseError> {
    let mut cols = Columns { rest: line };
    let protocol = cols.next().ok_or(ConnParseError::Empty)?;
    if protocol == "Pro" {
        return Err(ConnParseError::Header);
    }
    let client_addr = addr(&mut cols, Column::ClientAddr)?;
    let client_port = port(&mut cols, Column::ClientPort)?;
    let virtual_addr = addr(&mut cols, Column::VirtualAddr)?;
    let virtual_port = port(&mut cols, Column::VirtualPort)?;
    let dest_addr = addr(&mut cols, Column::DestAddr)?;
    let dest_port = port(&mut cols, Column::DestPort)?;
    let state = cols.take(Column::State)?;
    let fields = ConnFields {
        protocol,
        client_addr,
        client_port,
        virtual_addr,
        virtual_port,
        dest_addr,
        dest_port,
        state,
        expires: 0,
        pe_name: None,
        pe_data: None,
    };
    Ok((cols, fields))
}

/// A line of /proc/net/ip_vs_conn, borrowing its text.
pub fn parse_fields(line: &str) -> Result<ConnFields<'_>, ConnParseError> {
    let (mut cols, mut fields) = common(line)?;
    fields.expires = expires(&mut cols)?;
    if let Some(name) = cols.next() {
        fields.pe_name = Some(name);
        let data = cols.remainder();
        if data.is_empty() {
            return Err(ConnParseError::Missing(Column::PeData));
        }
        fields.pe_data = Some(data);
    }
    Ok(fields)
}

/// A line of /proc/net/ip_vs_conn into an owned connection.
pub fn parse_line(line: &str) -> Result<Connection, ConnParseError> {
    parse_fields(line).map(|f| f.to_connection())
}

/// A line of /proc/net/ip_vs_conn_sync.
pub fn parse_sync_line(line: &str) -> Result<SyncConnection, ConnParseError> {
    let (mut cols, mut fields) = common(line)?;
    let origin = match cols.take(Column::Origin)? {
        "LOCAL" => Origin::Local,
        "SYNC" => Origin::Sync,
        other => return Err(invalid(Column::Origin, other, "LOCAL or SYNC")),
    };
    fields.expires = expires(&mut cols)?;
    let extra = cols.remainder();
    if !extra.is_empty() {
        return Err(ConnParseError::Trailing {
            after: Column::Expires,
            extra: clip(extra),
        });
    }
    Ok(SyncConnection {
        conn: fields.to_connection(),
        origin,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const V4: &str = "TCP C633640A E6D8 C633640A 0050 7F000001 1F91 TIME_WAIT       116";
    const V6: &str = "TCP 2001:0db8:0000:0000:0000:0000:0000:0001 D98A 2001:0db8:0000:0000:0000:0000:0000:0001 0050 0000:0000:0000:0000:0000:0000:0000:0001 1F90 ESTABLISHED     900";

    #[test]
    fn ipv4_line() {
        let c = parse_line(V4).unwrap();
        assert_eq!(c.protocol, "TCP");
        assert_eq!(c.client_addr, "198.51.100.10".parse::<IpAddr>().unwrap());
        assert_eq!(c.client_port, 0xE6D8);
        assert_eq!(c.virtual_port, 80);
        assert_eq!(c.dest_addr, "127.0.0.1".parse::<IpAddr>().unwrap());
        assert_eq!(c.dest_port, 8081);
        assert_eq!(c.state, "TIME_WAIT");
        assert_eq!(c.expires, 116);
        assert_eq!((c.pe_name, c.pe_data), (None, None));
    }

    #[test]
    fn ipv6_line() {
        let c = parse_line(V6).unwrap();
        assert_eq!(c.client_addr, "2001:db8::1".parse::<IpAddr>().unwrap());
        assert_eq!(c.dest_addr, "::1".parse::<IpAddr>().unwrap());
        assert_eq!(c.client_port, 0xD98A);
        assert_eq!(c.state, "ESTABLISHED");
        assert_eq!(c.expires, 900);
    }

    #[test]
    fn pe_columns() {
        let line =
            "UDP C633640A 13C6 C633640C 13C4 7F000001 13C4 UDP          59 sip call-1@127.0.0.1\n";
        let c = parse_line(line).unwrap();
        assert_eq!(c.pe_name.as_deref(), Some("sip"));
        assert_eq!(c.pe_data.as_deref(), Some("call-1@127.0.0.1"));
        assert_eq!(
            parse_line(line.trim_end().trim_end_matches("call-1@127.0.0.1")),
            Err(ConnParseError::Missing(Column::PeData))
        );
    }

    #[test]
    fn mixed_family_destination() {
        let line = "TCP 2001:0db8:0000:0000:0000:0000:0000:0001 D98A 2001:0db8:0000:0000:0000:0000:0000:0001 0050 C0000206 0050 SYN_RECV 30";
        let c = parse_line(line).unwrap();
        assert_eq!(c.dest_addr, "192.0.2.6".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn header_and_empty_are_not_connections() {
        let header =
            "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData";
        assert_eq!(parse_line(header), Err(ConnParseError::Header));
        assert_eq!(parse_line("  \n"), Err(ConnParseError::Empty));
    }

    #[test]
    fn errors_name_the_column() {
        let cases = [
            (V4.replace("E6D8", "E6D8Z"), Column::ClientPort),
            (
                V4.replace("C633640A E6D8", "C63364 E6D8"),
                Column::ClientAddr,
            ),
            (V4.replace("7F000001", "7F00000X"), Column::DestAddr),
            (V4.replace("116", "-1"), Column::Expires),
        ];
        for (line, column) in cases {
            match parse_line(&line) {
                Err(ConnParseError::Invalid { column: c, .. }) => assert_eq!(c, column, "{line}"),
                other => panic!("{line}: {other:?}"),
            }
        }
        assert_eq!(
            parse_line("TCP C633640A E6D8 C633640A 0050 7F000001 1F91"),
            Err(ConnParseError::Missing(Column::State))
        );
        let err = parse_line(&V4.replace("1F91", "1F9100")).unwrap_err();
        assert!(err.to_string().contains("DPrt"), "{err}");
    }

    #[test]
    fn expired_timer_wraps_to_zero() {
        let c = parse_line(&V4.replace("    116", "18446744073709551")).unwrap();
        assert_eq!(c.expires, 0);
    }

    #[test]
    fn sync_line_has_origin_before_expires() {
        let line = "TCP C633640A E6D8 C633640A 0050 7F000001 1F91 TIME_WAIT   SYNC       116";
        let s = parse_sync_line(line).unwrap();
        assert_eq!(s.origin, Origin::Sync);
        assert_eq!(s.conn.expires, 116);
        assert_eq!(s.conn, parse_line(V4).unwrap());
        assert!(matches!(
            parse_sync_line(V4),
            Err(ConnParseError::Invalid {
                column: Column::Origin,
                ..
            })
        ));
    }
}
