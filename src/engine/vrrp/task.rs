//! One VRRP instance as a tokio task: packets, timers and commands go into the core, its
//! actions are executed here, and its status is published after every step.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::sync::{broadcast, mpsc, watch};
use tokio::task::JoinHandle;

use super::notify;
use super::receiver::{Listener, Receivers, Subscription};
use super::sender::{announcer, source, Sender};
use super::spec::{Spec, Vip};
use super::track::{self, Track, Watchers};
use crate::linux::garp::Garp;
use crate::linux::iface;
use crate::linux::links::LinkEvent;
use crate::linux::na::Ndisc;
use crate::linux::vips::{absent, AddrEvent, Vips};
use crate::vrrp::track::{Tracking, Verdict};
use crate::vrrp::{Input, Instance, Instruction, Output, Path, Received, State, Status};

/// How long a leaving instance waits for its notify_stop.
const NOTIFY_DRAIN: Duration = Duration::from_secs(3);

/// What the console (or the daemon) may ask of a running instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstanceCommand {
    /// Advertise priority 0 if master, stay backup for this long.
    GiveUpMastership(Duration),
    /// Run at this priority for this long.
    SetPriority(u8, Duration),
    /// Leave (priority 0 and VIPs removed when master), then end the task.
    Shutdown,
    /// From the instance's sync group coordinator.
    Sync(Input),
}

/// Shared by every instance: the rtnetlink socket, the address events, the receivers (one
/// per interface and multicast group), the clock's epoch.
pub struct Shared {
    pub vips: Vips,
    pub addr_events: broadcast::Sender<AddrEvent>,
    /// Link state changes, for the tracking watchers.
    pub link_events: broadcast::Sender<LinkEvent>,
    pub receivers: Arc<Receivers>,
    pub epoch: tokio::time::Instant,
}

impl Shared {
    pub async fn open() -> anyhow::Result<Arc<Shared>> {
        Ok(Arc::new(Shared {
            vips: Vips::open().await.context("rtnetlink")?,
            addr_events: crate::linux::vips::monitor()
                .await
                .context("rtnetlink address monitor")?,
            link_events: crate::linux::links::monitor()
                .await
                .context("rtnetlink link monitor")?,
            receivers: Arc::new(Receivers::default()),
            epoch: tokio::time::Instant::now(),
        }))
    }

    pub fn now(&self) -> crate::clock::Instant {
        crate::clock::Instant::from_since_epoch(self.epoch.elapsed())
    }

    fn at(&self, t: crate::clock::Instant) -> tokio::time::Instant {
        self.epoch + t.since_epoch()
    }
}

/// A running instance.
pub struct InstanceHandle {
    pub spec: Spec,
    pub status: watch::Receiver<Status>,
    pub commands: mpsc::Sender<InstanceCommand>,
    pub join: JoinHandle<()>,
}

impl InstanceHandle {
    /// Asks the task to leave and waits for it (bounded).
    pub async fn shutdown(self, within: Duration) {
        let _ = self.commands.send(InstanceCommand::Shutdown).await;
        let name = self.spec.name.clone();
        if tokio::time::timeout(within, self.join).await.is_err() {
            tracing::warn!("VRRP_Instance({name}) did not stop within {within:?}");
        }
    }
}

/// Everything the task owns.
struct Runner {
    spec: Spec,
    inst: Instance,
    shared: Arc<Shared>,
    src: IpAddr,
    tx: Sender,
    /// Where adverts go: the instance's multicast group, or each unicast peer.
    destinations: Vec<IpAddr>,
    rx: Subscription,
    garp: Option<Garp>,
    ndisc: Option<Ndisc>,
    status: watch::Sender<Status>,
    tracking: Tracking,
    /// What `tracking` watches, by index (configured tracks, then the own links).
    tracks: Vec<Track>,
    /// What the core was last told, so only changes are fed in.
    told: Verdict,
    track_rx: mpsc::Receiver<(usize, bool)>,
    _watchers: Watchers,
    notify: notify::Runner,
    /// `use_vmac`: the macvlan, removed when the task ends.
    vmac: Option<crate::linux::vmac::Vmac>,
    /// Where VIPs without `dev` go: the vmac, else the interface.
    vip_index: u32,
    /// The sync group's coordinator, and what it last heard from us.
    sync: Option<(super::sync::Link, crate::vrrp::MemberView)>,
}

/// Opens the sockets for `spec` and starts its task.
pub async fn spawn(spec: Spec, shared: Arc<Shared>) -> anyhow::Result<InstanceHandle> {
    spawn_member(spec, shared, None).await
}

/// [`spawn`], reporting every step to a sync group's coordinator.
pub async fn spawn_member(
    spec: Spec,
    shared: Arc<Shared>,
    sync: Option<super::sync::Link>,
) -> anyhow::Result<InstanceHandle> {
    let name = &spec.name;
    let ifindex = iface::index(&spec.interface)
        .with_context(|| format!("vrrp_instance {name}: interface {}", spec.interface))?;
    let family = spec.core.family();
    if family == crate::vrrp::Family::V6 && spec.vmac.is_some() {
        anyhow::bail!("vrrp_instance {name}: use_vmac with IPv6 is not supported yet");
    }
    let src = source(&spec, family)?;
    let inst = Instance::new(spec.core(src)?).with_context(|| format!("vrrp_instance {name}"))?;
    let destinations = if spec.peers.is_empty() {
        vec![spec.mcast_group]
    } else {
        spec.peers.clone()
    };
    // Created last and removed on any later failure, so a refused start leaves no macvlan.
    let vmac = match &spec.vmac {
        None => None,
        Some(v) => Some(super::vmac::create(&spec, v).await?),
    };
    let listener = Listener {
        vrid: spec.core.vrid,
        peers: spec.peers.clone(),
    };
    let io = open_io(&spec, ifindex, src, vmac.as_ref()).and_then(|io| {
        let rx = shared
            .receivers
            .subscribe(&spec.interface, ifindex, spec.mcast_group, listener)
            .with_context(|| {
                format!("vrrp_instance {name}: VRRP receiver on {}", spec.interface)
            })?;
        Ok((io, rx))
    });
    // The watchers start once the vmac exists: it is one of the instance's own links.
    let tracks = spec.all_tracks();
    let (track_tx, track_rx) = mpsc::channel(64);
    let started = io.and_then(|io| {
        let w = track::start(&tracks, track_tx, &shared.link_events)
            .with_context(|| format!("vrrp_instance {name}"))?;
        Ok((io, w))
    });
    let (((tx, garp, ndisc), rx), watchers) = match started {
        Ok(x) => x,
        Err(e) => {
            if let Some(v) = vmac {
                super::vmac::remove(name, v).await;
            }
            return Err(e);
        }
    };
    let tracking = Tracking::new(tracks.iter().map(|t| t.tracker()).collect());
    let (status_tx, status_rx) = watch::channel(inst.status(shared.now()));
    let (cmd_tx, cmd_rx) = mpsc::channel(16);
    let runner = Runner {
        spec: spec.clone(),
        inst,
        shared,
        src,
        tx,
        destinations,
        rx,
        garp,
        ndisc,
        status: status_tx,
        told: Verdict {
            tracked_weight: 0,
            fault: false,
            ready: false,
        },
        tracking,
        tracks,
        track_rx,
        _watchers: watchers,
        notify: notify::Runner::start(format!("VRRP_Instance({name})")),
        sync: sync.map(|l| (l, crate::vrrp::MemberView::STOPPED)),
        vip_index: vmac.as_ref().map_or(ifindex, |v| v.ifindex),
        vmac,
    };
    let join = tokio::spawn(runner.run(cmd_rx));
    Ok(InstanceHandle {
        spec,
        status: status_rx,
        commands: cmd_tx,
        join,
    })
}

impl Runner {
    async fn run(mut self, mut commands: mpsc::Receiver<InstanceCommand>) {
        let mut addr_events = self.shared.addr_events.subscribe();
        tracing::info!(
            "VRRP_Instance({}) starting on {} from {} (vrid {}, priority {}, {:?})",
            self.spec.name,
            self.spec.interface,
            self.src,
            self.spec.core.vrid,
            self.spec.core.priority,
            self.spec.core.version
        );
        let mut deadline = self.apply_tracking().await.flatten();
        loop {
            let sleep_to = deadline.map(|d| self.shared.at(d));
            let out = tokio::select! {
                pkt = self.rx.packets.recv() => match pkt {
                    Some(p) => {
                        let rx = Received {
                            src: p.src,
                            dst: p.dst,
                            ttl: p.ttl,
                            payload: &p.payload,
                        };
                        let before = self.inst.counters().rejected();
                        let out = self.inst.receive(self.shared.now(), &rx);
                        let after = self.inst.counters().rejected();
                        if after > before {
                            self.log_rejection(&rx, after);
                        }
                        out
                    }
                    None => {
                        tracing::error!("VRRP_Instance({}) receiver closed", self.spec.name);
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                },
                _ = sleep_until(sleep_to) => self.inst.handle(self.shared.now(), Input::Timer),
                cmd = commands.recv() => match cmd {
                    Some(InstanceCommand::GiveUpMastership(d)) => self.inst.handle(
                        self.shared.now(), Input::GiveUpMastership { duration: d }),
                    Some(InstanceCommand::SetPriority(p, d)) => self.inst.handle(
                        self.shared.now(), Input::SetPriorityFor { priority: p, duration: d }),
                    Some(InstanceCommand::Sync(input)) => self.inst.handle(self.shared.now(), input),
                    Some(InstanceCommand::Shutdown) | None => {
                        let out = self.inst.handle(self.shared.now(), Input::Shutdown);
                        self.execute(out).await;
                        self.notify.drain(NOTIFY_DRAIN).await;
                        if let Some(v) = self.vmac.take() {
                            super::vmac::remove(&self.spec.name, v).await;
                        }
                        return;
                    }
                },
                r = self.track_rx.recv() => {
                    if let Some((idx, ok)) = r {
                        self.track_result(idx, ok);
                    }
                    if let Some(d) = self.apply_tracking().await {
                        deadline = d;
                    }
                    continue;
                },
                ev = addr_events.recv() => match ev {
                    Ok(ev) => {
                        self.address_event(ev).await;
                        continue;
                    }
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(
                            "VRRP_Instance({}) missed {n} address events; re-checking VIPs",
                            self.spec.name
                        );
                        self.resync_vips().await;
                        continue;
                    }
                    Err(broadcast::error::RecvError::Closed) => {
                        // The monitor ended: keep running without it.
                        addr_events = broadcast::channel(1).1;
                        continue;
                    }
                },
            };
            deadline = self.execute(out).await;
        }
    }

    /// Records one tracker's result; a change of up/down is logged.
    fn track_result(&mut self, idx: usize, ok: bool) {
        let up = |k: &Tracking| k.trackers.get(idx).and_then(|t| t.up());
        let before = up(&self.tracking);
        self.tracking.record(idx, ok);
        let name = self.tracks.get(idx).map_or("?", |t| t.name());
        match up(&self.tracking) {
            Some(now) if Some(now) != before => tracing::info!(
                "VRRP_Instance({}) tracked {name} is {}",
                self.spec.name,
                if now { "up" } else { "down" }
            ),
            _ => tracing::debug!("VRRP_Instance({}) track {name}: {ok}", self.spec.name),
        }
    }

    /// Feeds the tracking verdict's changes to the core; starts the instance once no weight-0
    /// tracker is waiting for its first result (keepalived waits the same way).
    /// `None`: nothing changed; otherwise the core's new deadline.
    async fn apply_tracking(&mut self) -> Option<Option<crate::clock::Instant>> {
        let v = self.tracking.verdict();
        let mut inputs = Vec::new();
        if v.tracked_weight != self.told.tracked_weight {
            inputs.push(Input::PriorityChanged {
                tracked_weight: v.tracked_weight,
            });
        }
        if v.fault != self.told.fault {
            inputs.push(if v.fault {
                Input::Fault
            } else {
                Input::FaultCleared
            });
        }
        if v.ready && !self.told.ready {
            inputs.push(Input::Start);
        }
        if v != self.told {
            tracing::info!(
                "VRRP_Instance({}) tracking: weight {:+}, fault {}, priority {}",
                self.spec.name,
                v.tracked_weight,
                v.fault,
                self.spec.core.priority as i32 + v.tracked_weight
            );
        }
        self.told = v;
        if inputs.is_empty() {
            return None;
        }
        let mut deadline = None;
        for i in inputs {
            let out = self.inst.handle(self.shared.now(), i);
            deadline = self.execute(out).await;
        }
        Some(deadline)
    }

    /// Says why an advert was dropped: at warning level for the 1st, 2nd, 4th, 8th... so a
    /// misconfigured peer is visible without flooding the log (the counters hold the rest).
    fn log_rejection(&self, rx: &Received<'_>, total: u64) {
        let (why, same) = match crate::vrrp::checks::check(rx, &self.inst.policy()) {
            Err(r) => (r.to_string(), self.inst.counters().of(&r)),
            Ok(_) => ("rejected".to_string(), total),
        };
        if total.is_power_of_two() {
            tracing::warn!(
                "VRRP_Instance({}) advert from {} dropped: {why} ({same} for this reason, \
                 {total} dropped so far)",
                self.spec.name,
                rx.src
            );
        } else {
            tracing::debug!(
                "VRRP_Instance({}) advert from {} dropped: {why}",
                self.spec.name,
                rx.src
            );
        }
    }

    /// A VIP removed behind our back while master goes back at once.
    async fn address_event(&mut self, ev: AddrEvent) {
        let (ifindex, addr) = match ev {
            AddrEvent::Removed { ifindex, addr } => (ifindex, addr),
            AddrEvent::Added { .. } => return,
            AddrEvent::Resync => return self.resync_vips().await,
        };
        if self.inst.state() != State::Master {
            return;
        }
        let Some(v) = self.all_vips().find(|v| v.addr == addr).cloned() else {
            return;
        };
        if self.vip_ifindex(&v) != Some(ifindex) {
            return;
        }
        tracing::warn!(
            "VRRP_Instance({}) virtual address {addr} was removed behind our back; adding it again",
            self.spec.name
        );
        self.add_vip(&v).await;
    }

    /// After lost address events: a master reads its interfaces' addresses and adds back
    /// every VIP that is not there.
    async fn resync_vips(&mut self) {
        if self.inst.state() != State::Master {
            return;
        }
        let vips: Vec<Vip> = self.all_vips().cloned().collect();
        let wanted = vips
            .iter()
            .map(|v| (self.vip_iface_name(v).to_string(), v.addr))
            .collect();
        let gone = absent(wanted);
        for (dev, addr) in &gone {
            let Some(v) = vips.iter().find(|v| v.addr == *addr) else {
                continue;
            };
            tracing::warn!(
                "VRRP_Instance({}) virtual address {addr} was removed behind our back \
                 (found missing on {dev} after lost address events); adding it again",
                self.spec.name
            );
            self.add_vip(v).await;
        }
        tracing::info!(
            "VRRP_Instance({}) re-checked {} virtual addresses: {} restored",
            self.spec.name,
            vips.len(),
            gone.len()
        );
    }

    /// The interface a VIP lives on: its `dev`, else the vmac, else the instance's own.
    fn vip_iface_name<'a>(&'a self, v: &'a Vip) -> &'a str {
        match (&v.dev, &self.vmac) {
            (Some(dev), _) => dev,
            (None, Some(vmac)) => &vmac.name,
            (None, None) => &self.spec.interface,
        }
    }

    fn all_vips(&self) -> impl Iterator<Item = &Vip> {
        self.spec.vips.iter().chain(self.spec.excluded.iter())
    }

    fn vip_ifindex(&self, v: &Vip) -> Option<u32> {
        match &v.dev {
            None => Some(self.vip_index),
            Some(dev) => iface::index(dev).ok(),
        }
    }

    async fn add_vip(&self, v: &Vip) {
        let Some(idx) = self.vip_ifindex(v) else {
            tracing::error!(
                "VRRP_Instance({}) no interface for {}",
                self.spec.name,
                v.addr
            );
            return;
        };
        if let Err(e) = self.shared.vips.add(idx, v.addr, v.prefix).await {
            tracing::error!("VRRP_Instance({}) adding {}: {e}", self.spec.name, v.addr);
        }
    }

    /// Runs the core's actions in order, publishes the status, returns the next deadline.
    async fn execute(&mut self, out: Output) -> Option<crate::clock::Instant> {
        let name = self.spec.name.clone();
        for action in out.actions {
            match action {
                Instruction::SendAdvert { priority } => self.send_advert(priority),
                Instruction::AddVips => {
                    let vips: Vec<Vip> = self.all_vips().cloned().collect();
                    for v in &vips {
                        self.add_vip(v).await;
                    }
                    tracing::info!(
                        "VRRP_Instance({name}) added {} virtual addresses",
                        vips.len()
                    );
                }
                Instruction::RemoveVips => {
                    let vips: Vec<Vip> = self.all_vips().cloned().collect();
                    for v in &vips {
                        let Some(idx) = self.vip_ifindex(v) else {
                            continue;
                        };
                        if let Err(e) = self.shared.vips.remove(idx, v.addr, v.prefix).await {
                            tracing::error!("VRRP_Instance({name}) removing {}: {e}", v.addr);
                        }
                    }
                    tracing::info!(
                        "VRRP_Instance({name}) removed {} virtual addresses",
                        vips.len()
                    );
                }
                Instruction::SendGratuitous { count } => self.gratuitous(count),
                Instruction::Notify { state } => {
                    let prio = self.inst.effective_priority();
                    self.notify
                        .run(self.spec.notify.commands("INSTANCE", &name, state, prio));
                }
                Instruction::StateChanged { from, to, reason } => {
                    tracing::info!("VRRP_Instance({name}) {from:?} -> {to:?} ({reason:?})");
                }
            }
        }
        self.status
            .send_replace(self.inst.status(self.shared.now()));
        self.report_to_group();
        out.deadline
    }

    /// Tells the sync group what changed (state, own fault, wanting MASTER).
    fn report_to_group(&mut self) {
        let view = self.inst.member_view();
        if let Some((link, last)) = &mut self.sync {
            if *last != view {
                *last = view;
                let _ = link.reports.send((link.index, view));
            }
        }
    }

    fn send_advert(&self, priority: u8) {
        let advert = self.inst.advert(priority);
        for &dst in &self.destinations {
            let path = Path { src: self.src, dst };
            match advert.encode(&path) {
                Ok(bytes) => {
                    if let Err(e) = self.tx.send_to(&bytes, dst) {
                        tracing::warn!("VRRP_Instance({}) send to {dst}: {e}", self.spec.name);
                    }
                }
                Err(e) => tracing::error!("VRRP_Instance({}) encode: {e}", self.spec.name),
            }
        }
    }

    /// Gratuitous ARPs for IPv4 VIPs and unsolicited NAs for IPv6 ones (keepalived's
    /// `vrrp_garp_master_*` settings count both).
    fn gratuitous(&self, count: u32) {
        for _ in 0..count {
            for v in self.spec.vips.iter().chain(self.spec.excluded.iter()) {
                // The sockets are on the instance's interface: a VIP written with that
                // interface as its `dev` is announced like one without (a failover
                // announced nowhere leaves clients on the old master's MAC).
                if v.dev.as_deref().is_some_and(|d| d != self.spec.interface) {
                    continue;
                }
                let r = match (v.addr, &self.garp, &self.ndisc) {
                    (IpAddr::V4(a), Some(g), _) => g.send(a),
                    (IpAddr::V6(a), _, Some(n)) => n.send(a),
                    _ => Ok(()),
                };
                if let Err(e) = r {
                    tracing::warn!(
                        "VRRP_Instance({}) gratuitous ARP/NA {}: {e}",
                        self.spec.name,
                        v.addr
                    );
                }
            }
        }
    }
}

/// The sending socket (from the vmac when there is one, unless `vmac_xmit_base`) and the
/// gratuitous ARP / NA sockets (on the vmac, with the virtual MAC, when there is one).
/// Receiving stays on the base interface, through the shared receiver.
fn open_io(
    spec: &Spec,
    ifindex: u32,
    src: IpAddr,
    vmac: Option<&crate::linux::vmac::Vmac>,
) -> anyhow::Result<(Sender, Option<Garp>, Option<Ndisc>)> {
    let name = &spec.name;
    let (tx_name, tx_index) = match (vmac, &spec.vmac) {
        (Some(v), Some(s)) if !s.xmit_base => (v.name.as_str(), v.ifindex),
        _ => (spec.interface.as_str(), ifindex),
    };
    let tx = Sender::open(tx_name, tx_index, src)
        .with_context(|| format!("vrrp_instance {name}: VRRP socket on {tx_name}"))?;
    let (an_name, an_index, mac) = match vmac {
        Some(v) => (v.name.as_str(), v.ifindex, Ok(v.mac)),
        None => (
            spec.interface.as_str(),
            ifindex,
            iface::mac(&spec.interface),
        ),
    };
    let garp = announcer(name, an_name, "gratuitous ARP", &mac, |m| {
        Garp::open(an_index, m)
    });
    let ndisc = announcer(name, an_name, "neighbour advertisements", &mac, |m| {
        Ndisc::open(an_name, an_index, m)
    });
    Ok((tx, garp, ndisc))
}

async fn sleep_until(t: Option<tokio::time::Instant>) {
    match t {
        Some(t) => tokio::time::sleep_until(t).await,
        None => std::future::pending().await,
    }
}
