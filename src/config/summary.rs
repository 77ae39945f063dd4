//! What `lvsdeck validate` prints after the diagnostics: the instances that would run,
//! connection sync, and the IPVS table (ipvsadm `-S` lines, printed by the rule language) with each server's
//! checkers.

use std::fmt::Write;

use crate::rules::{dest_line, service_line, SaveFormat};

use super::checker::{Checker, CheckerKind};
use super::ipvs::convert;
use super::value::secs_text;
use super::vrrp_instance::InitialState;
use super::{Config, Diagnostics};

fn checker_text(c: &Checker) -> String {
    let detail = match &c.kind {
        CheckerKind::Http(h) => format!(" {} url(s)", h.urls.len()),
        CheckerKind::Misc(m) => format!(" \"{}\"", m.path),
        CheckerKind::Dns { query_type, name } => format!(" {query_type} {name}"),
        _ => String::new(),
    };
    let port = c
        .common
        .connect_port
        .map(|p| format!(" port {p}"))
        .unwrap_or_default();
    format!(
        "{}{detail}{port} every {}s, timeout {}s, retry {} after {}s",
        c.name(),
        secs_text(c.common.delay_loop),
        secs_text(c.common.connect_timeout),
        c.common.retry,
        secs_text(c.common.delay_before_retry)
    )
}

/// The human summary of a loaded configuration.
pub fn summary(c: &Config) -> String {
    let mut s = String::new();
    for i in &c.instances {
        let state = match i.state {
            InitialState::Master => "MASTER",
            InitialState::Backup => "BACKUP",
        };
        let _ = writeln!(
            s,
            "vrrp_instance {} ({}): {state} priority {} vrid {} interface {} advert {}s VRRPv{}{}",
            i.name,
            i.at,
            i.priority,
            i.virtual_router_id,
            i.interface.as_deref().unwrap_or("(default)"),
            secs_text(i.advert_int),
            i.version,
            if i.nopreempt { " nopreempt" } else { "" }
        );
        for a in &i.virtual_ipaddress {
            let dev = a
                .dev
                .as_deref()
                .map(|d| format!(" dev {d}"))
                .unwrap_or_default();
            let _ = writeln!(s, "    vip {}/{}{dev}", a.addr, a.prefix);
        }
        if let Some(v) = &i.use_vmac {
            let name = if v.is_empty() {
                format!("vrrp.{}", i.virtual_router_id)
            } else {
                v.clone()
            };
            let _ = writeln!(s, "    use_vmac {name}");
        }
        for t in &i.track_script {
            let w = t.weight.map(|w| format!(" weight {w}")).unwrap_or_default();
            let _ = writeln!(s, "    track_script {}{w}", t.name);
        }
        for t in &i.track_interface {
            let w = t.weight.map(|w| format!(" weight {w}")).unwrap_or_default();
            let _ = writeln!(s, "    track_interface {}{w}", t.name);
        }
    }
    for g in &c.sync_groups {
        let members: Vec<&str> = g.members.iter().map(|(m, _)| m.as_str()).collect();
        let _ = writeln!(
            s,
            "vrrp_sync_group {} ({}): {}",
            g.name,
            g.at,
            members.join(" ")
        );
    }
    if let Some(sd) = &c.lvs_sync {
        let how = match &sd.instance {
            Some(i) => format!("master daemon while {i} is MASTER, backup daemon otherwise"),
            None if c.virtual_servers.is_empty() => {
                "no instance named and no virtual server: none runs".into()
            }
            None => "no instance named: master and backup daemons both run".into(),
        };
        let _ = writeln!(s, "connection sync ({}): {}: {how}", sd.at, sd.line());
    }
    let format = SaveFormat::default();
    // Thresholds print (lvsdeck's -x/-y extension) only where they are set.
    let with_thresholds = |dc: &crate::ipvs::DestConfig| SaveFormat {
        keep_thresholds: dc.u_threshold != 0 || dc.l_threshold != 0,
        ..format
    };
    let services = convert(c, &mut Diagnostics::default());
    for vs in &c.virtual_servers {
        let _ = writeln!(
            s,
            "virtual_server ({}): delay_loop {}s quorum {}",
            vs.at,
            secs_text(vs.check.delay_loop),
            vs.quorum
        );
        for svc in services.iter().filter(|x| x.at == vs.at) {
            let _ = writeln!(s, "  {}", service_line("-A", &svc.service, format.names));
            for dc in &svc.dests {
                let line = dest_line("-a", &svc.service.key, dc, with_thresholds(dc));
                let _ = writeln!(s, "  {line}");
                let Some(rs) = vs
                    .real_servers
                    .iter()
                    .find(|r| r.addr == dc.addr && r.port == dc.port)
                else {
                    continue;
                };
                for ch in &rs.checkers {
                    let _ = writeln!(s, "      {}", checker_text(ch));
                }
                if rs.checkers.is_empty() {
                    let _ = writeln!(s, "      (no checker: always up)");
                }
            }
            if let Some(sorry) = &svc.sorry {
                let _ = writeln!(
                    s,
                    "  sorry server: {}",
                    dest_line("-a", &svc.service.key, sorry, format)
                );
            }
        }
    }
    s
}
