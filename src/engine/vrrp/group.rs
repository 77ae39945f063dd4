//! `vrrp_sync_group` onto the member specs, with keepalived's configuration rules
//! (`vrrp_sync_set_group`, `vrrp_complete_instance`, `sync_group_tracking_init`):
//! - members are marked so their down timer asks the group ([`crate::vrrp::Config::sync_group`]);
//! - `state MASTER` stays only when every member is an address owner wanting MASTER;
//! - weighted tracks are dropped (scripts) or made fault-only (interfaces) unless
//!   `sync_group_tracking_weight`, so members cannot drift apart in priority;
//! - the group's own `track_script` / `track_interface` are added to every member.

use super::notify::Scripts;
use super::spec::SpecError;
use super::spec::{notify_line, track_list, Spec};
use super::track::Track;
use crate::config::{Config, SyncGroup};
use crate::vrrp::sync_group::initial_master;

/// What the group's coordinator needs; every member's spec carries a copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSpec {
    pub name: String,
    /// Member instance names, in the file's order (the coordinator's member indices).
    pub members: Vec<String>,
    pub notify: Scripts,
}

/// Sets up the members of every sync group in `specs`. `Err`: file:line messages.
/// Warnings (dropped weights) are logged.
pub fn apply(specs: &mut [Spec], cfg: &Config) -> Result<(), Vec<SpecError>> {
    let mut errors = Vec::new();
    for g in &cfg.sync_groups {
        if let Err(e) = apply_one(specs, g, cfg) {
            errors.push(e);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn apply_one(specs: &mut [Spec], g: &SyncGroup, cfg: &Config) -> Result<(), SpecError> {
    let who = format!("vrrp_sync_group {}", g.name);
    let members: Vec<String> = g
        .members
        .iter()
        .map(|(m, _)| m.clone())
        .filter(|m| specs.iter().any(|s| &s.name == m))
        .collect();
    if members.is_empty() {
        // The parser already reported unknown names; nothing to run.
        return Ok(());
    }
    if members.len() == 1 {
        tracing::warn!(
            "{}: {who} has only 1 virtual router - this probably isn't what you want",
            g.at
        );
    }
    let notify = Scripts {
        master: notify_line(&g.notify_master, &cfg.global, &who)?,
        backup: notify_line(&g.notify_backup, &cfg.global, &who)?,
        fault: notify_line(&g.notify_fault, &cfg.global, &who)?,
        stop: notify_line(&g.notify_stop, &cfg.global, &who)?,
        generic: notify_line(&g.notify, &cfg.global, &who)?,
    };
    let group_tracks = track_list(
        &g.track_script,
        &g.track_interface,
        &cfg.global,
        &cfg.scripts,
    )?;
    let spec = GroupSpec {
        name: g.name.clone(),
        members: members.clone(),
        notify,
    };
    let idx: Vec<usize> = members
        .iter()
        .filter_map(|m| specs.iter().position(|s| &s.name == m))
        .collect();
    let wants: Vec<(bool, bool)> = idx
        .iter()
        .map(|&i| (specs[i].core.initial_master, specs[i].core.is_owner()))
        .collect();
    let keep_master = initial_master(&wants);
    for (k, &i) in idx.iter().enumerate() {
        let s = &mut specs[i];
        if s.core.initial_master && !keep_master[k] {
            tracing::warn!(
                "{who}: {} starts as BACKUP (state MASTER in a sync group needs every member to be an address owner)",
                s.name
            );
        }
        s.core.initial_master = keep_master[k];
        s.core.sync_group = true;
        if !g.tracking_weight {
            drop_weights(&mut s.tracks, &s.name, &who);
        }
        let mut extra = group_tracks.clone();
        if !g.tracking_weight {
            drop_weights(&mut extra, &s.name, &who);
        }
        s.tracks.extend(extra);
        s.group = Some(spec.clone());
    }
    Ok(())
}

/// keepalived: in a sync group without `sync_group_tracking_weight`, a weighted script is
/// ignored and a weighted interface only faults.
fn drop_weights(tracks: &mut Vec<Track>, name: &str, who: &str) {
    tracks.retain_mut(|t| match t {
        Track::Script(s) if s.weight != 0 => {
            tracing::warn!(
                "({name}) ignoring tracked script {} with weights due to {who}",
                s.name
            );
            false
        }
        Track::Link(l) if l.weight != 0 => {
            tracing::warn!(
                "({name}) ignoring weight of tracked interface {} due to {who}",
                l.name
            );
            l.weight = 0;
            true
        }
        _ => true,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_str;
    use std::path::Path;

    fn load(text: &str) -> Result<Vec<Spec>, Vec<String>> {
        let l = parse_str(text, Path::new("k.conf"));
        assert!(l.is_ok(), "{:?}", l.diagnostics.items);
        let mut specs: Vec<Spec> = l
            .config
            .instances
            .iter()
            .map(|i| Spec::from_config(i, &l.config.global, &l.config.scripts).expect("maps"))
            .collect();
        apply(&mut specs, &l.config)
            .map(|_| specs)
            .map_err(|e| e.iter().map(ToString::to_string).collect())
    }

    const TWO: &str = "vrrp_script chk {\n script \"/bin/true\"\n weight -20\n}\n\
        vrrp_script up {\n script \"/bin/true\"\n}\n\
        vrrp_instance A {\n state MASTER\n interface e1\n virtual_router_id 1\n priority 150\n\
        virtual_ipaddress {\n 192.0.2.1\n }\n track_script {\n chk\n }\n\
        track_interface {\n e9 weight -10\n }\n}\n\
        vrrp_instance B {\n interface e2\n virtual_router_id 2\n\
        virtual_ipaddress {\n 192.0.2.2\n }\n}\n\
        vrrp_instance C {\n interface e3\n virtual_router_id 3\n\
        virtual_ipaddress {\n 192.0.2.3\n }\n track_script {\n chk\n }\n}\n";

    #[test]
    fn members_are_marked_and_carry_the_group() {
        let text = format!(
            "{TWO}vrrp_sync_group G {{\n group {{\n A B\n }}\n notify \"/n\"\n\
             track_script {{\n up\n }}\n}}\n"
        );
        let s = load(&text).expect("applies");
        let (a, b, c) = (&s[0], &s[1], &s[2]);
        assert!(a.core.sync_group && b.core.sync_group && !c.core.sync_group);
        assert!(
            !a.core.initial_master,
            "MASTER without owner priority in a group"
        );
        let g = a.group.as_ref().expect("group");
        assert_eq!(g.members, ["A", "B"]);
        assert_eq!(b.group, a.group);
        assert_eq!(
            g.notify
                .commands("GROUP", "G", crate::vrrp::State::Fault, 0)[0]
                .argv,
            ["/n", "GROUP", "G", "FAULT", "0"]
        );
        // A: weighted chk dropped, e9 kept as fault-only, the group's `up` added.
        let names: Vec<(&str, i32)> = a
            .tracks
            .iter()
            .map(|t| match t {
                Track::Script(s) => (s.name.as_str(), s.weight),
                Track::Link(l) => (l.name.as_str(), l.weight),
            })
            .collect();
        assert_eq!(names, [("e9", 0), ("up", 0)]);
        assert_eq!(b.tracks.len(), 1);
        // C is not in the group: untouched.
        assert_eq!(c.tracks.len(), 1);
        assert!(c.group.is_none());
    }

    #[test]
    fn tracking_weight_keeps_weights() {
        let text = format!(
            "{TWO}vrrp_sync_group G {{\n group {{\n A\n B\n }}\n sync_group_tracking_weight\n}}\n"
        );
        let s = load(&text).expect("applies");
        assert_eq!(s[0].tracks.len(), 2);
        assert!(matches!(&s[0].tracks[0], Track::Script(t) if t.weight == -20));
    }

    #[test]
    fn group_track_script_unknown_is_an_error_with_its_line() {
        let text = format!(
            "{TWO}vrrp_sync_group G {{\n group {{\n A B\n }}\n track_script {{\n nope\n }}\n}}\n"
        );
        let e = load(&text).expect_err("unknown script");
        assert!(e[0].starts_with("k.conf:45:"), "{e:?}");
    }
}
