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
use super::task::{spawn, spawn_member, InstanceHandle, Shared};

/// How long one instance may take to leave (priority 0, VIPs removed).
const STOP_WITHIN: Duration = Duration::from_secs(5);

pub struct Instances {
    shared: Arc<Shared>,
    running: BTreeMap<String, InstanceHandle>,
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

    /// The instances' clock now (what their status times count from).
    pub fn now(&self) -> crate::clock::Instant {
        self.shared.now()
    }

    /// The sockets and clock every instance shares (the console reads the receivers'
    /// counts of adverts for VRIDs not run here).
    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    pub fn handles(&self) -> impl Iterator<Item = &InstanceHandle> {
        self.running.values()
    }

    /// Makes the running set match `specs`: same spec kept, changed restarted, gone stopped.
    pub async fn reconcile(&mut self, specs: Vec<Spec>) -> Changes {
        let mut c = Changes::default();
        let wanted: BTreeMap<String, Spec> =
            specs.into_iter().map(|s| (s.name.clone(), s)).collect();
        let running: BTreeMap<&str, &Spec> = self
            .running
            .iter()
            .map(|(n, h)| (n.as_str(), &h.spec))
            .collect();
        let (keep, dirty) = plan(&running, &wanted);
        let names: Vec<String> = self.running.keys().cloned().collect();
        for name in names {
            if !keep.contains(&name) {
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

/// Which running instances stay as they are, and which sync groups restart whole: a group
/// with any member added, changed, gone (or that failed to start) restarts every member.
fn plan(
    running: &BTreeMap<&str, &Spec>,
    wanted: &BTreeMap<String, Spec>,
) -> (BTreeSet<String>, BTreeSet<String>) {
    let group_of = |s: &Spec| s.group.as_ref().map(|g| g.name.clone());
    let mut dirty = BTreeSet::new();
    for (name, s) in running {
        if wanted.get(*name) != Some(*s) {
            dirty.extend(group_of(s));
        }
    }
    for (name, s) in wanted {
        if running.get(name.as_str()) != Some(&s) {
            dirty.extend(group_of(s));
        }
    }
    let keep = running
        .iter()
        .filter(|(name, s)| {
            wanted.get(**name) == Some(**s) && group_of(s).is_none_or(|g| !dirty.contains(&g))
        })
        .map(|(name, _)| name.to_string())
        .collect();
    (keep, dirty)
}

/// Waits (bounded) for a group's coordinator to run its notify_stop and end.
async fn finish_group(name: &str, join: tokio::task::JoinHandle<()>) {
    if tokio::time::timeout(STOP_WITHIN, join).await.is_err() {
        tracing::warn!("VRRP_Group({name}) did not stop within {STOP_WITHIN:?}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_str;
    use std::path::Path;

    fn specs(text: &str) -> BTreeMap<String, Spec> {
        let l = parse_str(text, Path::new("k.conf"));
        assert!(l.is_ok(), "{:?}", l.diagnostics.items);
        let mut v: Vec<Spec> = l
            .config
            .instances
            .iter()
            .map(|i| Spec::from_config(i, &l.config.global, &l.config.scripts).expect("maps"))
            .collect();
        super::super::group::apply(&mut v, &l.config).expect("groups");
        v.into_iter().map(|s| (s.name.clone(), s)).collect()
    }

    fn conf(prio_b: u8, group_notify: &str) -> String {
        let inst = |n: &str, vrid: u8, prio: u8| {
            format!(
                "vrrp_instance {n} {{\n interface e\n virtual_router_id {vrid}\n priority {prio}\n\
                 virtual_ipaddress {{\n 192.0.2.{vrid}\n }}\n}}\n"
            )
        };
        format!(
            "{}{}{}vrrp_sync_group G {{\n group {{\n A B\n }}\n{group_notify}}}\n",
            inst("A", 1, 100),
            inst("B", 2, prio_b),
            inst("C", 3, 100)
        )
    }

    fn run(old: &BTreeMap<String, Spec>) -> BTreeMap<&str, &Spec> {
        old.iter().map(|(n, s)| (n.as_str(), s)).collect()
    }

    fn names(s: &BTreeSet<String>) -> Vec<&str> {
        s.iter().map(String::as_str).collect()
    }

    #[test]
    fn unchanged_groups_are_kept_and_a_changed_member_restarts_its_group() {
        let old = specs(&conf(100, ""));
        let (keep, dirty) = plan(&run(&old), &specs(&conf(100, "")));
        assert_eq!(names(&keep), ["A", "B", "C"]);
        assert!(dirty.is_empty());

        // B's priority changes: A (unchanged itself) restarts with it; C is not in the group.
        let (keep, dirty) = plan(&run(&old), &specs(&conf(90, "")));
        assert_eq!(names(&keep), ["C"]);
        assert_eq!(names(&dirty), ["G"]);

        // The group's notify changes: both members restart.
        let (keep, _) = plan(&run(&old), &specs(&conf(100, " notify /x\n")));
        assert_eq!(names(&keep), ["C"]);

        // A member that is not running (it failed to start) restarts the group.
        let mut partial = run(&old);
        partial.remove("B");
        let (keep, dirty) = plan(&partial, &specs(&conf(100, "")));
        assert_eq!(names(&keep), ["C"]);
        assert_eq!(names(&dirty), ["G"]);
    }
}
