//! Reads an ipvsadm argument vector option by option, in ipvsadm's order, into a
//! [`Draft`]; `finish` then applies the checks ipvsadm makes after reading them all.
//!
//! Order matters and is kept: the first option must be the command, each value is
//! checked as it is read (so the first bad option is the one reported), and values that
//! depend on others (`-M`'s family, `-r`'s default port) see what was read before them.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::address::{ipv4_or_host, parse_host_port};
use super::c_numbers::{atoi, number_in, strtol_whole};
use super::error::RuleError;
use super::finish::finish;
use super::options::{Bit, Cmd, Opt};
use super::popt::{Found, Popt};
use super::resolve::Resolver;
use super::Command;
use crate::ipvs::svc_flags::{ONEPACKET, PERSISTENT};
use crate::ipvs::{tun_flags, DaemonState, Family, Forward, Protocol, TunnelType};

/// ipvsadm's longest accepted timeout: 31 days.
pub const MAX_TIMEOUT: i64 = 86400 * 31;
/// `-p` without a value.
pub const DEFAULT_PERSISTENCE: u32 = 360;
/// Debian's ipvsadm 1.31 (the one operators run) accepts weights up to INT_MAX;
/// upstream stops at 65535.
pub const MAX_WEIGHT: i64 = i32::MAX as i64;

/// Parses ipvsadm's arguments (without the program name), asking `resolver` for the words
/// that are not numeric (the system's: `crate::adm::resolver::SystemResolver`; none:
/// [`super::NoResolver`]). No arguments lists the table.
pub fn parse<S: AsRef<str>>(args: &[S], resolver: &dyn Resolver) -> Result<Command, RuleError> {
    if args.is_empty() {
        return Ok(Command::List(Default::default()));
    }
    let mut popt = Popt::new(args);
    let first = match popt.next_opt() {
        Some(Ok(found)) => found,
        _ => return Err(RuleError::TryHelp),
    };
    let cmd = match first.opt {
        Opt::Command(cmd) => cmd,
        Opt::Help => return Ok(Command::Help),
        Opt::Version => return Ok(Command::Version),
        _ => return Err(RuleError::TryHelp),
    };
    let mut draft = Draft::new(cmd);
    draft.daemon_state = match (cmd, first.value) {
        (Cmd::StartDaemon, v) => {
            Some(daemon_state(v).ok_or_else(|| RuleError::StartDaemonState {
                value: v.unwrap_or_default().to_string(),
            })?)
        }
        (Cmd::StopDaemon, v) => {
            Some(daemon_state(v).ok_or_else(|| RuleError::StopDaemonState {
                value: v.unwrap_or_default().to_string(),
            })?)
        }
        _ => None,
    };
    while let Some(found) = popt.next_opt() {
        draft.apply(found?, resolver)?;
    }
    finish(draft, popt.leftovers())
}

fn daemon_state(value: Option<&str>) -> Option<DaemonState> {
    match value {
        Some("master") => Some(DaemonState::Master),
        Some("backup") => Some(DaemonState::Backup),
        _ => None,
    }
}

/// Everything read so far, with ipvsadm's starting values.
#[derive(Debug)]
pub struct Draft<'a> {
    pub cmd: Cmd,
    /// `Bit` masks of the options seen.
    pub given: u64,
    pub protocol: Option<Protocol>,
    pub family: Option<Family>,
    pub addr: Option<IpAddr>,
    pub port: u16,
    pub fwmark: u32,
    pub scheduler: String,
    pub flags: u32,
    pub timeout: u32,
    pub netmask: u32,
    pub pe_name: String,
    pub sched_flags: Option<&'a str>,
    pub dest_addr: Option<IpAddr>,
    pub dest_port: u16,
    pub forward: Forward,
    pub weight: u32,
    pub u_threshold: u32,
    pub l_threshold: u32,
    pub tun_type: TunnelType,
    pub tun_port: u16,
    pub tun_flags: u16,
    pub daemon_state: Option<DaemonState>,
    pub mcast_ifn: String,
    pub syncid: u32,
    pub sync_maxlen: Option<u16>,
    pub mcast_group: Option<IpAddr>,
    pub mcast_port: Option<u16>,
    pub mcast_ttl: Option<u8>,
}

impl<'a> Draft<'a> {
    fn new(cmd: Cmd) -> Draft<'a> {
        Draft {
            cmd,
            given: 0,
            protocol: None,
            family: None,
            addr: None,
            port: 0,
            fwmark: 0,
            scheduler: String::new(),
            flags: 0,
            timeout: 0,
            netmask: 0xffff_ffff,
            pe_name: String::new(),
            sched_flags: None,
            dest_addr: None,
            dest_port: 0,
            forward: Forward::Route,
            weight: 1,
            u_threshold: 0,
            l_threshold: 0,
            tun_type: TunnelType::Ipip,
            tun_port: 0,
            tun_flags: tun_flags::NOCSUM,
            daemon_state: None,
            mcast_ifn: String::new(),
            syncid: 0,
            sync_maxlen: None,
            mcast_group: None,
            mcast_port: None,
            mcast_ttl: None,
        }
    }

    pub fn has(&self, bit: Bit) -> bool {
        self.given & bit.mask() != 0
    }

    fn set(&mut self, bit: Bit) -> Result<(), RuleError> {
        if self.has(bit) {
            return Err(RuleError::RepeatedOption { option: bit.name() });
        }
        self.given |= bit.mask();
        Ok(())
    }

    fn apply(&mut self, found: Found<'a>, resolver: &dyn Resolver) -> Result<(), RuleError> {
        let value = found.value.unwrap_or_default();
        let owned = || value.to_string();
        match found.opt {
            Opt::Command(_) | Opt::Help | Opt::Version => {
                return Err(RuleError::MisplacedOption {
                    token: found.word.to_string(),
                })
            }
            Opt::Tcp | Opt::Udp | Opt::Sctp => {
                self.set(Bit::Service)?;
                let protocol = match found.opt {
                    Opt::Tcp => Protocol::Tcp,
                    Opt::Udp => Protocol::Udp,
                    _ => Protocol::Sctp,
                };
                self.protocol = Some(protocol);
                let hp = parse_host_port(value, Some(protocol), resolver)
                    .ok_or_else(|| RuleError::ServiceAddress { value: owned() })?;
                self.addr = Some(hp.addr);
                self.family = Some(Family::of(&hp.addr));
                if hp.addr.is_ipv6() {
                    self.netmask = 128;
                }
                if let Some(port) = hp.port {
                    self.port = port;
                }
            }
            Opt::Fwmark => {
                self.set(Bit::Service)?;
                self.family = Some(Family::Inet);
                self.protocol = Some(Protocol::Tcp);
                self.fwmark = strtol_whole(value)
                    .filter(|n| *n > 0)
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| RuleError::Fwmark { value: owned() })?;
            }
            Opt::Scheduler => {
                self.set(Bit::Scheduler)?;
                self.scheduler = truncate(value, 15);
            }
            Opt::Persistent => {
                self.set(Bit::Persistent)?;
                self.flags |= PERSISTENT;
                self.timeout = match found.value {
                    None => DEFAULT_PERSISTENCE,
                    Some(v) => timeout_value(v, 1)?,
                };
            }
            Opt::Netmask => {
                self.set(Bit::Netmask)?;
                if self.family == Some(Family::Inet6) {
                    let prefix = atoi(value);
                    if !(1..=128).contains(&prefix) {
                        return Err(RuleError::Ipv6Netmask { value: owned() });
                    }
                    self.netmask = prefix as u32;
                } else {
                    let mask = ipv4_or_host(value, resolver)
                        .ok_or_else(|| RuleError::Netmask { value: owned() })?;
                    self.netmask = u32::from(mask);
                }
            }
            Opt::RealServer => {
                self.set(Bit::Server)?;
                let hp = parse_host_port(value, self.protocol, resolver)
                    .ok_or_else(|| RuleError::ServerAddress { value: owned() })?;
                self.dest_addr = Some(hp.addr);
                self.dest_port = hp.port.unwrap_or(self.port);
            }
            Opt::Ipip | Opt::Gatewaying | Opt::Masquerading => {
                self.set(Bit::Forward)?;
                self.forward = match found.opt {
                    Opt::Ipip => Forward::Tunnel,
                    Opt::Gatewaying => Forward::Route,
                    _ => Forward::Masq,
                };
            }
            Opt::Weight => {
                self.set(Bit::Weight)?;
                self.weight = bounded(value, 0, MAX_WEIGHT)
                    .ok_or_else(|| RuleError::Weight { value: owned() })?;
            }
            Opt::UThreshold => {
                self.set(Bit::UThreshold)?;
                self.u_threshold = bounded(value, 0, i64::from(i32::MAX))
                    .ok_or_else(|| RuleError::UpperThreshold { value: owned() })?;
            }
            Opt::LThreshold => {
                self.set(Bit::LThreshold)?;
                self.l_threshold = bounded(value, 0, i64::from(i32::MAX))
                    .ok_or_else(|| RuleError::LowerThreshold { value: owned() })?;
            }
            Opt::Numeric => self.set(Bit::Numeric)?,
            Opt::Connection => self.set(Bit::Connection)?,
            Opt::McastInterface => {
                self.set(Bit::McastInterface)?;
                self.mcast_ifn = truncate(value, 15);
            }
            Opt::SyncId => {
                self.set(Bit::SyncId)?;
                self.syncid =
                    bounded(value, 0, 255).ok_or_else(|| RuleError::SyncId { value: owned() })?;
            }
            Opt::Timeout => self.set(Bit::Timeout)?,
            Opt::Daemon => self.set(Bit::Daemon)?,
            Opt::Stats => self.set(Bit::Stats)?,
            Opt::Rate => self.set(Bit::Rate)?,
            Opt::Thresholds => self.set(Bit::Thresholds)?,
            Opt::PersistentConn => self.set(Bit::PersistentConn)?,
            Opt::NoSort => self.set(Bit::NoSort)?,
            Opt::Sort => {}
            Opt::Exact => self.set(Bit::Exact)?,
            Opt::Ipv6 => {
                if self.fwmark == 0 {
                    return Err(RuleError::Ipv6BeforeFwmark);
                }
                self.family = Some(Family::Inet6);
                self.netmask = 128;
            }
            Opt::Ops => {
                self.set(Bit::Ops)?;
                self.flags |= ONEPACKET;
            }
            Opt::Pe => {
                self.set(Bit::Pe)?;
                self.pe_name = truncate(value, 16);
            }
            Opt::SchedFlags => {
                self.set(Bit::SchedFlags)?;
                self.sched_flags = Some(value);
            }
            Opt::McastGroup => {
                self.set(Bit::McastGroup)?;
                self.mcast_group = Some(mcast_group(value)?);
            }
            Opt::McastPort => {
                self.set(Bit::McastPort)?;
                self.mcast_port = Some(
                    bounded(value, 1, 65535)
                        .ok_or_else(|| RuleError::McastPort { value: owned() })?,
                );
            }
            Opt::McastTtl => {
                self.set(Bit::McastTtl)?;
                self.mcast_ttl = Some(
                    bounded(value, 1, 255).ok_or_else(|| RuleError::McastTtl { value: owned() })?,
                );
            }
            Opt::SyncMaxlen => {
                self.set(Bit::SyncMaxlen)?;
                self.sync_maxlen = Some(
                    bounded(value, 1, 65535 - 20 - 8)
                        .ok_or_else(|| RuleError::SyncMaxlen { value: owned() })?,
                );
            }
            Opt::TunInfo => self.set(Bit::TunInfo)?,
            Opt::TunType => {
                self.set(Bit::TunType)?;
                self.tun_type = match value {
                    "ipip" => TunnelType::Ipip,
                    "gue" => TunnelType::Gue,
                    "gre" => TunnelType::Gre,
                    _ => return Err(RuleError::TunnelType { value: owned() }),
                };
            }
            Opt::TunPort => {
                self.set(Bit::TunPort)?;
                self.tun_port = bounded(value, 1, 65535)
                    .ok_or_else(|| RuleError::TunnelPort { value: owned() })?;
            }
            Opt::TunNocsum => {
                self.set(Bit::TunNocsum)?;
                self.tun_flags |= tun_flags::NOCSUM;
            }
            Opt::TunCsum => {
                self.set(Bit::TunCsum)?;
                self.tun_flags |= tun_flags::CSUM;
            }
            Opt::TunRemcsum => {
                self.set(Bit::TunRemcsum)?;
                self.tun_flags |= tun_flags::REMCSUM;
            }
            Opt::SaveThresholds => self.set(Bit::SaveThresholds)?,
        }
        Ok(())
    }
}

/// A whole decimal number in `min..=max`, converted to the field's type.
fn bounded<T: TryFrom<i64>>(text: &str, min: i64, max: i64) -> Option<T> {
    number_in(text, min, max).and_then(|n| T::try_from(n).ok())
}

/// A `-p` or `--set` value: `min..=31 days`.
pub fn timeout_value(text: &str, min: i64) -> Result<u32, RuleError> {
    bounded(text, min, MAX_TIMEOUT).ok_or_else(|| RuleError::Timeout {
        value: text.to_string(),
    })
}

/// A multicast group: IPv6 if the text has a colon, else strict dotted IPv4.
fn mcast_group(text: &str) -> Result<IpAddr, RuleError> {
    if text.contains(':') {
        match text.parse::<Ipv6Addr>() {
            Ok(a) if a.is_multicast() => Ok(IpAddr::V6(a)),
            _ => Err(RuleError::McastGroup6 {
                value: text.to_string(),
            }),
        }
    } else {
        match text.parse::<Ipv4Addr>() {
            Ok(a) if a.is_multicast() => Ok(IpAddr::V4(a)),
            _ => Err(RuleError::McastGroup4 {
                value: text.to_string(),
            }),
        }
    }
}

/// At most `max` bytes, as C's `strncpy` into a fixed buffer, cut on a char boundary.
fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

/// [`crate::rules::parse_selector`]: the service options, and `-r` for a real server, read
/// by the same option scanner and checks as a `-D` / `-d` command line.
pub(super) fn parse_selector(
    words: &[&str],
    resolver: &dyn Resolver,
) -> Result<super::Selector, RuleError> {
    let mut popt = Popt::new(words);
    let mut found = Vec::new();
    while let Some(f) = popt.next_opt() {
        found.push(f?);
    }
    let names_server = found.iter().any(|f| f.opt == Opt::RealServer);
    let mut draft = Draft::new(if names_server { Cmd::DelDest } else { Cmd::Del });
    for f in found {
        if let Opt::Command(_) = f.opt {
            return Err(RuleError::MisplacedOption {
                token: f.word.to_string(),
            });
        }
        draft.apply(f, resolver)?;
    }
    match finish(draft, popt.leftovers())? {
        Command::Change(crate::ipvs::Op::DelDest {
            service,
            addr,
            port,
        }) => Ok(super::Selector {
            service,
            server: Some((addr, port)),
        }),
        Command::Change(crate::ipvs::Op::DelService(service)) => Ok(super::Selector {
            service,
            server: None,
        }),
        _ => Err(RuleError::TryHelp),
    }
}
