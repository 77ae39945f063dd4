//! The edge of tracking: runs each `track_script` on its interval and watches each
//! `track_interface` (and the instance's own links) from rtnetlink link events, sending
//! `(tracker index, ok)` to the instance's task, where the pure
//! [`crate::vrrp::track::Tracking`] decides.

use std::time::Duration;

use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;

use super::notify::Line;
use crate::linux::iface;
use crate::linux::links::LinkEvent;
use crate::linux::script;
use crate::vrrp::track::Tracker;

/// How often a tracked link is looked at when the link monitor is gone.
const LINK_POLL: Duration = Duration::from_millis(100);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptTrack {
    pub name: String,
    pub line: Line,
    pub interval: Duration,
    pub timeout: Duration,
    pub weight: i32,
    pub reverse: bool,
    pub rise: u32,
    pub fall: u32,
    pub init_fail: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkTrack {
    pub name: String,
    pub weight: i32,
    pub reverse: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Track {
    Script(ScriptTrack),
    Link(LinkTrack),
}

impl Track {
    pub fn name(&self) -> &str {
        match self {
            Track::Script(s) => &s.name,
            Track::Link(l) => &l.name,
        }
    }

    /// The policy's starting point (a link's state is read now).
    pub fn tracker(&self) -> Tracker {
        match self {
            Track::Script(s) => Tracker::script(s.weight, s.reverse, s.rise, s.fall, s.init_fail),
            Track::Link(l) => Tracker::link(l.weight, l.reverse, iface::is_running(&l.name)),
        }
    }
}

/// The running watchers; stopped when dropped.
pub struct Watchers(Vec<JoinHandle<()>>);

impl Drop for Watchers {
    fn drop(&mut self) {
        for j in &self.0 {
            j.abort();
        }
    }
}

/// Starts one watcher per track; an unknown script user is an error (keepalived disables
/// such a script; we refuse to start the instance rather than run it as root).
pub fn start(
    tracks: &[Track],
    tx: mpsc::Sender<(usize, bool)>,
    links: &broadcast::Sender<LinkEvent>,
) -> anyhow::Result<Watchers> {
    let mut joins = Vec::new();
    for (idx, t) in tracks.iter().enumerate() {
        let tx = tx.clone();
        match t.clone() {
            Track::Script(s) => {
                let who = match &s.line.user {
                    None => None,
                    Some(u) => Some(script::resolve(u).ok_or_else(|| {
                        anyhow::anyhow!("vrrp_script {}: unknown user {u}", s.name)
                    })?),
                };
                joins.push(tokio::spawn(async move {
                    loop {
                        let exit = script::run(&s.line.argv, who, s.timeout).await;
                        tracing::debug!("VRRP_Script({}) {exit:?}", s.name);
                        if tx.send((idx, exit.ok())).await.is_err() {
                            return;
                        }
                        // The next run counts from this one's end, as keepalived does.
                        tokio::time::sleep(s.interval).await;
                    }
                }));
            }
            Track::Link(l) => {
                // Subscribed before the first read, so no change falls between the two.
                let events = links.subscribe();
                joins.push(tokio::spawn(watch_link(l.name, idx, events, tx)));
            }
        }
    }
    Ok(Watchers(joins))
}

/// Follows one link: its state now, then each change the link monitor reports; a re-read
/// when events were lost; polling if the monitor ends.
async fn watch_link(
    name: String,
    idx: usize,
    mut events: broadcast::Receiver<LinkEvent>,
    tx: mpsc::Sender<(usize, bool)>,
) {
    let mut last = iface::is_running(&name);
    if tx.send((idx, last)).await.is_err() {
        return;
    }
    loop {
        let now = match events.recv().await {
            Ok(LinkEvent::Changed { name: n, up }) if n == name => up,
            Ok(LinkEvent::Changed { .. }) => continue,
            Ok(LinkEvent::Overrun) | Err(broadcast::error::RecvError::Lagged(_)) => {
                iface::is_running(&name)
            }
            Err(broadcast::error::RecvError::Closed) => {
                tokio::time::sleep(LINK_POLL).await;
                iface::is_running(&name)
            }
        };
        if now != last {
            last = now;
            if tx.send((idx, now)).await.is_err() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn next(rx: &mut mpsc::Receiver<(usize, bool)>) -> Option<(usize, bool)> {
        tokio::time::timeout(Duration::from_secs(2), rx.recv())
            .await
            .ok()
            .flatten()
    }

    #[tokio::test]
    async fn a_link_is_read_at_start_then_follows_its_events_and_rereads_on_overrun() {
        let (events, _) = broadcast::channel(8);
        let (tx, mut rx) = mpsc::channel(8);
        let t = Track::Link(LinkTrack {
            name: "no-such-if0".into(),
            weight: 0,
            reverse: false,
        });
        let _w = start(&[t], tx, &events).expect("starts");
        assert_eq!(
            next(&mut rx).await,
            Some((0, false)),
            "initial read: absent"
        );
        let changed = |name: &str, up| LinkEvent::Changed {
            name: name.into(),
            up,
        };
        events.send(changed("other0", true)).expect("sent");
        events.send(changed("no-such-if0", true)).expect("sent");
        assert_eq!(next(&mut rx).await, Some((0, true)), "only its own name");
        events.send(changed("no-such-if0", true)).expect("sent");
        // Lost events: the link is read again (it does not exist: down).
        events.send(LinkEvent::Overrun).expect("sent");
        assert_eq!(
            next(&mut rx).await,
            Some((0, false)),
            "no repeat, then re-read"
        );
    }
}
