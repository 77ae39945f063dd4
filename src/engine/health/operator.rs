//! Operator commands on checked real servers (drain, disable, undrain), between the
//! console or the control socket and the health policy: which checker server a kernel
//! server is, and which of the policy's ops answered a command (for the audit log). Pure.

use crate::check::{Intent, OperatorCommand, RsIndex, VsSpec};
use crate::ipvs::Op;
use crate::rules::{ip_text, join_host_port};

use crate::engine::ipvs::desired::ServerId;
use crate::engine::ipvs::drift::DriftKey;

/// The checked real server `server` is, if the configuration declares it.
pub fn resolve(specs: &[VsSpec], server: &ServerId) -> Option<RsIndex> {
    specs.iter().enumerate().find_map(|(vs, spec)| {
        if !spec.services.contains(&server.service) {
            return None;
        }
        let rs = spec
            .servers
            .iter()
            .position(|r| r.dest.addr == server.addr && r.dest.port == server.port)?;
        Some(RsIndex { vs, rs })
    })
}

/// The policy command for an intent (`Auto` is an undrain).
pub fn command(id: RsIndex, intent: Intent) -> OperatorCommand {
    match intent {
        Intent::Drain => OperatorCommand::Drain(id),
        Intent::Disable => OperatorCommand::Disable(id),
        Intent::Auto => OperatorCommand::Undrain(id),
    }
}

/// Splits `ops` into those about an awaited server, and the servers still awaited.
pub fn split_ops(specs: &[VsSpec], awaiting: &[RsIndex], ops: &[Op]) -> (Vec<Op>, Vec<RsIndex>) {
    let about = |id: &RsIndex, op: &Op| -> bool {
        let Some(spec) = specs.get(id.vs) else {
            return false;
        };
        let Some(rs) = spec.servers.get(id.rs) else {
            return false;
        };
        DriftKey::of(op).is_some_and(|k| {
            spec.services.contains(&k.service) && k.server == Some((rs.dest.addr, rs.dest.port))
        })
    };
    let mine: Vec<Op> = ops
        .iter()
        .filter(|op| awaiting.iter().any(|id| about(id, op)))
        .cloned()
        .collect();
    let rest = awaiting
        .iter()
        .filter(|id| !ops.iter().any(|op| about(id, op)))
        .copied()
        .collect();
    (mine, rest)
}

/// `-t 198.51.100.10:80 -r 192.0.2.1:80`.
pub fn server_text(s: &ServerId) -> String {
    format!(
        "{} -r {}",
        crate::rules::service_selector(&s.service, &crate::rules::Numeric),
        join_host_port(&s.addr, &ip_text(&s.addr), &s.port.to_string())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipvs::{DestConfig, ServiceKey};
    use std::net::{IpAddr, Ipv4Addr};

    fn specs() -> Vec<VsSpec> {
        let loaded = crate::config::parse_str(
            "virtual_server 198.51.100.10 80 {\n lb_kind NAT\n protocol TCP\n\
             real_server 127.0.0.1 8081 {\n weight 2\n TCP_CHECK {\n connect_timeout 1\n }\n }\n\
             real_server 127.0.0.1 8082 {\n weight 3\n TCP_CHECK {\n connect_timeout 1\n }\n }\n}\n",
            std::path::Path::new("t.conf"),
        );
        crate::check::build::build(&loaded.config, "t", None).specs
    }

    fn svc() -> ServiceKey {
        specs()[0].services[0]
    }

    fn server(port: u16) -> ServerId {
        ServerId {
            service: svc(),
            addr: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port,
        }
    }

    #[test]
    fn resolves_configured_servers_only() {
        let s = specs();
        assert_eq!(resolve(&s, &server(8082)), Some(RsIndex { vs: 0, rs: 1 }));
        assert_eq!(resolve(&s, &server(9999)), None);
        let other = ServerId {
            service: ServiceKey::Fwmark {
                mark: 1,
                family: crate::ipvs::Family::Inet,
            },
            ..server(8081)
        };
        assert_eq!(resolve(&s, &other), None);
    }

    #[test]
    fn picks_the_ops_of_awaited_servers() {
        let s = specs();
        let dest = |port, weight| DestConfig {
            weight,
            ..s[0].servers[if port == 8081 { 0 } else { 1 }].dest.clone()
        };
        let ops = vec![
            Op::EditDest(svc(), dest(8081, 0)),
            Op::EditDest(svc(), dest(8082, 3)),
        ];
        let (mine, rest) = split_ops(&s, &[RsIndex { vs: 0, rs: 0 }], &ops);
        assert_eq!(mine, vec![ops[0].clone()]);
        assert!(rest.is_empty());
        let (mine, rest) = split_ops(&s, &[RsIndex { vs: 0, rs: 0 }], &ops[1..]);
        assert!(mine.is_empty());
        assert_eq!(rest, vec![RsIndex { vs: 0, rs: 0 }]);
    }

    #[test]
    fn names_a_server_as_ipvsadm_does() {
        assert_eq!(
            server_text(&server(8081)),
            "-t 198.51.100.10:80 -r 127.0.0.1:8081"
        );
    }
}
