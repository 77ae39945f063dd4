//! One receiving socket per (interface, multicast group), i.e. per interface and family as
//! long as the group is keepalived's default, shared by every instance on it: each packet
//! is read once and handed to the instance that runs its VRID (for unicast, the one that has
//! its source as a peer). Packets for a VRID nobody here runs are counted once per interface,
//! not as a VRID error of every instance on the link.
//!
//! Sending stays per instance: each instance binds its own source (primary address,
//! link-local or `unicast_src_ip`), which the v3 pseudo-header checksum depends on, and a
//! failing sender affects only its instance.

use std::collections::HashMap;
use std::io;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::linux::vrrp_socket::packet::Packet;
use crate::linux::vrrp_socket::socket4::Rx4;
use crate::linux::vrrp_socket::socket6::Rx6;

/// Packets queued for one instance before more are dropped (it is stuck anyway).
const QUEUE: usize = 64;

/// Who an instance listens to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    pub vrid: u8,
    /// Empty: multicast; otherwise the unicast peers it accepts adverts from.
    pub peers: Vec<IpAddr>,
}

/// Where one packet goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// To the listener at this index.
    Deliver(usize),
    /// No instance here runs this VRID.
    UnknownVrid(u8),
    /// The VRID runs here, but not over this path (multicast vs unicast, or not a peer).
    NotAPeer,
    /// Too short to carry a VRID.
    Short,
}

/// Picks the listener for `pkt`: same VRID, and multicast to the multicast listener, unicast
/// to the unicast listener that has the source among its peers.
pub fn route(pkt: &Packet, listeners: &[&Listener]) -> Route {
    let Some(vrid) = pkt.vrid() else {
        return Route::Short;
    };
    let mut known = false;
    for (i, l) in listeners.iter().enumerate() {
        if l.vrid != vrid {
            continue;
        }
        known = true;
        let fits = if pkt.is_multicast() {
            l.peers.is_empty()
        } else {
            l.peers.contains(&pkt.src)
        };
        if fits {
            return Route::Deliver(i);
        }
    }
    if known {
        Route::NotAPeer
    } else {
        Route::UnknownVrid(vrid)
    }
}

/// Whether `new` would take packets meant for `old`: the same VRID, both multicast, or both
/// unicast with a peer in common (keepalived refuses such a pair at start-up too).
pub fn clashes(old: &Listener, new: &Listener) -> bool {
    old.vrid == new.vrid
        && match (old.peers.is_empty(), new.peers.is_empty()) {
            (true, true) => true,
            (false, false) => old.peers.iter().any(|p| new.peers.contains(p)),
            _ => false,
        }
}

type Key = (String, IpAddr);

struct Entry {
    id: u64,
    listener: Listener,
    tx: mpsc::Sender<Packet>,
}

/// One interface's receiver: its listeners and its own counters.
struct Demux {
    key: Key,
    entries: Mutex<Vec<Entry>>,
    unknown_vrid: AtomicU64,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl Demux {
    fn dispatch(&self, pkt: Packet) {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let listeners: Vec<&Listener> = entries.iter().map(|e| &e.listener).collect();
        let (ifname, _) = &self.key;
        match route(&pkt, &listeners) {
            Route::Deliver(i) => {
                if entries[i].tx.try_send(pkt).is_err() {
                    tracing::debug!("VRRP on {ifname}: instance queue full, packet dropped");
                }
            }
            Route::UnknownVrid(vrid) => {
                let n = self.unknown_vrid.fetch_add(1, Ordering::Relaxed) + 1;
                if n.is_power_of_two() {
                    tracing::info!(
                        "VRRP on {ifname}: advert for VRID {vrid} from {}, which no instance here runs ({n} so far)",
                        pkt.src
                    );
                }
            }
            Route::NotAPeer => {
                tracing::debug!("VRRP on {ifname}: advert from {} is for no peer", pkt.src);
            }
            Route::Short => tracing::debug!("VRRP on {ifname}: packet without a VRID"),
        }
    }
}

enum Rx {
    V4(Rx4),
    V6(Rx6),
}

impl Rx {
    async fn recv(&self) -> io::Result<Packet> {
        match self {
            Rx::V4(s) => s.recv().await,
            Rx::V6(s) => s.recv().await,
        }
    }
}

/// Every running receiver, by (interface, family).
#[derive(Default)]
pub struct Receivers {
    map: Mutex<HashMap<Key, Arc<Demux>>>,
    next_id: AtomicU64,
}

/// An instance's place on a receiver; dropping it unsubscribes (and closes the socket once
/// nobody listens on that interface any more).
pub struct Subscription {
    pub packets: mpsc::Receiver<Packet>,
    id: u64,
    demux: Arc<Demux>,
    receivers: Arc<Receivers>,
}

impl Receivers {
    /// Subscribes `listener` on `ifname` for the family of `group` (the VRRP multicast group
    /// it joins), opening the socket on first use.
    pub fn subscribe(
        self: &Arc<Self>,
        ifname: &str,
        ifindex: u32,
        group: IpAddr,
        listener: Listener,
    ) -> io::Result<Subscription> {
        let key = key_of(ifname, group);
        let mut map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        let demux = match map.get(&key) {
            Some(d) => d.clone(),
            None => {
                let rx = match group {
                    IpAddr::V4(g) => Rx::V4(Rx4::open(ifname, ifindex, g)?),
                    IpAddr::V6(g) => Rx::V6(Rx6::open(ifname, ifindex, g)?),
                };
                let d = Arc::new(Demux {
                    key: key.clone(),
                    entries: Mutex::new(Vec::new()),
                    unknown_vrid: AtomicU64::new(0),
                    task: Mutex::new(None),
                });
                let task = tokio::spawn(run(rx, Arc::downgrade(&d)));
                *d.task.lock().unwrap_or_else(PoisonError::into_inner) = Some(task);
                map.insert(key, d.clone());
                d
            }
        };
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, packets) = mpsc::channel(QUEUE);
        let mut entries = demux.entries.lock().unwrap_or_else(PoisonError::into_inner);
        // (A fresh receiver has no entries, so a clash never leaves an unused socket behind.)
        if entries.iter().any(|e| clashes(&e.listener, &listener)) {
            return Err(io::Error::new(
                io::ErrorKind::AddrInUse,
                format!(
                    "VRID {} already runs on {ifname} (same multicast group or a shared unicast peer)",
                    listener.vrid
                ),
            ));
        }
        entries.push(Entry { id, listener, tx });
        drop(entries);
        Ok(Subscription {
            packets,
            id,
            demux,
            receivers: self.clone(),
        })
    }

    /// Packets for VRIDs nobody here runs, on `ifname` for `group`'s receiver (0 without one).
    pub fn unknown_vrid(&self, ifname: &str, group: IpAddr) -> u64 {
        let map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(&(ifname.to_string(), group))
            .map_or(0, |d| d.unknown_vrid.load(Ordering::Relaxed))
    }

    /// Packets for VRIDs nobody here runs, per interface (every family and group summed),
    /// in name order: what the console shows.
    pub fn unknown_vrid_by_interface(&self) -> Vec<(String, u64)> {
        let map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        let mut by: std::collections::BTreeMap<String, u64> = Default::default();
        for ((ifname, _), d) in map.iter() {
            *by.entry(ifname.clone()).or_default() += d.unknown_vrid.load(Ordering::Relaxed);
        }
        by.into_iter().collect()
    }
}

fn key_of(ifname: &str, group: IpAddr) -> Key {
    (ifname.to_string(), group)
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut map = self
            .receivers
            .map
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let mut entries = self
            .demux
            .entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        entries.retain(|e| e.id != self.id);
        if entries.is_empty() {
            map.remove(&self.demux.key);
            if let Some(t) = self
                .demux
                .task
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take()
            {
                t.abort();
            }
        }
    }
}

async fn run(rx: Rx, demux: std::sync::Weak<Demux>) {
    loop {
        let r = rx.recv().await;
        let Some(d) = demux.upgrade() else { return };
        match r {
            Ok(p) => d.dispatch(p),
            Err(e) => {
                tracing::warn!("VRRP receive on {}: {e}", d.key.0);
                drop(d);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vrrp::Family;

    fn pkt(src: &str, dst: &str, vrid: u8) -> Packet {
        Packet {
            src: src.parse().expect("address"),
            dst: dst.parse().expect("address"),
            ttl: 255,
            payload: vec![0x31, vrid, 100, 1, 0, 100, 0, 0],
        }
    }

    fn mcast(vrid: u8) -> Listener {
        Listener {
            vrid,
            peers: Vec::new(),
        }
    }

    fn ucast(vrid: u8, peers: &[&str]) -> Listener {
        Listener {
            vrid,
            peers: peers.iter().map(|p| p.parse().expect("address")).collect(),
        }
    }

    #[test]
    fn each_vrid_reaches_only_its_instance() {
        let (a, b) = (mcast(51), mcast(52));
        let ls = [&a, &b];
        assert_eq!(
            route(&pkt("fe80::1", "ff02::12", 51), &ls),
            Route::Deliver(0)
        );
        assert_eq!(
            route(&pkt("fe80::1", "ff02::12", 52), &ls),
            Route::Deliver(1)
        );
        assert_eq!(
            route(&pkt("fe80::1", "ff02::12", 53), &ls),
            Route::UnknownVrid(53)
        );
        assert_eq!(
            route(&pkt("fe80::1", "ff02::12", 53), &[]),
            Route::UnknownVrid(53)
        );
    }

    #[test]
    fn unicast_goes_to_the_instance_that_has_the_source_as_peer() {
        let m = mcast(7);
        let u1 = ucast(7, &["2001:db8::1"]);
        let u2 = ucast(7, &["2001:db8::2", "2001:db8::3"]);
        let ls = [&m, &u1, &u2];
        assert_eq!(
            route(&pkt("2001:db8::3", "2001:db8::9", 7), &ls),
            Route::Deliver(2)
        );
        assert_eq!(
            route(&pkt("2001:db8::1", "2001:db8::9", 7), &ls),
            Route::Deliver(1)
        );
        assert_eq!(
            route(&pkt("2001:db8::1", "ff02::12", 7), &ls),
            Route::Deliver(0)
        );
        assert_eq!(
            route(&pkt("2001:db8::8", "2001:db8::9", 7), &ls),
            Route::NotAPeer,
            "a stranger is no peer"
        );
        // A unicast-only VRID does not take multicast adverts (keepalived drops them too).
        assert_eq!(
            route(
                &pkt("192.0.2.1", "224.0.0.18", 9),
                &[&ucast(9, &["192.0.2.1"])]
            ),
            Route::NotAPeer
        );
    }

    #[test]
    fn a_second_instance_for_the_same_vrid_and_path_clashes() {
        assert!(clashes(&mcast(5), &mcast(5)));
        assert!(!clashes(&mcast(5), &mcast(6)));
        assert!(
            !clashes(&mcast(5), &ucast(5, &["192.0.2.1"])),
            "separate VRID spaces"
        );
        assert!(clashes(
            &ucast(5, &["192.0.2.1", "192.0.2.2"]),
            &ucast(5, &["192.0.2.2"])
        ));
        assert!(!clashes(
            &ucast(5, &["192.0.2.1"]),
            &ucast(5, &["192.0.2.2"])
        ));
    }

    #[test]
    fn a_packet_without_a_vrid_goes_nowhere() {
        let mut p = pkt("192.0.2.1", "224.0.0.18", 1);
        p.payload.truncate(1);
        assert_eq!(route(&p, &[&mcast(1)]), Route::Short);
    }

    /// A v3 advert for `vrid` (the checksum is irrelevant to routing).
    fn advert(vrid: u8) -> Vec<u8> {
        vec![0x31, vrid, 100, 0, 0, 100, 0, 0]
    }

    async fn next(s: &mut Subscription) -> Packet {
        tokio::time::timeout(Duration::from_secs(2), s.packets.recv())
            .await
            .expect("a packet within 2 s")
            .expect("channel open")
    }

    /// Real sockets on loopback: one receiver reads each packet once, the VRID picks the
    /// instance, an unknown VRID is counted on the interface; the IPv6 path gets its hop
    /// limit and destination from the control messages.
    #[tokio::test]
    async fn loopback_packets_reach_the_instance_with_their_vrid() {
        use crate::linux::vrrp_socket::socket4::Tx4;
        use crate::linux::vrrp_socket::socket6::Tx6;
        let r = Arc::new(Receivers::default());
        let mut kept = Vec::new();
        for (family, me) in [(Family::V4, "127.0.0.1"), (Family::V6, "::1")] {
            let me: IpAddr = me.parse().expect("address");
            let mut a = r
                .subscribe("lo", 1, family.group(), ucast(61, &[&me.to_string()]))
                .expect("raw socket (tests run as root)");
            let mut b = r
                .subscribe("lo", 1, family.group(), ucast(62, &[&me.to_string()]))
                .expect("second listener");
            let send = |vrid: u8| match me {
                IpAddr::V4(m) => Tx4::open("lo", 1, m)
                    .and_then(|t| t.send_to(&advert(vrid), m))
                    .expect("send v4"),
                IpAddr::V6(m) => Tx6::open("lo", 1, m)
                    .and_then(|t| t.send_to(&advert(vrid), m))
                    .expect("send v6"),
            };
            send(62);
            send(63);
            send(61);
            let p = next(&mut b).await;
            assert_eq!((p.vrid(), p.src, p.dst, p.ttl), (Some(62), me, me, 255));
            let p = next(&mut a).await;
            assert_eq!((p.vrid(), p.ttl), (Some(61), 255), "{family:?}");
            assert!(a.packets.try_recv().is_err(), "62 reached 61");
            assert!(b.packets.try_recv().is_err(), "61 reached 62");
            assert_eq!(r.unknown_vrid("lo", family.group()), 1, "{family:?}");
            kept.push((a, b));
        }
        // Both families' receivers on lo, summed for the console.
        assert_eq!(r.unknown_vrid_by_interface(), [("lo".to_string(), 2)]);
    }

    #[tokio::test]
    async fn subscriptions_share_one_socket_and_close_it_with_the_last() {
        // Loopback carries no multicast, but the socket opens (root) and is shared.
        let r = Arc::new(Receivers::default());
        let a = r
            .subscribe("lo", 1, Family::V4.group(), mcast(1))
            .expect("raw socket (tests run as root)");
        let b = r
            .subscribe("lo", 1, Family::V4.group(), mcast(2))
            .expect("second");
        assert_eq!(r.map.lock().expect("lock").len(), 1);
        assert!(Arc::ptr_eq(&a.demux, &b.demux));
        let dup = r.subscribe("lo", 1, Family::V4.group(), mcast(2));
        assert_eq!(
            dup.err().map(|e| e.kind()),
            Some(io::ErrorKind::AddrInUse),
            "VRID 2 twice on lo"
        );
        drop(a);
        assert_eq!(r.map.lock().expect("lock").len(), 1);
        drop(b);
        assert!(r.map.lock().expect("lock").is_empty());
        assert_eq!(r.unknown_vrid("lo", Family::V4.group()), 0);
        // Another group is another socket (a reload that changes vrrp_mcast_group4).
        let d = r
            .subscribe("lo", 1, Family::V4.group(), mcast(1))
            .expect("default group");
        let c = r
            .subscribe("lo", 1, "224.0.0.19".parse().expect("group"), mcast(1))
            .expect("other group");
        assert!(!Arc::ptr_eq(&c.demux, &d.demux));
        assert_eq!(r.map.lock().expect("lock").len(), 2);
    }
}
