//! The table lvsdeck wants: the configured services with their real servers, after the
//! health checker's verdicts and then the operator's overrides (the operator has the last
//! word: a drained server stays drained even when its checker says it is up).

use std::collections::{BTreeMap, HashSet};
use std::net::IpAddr;

use crate::config::IpvsService;
use crate::ipvs::{Dest, DestConfig, Service, ServiceEntry, ServiceKey, Stats};

/// One real server (or sorry server) of one virtual service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServerId {
    pub service: ServiceKey,
    pub addr: IpAddr,
    pub port: u16,
}

/// Where a real server should be: the vocabulary the health policy and the operator share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// In the table with this weight.
    In { weight: u32 },
    /// Not in the table.
    Out,
    /// In the table with weight 0 (`inhibit_on_failure`, or an operator's drain): existing
    /// connections continue, no new ones.
    Inhibited,
}

/// Verdicts per server; a server without one keeps what the layer below says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides(BTreeMap<ServerId, Presence>);

impl Overrides {
    pub fn set(&mut self, id: ServerId, p: Presence) {
        self.0.insert(id, p);
    }

    pub fn clear(&mut self, id: &ServerId) {
        self.0.remove(id);
    }

    pub fn get(&self, id: &ServerId) -> Option<Presence> {
        self.0.get(id).copied()
    }
}

fn entry(service: crate::ipvs::ServiceConfig, dests: Vec<DestConfig>) -> ServiceEntry {
    ServiceEntry {
        service: Service {
            config: service,
            stats: Stats::default(),
        },
        dests: dests
            .into_iter()
            .map(|config| Dest {
                config,
                active_conns: 0,
                inact_conns: 0,
                persist_conns: 0,
                stats: Stats::default(),
            })
            .collect(),
    }
}

/// Applies one layer's verdict to a server that is in at `dest.weight` (or out: `None`).
fn layer(
    dest: Option<DestConfig>,
    base: &DestConfig,
    verdict: Option<Presence>,
) -> Option<DestConfig> {
    match verdict {
        None => dest,
        Some(Presence::Out) => None,
        Some(Presence::In { weight }) => Some(DestConfig {
            weight,
            ..dest.unwrap_or_else(|| base.clone())
        }),
        Some(Presence::Inhibited) => Some(DestConfig {
            weight: 0,
            ..dest.unwrap_or_else(|| base.clone())
        }),
    }
}

/// The desired table. Real servers start in at their configured weight; a sorry server
/// starts out and is put in only by a verdict (quorum is the health policy's decision).
/// A service or server declared twice counts once, the first declaration winning
/// ([`duplicates`] reports them).
pub fn desired_table(
    services: &[IpvsService],
    health: &Overrides,
    operator: &Overrides,
) -> Vec<ServiceEntry> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for s in services {
        let key = s.service.key;
        if !seen.insert(key) {
            continue;
        }
        let mut dests: Vec<DestConfig> = Vec::new();
        let candidates = s
            .dests
            .iter()
            .map(|d| (d, Some(d.clone())))
            .chain(s.sorry.iter().map(|d| (d, None)));
        for (base, start) in candidates {
            if dests
                .iter()
                .any(|d| d.addr == base.addr && d.port == base.port)
            {
                continue;
            }
            let id = ServerId {
                service: key,
                addr: base.addr,
                port: base.port,
            };
            let after_health = layer(start, base, health.get(&id));
            if let Some(d) = layer(after_health, base, operator.get(&id)) {
                dests.push(d);
            }
        }
        out.push(entry(s.service.clone(), dests));
    }
    out
}

/// `FILE:LINE: ...` for every service declared more than once (by two virtual servers,
/// or a group and a virtual server): the kernel can hold only one of them.
pub fn duplicates(services: &[IpvsService]) -> Vec<String> {
    let mut first: BTreeMap<ServiceKey, &IpvsService> = BTreeMap::new();
    let mut out = Vec::new();
    for s in services {
        match first.get(&s.service.key) {
            None => {
                first.insert(s.service.key, s);
            }
            Some(f) if f.at != s.at => out.push(format!(
                "{}: error: service {} is already declared at {}",
                s.at,
                crate::rules::service_selector(&s.service.key, &crate::rules::Numeric),
                f.at
            )),
            Some(_) => {}
        }
    }
    out
}
