//! `global_defs { }`: process-wide VRRP and notification settings.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use super::diag::{Diagnostics, Location};
use super::tree::Item;
use super::value as v;

/// What a stopping checker does to the IPVS table (`lvs_flush_on_stop`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FlushOnStop {
    /// keepalived's default: each virtual server it configured is removed, one by one.
    #[default]
    No,
    /// `lvs_flush_on_stop VS`: the virtual servers are removed without their real servers
    /// first (the kernel drops those with them).
    Vs,
    /// `lvs_flush_on_stop`: the whole table is flushed, services of others included.
    Full,
}

/// keepalived's global settings, with its defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobalDefs {
    /// Where the (last) `global_defs` block is, if there is one.
    pub at: Option<Location>,
    /// Defaults to the host name at run time (keepalived does the same).
    pub router_id: Option<String>,
    /// 2 unless set; instances may override with `version`.
    pub vrrp_version: u8,
    /// 224.0.0.18, the IANA VRRP group.
    pub vrrp_mcast_group4: Ipv4Addr,
    /// ff02::12, the IANA VRRP group.
    pub vrrp_mcast_group6: Ipv6Addr,
    /// Delay before the second burst of gratuitous ARPs after becoming master: 5 s.
    pub vrrp_garp_master_delay: Duration,
    /// Gratuitous ARPs per burst: 5.
    pub vrrp_garp_master_repeat: u32,
    /// Periodic GARP refresh while master; `None` (0) disables it, the default.
    pub vrrp_garp_master_refresh: Option<Duration>,
    /// Gap between gratuitous ARPs: 0.
    pub vrrp_garp_interval: Duration,
    /// Gap between unsolicited neighbour advertisements: 0.
    pub vrrp_gna_interval: Duration,
    pub vrrp_skip_check_adv_addr: bool,
    /// `vrrp_startup_delay`: backups' first down timer (and an owner's takeover) counts from
    /// this long after start, for hosts whose network is slow to come up: 0.
    pub vrrp_startup_delay: Duration,
    pub vrrp_strict: bool,
    /// `user [group]` scripts run as when they name none.
    pub script_user: Option<String>,
    pub enable_script_security: bool,
    pub notification_email: Vec<String>,
    pub notification_email_from: Option<String>,
    /// Host (address or name) and port (25 unless given).
    pub smtp_server: Option<(String, u16)>,
    /// 30 s.
    pub smtp_connect_timeout: Duration,
    /// Mail alerts for every checker and VRRP event unless a block says otherwise.
    pub smtp_alert: Option<bool>,
    /// `lvs_flush`: flush the whole IPVS table when the checker starts (not on reload).
    pub lvs_flush: bool,
    pub lvs_flush_on_stop: FlushOnStop,
    /// `lvs_sync_daemon` as written (the first one); [`super::Config::lvs_sync`] is what runs.
    pub lvs_sync_daemon: Option<super::lvs_sync::LvsSyncDaemon>,
}

impl Default for GlobalDefs {
    fn default() -> Self {
        GlobalDefs {
            at: None,
            router_id: None,
            vrrp_version: 2,
            vrrp_mcast_group4: Ipv4Addr::new(224, 0, 0, 18),
            vrrp_mcast_group6: Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x12),
            vrrp_garp_master_delay: Duration::from_secs(5),
            vrrp_startup_delay: Duration::ZERO,
            vrrp_garp_master_repeat: 5,
            vrrp_garp_master_refresh: None,
            vrrp_garp_interval: Duration::ZERO,
            vrrp_gna_interval: Duration::ZERO,
            vrrp_skip_check_adv_addr: false,
            vrrp_strict: false,
            script_user: None,
            enable_script_security: false,
            notification_email: Vec::new(),
            notification_email_from: None,
            smtp_server: None,
            smtp_connect_timeout: Duration::from_secs(30),
            smtp_alert: None,
            lvs_flush: false,
            lvs_flush_on_stop: FlushOnStop::No,
            lvs_sync_daemon: None,
        }
    }
}

const SECTION: &str = "global_defs";
/// keepalived's upper bound for most timers.
const TIMER_MAX: Duration = Duration::from_secs(1000);

/// Reads one `global_defs` block into `g` (several blocks add up, later values win).
pub fn parse(item: &Item, g: &mut GlobalDefs, d: &mut Diagnostics) {
    v::extra(item, 0, d);
    g.at = Some(item.at.clone());
    for c in v::block(item, d) {
        match c.keyword.as_str() {
            "router_id" => g.router_id = v::string(c, d).or(g.router_id.take()),
            "vrrp_version" => {
                if let Some(n) = v::uint(c, 2, 3, d) {
                    g.vrrp_version = n as u8;
                }
            }
            "vrrp_mcast_group4" => match v::ip(c, d) {
                Some(IpAddr::V4(a)) if a.is_multicast() => g.vrrp_mcast_group4 = a,
                Some(a) => d.error(
                    &c.at,
                    format!("'vrrp_mcast_group4' must be an IPv4 multicast address, not '{a}'"),
                ),
                None => {}
            },
            "vrrp_mcast_group6" => match v::ip(c, d) {
                Some(IpAddr::V6(a)) if a.is_multicast() => g.vrrp_mcast_group6 = a,
                Some(a) => d.error(
                    &c.at,
                    format!("'vrrp_mcast_group6' must be an IPv6 multicast address, not '{a}'"),
                ),
                None => {}
            },
            "vrrp_garp_master_delay" => {
                if let Some(t) = v::timer(c, Duration::ZERO, TIMER_MAX, d) {
                    g.vrrp_garp_master_delay = t;
                }
            }
            "vrrp_garp_master_repeat" => {
                if let Some(n) = v::uint(c, 0, 255, d) {
                    g.vrrp_garp_master_repeat = n as u32;
                }
            }
            "vrrp_garp_master_refresh" => {
                if let Some(t) = v::timer(c, Duration::ZERO, TIMER_MAX, d) {
                    g.vrrp_garp_master_refresh = (!t.is_zero()).then_some(t);
                }
            }
            "vrrp_garp_interval" => {
                if let Some(t) = v::timer(c, Duration::ZERO, TIMER_MAX, d) {
                    g.vrrp_garp_interval = t;
                }
            }
            "vrrp_gna_interval" => {
                if let Some(t) = v::timer(c, Duration::ZERO, TIMER_MAX, d) {
                    g.vrrp_gna_interval = t;
                }
            }
            "vrrp_startup_delay" => {
                if let Some(t) = v::timer(c, Duration::ZERO, TIMER_MAX, d) {
                    g.vrrp_startup_delay = t;
                }
            }
            "vrrp_skip_check_adv_addr" => {
                g.vrrp_skip_check_adv_addr = v::boolean(c, d).unwrap_or(true)
            }
            "vrrp_strict" => g.vrrp_strict = v::flag(c, d),
            "script_user" => {
                v::extra(c, 2, d);
                g.script_user = v::need(c, 0, d).map(|u| match c.arg(1) {
                    Some(grp) => format!("{u}:{grp}"),
                    None => u.to_string(),
                });
            }
            "enable_script_security" => g.enable_script_security = v::flag(c, d),
            "notification_email" => {
                for e in v::block(c, d) {
                    v::extra(e, 0, d);
                    if e.block.is_some() {
                        d.error(&e.at, "an e-mail address cannot have a block");
                    }
                    g.notification_email.push(e.keyword.clone());
                }
            }
            "notification_email_from" => g.notification_email_from = v::string(c, d),
            "smtp_server" => {
                v::extra(c, 2, d);
                if let Some(host) = v::need(c, 0, d) {
                    let port = match c.arg(1) {
                        None => Some(25),
                        Some(_) => v::uint_at(c, 1, 1, 65535, d).map(|p| p as u16),
                    };
                    if let Some(port) = port {
                        g.smtp_server = Some((host.to_string(), port));
                    }
                }
            }
            "smtp_connect_timeout" => {
                if let Some(t) = v::timer(c, Duration::from_secs(1), TIMER_MAX, d) {
                    g.smtp_connect_timeout = t;
                }
            }
            "smtp_alert" => g.smtp_alert = Some(v::boolean(c, d).unwrap_or(true)),
            "lvs_flush" => g.lvs_flush = v::flag(c, d),
            "lvs_sync_daemon" => super::lvs_sync::parse(c, &mut g.lvs_sync_daemon, d),
            // `lvs_flush_onstop`: the spelling before keepalived 2.1.5.
            "lvs_flush_on_stop" | "lvs_flush_onstop" => {
                v::extra(c, 1, d);
                match c.arg(0) {
                    None => g.lvs_flush_on_stop = FlushOnStop::Full,
                    Some("VS") => g.lvs_flush_on_stop = FlushOnStop::Vs,
                    Some(o) => d.error(
                        &c.at,
                        format!("'{}' takes nothing or VS, not '{o}'", c.keyword),
                    ),
                }
            }
            _ => v::unsupported(c, SECTION, d),
        }
    }
}
