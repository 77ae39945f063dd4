//! `real_server IP [PORT] { }`: one backend, its weight and its checkers.

use std::net::IpAddr;

use super::checker::{self, CheckDefaults, Checker};
use super::diag::{Diagnostics, Location};
use super::method::{self, Method};
use super::tree::Item;
use super::value::{self as v, Script};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RealServer {
    pub addr: IpAddr,
    /// Defaults to the virtual server's port (0 for fwmark and group services).
    pub port: u16,
    pub at: Location,
    /// 1.
    pub weight: u32,
    /// Overrides the virtual server's `lb_kind`.
    pub method: Option<Method>,
    /// Set weight 0 instead of removing the server when it fails.
    pub inhibit_on_failure: bool,
    /// Mail alerts on up/down; unset: the virtual server's, then global_defs'.
    pub smtp_alert: Option<bool>,
    pub notify_up: Option<Script>,
    pub notify_down: Option<Script>,
    /// 0 = no limit.
    pub uthreshold: u32,
    pub lthreshold: u32,
    pub virtualhost: Option<String>,
    pub checkers: Vec<Checker>,
}

/// `inherited` carries the virtual server's checker defaults; `inhibit` its
/// `inhibit_on_failure`.
pub fn parse(
    item: &Item,
    default_port: u16,
    inherited: &CheckDefaults,
    inhibit: bool,
    d: &mut Diagnostics,
) -> Option<RealServer> {
    v::extra(item, 2, d);
    let addr = v::ip_at(item, 0, d)?;
    let port = match item.arg(1) {
        None => default_port,
        Some(_) => v::uint_at(item, 1, 0, 65535, d)? as u16,
    };
    let section = format!("real_server {addr} {port}");
    let mut rs = RealServer {
        addr,
        port,
        at: item.at.clone(),
        weight: 1,
        method: None,
        inhibit_on_failure: inhibit,
        smtp_alert: None,
        notify_up: None,
        notify_down: None,
        uthreshold: 0,
        lthreshold: 0,
        virtualhost: None,
        checkers: Vec::new(),
    };
    let mut defaults = inherited.clone();
    let children = v::block(item, d);
    // Timing options apply to every checker of the server wherever they are written.
    for c in children {
        checker::common_keyword(c, &mut defaults, d);
    }
    for c in children {
        match c.keyword.as_str() {
            k if checker::is_checker(k) => rs.checkers.extend(checker::parse(c, &defaults, d)),
            "connect_timeout" | "retry" | "nb_get_retry" | "delay_before_retry" | "warmup"
            | "delay_loop" | "alpha" => {}
            "weight" => {
                if let Some(w) = v::uint(c, 0, i32::MAX as u64, d) {
                    rs.weight = w as u32;
                }
            }
            "lvs_method" | "lb_kind" => rs.method = method::parse(c, d),
            "inhibit_on_failure" => rs.inhibit_on_failure = v::boolean(c, d).unwrap_or(true),
            "smtp_alert" => rs.smtp_alert = Some(v::boolean(c, d).unwrap_or(true)),
            "notify_up" => rs.notify_up = v::script(c, d),
            "notify_down" => rs.notify_down = v::script(c, d),
            "uthreshold" => {
                rs.uthreshold = v::uint(c, 0, u64::from(u32::MAX), d).map_or(0, |n| n as u32)
            }
            "lthreshold" => {
                rs.lthreshold = v::uint(c, 0, u64::from(u32::MAX), d).map_or(0, |n| n as u32)
            }
            "virtualhost" => rs.virtualhost = v::string(c, d),
            _ => v::unsupported(c, &section, d),
        }
    }
    if rs.uthreshold != 0 && rs.lthreshold > rs.uthreshold {
        d.error(
            &item.at,
            format!(
                "{section}: lthreshold {} is above uthreshold {}",
                rs.lthreshold, rs.uthreshold
            ),
        );
    }
    Some(rs)
}
