//! `vrrp_script NAME { }`: a command run periodically whose result moves instance priority.

use std::time::Duration;

use super::diag::{Diagnostics, Location};
use super::tree::Item;
use super::value as v;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VrrpScript {
    pub name: String,
    pub at: Location,
    /// Required: keepalived drops a vrrp_script without one.
    pub script: String,
    /// 1 s.
    pub interval: Duration,
    /// Defaults to `interval`, as in keepalived.
    pub timeout: Duration,
    /// 0 (a failure faults the instance); otherwise -253..=253 priority shift.
    pub weight: i32,
    /// `weight N reverse`: the shift applies while the script fails.
    pub weight_reverse: bool,
    /// Successes needed to count as up: 1.
    pub rise: u32,
    /// Failures needed to count as down: 1.
    pub fall: u32,
    pub user: Option<String>,
    /// `init_fail`: start as failed.
    pub init_fail: bool,
}

const SECTION: &str = "vrrp_script";
const MAX_SECS: Duration = Duration::from_secs(1000);

pub fn parse(item: &Item, d: &mut Diagnostics) -> Option<VrrpScript> {
    v::extra(item, 1, d);
    let name = v::need(item, 0, d)?.to_string();
    let mut s = VrrpScript {
        name: name.clone(),
        at: item.at.clone(),
        script: String::new(),
        interval: Duration::from_secs(1),
        timeout: Duration::ZERO,
        weight: 0,
        weight_reverse: false,
        rise: 1,
        fall: 1,
        user: None,
        init_fail: false,
    };
    let mut timeout = None;
    let section = format!("{SECTION} {name}");
    for c in v::block(item, d) {
        match c.keyword.as_str() {
            "script" => {
                if let Some(sc) = v::script(c, d) {
                    s.script = sc.command;
                    if sc.user.is_some() {
                        s.user = sc.user;
                    }
                }
            }
            "interval" => {
                if let Some(t) = v::timer(c, Duration::from_millis(1), MAX_SECS, d) {
                    s.interval = t;
                }
            }
            "timeout" => timeout = v::timer(c, Duration::from_millis(1), MAX_SECS, d),
            "weight" => {
                v::extra(c, 2, d);
                if let Some(w) = v::int(c, -253, 253, d) {
                    s.weight = w as i32;
                }
                match c.arg(1) {
                    None => {}
                    Some("reverse") => s.weight_reverse = true,
                    Some(other) => d.error(
                        &c.at,
                        format!("'weight' takes only 'reverse' after the value, not '{other}'"),
                    ),
                }
            }
            "rise" => s.rise = v::uint(c, 1, u64::from(u32::MAX), d).map_or(s.rise, |n| n as u32),
            "fall" => s.fall = v::uint(c, 1, u64::from(u32::MAX), d).map_or(s.fall, |n| n as u32),
            "user" => {
                v::extra(c, 2, d);
                s.user = v::need(c, 0, d).map(|u| match c.arg(1) {
                    Some(g) => format!("{u}:{g}"),
                    None => u.to_string(),
                });
            }
            "init_fail" => s.init_fail = v::flag(c, d),
            _ => v::unsupported(c, &section, d),
        }
    }
    s.timeout = timeout.unwrap_or(s.interval);
    if s.script.is_empty() {
        d.error(&item.at, format!("{section} has no 'script'"));
        return None;
    }
    Some(s)
}
