//! What must hold between the two directors of a pair, checked on their pictures.
//!
//! - exactly one MASTER per VRID (both: split brain; neither: nobody holds the VIPs);
//! - each VIP present on the master and on no backup;
//! - the two IPVS tables equal, differences named as ipvsadm lines;
//! - the shared part of the configurations equal (`pair::digest`);
//! - operator intent equal: a server drained on one side only gets traffic after a failover;
//! - the sync daemons following the VRRP roles (master daemon on the master, backup daemon
//!   on the backup), and the backup holding the master's connections.
//!
//! A failover passes through states that would breach these for a moment (both MASTER for
//! an advert, no VIP for a skew time), so [`Alarms`] raises a breach only once it has held
//! for a grace period, and clears it as soon as it no longer holds.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::time::Duration;

use crate::clock::Instant;
use crate::engine::control::protocol::VrrpReport;

use super::state::DirectorState;

/// One side of the pair as the checks see it.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    /// The director's name as the console shows it (`lb1`, the SSH destination).
    pub name: &'a str,
    pub state: &'a DirectorState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Traffic is or will be lost at the next failover.
    Alert,
    /// Worth a look; nothing breaks by itself.
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    SplitBrain { vrid: u8 },
    NoMaster { vrid: u8 },
    VipMissing { vip: String },
    VipOnBackup { vip: String },
    TableDiffers,
    ConfigDiffers,
    IntentDiffers { server: String },
    SyncRole { director: String },
    NoSync,
    SyncLag { service: String },
}

/// A breach of an invariant: what, how bad, in words, and the lines that detail it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breach {
    pub kind: Kind,
    pub severity: Severity,
    pub text: String,
    /// For a table difference: `lb2 lacks: -a -t ... -r ... -g -w 1`, one per line.
    pub details: Vec<String>,
}

fn breach(kind: Kind, severity: Severity, text: String) -> Breach {
    Breach {
        kind,
        severity,
        text,
        details: Vec::new(),
    }
}

/// Every invariant that does not hold between `a` and `b` now.
pub fn check(a: Side<'_>, b: Side<'_>) -> Vec<Breach> {
    let mut out = Vec::new();
    vrrp(a, b, &mut out);
    vips(a, b, &mut out);
    if let Some(t) = table(a, b) {
        out.push(t);
    }
    config(a, b, &mut out);
    intent(a, b, &mut out);
    sync(a, b, &mut out);
    out
}

/// The VRIDs both sides run, with each side's instance (by VRID: names may differ).
pub fn vrids<'a>(
    a: Side<'a>,
    b: Side<'a>,
) -> BTreeMap<u8, (Option<&'a VrrpReport>, Option<&'a VrrpReport>)> {
    let mut m: BTreeMap<u8, (Option<&VrrpReport>, Option<&VrrpReport>)> = BTreeMap::new();
    for v in a.state.vrrp() {
        m.entry(v.vrid).or_default().0 = Some(v);
    }
    for v in b.state.vrrp() {
        m.entry(v.vrid).or_default().1 = Some(v);
    }
    m
}

fn is_master(v: Option<&VrrpReport>) -> bool {
    v.is_some_and(|v| v.state == "MASTER")
}

fn vrrp(a: Side<'_>, b: Side<'_>, out: &mut Vec<Breach>) {
    for (vrid, (va, vb)) in vrids(a, b) {
        match (is_master(va), is_master(vb)) {
            (true, true) => out.push(breach(
                Kind::SplitBrain { vrid },
                Severity::Alert,
                format!(
                    "split brain: VRID {vrid} is MASTER on both {} and {}",
                    a.name, b.name
                ),
            )),
            (false, false) => {
                let states: Vec<String> = [(a, va), (b, vb)]
                    .iter()
                    .map(|(s, v)| {
                        format!(
                            "{} {}",
                            s.name,
                            v.map_or("not running", |v| v.state.as_str())
                        )
                    })
                    .collect();
                out.push(breach(
                    Kind::NoMaster { vrid },
                    Severity::Alert,
                    format!("no master for VRID {vrid} ({})", states.join(", ")),
                ));
            }
            _ => {}
        }
    }
}

/// `198.51.100.10/32 dev eth1` → the address.
fn addr_of(text: &str) -> Option<IpAddr> {
    text.split(['/', ' ']).next()?.parse().ok()
}

fn addresses(s: &DirectorState) -> Option<BTreeSet<IpAddr>> {
    let m = s.meta()?;
    if m.addresses.is_empty() {
        return None;
    }
    Some(m.addresses.iter().filter_map(|a| addr_of(a)).collect())
}

fn vips(a: Side<'_>, b: Side<'_>, out: &mut Vec<Breach>) {
    let (Some(on_a), Some(on_b)) = (addresses(a.state), addresses(b.state)) else {
        return;
    };
    for (_, (va, vb)) in vrids(a, b) {
        let configured: BTreeSet<IpAddr> = va
            .into_iter()
            .chain(vb)
            .flat_map(|v| v.vips.iter().filter_map(|x| addr_of(x)))
            .collect();
        for vip in configured {
            for (side, v, present) in [(a, va, &on_a), (b, vb, &on_b)] {
                let here = present.contains(&vip);
                if is_master(v) && !here {
                    out.push(breach(
                        Kind::VipMissing {
                            vip: vip.to_string(),
                        },
                        Severity::Alert,
                        format!("VIP {vip} is not on {}, the master", side.name),
                    ));
                } else if !is_master(v) && here && v.is_some() {
                    out.push(breach(
                        Kind::VipOnBackup {
                            vip: vip.to_string(),
                        },
                        Severity::Alert,
                        format!(
                            "VIP {vip} is on {}, which is {}",
                            side.name,
                            v.map_or("-", |v| v.state.as_str())
                        ),
                    ));
                }
            }
        }
    }
}

/// The two kernel tables' rules, compared by key; `None` when equal.
fn table(a: Side<'_>, b: Side<'_>) -> Option<Breach> {
    let rules = |s: &DirectorState| -> BTreeMap<String, String> {
        s.services()
            .map(|(k, v)| (k.clone(), v.rule.clone()))
            .chain(s.servers().map(|(k, v)| (k.clone(), v.rule.clone())))
            .collect()
    };
    let (ra, rb) = (rules(a.state), rules(b.state));
    let mut details = Vec::new();
    for (k, la) in &ra {
        match rb.get(k) {
            None => details.push(format!("only on {}: {la}", a.name)),
            Some(lb) if lb != la => {
                details.push(format!("{}: {la}", a.name));
                details.push(format!("{}: {lb}", b.name));
            }
            Some(_) => {}
        }
    }
    for (k, lb) in &rb {
        if !ra.contains_key(k) {
            details.push(format!("only on {}: {lb}", b.name));
        }
    }
    if details.is_empty() {
        return None;
    }
    let n = details.iter().filter(|d| d.starts_with("only")).count()
        + details.iter().filter(|d| !d.starts_with("only")).count() / 2;
    Some(Breach {
        kind: Kind::TableDiffers,
        severity: Severity::Alert,
        text: format!(
            "the IPVS tables of {} and {} differ in {n} {}",
            a.name,
            b.name,
            if n == 1 { "entry" } else { "entries" }
        ),
        details,
    })
}

fn config(a: Side<'_>, b: Side<'_>, out: &mut Vec<Breach>) {
    let digest = |s: &DirectorState| s.meta().and_then(|m| m.config.clone());
    if let (Some(da), Some(db)) = (digest(a.state), digest(b.state)) {
        if da.shared_sha256 != db.shared_sha256 {
            out.push(Breach {
                kind: Kind::ConfigDiffers,
                severity: Severity::Warning,
                text: format!(
                    "the configurations of {} and {} differ beyond priority, state and peers",
                    a.name, b.name
                ),
                details: vec![
                    format!(
                        "{}: {} sha256 {}",
                        a.name,
                        da.path,
                        short(&da.shared_sha256)
                    ),
                    format!(
                        "{}: {} sha256 {}",
                        b.name,
                        db.path,
                        short(&db.shared_sha256)
                    ),
                ],
            });
        }
    }
}

fn short(hex: &str) -> &str {
    hex.get(..12).unwrap_or(hex)
}

fn intent(a: Side<'_>, b: Side<'_>, out: &mut Vec<Breach>) {
    let intents = |s: &DirectorState| -> BTreeMap<String, String> {
        s.health()
            .map(|h| {
                (
                    h.server.clone(),
                    h.intent.clone().unwrap_or_else(|| "auto".into()),
                )
            })
            .collect()
    };
    let (ia, ib) = (intents(a.state), intents(b.state));
    for (server, wa) in &ia {
        let Some(wb) = ib.get(server) else { continue };
        if wa != wb {
            let (held, not) = if wa != "auto" { (a, b) } else { (b, a) };
            let what = if wa != "auto" { wa } else { wb };
            out.push(breach(
                Kind::IntentDiffers {
                    server: server.clone(),
                },
                Severity::Alert,
                format!(
                    "{server}: {what} on {} but not on {}; after a failover {} would send it traffic",
                    held.name,
                    not.name,
                    not.name
                ),
            ));
        }
    }
}

/// Master and backup daemons each side runs, and its VRRP role (for the instance the
/// daemons follow, else any instance).
fn sync(a: Side<'_>, b: Side<'_>, out: &mut Vec<Breach>) {
    let roles =
        |s: &DirectorState| -> BTreeSet<String> { s.sync().map(|d| d.role.clone()).collect() };
    let (ra, rb) = (roles(a.state), roles(b.state));
    if ra.is_empty() && rb.is_empty() {
        if a.state.vrrp().next().is_some() || b.state.vrrp().next().is_some() {
            out.push(breach(
                Kind::NoSync,
                Severity::Warning,
                "no connection sync on either director: a failover drops established connections"
                    .into(),
            ));
        }
        return;
    }
    for (side, roles) in [(a, &ra), (b, &rb)] {
        let followed = side.state.sync().find_map(|d| d.instance.clone());
        let master = side
            .state
            .vrrp()
            .filter(|v| followed.as_ref().is_none_or(|f| *f == v.name))
            .any(|v| v.state == "MASTER");
        let backup = side
            .state
            .vrrp()
            .filter(|v| followed.as_ref().is_none_or(|f| *f == v.name))
            .any(|v| v.state == "BACKUP");
        let wrong = if master && !roles.contains("master") {
            Some("is MASTER but runs no master sync daemon: its connections reach no backup")
        } else if backup && !roles.contains("backup") {
            Some("is BACKUP but runs no backup sync daemon: it would take over without the connections")
        } else if roles.is_empty() {
            Some("runs no sync daemon while its peer does")
        } else {
            None
        };
        if let Some(w) = wrong {
            out.push(breach(
                Kind::SyncRole {
                    director: side.name.to_string(),
                },
                Severity::Alert,
                format!("{} {w}", side.name),
            ));
        }
    }
    lag(a, b, out);
}

/// The backup should hold about as many synced connections per service as the master has
/// local ones. Connections are synced after a few packets, so a few unsynced are normal.
pub fn lag(a: Side<'_>, b: Side<'_>, out: &mut Vec<Breach>) {
    for (master, backup) in [(a, b), (b, a)] {
        let is_m = master.state.vrrp().any(|v| v.state == "MASTER")
            && !backup.state.vrrp().any(|v| v.state == "MASTER");
        let (Some(mm), Some(bm)) = (master.state.meta(), backup.state.meta()) else {
            continue;
        };
        if !is_m {
            continue;
        }
        for (service, m) in &mm.conns.by_service {
            let synced = bm.conns.by_service.get(service).map_or(0, |o| o.synced);
            let missing = m.local.saturating_sub(synced);
            if m.local >= 5 && missing * 2 > m.local {
                out.push(breach(
                    Kind::SyncLag {
                        service: service.clone(),
                    },
                    Severity::Warning,
                    format!(
                        "{service}: {} holds {synced} of the {} connections {} has",
                        backup.name, m.local, master.name
                    ),
                ));
            }
        }
    }
}

/// Breaches that have held for a grace period.
#[derive(Debug, Clone)]
pub struct Alarms {
    grace: Duration,
    since: BTreeMap<Kind, Instant>,
    raised: Vec<Breach>,
}

impl Alarms {
    /// `grace`: how long a breach must hold before it is raised (longer than a failover:
    /// a few master-down intervals).
    pub fn new(grace: Duration) -> Alarms {
        Alarms {
            grace,
            since: BTreeMap::new(),
            raised: Vec::new(),
        }
    }

    /// Takes this moment's breaches; returns those raised now (held for the grace
    /// period), most severe first.
    pub fn update(&mut self, now: Instant, breaches: Vec<Breach>) -> &[Breach] {
        let kinds: BTreeSet<Kind> = breaches.iter().map(|b| b.kind.clone()).collect();
        self.since.retain(|k, _| kinds.contains(k));
        for k in &kinds {
            self.since.entry(k.clone()).or_insert(now);
        }
        let grace = self.grace;
        let since = &self.since;
        let mut raised: Vec<Breach> = breaches
            .into_iter()
            .filter(|b| since.get(&b.kind).is_some_and(|t| now - *t >= grace))
            .collect();
        raised.sort_by(|x, y| (x.severity, &x.kind).cmp(&(y.severity, &y.kind)));
        self.raised = raised;
        &self.raised
    }

    pub fn raised(&self) -> &[Breach] {
        &self.raised
    }

    /// How many breaches hold but are still inside their grace period.
    pub fn pending(&self, now: Instant) -> usize {
        self.since
            .values()
            .filter(|t| now - **t < self.grace)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::control::protocol::{ServerReport, WhyReport};
    use crate::pair::state::{ConfigDigest, Item, Meta, Origins, ServerItem, SyncItem};

    fn vrrp(state: &str, vips: &[&str]) -> VrrpReport {
        VrrpReport {
            name: "VI_1".into(),
            interface: "eth0".into(),
            vrid: 51,
            state: state.into(),
            configured_priority: 100,
            effective_priority: 100,
            master: None,
            master_priority: None,
            vips: vips.iter().map(|v| v.to_string()).collect(),
            in_state_ms: 1000,
            rejected: 0,
        }
    }

    fn health(server: &str, intent: &str) -> ServerReport {
        ServerReport {
            virtual_server: "198.51.100.10 80".into(),
            services: vec!["-t 198.51.100.10:80".into()],
            server: server.into(),
            why: WhyReport::Weight { weight: 1 },
            reason: String::new(),
            health: Some("up".into()),
            intent: Some(intent.into()),
            weight: Some(1),
            in_table: Some(1),
            checkers: vec![],
            transitions: vec![],
        }
    }

    const RS: &str = "-t 198.51.100.10:80 -r 192.0.2.21:80";

    /// A healthy director: the VRRP state, the VIP if master, one server, sync daemons.
    fn director(state: &str, sync: &[&str]) -> DirectorState {
        let mut s = DirectorState::default();
        let mut meta = Meta {
            host: "lb".into(),
            addresses: vec!["192.0.2.1/24 dev eth0".into()],
            config: Some(ConfigDigest {
                path: "/etc/keepalived/keepalived.conf".into(),
                sha256: state.into(),
                shared_sha256: "same".into(),
            }),
            ..Meta::default()
        };
        if state == "MASTER" {
            meta.addresses.push("198.51.100.10/24 dev eth0".into());
        }
        s.items.insert("meta".into(), Item::Meta(meta));
        s.items.insert(
            "vrrp VI_1".into(),
            Item::Vrrp(vrrp(state, &["198.51.100.10/24"])),
        );
        s.items.insert(
            format!("rs {RS}"),
            Item::Server(ServerItem {
                rule: format!("-a {RS} -g -w 1"),
                active: 0,
                inactive: 0,
                persistent: 0,
                stats: Default::default(),
            }),
        );
        s.items
            .insert(format!("health {RS}"), Item::Health(health(RS, "auto")));
        for role in sync {
            s.put_sync(SyncItem {
                role: role.to_string(),
                instance: Some("VI_1".into()),
                interface: "eth0".into(),
                syncid: 7,
                maxlen: None,
                group: None,
                port: None,
                ttl: None,
            });
        }
        s
    }

    fn kinds(a: &DirectorState, b: &DirectorState) -> Vec<Kind> {
        check(
            Side {
                name: "lb1",
                state: a,
            },
            Side {
                name: "lb2",
                state: b,
            },
        )
        .into_iter()
        .map(|b| b.kind)
        .collect()
    }

    #[test]
    fn a_healthy_pair_breaches_nothing() {
        let (a, b) = (
            director("MASTER", &["master"]),
            director("BACKUP", &["backup"]),
        );
        assert_eq!(kinds(&a, &b), []);
    }

    #[test]
    fn split_brain_and_no_master() {
        let (a, b) = (
            director("MASTER", &["master"]),
            director("MASTER", &["master"]),
        );
        assert!(kinds(&a, &b).contains(&Kind::SplitBrain { vrid: 51 }));
        let (a, b) = (
            director("BACKUP", &["backup"]),
            director("FAULT", &["backup"]),
        );
        let all = check(
            Side {
                name: "lb1",
                state: &a,
            },
            Side {
                name: "lb2",
                state: &b,
            },
        );
        assert_eq!(all[0].kind, Kind::NoMaster { vrid: 51 });
        assert_eq!(all[0].text, "no master for VRID 51 (lb1 BACKUP, lb2 FAULT)");
    }

    #[test]
    fn vips_only_on_the_master() {
        let a = director("MASTER", &["master"]);
        let mut b = director("BACKUP", &["backup"]);
        if let Some(Item::Meta(m)) = b.items.get_mut("meta") {
            m.addresses.push("198.51.100.10/24 dev eth0".into());
        }
        assert_eq!(
            kinds(&a, &b),
            [Kind::VipOnBackup {
                vip: "198.51.100.10".into()
            }]
        );
        let mut a = director("MASTER", &["master"]);
        if let Some(Item::Meta(m)) = a.items.get_mut("meta") {
            m.addresses.retain(|x| !x.starts_with("198.51.100.10"));
        }
        let b = director("BACKUP", &["backup"]);
        assert_eq!(
            kinds(&a, &b),
            [Kind::VipMissing {
                vip: "198.51.100.10".into()
            }]
        );
    }

    #[test]
    fn a_hand_made_change_on_one_side_is_listed_as_ipvsadm_lines() {
        let a = director("MASTER", &["master"]);
        let mut b = director("BACKUP", &["backup"]);
        if let Some(Item::Server(s)) = b.items.get_mut(&format!("rs {RS}")) {
            s.rule = format!("-a {RS} -g -w 5");
        }
        b.items.insert(
            "rs -t 198.51.100.10:80 -r 192.0.2.22:80".into(),
            Item::Server(ServerItem {
                rule: "-a -t 198.51.100.10:80 -r 192.0.2.22:80 -g -w 1".into(),
                active: 0,
                inactive: 0,
                persistent: 0,
                stats: Default::default(),
            }),
        );
        let all = check(
            Side {
                name: "lb1",
                state: &a,
            },
            Side {
                name: "lb2",
                state: &b,
            },
        );
        assert_eq!(all.len(), 1);
        assert_eq!(
            all[0].text,
            "the IPVS tables of lb1 and lb2 differ in 2 entries"
        );
        assert_eq!(
            all[0].details,
            [
                format!("lb1: -a {RS} -g -w 1"),
                format!("lb2: -a {RS} -g -w 5"),
                "only on lb2: -a -t 198.51.100.10:80 -r 192.0.2.22:80 -g -w 1".to_string(),
            ]
        );
    }

    #[test]
    fn a_drain_on_one_side_only_is_a_breach() {
        let mut a = director("MASTER", &["master"]);
        a.items
            .insert(format!("health {RS}"), Item::Health(health(RS, "drain")));
        let b = director("BACKUP", &["backup"]);
        let all = check(
            Side {
                name: "lb1",
                state: &a,
            },
            Side {
                name: "lb2",
                state: &b,
            },
        );
        assert_eq!(all.len(), 1);
        assert_eq!(
            all[0].text,
            format!(
                "{RS}: drain on lb1 but not on lb2; after a failover lb2 would send it traffic"
            )
        );
    }

    #[test]
    fn configurations_differing_beyond_the_per_director_lines() {
        let a = director("MASTER", &["master"]);
        let mut b = director("BACKUP", &["backup"]);
        assert_eq!(
            kinds(&a, &b),
            [],
            "a different priority and state is a pair"
        );
        if let Some(Item::Meta(m)) = b.items.get_mut("meta") {
            m.config.as_mut().unwrap().shared_sha256 = "other".into();
        }
        assert_eq!(kinds(&a, &b), [Kind::ConfigDiffers]);
    }

    #[test]
    fn sync_daemons_follow_the_roles() {
        let (a, b) = (
            director("MASTER", &["backup"]),
            director("BACKUP", &["backup"]),
        );
        assert_eq!(
            kinds(&a, &b),
            [Kind::SyncRole {
                director: "lb1".into()
            }]
        );
        let (a, b) = (director("MASTER", &[]), director("BACKUP", &[]));
        assert_eq!(kinds(&a, &b), [Kind::NoSync]);
        let (a, b) = (director("MASTER", &["master"]), director("BACKUP", &[]));
        assert_eq!(
            kinds(&a, &b),
            [Kind::SyncRole {
                director: "lb2".into()
            }]
        );
    }

    #[test]
    fn the_backup_not_holding_the_masters_connections() {
        let mut a = director("MASTER", &["master"]);
        let mut b = director("BACKUP", &["backup"]);
        let svc = "-t 198.51.100.10:80".to_string();
        if let Some(Item::Meta(m)) = a.items.get_mut("meta") {
            m.conns.by_service.insert(
                svc.clone(),
                Origins {
                    local: 20,
                    synced: 0,
                },
            );
        }
        if let Some(Item::Meta(m)) = b.items.get_mut("meta") {
            m.conns.by_service.insert(
                svc.clone(),
                Origins {
                    local: 0,
                    synced: 18,
                },
            );
        }
        assert_eq!(kinds(&a, &b), []);
        if let Some(Item::Meta(m)) = b.items.get_mut("meta") {
            m.conns.by_service.insert(
                svc.clone(),
                Origins {
                    local: 0,
                    synced: 3,
                },
            );
        }
        let all = check(
            Side {
                name: "lb1",
                state: &a,
            },
            Side {
                name: "lb2",
                state: &b,
            },
        );
        assert_eq!(
            all[0].kind,
            Kind::SyncLag {
                service: svc.clone()
            }
        );
        assert_eq!(
            all[0].text,
            format!("{svc}: lb2 holds 3 of the 20 connections lb1 has")
        );
    }

    #[test]
    fn alarms_wait_out_a_failover_and_clear_at_once() {
        let t0 = Instant::from_since_epoch(Duration::from_secs(100));
        let at = |s: u64| t0 + Duration::from_secs(s);
        let mut alarms = Alarms::new(Duration::from_secs(5));
        let (a, b) = (
            director("MASTER", &["master"]),
            director("MASTER", &["master"]),
        );
        let now = |a: &DirectorState, b: &DirectorState| {
            check(
                Side {
                    name: "lb1",
                    state: a,
                },
                Side {
                    name: "lb2",
                    state: b,
                },
            )
        };
        assert!(alarms.update(at(0), now(&a, &b)).is_empty());
        assert_eq!(alarms.pending(at(0)), 1);
        assert!(alarms.update(at(4), now(&a, &b)).is_empty());
        assert_eq!(
            alarms.update(at(5), now(&a, &b))[0].kind,
            Kind::SplitBrain { vrid: 51 }
        );
        let healed = director("BACKUP", &["backup"]);
        assert!(alarms.update(at(6), now(&a, &healed)).is_empty());
        // A new breach starts its own grace period.
        assert!(alarms.update(at(7), now(&a, &b)).is_empty());
    }
}
