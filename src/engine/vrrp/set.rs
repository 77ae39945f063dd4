//! The running instances by name: started from a configuration, reconciled on reload
//! (unchanged ones keep running, mastership included), stopped together. A sync group is
//! kept or restarted as a whole: its members and their coordinator start together.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use std::collections::BTreeSet;

use tokio::sync::mpsc;

use super::spec::Spec;
use super::sync;
use super::task::{spawn, spawn_member, Handle, Shared};

/// How long one instance may take to leave (priority 0, VIPs removed).
const STOP_WITHIN: Duration = Duration::from_secs(5);

pub struct Instances {
    shared: Arc<Shared>,
    running: BTreeMap<String, Handle>,
    /// Each running sync group's coordinator (it ends after its members).
    groups: BTreeMap<String, tokio::task::JoinHandle<()>>,
}

/// What a reconcile did, for the log.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    pub kept: usize,
    pub started: usize,
    pub stopped: usize,
    pub failed: usize,
    /// Why each failed instance did not start (for the console's panel).
    pub errors: Vec<String>,
}

impl Instances {
    pub fn new(shared: Arc<Shared>) -> Instances {
        Instances {
            shared,
            running: BTreeMap::new(),
            groups: BTreeMap::new(),
        }
    }

    pub fn handles(&self) -> impl Iterator<Item = &Handle> {
        self.running.values()
    }

    /// Makes the running set match `specs`: same spec kept, changed restarted, gone stopped.
    pub async fn reconcile(&mut self, specs: Vec<Spec>) -> Changes {
        let mut c = Changes::default();
        let wanted: BTreeMap<String, Spec> =
            specs.into_iter().map(|s| (s.name.clone(), s)).collect();
        // A group with any member added, changed or gone restarts whole.
        let mut dirty: BTreeSet<String> = BTreeSet::new();
        for (name, h) in &self.running {
            if wanted.get(name) != Some(&h.spec) {
                dirty.extend(h.spec.group.as_ref().map(|g| g.name.clone()));
            }
        }
        for (name, s) in &wanted {
            if self.running.get(name).map(|h| &h.spec) != Some(s) {
                dirty.extend(s.group.as_ref().map(|g| g.name.clone()));
            }
        }
        let in_dirty = |s: &Spec| s.group.as_ref().is_some_and(|g| dirty.contains(&g.name));
        let names: Vec<String> = self.running.keys().cloned().collect();
        for name in names {
            let keep = wanted.get(&name) == self.running.get(&name).map(|h| &h.spec)
                && !self.running.get(&name).is_some_and(|h| in_dirty(&h.spec));
            if !keep {
                if let Some(h) = self.running.remove(&name) {
                    h.shutdown(STOP_WITHIN).await;
                    c.stopped += 1;
                }
            }
        }
        for g in dirty {
            if let Some(j) = self.groups.remove(&g) {
                finish_group(&g, j).await;
            }
        }
        let mut groups: BTreeMap<String, Vec<Spec>> = BTreeMap::new();
        for (name, spec) in wanted {
            if self.running.contains_key(&name) {
                c.kept += 1;
                continue;
            }
            if let Some(g) = &spec.group {
                groups.entry(g.name.clone()).or_default().push(spec);
                continue;
            }
            match spawn(spec, self.shared.clone()).await {
                Ok(h) => {
                    self.running.insert(name, h);
                    c.started += 1;
                }
                Err(e) => {
                    tracing::error!("{e:#}");
                    c.errors.push(format!("{e:#}"));
                    c.failed += 1;
                }
            }
        }
        for members in groups.into_values() {
            self.start_group(members, &mut c).await;
        }
        c
    }

    /// Starts a group's members (in the group's order) and then its coordinator.
    async fn start_group(&mut self, mut members: Vec<Spec>, c: &mut Changes) {
        let Some(group) = members.first().and_then(|s| s.group.clone()) else {
            return;
        };
        members.sort_by_key(|s| group.members.iter().position(|m| *m == s.name));
        let (tx, rx) = mpsc::unbounded_channel();
        let mut commands = vec![None; group.members.len()];
        for spec in members {
            let Some(index) = group.members.iter().position(|m| *m == spec.name) else {
                continue;
            };
            let name = spec.name.clone();
            let link = sync::Link {
                index,
                reports: tx.clone(),
            };
            match spawn_member(spec, self.shared.clone(), Some(link)).await {
                Ok(h) => {
                    commands[index] = Some(h.commands.clone());
                    self.running.insert(name, h);
                    c.started += 1;
                }
                Err(e) => {
                    tracing::error!("{e:#}");
                    c.errors.push(format!("{e:#}"));
                    c.failed += 1;
                }
            }
        }
        drop(tx);
        let name = group.name.clone();
        self.groups.insert(name, sync::start(group, commands, rx));
    }

    /// Every instance leaves (masters send priority 0 and remove their VIPs).
    /// Each running instance's state, by name.
    pub fn states(&self) -> Vec<(String, crate::vrrp::State)> {
        self.running
            .iter()
            .map(|(n, h)| (n.clone(), h.status.borrow().state))
            .collect()
    }

    pub async fn stop_all(&mut self) {
        let all = std::mem::take(&mut self.running);
        let stops = all.into_values().map(|h| h.shutdown(STOP_WITHIN));
        for s in stops {
            s.await;
        }
        for (g, j) in std::mem::take(&mut self.groups) {
            finish_group(&g, j).await;
        }
    }
}

/// Waits (bounded) for a group's coordinator to run its notify_stop and end.
async fn finish_group(name: &str, join: tokio::task::JoinHandle<()>) {
    if tokio::time::timeout(STOP_WITHIN, join).await.is_err() {
        tracing::warn!("VRRP_Group({name}) did not stop within {STOP_WITHIN:?}");
    }
}
