//! `vrrp_sync_group NAME { group { I1 I2 } notify_* track_* }`: instances that change state
//! together. Group-level `track_interface` / `track_script` apply to every member.

use super::diag::{Diagnostics, Location};
use super::tree::Item;
use super::value::{self as v, Script};
use super::vrrp_instance::{parse_tracked, Tracked};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncGroup {
    pub name: String,
    pub at: Location,
    /// Instance names with where each is named (for cross-reference errors).
    pub members: Vec<(String, Location)>,
    pub notify_master: Option<Script>,
    pub notify_backup: Option<Script>,
    pub notify_fault: Option<Script>,
    pub notify_stop: Option<Script>,
    pub notify: Option<Script>,
    pub smtp_alert: bool,
    pub track_interface: Vec<Tracked>,
    pub track_script: Vec<Tracked>,
    /// `sync_group_tracking_weight`: members keep their weighted tracks (keepalived drops
    /// them otherwise, a weight would let one member's priority drift from the others').
    pub tracking_weight: bool,
}

pub fn parse(item: &Item, d: &mut Diagnostics) -> Option<SyncGroup> {
    v::extra(item, 1, d);
    let name = v::need(item, 0, d)?.to_string();
    let section = format!("vrrp_sync_group {name}");
    let mut g = SyncGroup {
        name,
        at: item.at.clone(),
        members: Vec::new(),
        notify_master: None,
        notify_backup: None,
        notify_fault: None,
        notify_stop: None,
        notify: None,
        smtp_alert: false,
        track_interface: Vec::new(),
        track_script: Vec::new(),
        tracking_weight: false,
    };
    for c in v::block(item, d) {
        match c.keyword.as_str() {
            "group" => {
                for m in v::block(c, d) {
                    // keepalived allows several names on one line.
                    for n in std::iter::once(&m.keyword).chain(m.args.iter()) {
                        g.members.push((n.clone(), m.at.clone()));
                    }
                }
            }
            "notify_master" => g.notify_master = v::script(c, d),
            "notify_backup" => g.notify_backup = v::script(c, d),
            "notify_fault" => g.notify_fault = v::script(c, d),
            "notify_stop" => g.notify_stop = v::script(c, d),
            "notify" => g.notify = v::script(c, d),
            "smtp_alert" => g.smtp_alert = v::boolean(c, d).unwrap_or(true),
            "track_interface" => {
                for t in v::block(c, d) {
                    g.track_interface.push(parse_tracked(t, d));
                }
            }
            "track_script" => {
                for t in v::block(c, d) {
                    g.track_script.push(parse_tracked(t, d));
                }
            }
            "sync_group_tracking_weight" | "global_tracking" => g.tracking_weight = true,
            _ => v::unsupported(c, &section, d),
        }
    }
    if g.members.is_empty() {
        d.error(&item.at, format!("{section} has no instances in 'group'"));
    }
    Some(g)
}
