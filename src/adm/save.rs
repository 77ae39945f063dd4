//! `ipvsadm -S`: the table as the commands that rebuild it, as ipvsadm 1.31 prints them.
//! Each line is the rule language's own printing of the change (`rules::service_line`,
//! `rules::dest_line`), so a save, the audit log and restore speak the same language.

use super::names::{Naming, ReverseNames};
use super::sort::{cmp_dests, cmp_services};
use crate::ipvs::{Dest, ServiceEntry};
use crate::rules::{dest_line, service_line, ListOptions, SaveFormat};

/// `ipvsadm -S` / `-S -n` of the whole table, sorted as ipvsadm sorts (unless `nosort`).
/// With `keep_thresholds`, real-server lines also carry `-x`/`-y`, which ipvsadm's `-R` accepts.
pub fn save(entries: &[ServiceEntry], opts: &ListOptions, resolver: &dyn ReverseNames) -> String {
    let naming = Naming::new(opts.numeric, resolver);
    let format = SaveFormat {
        names: &naming,
        keep_thresholds: opts.keep_thresholds,
    };
    let rows: usize = entries.iter().map(|e| 1 + e.dests.len()).sum();
    let mut out = String::with_capacity(rows * 56);
    let mut order: Vec<&ServiceEntry> = entries.iter().collect();
    if !opts.nosort {
        order.sort_by(|a, b| cmp_services(&a.service.config.key, &b.service.config.key));
    }
    let mut dests: Vec<&Dest> = Vec::new();
    for entry in order {
        let key = &entry.service.config.key;
        out.push_str(&service_line("-A", &entry.service.config, &naming));
        out.push('\n');
        dests.clear();
        dests.extend(entry.dests.iter());
        if !opts.nosort {
            dests.sort_by(|a, b| cmp_dests(a, b));
        }
        for dest in &dests {
            out.push_str(&dest_line("-a", key, &dest.config, format));
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adm::names::NoNames;
    use crate::ipvs::{
        tun_flags, DestConfig, Family, Forward, Protocol, ServiceConfig, ServiceKey, TunnelType,
    };

    #[test]
    fn local_saves_as_route_and_thresholds_follow_weight() {
        let key = ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: "192.0.2.1".parse().unwrap(),
            port: 80,
        };
        let mut d = DestConfig::new("192.0.2.1".parse().unwrap(), 80);
        d.forward = Forward::Local;
        let naming = Naming::new(true, &NoNames);
        let plain = SaveFormat {
            names: &naming,
            keep_thresholds: false,
        };
        let thresholds = SaveFormat {
            names: &naming,
            keep_thresholds: true,
        };
        assert_eq!(
            dest_line("-a", &key, &d, plain),
            "-a -t 192.0.2.1:80 -r 192.0.2.1:80 -g -w 1"
        );
        d.forward = Forward::Tunnel;
        d.tun_type = TunnelType::Gue;
        d.tun_port = 5555;
        d.tun_flags = tun_flags::REMCSUM;
        d.u_threshold = 9;
        assert_eq!(
            dest_line("-a", &key, &d, thresholds),
            "-a -t 192.0.2.1:80 -r 192.0.2.1:80 -i -w 1 -x 9 -y 0 --tun-type gue --tun-port 5555 --tun-remcsum"
        );
    }

    #[test]
    fn pe_is_saved_even_without_persistence() {
        let mut cfg = ServiceConfig::new(ServiceKey::Fwmark {
            mark: 7,
            family: Family::Inet6,
        });
        cfg.pe_name = Some("sip".into());
        assert_eq!(
            service_line("-A", &cfg, &Naming::new(true, &NoNames)),
            "-A -f 7 -6 -s wlc --pe sip"
        );
    }
}
