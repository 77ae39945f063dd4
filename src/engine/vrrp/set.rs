//! The running instances by name: started from a configuration, reconciled on reload
//! (unchanged ones keep running, mastership included), stopped together.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use super::spec::Spec;
use super::task::{spawn, Handle, Shared};

/// How long one instance may take to leave (priority 0, VIPs removed).
const STOP_WITHIN: Duration = Duration::from_secs(5);

pub struct Instances {
    shared: Arc<Shared>,
    running: BTreeMap<String, Handle>,
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
        let names: Vec<String> = self.running.keys().cloned().collect();
        for name in names {
            let keep = wanted.get(&name) == self.running.get(&name).map(|h| &h.spec);
            if !keep {
                if let Some(h) = self.running.remove(&name) {
                    h.shutdown(STOP_WITHIN).await;
                    c.stopped += 1;
                }
            }
        }
        for (name, spec) in wanted {
            if self.running.contains_key(&name) {
                c.kept += 1;
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
        c
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
    }
}
