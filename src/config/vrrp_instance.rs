//! `vrrp_instance NAME { }`: one virtual router, its addresses and what it tracks.

use std::net::IpAddr;
use std::time::Duration;

use super::diag::{Diagnostics, Location};
use super::global_defs::GlobalDefs;
use super::tree::Item;
use super::value::{self as v, Script};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InitialState {
    Master,
    Backup,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthType {
    Pass,
    Ah,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authentication {
    pub kind: AuthType,
    /// Only the first 8 bytes go on the wire (keepalived truncates too).
    pub pass: String,
    pub at: Location,
}

/// `ADDR[/PLEN] [dev IF] [label L] [brd B] [scope S]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VirtualAddress {
    pub addr: IpAddr,
    /// 32 or 128 when not written.
    pub prefix: u8,
    /// Defaults to the instance's interface.
    pub dev: Option<String>,
    pub label: Option<String>,
    pub brd: Option<IpAddr>,
    pub scope: Option<String>,
    pub at: Location,
}

/// A tracked interface or script, with its optional weight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tracked {
    pub name: String,
    /// `None`: the script's own weight (scripts) or 0, i.e. fault on failure (interfaces).
    pub weight: Option<i32>,
    pub reverse: bool,
    pub at: Location,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VrrpInstance {
    pub name: String,
    pub at: Location,
    /// Defaults to MASTER when priority is 255, BACKUP otherwise (keepalived's rule).
    pub state: InitialState,
    /// `None`: keepalived's `default_interface` (eth0).
    pub interface: Option<String>,
    pub virtual_router_id: u8,
    /// Defaults to 255 for state MASTER, 100 otherwise (keepalived's rule).
    pub priority: u8,
    /// 1 s; fractions only with VRRPv3.
    pub advert_int: Duration,
    /// From `version`, else 3 when a VIP is IPv6, else `global_defs vrrp_version`.
    pub version: u8,
    pub nopreempt: bool,
    /// 0..=1000 s.
    pub preempt_delay: Duration,
    pub authentication: Option<Authentication>,
    pub virtual_ipaddress: Vec<VirtualAddress>,
    pub virtual_ipaddress_excluded: Vec<VirtualAddress>,
    pub track_interface: Vec<Tracked>,
    pub track_script: Vec<Tracked>,
    pub unicast_src_ip: Option<IpAddr>,
    pub unicast_peer: Vec<(IpAddr, Location)>,
    pub mcast_src_ip: Option<IpAddr>,
    pub notify_master: Option<Script>,
    pub notify_backup: Option<Script>,
    pub notify_fault: Option<Script>,
    pub notify_stop: Option<Script>,
    pub notify: Option<Script>,
    pub smtp_alert: bool,
    /// Overrides `global_defs vrrp_garp_master_delay`.
    pub garp_master_delay: Option<Duration>,
    /// `use_vmac [NAME]`: `Some("")` when no name is given (keepalived picks vrrp.VRID).
    pub use_vmac: Option<String>,
    /// `vmac_xmit_base`: adverts leave from the base interface, not the vmac.
    pub vmac_xmit_base: bool,
    /// `accept` / `no_accept`; `None` leaves keepalived's default (accept unless strict).
    pub accept: Option<bool>,
    pub dont_track_primary: bool,
    /// The deprecated `lvs_sync_daemon_interface IF` (warned about), with its line.
    pub lvs_sync_daemon_interface: Option<(String, Location)>,
}

const TIMER_MAX: Duration = Duration::from_secs(1000);

fn parse_vip(item: &Item, d: &mut Diagnostics) -> Option<VirtualAddress> {
    let (addr_text, plen) = match item.keyword.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (item.keyword.as_str(), None),
    };
    let Ok(addr) = addr_text.parse::<IpAddr>() else {
        d.error(&item.at, format!("'{}' is not an IP address", item.keyword));
        return None;
    };
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let prefix = match plen {
        None => max,
        Some(p) => match v::parse_u64(p) {
            Some(n) if n <= u64::from(max) => n as u8,
            _ => {
                d.error(
                    &item.at,
                    format!("bad prefix length '/{p}' in '{}' (0..{max})", item.keyword),
                );
                return None;
            }
        },
    };
    let mut vip = VirtualAddress {
        addr,
        prefix,
        dev: None,
        label: None,
        brd: None,
        scope: None,
        at: item.at.clone(),
    };
    let mut args = item.args.iter();
    while let Some(opt) = args.next() {
        let value = match opt.as_str() {
            "dev" | "label" | "brd" | "broadcast" | "scope" => args.next(),
            other => {
                d.warning(
                    &item.at,
                    format!("unsupported virtual address option '{other}' for {addr}; ignored"),
                );
                continue;
            }
        };
        let Some(value) = value else {
            d.error(&item.at, format!("'{opt}' needs a value for {addr}"));
            return None;
        };
        match opt.as_str() {
            "dev" => vip.dev = Some(value.clone()),
            "label" => vip.label = Some(value.clone()),
            "scope" => vip.scope = Some(value.clone()),
            _ => match value.parse() {
                Ok(b) => vip.brd = Some(b),
                Err(_) => {
                    d.error(&item.at, format!("'brd' needs an address, not '{value}'"));
                    return None;
                }
            },
        }
    }
    Some(vip)
}

pub(crate) fn parse_tracked(item: &Item, d: &mut Diagnostics) -> Tracked {
    let mut t = Tracked {
        name: item.keyword.clone(),
        weight: None,
        reverse: false,
        at: item.at.clone(),
    };
    match item.arg(0) {
        None => {}
        Some("weight") => {
            match item.arg(1).and_then(|w| w.parse::<i32>().ok()) {
                Some(w) if (-253..=253).contains(&w) => t.weight = Some(w),
                _ => d.error(
                    &item.at,
                    format!(
                        "weight of '{}' must be an integer between -253 and 253, not '{}'",
                        t.name,
                        item.arg(1).unwrap_or("")
                    ),
                ),
            }
            match item.arg(2) {
                None => {}
                Some("reverse") => t.reverse = true,
                Some(x) => d.warning(
                    &item.at,
                    format!("'{}': extra argument '{x}' ignored", t.name),
                ),
            }
        }
        Some(x) => d.error(
            &item.at,
            format!("'{}' takes only 'weight W', not '{x}'", t.name),
        ),
    }
    t
}

fn vips(c: &Item, d: &mut Diagnostics) -> Vec<VirtualAddress> {
    v::block(c, d)
        .iter()
        .filter_map(|i| parse_vip(i, d))
        .collect()
}

pub fn parse(item: &Item, global: &GlobalDefs, d: &mut Diagnostics) -> Option<VrrpInstance> {
    v::extra(item, 1, d);
    let name = v::need(item, 0, d)?.to_string();
    let section = format!("vrrp_instance {name}");
    let mut state = None;
    let mut priority = None;
    let mut vrid = None;
    let mut version = None;
    let mut advert = None;
    let mut i = VrrpInstance {
        name: name.clone(),
        at: item.at.clone(),
        state: InitialState::Backup,
        interface: None,
        virtual_router_id: 0,
        priority: 100,
        advert_int: Duration::from_secs(1),
        version: global.vrrp_version,
        nopreempt: false,
        preempt_delay: Duration::ZERO,
        authentication: None,
        virtual_ipaddress: Vec::new(),
        virtual_ipaddress_excluded: Vec::new(),
        track_interface: Vec::new(),
        track_script: Vec::new(),
        unicast_src_ip: None,
        unicast_peer: Vec::new(),
        mcast_src_ip: None,
        notify_master: None,
        notify_backup: None,
        notify_fault: None,
        notify_stop: None,
        notify: None,
        smtp_alert: false,
        garp_master_delay: None,
        use_vmac: None,
        vmac_xmit_base: false,
        accept: None,
        dont_track_primary: false,
        lvs_sync_daemon_interface: None,
    };
    let mut preempt_delay_at = None;
    for c in v::block(item, d) {
        match c.keyword.as_str() {
            "state" => {
                v::extra(c, 1, d);
                match v::need(c, 0, d) {
                    Some("MASTER") => state = Some(InitialState::Master),
                    Some("BACKUP") => state = Some(InitialState::Backup),
                    Some(s) => d.error(
                        &c.at,
                        format!("'state' must be MASTER or BACKUP, not '{s}'"),
                    ),
                    None => {}
                }
            }
            "interface" => i.interface = v::string(c, d),
            "virtual_router_id" => vrid = v::uint(c, 1, 255, d).map(|n| n as u8),
            "priority" => priority = v::uint(c, 1, 255, d).map(|n| n as u8),
            "advert_int" => {
                advert = v::timer(c, Duration::from_millis(10), Duration::from_secs(255), d)
                    .map(|t| (t, c.at.clone()))
            }
            "version" => version = v::uint(c, 2, 3, d).map(|n| n as u8),
            "nopreempt" | "no_preempt" => i.nopreempt = v::flag(c, d),
            "preempt" => i.nopreempt = !v::flag(c, d),
            "preempt_delay" => {
                if let Some(t) = v::timer(c, Duration::ZERO, TIMER_MAX, d) {
                    i.preempt_delay = t;
                    preempt_delay_at = Some(c.at.clone());
                }
            }
            "authentication" => i.authentication = parse_auth(c, &section, d),
            "virtual_ipaddress" => i.virtual_ipaddress.extend(vips(c, d)),
            "virtual_ipaddress_excluded" => i.virtual_ipaddress_excluded.extend(vips(c, d)),
            "track_interface" => {
                for t in v::block(c, d) {
                    i.track_interface.push(parse_tracked(t, d));
                }
            }
            "track_script" => {
                for t in v::block(c, d) {
                    i.track_script.push(parse_tracked(t, d));
                }
            }
            "unicast_src_ip" => i.unicast_src_ip = v::ip(c, d),
            "unicast_peer" => {
                for p in v::block(c, d) {
                    if !p.args.is_empty() {
                        d.warning(
                            &p.at,
                            format!("unicast_peer options ignored: {}", p.args.join(" ")),
                        );
                    }
                    match p.keyword.parse() {
                        Ok(a) => i.unicast_peer.push((a, p.at.clone())),
                        Err(_) => d.error(
                            &p.at,
                            format!("unicast_peer '{}' is not an IP address", p.keyword),
                        ),
                    }
                }
            }
            "mcast_src_ip" => i.mcast_src_ip = v::ip(c, d),
            "notify_master" => i.notify_master = v::script(c, d),
            "notify_backup" => i.notify_backup = v::script(c, d),
            "notify_fault" => i.notify_fault = v::script(c, d),
            "notify_stop" => i.notify_stop = v::script(c, d),
            "notify" => i.notify = v::script(c, d),
            "smtp_alert" => i.smtp_alert = v::boolean(c, d).unwrap_or(true),
            "garp_master_delay" => i.garp_master_delay = v::timer(c, Duration::ZERO, TIMER_MAX, d),
            "use_vmac" => {
                v::extra(c, 1, d);
                i.use_vmac = Some(c.arg(0).unwrap_or("").to_string());
            }
            "vmac_xmit_base" => i.vmac_xmit_base = v::flag(c, d),
            "accept" => i.accept = Some(v::flag(c, d)),
            "no_accept" => i.accept = Some(!v::flag(c, d)),
            "dont_track_primary" => i.dont_track_primary = v::flag(c, d),
            "lvs_sync_daemon_interface" => {
                if let Some(ifname) = super::lvs_sync::parse_deprecated(c, &name, d) {
                    if i.lvs_sync_daemon_interface.is_none() {
                        i.lvs_sync_daemon_interface = Some((ifname, c.at.clone()));
                    }
                }
            }
            _ => v::unsupported(c, &section, d),
        }
    }

    match vrid {
        Some(n) => i.virtual_router_id = n,
        None => d.error(&item.at, format!("{section} has no virtual_router_id")),
    }
    i.priority = priority.unwrap_or(if state == Some(InitialState::Master) {
        255
    } else {
        100
    });
    i.state = state.unwrap_or(if i.priority == 255 {
        InitialState::Master
    } else {
        InitialState::Backup
    });
    let has_v6 = i.virtual_ipaddress.iter().any(|a| a.addr.is_ipv6());
    i.version = version.unwrap_or(if has_v6 { 3 } else { global.vrrp_version });
    if let Some((t, at)) = advert {
        if i.version == 2 && t.subsec_micros() != 0 {
            let whole = t.as_secs().max(1);
            d.warning(
                &at,
                format!(
                    "advert_int {} is not whole seconds; VRRPv2 uses {whole}",
                    v::secs_text(t)
                ),
            );
            i.advert_int = Duration::from_secs(whole);
        } else {
            i.advert_int = t;
        }
    }
    if i.version == 2 && has_v6 {
        d.error(
            &item.at,
            format!("{section}: IPv6 addresses need VRRP version 3"),
        );
    }
    if global.vrrp_strict {
        strict_checks(&i, &section, preempt_delay_at.clone(), d);
    }
    // keepalived (vrrp_complete_instance): an initial MASTER must be able to take over, so
    // it runs without nopreempt and preempt_delay (the engine drops them; kept here as read).
    if i.state == InitialState::Master {
        if i.nopreempt {
            d.warning(
                &item.at,
                format!("{section}: nopreempt does not work with state MASTER - ignored"),
            );
        }
        if !i.preempt_delay.is_zero() {
            let at = preempt_delay_at.unwrap_or_else(|| item.at.clone());
            d.warning(
                &at,
                format!("{section}: preempt_delay does not work with state MASTER - ignored"),
            );
        }
    }
    Some(i)
}

/// What `vrrp_strict` refuses (keepalived.conf(5), `vrrp_strict`).
fn strict_checks(
    i: &VrrpInstance,
    section: &str,
    preempt_delay_at: Option<Location>,
    d: &mut Diagnostics,
) {
    if i.virtual_ipaddress.is_empty() {
        d.error(
            &i.at,
            format!("vrrp_strict: {section} has no virtual_ipaddress"),
        );
    }
    if let Some((_, at)) = i.unicast_peer.first() {
        d.error(
            at,
            format!("vrrp_strict: {section} may not use unicast_peer"),
        );
    }
    if let Some(a) = &i.authentication {
        d.error(
            &a.at,
            format!("vrrp_strict: {section} may not use authentication"),
        );
    }
    if let Some(at) = preempt_delay_at {
        d.error(
            &at,
            format!("vrrp_strict: {section} may not use preempt_delay"),
        );
    }
    if (i.state == InitialState::Master) != (i.priority == 255) {
        d.error(
            &i.at,
            format!(
                "vrrp_strict: {section} has state MASTER only with priority 255 (address owner)"
            ),
        );
    }
}

fn parse_auth(c: &Item, section: &str, d: &mut Diagnostics) -> Option<Authentication> {
    let mut kind = None;
    let mut pass = None;
    for a in v::block(c, d) {
        match a.keyword.as_str() {
            "auth_type" => {
                v::extra(a, 1, d);
                match v::need(a, 0, d) {
                    Some("PASS") => kind = Some(AuthType::Pass),
                    Some("AH") => kind = Some(AuthType::Ah),
                    Some(x) => d.error(&a.at, format!("'auth_type' must be PASS or AH, not '{x}'")),
                    None => {}
                }
            }
            "auth_pass" => {
                if let Some(p) = v::string(a, d) {
                    if p.len() > 8 {
                        d.warning(
                            &a.at,
                            "auth_pass is longer than 8 characters; only the first 8 are used",
                        );
                    }
                    pass = Some(p);
                }
            }
            _ => v::unsupported(a, &format!("authentication of {section}"), d),
        }
    }
    match (kind, pass) {
        (Some(kind), Some(pass)) => Some(Authentication {
            kind,
            pass,
            at: c.at.clone(),
        }),
        (None, _) => {
            d.error(
                &c.at,
                format!("authentication of {section} has no auth_type"),
            );
            None
        }
        (Some(_), None) => {
            d.error(
                &c.at,
                format!("authentication of {section} has no auth_pass"),
            );
            None
        }
    }
}
