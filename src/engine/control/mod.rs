//! The daemon's control socket: a console attached to a running `lvsdeck daemon` (or an
//! operator with `lvsdeck control`) reads its health picture and drift, and drains,
//! disables or undrains real servers through the health policy (operator intent wins, so
//! the daemon does not revert the drain as drift), reverts or keeps drift entries.
//!
//! [`protocol`] is the wire format (pure), [`server`] the listening edge, [`client`] the
//! connecting one; this file turns requests into engine calls and the health picture into
//! a reply and back.

pub mod client;
pub mod protocol;
pub mod server;

use std::collections::VecDeque;
use std::time::Duration;

use crate::check::{CheckerStatus, Health, Intent, LastResult, ServerStatus, Transition};
use crate::clock::Instant;
use crate::engine::health::operator::server_text;
use crate::engine::health::status::{HealthStatus, ServerView, Why};
use crate::engine::ipvs::drift::{Drift, DriftItem};
use crate::engine::ipvs::reconciler::{self, ReconcilerCommand};
use crate::engine::ipvs::run::{Ipvs, Refusal};
use crate::engine::vrrp::Instances;
use crate::rules::{service_selector, Numeric};

use protocol::{
    parse_entry, parse_server, CheckerReport, ControlError, DriftReport, Reply, Request,
    ServerReport, StatusReply, TransitionReport, VrrpReport, WhyReport,
};

/// Default path of the socket.
pub const DEFAULT_PATH: &str = "/run/lvsdeck/control.sock";

/// Carries out one request on the daemon's engine (and its VRRP instances, if any).
pub async fn handle(ipvs: &mut Ipvs, vrrp: Option<&Instances>, req: Request) -> Reply {
    if req == Request::Status {
        let mut reply = ipvs
            .picture()
            .await
            .map(|p| to_reply(&p))
            .unwrap_or_default();
        reply.vrrp = vrrp.map(vrrp_reports).unwrap_or_default();
        return Reply::Status(Box::new(reply));
    }
    let reply = change(ipvs, vrrp, req).await;
    // Every change asked over the socket goes to the daemon's log, refused ones too.
    match &reply {
        Reply::Done { message, applied } if applied.is_empty() => {
            tracing::info!("control: {message}")
        }
        Reply::Done { message, applied } => {
            tracing::info!("control: {message}: {}", applied.join("; "))
        }
        Reply::Error { message } => tracing::warn!("control: refused: {message}"),
        Reply::Status(_) => {}
    }
    reply
}

/// Carries out a request that changes something.
async fn change(ipvs: &mut Ipvs, vrrp: Option<&Instances>, req: Request) -> Reply {
    let result = match req {
        Request::Status => {
            return Reply::Error {
                message: "status changes nothing".into(),
            }
        }
        Request::Drain { server } => return operator(ipvs, &server, Intent::Drain).await,
        Request::Disable { server } => return operator(ipvs, &server, Intent::Disable).await,
        Request::Undrain { server } => return operator(ipvs, &server, Intent::Auto).await,
        Request::Reconcile { entry } => reconcile(ipvs, entry.as_deref()).await,
        Request::Keep { entry: Some(e) } => keep(ipvs, &e).await,
        Request::Keep { entry: None } => keep_all(ipvs).await,
        Request::GiveUp { instance, for_secs } => drill(vrrp, &instance, None, for_secs).await,
        Request::Priority {
            instance,
            priority,
            for_secs,
        } => drill(vrrp, &instance, Some(priority), for_secs).await,
    };
    match result {
        Ok(message) => Reply::Done {
            message,
            applied: Vec::new(),
        },
        Err(e) => Reply::Error {
            message: e.to_string(),
        },
    }
}

/// Why a request was not carried out: its words, or the engine's state.
#[derive(Debug, thiserror::Error)]
enum Refused {
    #[error(transparent)]
    Request(#[from] ControlError),
    #[error(transparent)]
    Engine(#[from] Refusal),
    /// A drill that cannot run as asked.
    #[error("{0}")]
    Drill(String),
}

/// A VRRP drill on a running instance (`priority`: `None` gives up mastership), logged.
async fn drill(
    vrrp: Option<&Instances>,
    instance: &str,
    priority: Option<u8>,
    for_secs: Option<u64>,
) -> Result<String, Refused> {
    let secs = for_secs.unwrap_or(protocol::DRILL_SECS);
    if !(1..=protocol::DRILL_MAX_SECS).contains(&secs) {
        return Err(Refused::Drill(format!(
            "for_secs must be between 1 and {} seconds, not {secs}",
            protocol::DRILL_MAX_SECS
        )));
    }
    if let Some(p) = priority.filter(|p| !(1..=254).contains(p)) {
        return Err(Refused::Drill(format!(
            "priority must be between 1 and 254, not {p} (give-up drops to 0)"
        )));
    }
    let Some(h) = vrrp.and_then(|v| v.handles().find(|h| h.spec.name == instance)) else {
        let running: Vec<String> = vrrp
            .map(|v| v.handles().map(|h| h.spec.name.clone()).collect())
            .unwrap_or_default();
        return Err(Refused::Drill(if running.is_empty() {
            format!("no VRRP instance runs here, so not {instance}")
        } else {
            format!(
                "no VRRP instance {instance} runs here (running: {})",
                running.join(", ")
            )
        }));
    };
    let d = Duration::from_secs(secs);
    let (cmd, what) = match priority {
        None => (
            crate::engine::vrrp::InstanceCommand::GiveUpMastership(d),
            format!("{instance}: giving up mastership (priority 0), BACKUP for {secs} s"),
        ),
        Some(p) => (
            crate::engine::vrrp::InstanceCommand::SetPriority(p, d),
            format!("{instance}: priority {p} for {secs} s, then the configured one"),
        ),
    };
    h.commands
        .send(cmd)
        .await
        .map_err(|_| Refused::Drill(format!("{instance} has stopped")))?;
    Ok(what)
}

/// Connection sync as the status reply carries it.
pub fn sync_report(s: &crate::engine::conn_sync::status::SyncStatus) -> protocol::SyncReport {
    use crate::engine::conn_sync::policy::role_name;
    protocol::SyncReport {
        setting: s.setting.clone(),
        instance: s.instance.clone(),
        instance_state: s.instance_state.clone(),
        wanted: s.wanted.iter().map(|r| role_name(*r).to_string()).collect(),
        daemons: s
            .daemons
            .iter()
            .map(|d| protocol::SyncDaemonReport {
                role: role_name(d.state).to_string(),
                interface: d.mcast_ifn.clone(),
                syncid: d.syncid,
                maxlen: d.sync_maxlen,
                group: d.mcast_group.map(|g| g.to_string()),
                port: d.mcast_port,
                ttl: d.mcast_ttl,
            })
            .collect(),
        local_connections: s.local,
        synced_connections: s.synced,
        error: s.error.clone(),
    }
}

/// The status reply's connection sync back as the director's (an attached console shows
/// it); daemons whose role does not parse are left out.
pub fn sync_of(r: &protocol::SyncReport) -> crate::engine::conn_sync::status::SyncStatus {
    use crate::ipvs::DaemonState;
    let role = |w: &str| match w {
        "master" => Some(DaemonState::Master),
        "backup" => Some(DaemonState::Backup),
        _ => None,
    };
    crate::engine::conn_sync::status::SyncStatus {
        setting: r.setting.clone(),
        instance: r.instance.clone(),
        instance_state: r.instance_state.clone(),
        wanted: r.wanted.iter().filter_map(|w| role(w)).collect(),
        daemons: r
            .daemons
            .iter()
            .filter_map(|d| {
                Some(crate::ipvs::Daemon {
                    state: role(&d.role)?,
                    mcast_ifn: d.interface.clone(),
                    syncid: d.syncid,
                    sync_maxlen: d.maxlen,
                    mcast_group: d.group.as_deref().and_then(|g| g.parse().ok()),
                    mcast_port: d.port,
                    mcast_ttl: d.ttl,
                })
            })
            .collect(),
        local: r.local_connections,
        synced: r.synced_connections,
        error: r.error.clone(),
    }
}

async fn reconcile(ipvs: &mut Ipvs, entry: Option<&str>) -> Result<String, Refused> {
    let key = entry.map(parse_entry).transpose()?;
    ipvs.command(ReconcilerCommand::Reconcile(key)).await?;
    Ok(match key {
        Some(k) => format!("reconciling {k}"),
        None => "reconciling all drift".into(),
    })
}

async fn keep(ipvs: &mut Ipvs, entry: &str) -> Result<String, Refused> {
    let key = parse_entry(entry)?;
    ipvs.command(ReconcilerCommand::Keep(key)).await?;
    Ok(format!("keeping {key} until reconciled or reloaded"))
}

/// Keeps every entry not kept yet, as the last read found them.
async fn keep_all(ipvs: &mut Ipvs) -> Result<String, Refused> {
    let drift = ipvs
        .picture()
        .await
        .map(|p| p.reconciler.drift)
        .unwrap_or_default();
    let mut n = 0;
    for i in drift.items.iter().filter(|i| !i.kept) {
        ipvs.command(ReconcilerCommand::Keep(i.key)).await?;
        n += 1;
    }
    Ok(format!(
        "keeping {n} drift entr{}",
        if n == 1 { "y" } else { "ies" }
    ))
}

async fn operator(ipvs: &mut Ipvs, server: &str, intent: Intent) -> Reply {
    let id = match parse_server(server) {
        Ok(id) => id,
        Err(e) => {
            return Reply::Error {
                message: e.to_string(),
            }
        }
    };
    if let Err(refused) = ipvs.operator(&id, intent).await {
        return Reply::Error {
            message: refused.to_string(),
        };
    }
    let verb = match intent {
        Intent::Drain => "draining",
        Intent::Disable => "disabling",
        Intent::Auto => "undraining",
    };
    Reply::Done {
        message: format!("{verb} {}", server_text(&id)),
        applied: policy_ops(ipvs)
            .await
            .iter()
            .map(crate::rules::replay_line)
            .collect(),
    }
}

/// How long a reply waits for the policy's decision on an operator command.
const DECISION_WITHIN: Duration = Duration::from_secs(2);

/// Runs the daemon's checker events until the policy's ops for the operator command
/// arrive (at most [`DECISION_WITHIN`]; none when the command changed nothing).
async fn policy_ops(ipvs: &mut Ipvs) -> Vec<crate::ipvs::Op> {
    let until = tokio::time::Instant::now() + DECISION_WITHIN;
    loop {
        let ops = ipvs.take_operator_ops();
        if !ops.is_empty() {
            return ops;
        }
        match tokio::time::timeout_at(until, ipvs.next_event()).await {
            Ok(Some(ev)) => ipvs.on_event(ev).await,
            Ok(None) | Err(_) => return Vec::new(),
        }
    }
}

fn health_word(h: Health) -> &'static str {
    match h {
        Health::Up => "up",
        Health::Down => "down",
    }
}

fn intent_word(i: Intent) -> &'static str {
    match i {
        Intent::Auto => "auto",
        Intent::Drain => "drain",
        Intent::Disable => "disable",
    }
}

fn why_report(w: Why) -> WhyReport {
    match w {
        Why::Weight(weight) => WhyReport::Weight { weight },
        Why::CheckerDown => WhyReport::CheckerDown,
        Why::Inhibited => WhyReport::Inhibited,
        Why::OperatorDrained => WhyReport::OperatorDrained,
        Why::OperatorDisabled => WhyReport::OperatorDisabled,
        Why::SorryServerInstead => WhyReport::SorryServerInstead,
        Why::SorryServer(active) => WhyReport::SorryServer { active },
    }
}

fn why_of(w: WhyReport) -> Why {
    match w {
        WhyReport::Weight { weight } => Why::Weight(weight),
        WhyReport::CheckerDown => Why::CheckerDown,
        WhyReport::Inhibited => Why::Inhibited,
        WhyReport::OperatorDrained => Why::OperatorDrained,
        WhyReport::OperatorDisabled => Why::OperatorDisabled,
        WhyReport::SorryServerInstead => Why::SorryServerInstead,
        WhyReport::SorryServer { active } => Why::SorryServer(active),
    }
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The health picture as a status reply: times relative to the picture's `now`.
pub fn to_reply(p: &HealthStatus) -> StatusReply {
    let now = p.now.unwrap_or_default();
    let servers = p
        .servers
        .iter()
        .map(|v| {
            let service = v.services.first().copied();
            let server = match service {
                Some(service) => server_text(&crate::engine::ServerId {
                    service,
                    addr: v.addr,
                    port: v.port,
                }),
                None => String::new(),
            };
            let s = v.status.as_ref();
            ServerReport {
                virtual_server: v.virtual_server.clone(),
                services: v
                    .services
                    .iter()
                    .map(|k| service_selector(k, &Numeric))
                    .collect(),
                server,
                why: why_report(v.why),
                reason: crate::engine::health::status::why_text(v.why),
                health: s.map(|s| health_word(s.health).to_string()),
                intent: s.map(|s| intent_word(s.intent).to_string()),
                weight: s.map(|s| s.weight),
                in_table: s.and_then(|s| s.in_table),
                checkers: s.map_or_else(Vec::new, |s| {
                    s.checkers
                        .iter()
                        .map(|c| CheckerReport {
                            name: c.name.to_string(),
                            up: c.up,
                            last: c.last.as_ref().map(|l| l.detail.clone()),
                            last_ok: c.last.as_ref().map(|l| l.ok),
                            last_ago_ms: c.last.as_ref().map(|l| ms(now - l.at)),
                            latency_ms: c.last.as_ref().map(|l| ms(l.latency)),
                            consecutive_failures: c.consecutive_failures,
                            next_in_ms: c.next_check.map(|n| ms(n - now)),
                        })
                        .collect()
                }),
                transitions: s.map_or_else(Vec::new, |s| {
                    s.transitions
                        .iter()
                        .map(|t| TransitionReport {
                            ago_ms: ms(now - t.at),
                            health: health_word(t.health).into(),
                            intent: intent_word(t.intent).into(),
                            reason: t.reason.clone(),
                        })
                        .collect()
                }),
            }
        })
        .collect();
    StatusReply {
        wall_secs: p.wall_secs,
        servers,
        drift: p
            .reconciler
            .drift
            .items
            .iter()
            .map(|i| DriftReport {
                entry: i.key.to_string(),
                expected: i.expected.clone(),
                found: i.found.clone(),
                revert: i.revert_line(),
                kept: i.kept,
            })
            .collect(),
        reconciler_error: p.reconciler.error.clone(),
        vrrp: Vec::new(),
        sync: p.sync.as_ref().map(sync_report),
        config: None,
    }
}

/// keepalived's state words (`INIT` before the start and after the stop).
pub fn state_word(s: crate::vrrp::State) -> &'static str {
    match s {
        crate::vrrp::State::Initialize => "INIT",
        crate::vrrp::State::Backup => "BACKUP",
        crate::vrrp::State::Master => "MASTER",
        crate::vrrp::State::Fault => "FAULT",
    }
}

/// The running VRRP instances as the status reply lists them, read from their status
/// channels; time in state counts from the last transition to `now`.
pub fn vrrp_reports(vrrp: &Instances) -> Vec<VrrpReport> {
    let now = vrrp.now();
    vrrp.handles()
        .map(|h| {
            let s = h.status.borrow().clone();
            let in_state = match s.transitions.last() {
                Some(t) => now - t.at,
                None => s.time_in_state,
            };
            VrrpReport {
                name: h.spec.name.clone(),
                interface: h.spec.interface.clone(),
                vrid: s.vrid,
                state: state_word(s.state).to_string(),
                configured_priority: s.configured_priority,
                effective_priority: s.effective_priority,
                master: s.master.map(|(a, _)| a.to_string()),
                master_priority: s.master.map(|(_, p)| p),
                vips: h
                    .spec
                    .vips
                    .iter()
                    .chain(h.spec.excluded.iter())
                    .map(|v| match &v.dev {
                        Some(d) => format!("{}/{} dev {d}", v.addr, v.prefix),
                        None => format!("{}/{}", v.addr, v.prefix),
                    })
                    .collect(),
                in_state_ms: ms(in_state),
                rejected: s.counters.rejected(),
            }
        })
        .collect()
}

/// A checker's name as the policy spells it (the console shows `&'static str` names).
fn checker_name(name: &str) -> &'static str {
    const NAMES: [&str; 8] = [
        "TCP_CHECK",
        "HTTP_GET",
        "SSL_GET",
        "MISC_CHECK",
        "DNS_CHECK",
        "UDP_CHECK",
        "SMTP_CHECK",
        "PING_CHECK",
    ];
    NAMES.into_iter().find(|n| *n == name).unwrap_or("CHECK")
}

fn health_of(w: &str) -> Health {
    if w == "up" {
        Health::Up
    } else {
        Health::Down
    }
}

fn intent_of(w: &str) -> Intent {
    match w {
        "drain" => Intent::Drain,
        "disable" => Intent::Disable,
        _ => Intent::Auto,
    }
}

/// The daemon's reply as the console's health picture; `now` is the console's clock for
/// it. Entries that do not parse are left out and named in the error.
pub fn from_reply(r: &StatusReply, now: Instant) -> (HealthStatus, Vec<String>) {
    let back = |ago: u64| {
        Instant::from_since_epoch(now.since_epoch().saturating_sub(Duration::from_millis(ago)))
    };
    let mut problems = Vec::new();
    let mut servers = Vec::new();
    for s in &r.servers {
        let (key, services) = match (
            parse_server(&s.server),
            s.services
                .iter()
                .map(|t| parse_entry(t).map(|k| k.service))
                .collect::<Result<Vec<_>, _>>(),
        ) {
            (Ok(k), Ok(services)) => (k, services),
            (Err(e), _) | (_, Err(e)) => {
                problems.push(e.to_string());
                continue;
            }
        };
        let status = s.health.as_deref().map(|h| ServerStatus {
            health: health_of(h),
            intent: intent_of(s.intent.as_deref().unwrap_or("auto")),
            weight: s.weight.unwrap_or(0),
            in_table: s.in_table,
            checkers: s
                .checkers
                .iter()
                .map(|c| CheckerStatus {
                    name: checker_name(&c.name),
                    up: c.up,
                    last: c.last.as_ref().map(|detail| LastResult {
                        at: back(c.last_ago_ms.unwrap_or(0)),
                        ok: c.last_ok.unwrap_or(c.up),
                        detail: detail.clone(),
                        latency: Duration::from_millis(c.latency_ms.unwrap_or(0)),
                    }),
                    consecutive_failures: c.consecutive_failures,
                    next_check: c.next_in_ms.map(|n| now + Duration::from_millis(n)),
                })
                .collect(),
            transitions: s
                .transitions
                .iter()
                .map(|t| Transition {
                    at: back(t.ago_ms),
                    health: health_of(&t.health),
                    intent: intent_of(&t.intent),
                    reason: t.reason.clone(),
                })
                .collect::<VecDeque<_>>(),
        });
        servers.push(ServerView {
            virtual_server: s.virtual_server.clone(),
            services,
            addr: key.addr,
            port: key.port,
            why: why_of(s.why),
            status,
        });
    }
    let mut items = Vec::new();
    for d in &r.drift {
        match parse_entry(&d.entry) {
            Ok(key) => items.push(DriftItem {
                key,
                expected: d.expected.clone(),
                found: d.found.clone(),
                kept: d.kept,
            }),
            Err(e) => problems.push(e.to_string()),
        }
    }
    let status = HealthStatus {
        now: Some(now),
        wall_secs: r.wall_secs,
        servers,
        reconciler: reconciler::ReconcilerStatus {
            drift: Drift { items },
            error: r.reconciler_error.clone(),
            ..reconciler::ReconcilerStatus::default()
        },
        sync: r.sync.as_ref().map(sync_of),
    };
    (status, problems)
}

#[cfg(test)]
mod tests;
