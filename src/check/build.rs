//! From a keepalived configuration to the policy's specs and the runnable checks.

use std::collections::HashMap;

use tokio_rustls::TlsConnector;

use crate::config::{Config, VirtualServer, VsTarget};

use super::policy::spec::{CheckSpec, CheckerId, RsIndex, RsSpec, ScriptCall, VsSpec};
use super::probe::{self, Check, Context};

/// Specs for the policy, checks for the runner, and the checkers that cannot run (they
/// are left out; their server then has fewer checks).
pub struct Built {
    pub specs: Vec<VsSpec>,
    pub checks: Vec<(CheckerId, Check)>,
    pub problems: Vec<String>,
}

fn vs_name(vs: &VirtualServer) -> String {
    match &vs.target {
        VsTarget::Addr { addr, port } => format!("{addr} {port}"),
        VsTarget::Fwmark(m) => format!("fwmark {m}"),
        VsTarget::Group(g) => format!("group {g}"),
    }
}

pub fn build(cfg: &Config, helo: &str, tls: Option<&TlsConnector>) -> Built {
    let services = cfg.ipvs_services();
    let mut out = Built {
        specs: Vec::new(),
        checks: Vec::new(),
        problems: Vec::new(),
    };
    for vs in &cfg.virtual_servers {
        let mine: Vec<_> = services.iter().filter(|s| s.at == vs.at).collect();
        let Some(first) = mine.first() else {
            out.problems
                .push(format!("{}: no kernel service", vs_name(vs)));
            continue;
        };
        let dests: HashMap<_, _> = first
            .dests
            .iter()
            .map(|d| ((d.addr, d.port), d.clone()))
            .collect();
        let v = out.specs.len();
        let mut servers = Vec::new();
        for rs in &vs.real_servers {
            let Some(dest) = dests.get(&(rs.addr, rs.port)).cloned() else {
                continue;
            };
            let id = RsIndex {
                vs: v,
                rs: servers.len(),
            };
            let cx = Context {
                addr: rs.addr,
                port: rs.port,
                virtualhost: rs.virtualhost.as_deref().or(vs.virtualhost.as_deref()),
                helo,
                tls,
                script_user: cfg.global.script_user.as_deref(),
            };
            let mut checkers = Vec::new();
            for c in &rs.checkers {
                match probe::from_config(c, &cx) {
                    Ok(check) => {
                        out.checks.push((
                            CheckerId {
                                server: id,
                                index: checkers.len(),
                            },
                            check,
                        ));
                        checkers.push(CheckSpec {
                            name: c.name(),
                            retry: c.common.retry,
                            delay_before_retry: c.common.delay_before_retry,
                            delay_loop: c.common.delay_loop,
                            warmup: c.common.warmup,
                            alpha: c.common.alpha,
                        });
                    }
                    Err(e) => out.problems.push(format!("{}: {}: {e}", c.at, c.name())),
                }
            }
            servers.push(RsSpec {
                dest,
                inhibit: rs.inhibit_on_failure,
                notify_up: rs.notify_up.as_ref().map(ScriptCall::from),
                notify_down: rs.notify_down.as_ref().map(ScriptCall::from),
                smtp_alert: rs
                    .smtp_alert
                    .or(vs.smtp_alert)
                    .or(cfg.global.smtp_alert)
                    .unwrap_or(false),
                checkers,
            });
        }
        out.specs.push(VsSpec {
            name: vs_name(vs),
            services: mine.iter().map(|s| s.service.key).collect(),
            servers,
            quorum: vs.quorum,
            hysteresis: vs.hysteresis,
            sorry: first.sorry.clone(),
            sorry_inhibit: vs.sorry_server_inhibit,
            quorum_up: vs.quorum_up.as_ref().map(ScriptCall::from),
            quorum_down: vs.quorum_down.as_ref().map(ScriptCall::from),
            omega: vs.omega,
        });
    }
    out
}
