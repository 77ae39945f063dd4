//! The edge of tracking: runs each `track_script` on its interval and watches each
//! `track_interface`, sending `(tracker index, ok)` to the instance's task, where the pure
//! [`crate::vrrp::track::Tracking`] decides.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::notify::Line;
use super::proc;
use crate::vrrp::net::iface;
use crate::vrrp::track::Tracker;

/// How often a tracked link is looked at.
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
pub fn start(tracks: &[Track], tx: mpsc::Sender<(usize, bool)>) -> anyhow::Result<Watchers> {
    let mut joins = Vec::new();
    for (idx, t) in tracks.iter().enumerate() {
        let tx = tx.clone();
        match t.clone() {
            Track::Script(s) => {
                let who = match &s.line.user {
                    None => None,
                    Some(u) => Some(proc::resolve(u).ok_or_else(|| {
                        anyhow::anyhow!("vrrp_script {}: unknown user {u}", s.name)
                    })?),
                };
                joins.push(tokio::spawn(async move {
                    loop {
                        let exit = proc::run(&s.line.argv, who, s.timeout).await;
                        tracing::debug!("VRRP_Script({}) {exit:?}", s.name);
                        if tx.send((idx, exit.ok())).await.is_err() {
                            return;
                        }
                        // The next run counts from this one's end, as keepalived does.
                        tokio::time::sleep(s.interval).await;
                    }
                }));
            }
            Track::Link(l) => joins.push(tokio::spawn(async move {
                let mut last = iface::is_running(&l.name);
                loop {
                    tokio::time::sleep(LINK_POLL).await;
                    let now = iface::is_running(&l.name);
                    if now != last {
                        last = now;
                        if tx.send((idx, now)).await.is_err() {
                            return;
                        }
                    }
                }
            })),
        }
    }
    Ok(Watchers(joins))
}
