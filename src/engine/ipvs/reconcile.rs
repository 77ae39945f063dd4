//! The reconciler's state and decisions, without I/O: given the kernel table it says what
//! drifted and which ops converge the owned services. The caller applies the ops and, when
//! they took, calls [`Reconciler::committed`].

use std::collections::BTreeSet;

use crate::config::IpvsService;
use crate::ipvs::{Op, ServiceEntry, ServiceKey};

use crate::engine::ipvs::desired::{desired_table, Overrides};
use crate::engine::ipvs::drift::{self, Drift, DriftKey};
use crate::engine::ipvs::ownership::{keys_of, owned_part, owned_plan};

/// What to do with drift nobody has decided about yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DriftPolicy {
    /// Revert it at once (kept items excepted).
    #[default]
    Reconcile,
    /// Report it and leave it until the operator says `Reconcile` or `Keep`.
    Ask,
}

/// Which held-back drift a plan may revert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// None: kept items stay, and under [`DriftPolicy::Ask`] so does undecided drift.
    Nothing,
    /// Everything (the operator's `Reconcile`).
    All,
    /// This item and what it covers.
    One(DriftKey),
}

#[derive(Debug, Clone, Default)]
pub struct Reconciler {
    services: Vec<IpvsService>,
    /// The health checker's verdicts.
    pub health: Overrides,
    /// The operator's overrides (drain, disable, weight); they win over health.
    pub operator: Overrides,
    /// Services a previous configuration owned that the current one does not declare.
    released: BTreeSet<ServiceKey>,
    /// The owned table as lvsdeck last made it: the reference drift is measured against.
    applied: Vec<ServiceEntry>,
    kept: BTreeSet<DriftKey>,
    pub policy: DriftPolicy,
}

impl Reconciler {
    pub fn new(services: Vec<IpvsService>, policy: DriftPolicy) -> Reconciler {
        Reconciler {
            services,
            policy,
            ..Reconciler::default()
        }
    }

    /// Continues from a table lvsdeck made earlier (another run, saved in a state file):
    /// its services are owned too, so those the configuration dropped get deleted, and
    /// changes made to them since are drift.
    pub fn resume(mut self, applied: Vec<ServiceEntry>) -> Reconciler {
        let now = self.owned();
        self.released = keys_of(&applied).difference(&now).copied().collect();
        self.applied = applied;
        self
    }

    /// A new configuration: what the old one owned and the new one does not is released
    /// (deleted by the next plan). Kept drift ends here: a keep overrides the configuration
    /// it was decided against, and the new one is the operator's latest word.
    pub fn reload(&mut self, services: Vec<IpvsService>) {
        self.kept.clear();
        let before = self.owned();
        self.services = services;
        let now = self.owned();
        self.released.extend(before.difference(&now).copied());
        self.released.retain(|k| !now.contains(k));
    }

    /// The keys the current configuration declares.
    pub fn owned(&self) -> BTreeSet<ServiceKey> {
        self.services.iter().map(|s| s.service.key).collect()
    }

    pub fn desired(&self) -> Vec<ServiceEntry> {
        desired_table(&self.services, &self.health, &self.operator)
    }

    /// The owned table lvsdeck last made (for the state file).
    pub fn applied(&self) -> &[ServiceEntry] {
        &self.applied
    }

    pub fn kept(&self) -> &BTreeSet<DriftKey> {
        &self.kept
    }

    /// Keep a drift item: it is not reverted until released (reconciled) or the
    /// configuration is reloaded.
    pub fn keep(&mut self, key: DriftKey) {
        self.kept.insert(key);
    }

    /// What changed in the kernel since lvsdeck last made it.
    pub fn drift(&self, kernel: &[ServiceEntry]) -> Drift {
        let keys = keys_of(&self.applied);
        drift::detect(&owned_part(kernel, &keys), &self.applied, &self.kept)
    }

    /// The drift keys a plan must not revert.
    fn held(&self, kernel: &[ServiceEntry], release: Scope) -> BTreeSet<DriftKey> {
        let mut held = self.kept.clone();
        if self.policy == DriftPolicy::Ask {
            held.extend(self.drift(kernel).keys());
        }
        match release {
            Scope::Nothing => {}
            Scope::All => held.clear(),
            Scope::One(k) => held.retain(|h| !k.covers(h)),
        }
        held
    }

    /// The ops that converge the owned services of `kernel` to the desired table, except
    /// those that would revert held-back drift.
    pub fn plan(&self, kernel: &[ServiceEntry], release: Scope) -> Vec<Op> {
        let ops = owned_plan(kernel, &self.desired(), &self.released);
        drift::without_held(ops, &self.held(kernel, release))
    }

    /// The plan made with `release` was applied: the desired table is now the reference,
    /// released items are no longer kept, released services are gone.
    pub fn committed(&mut self, release: Scope) {
        match release {
            Scope::Nothing => {}
            Scope::All => self.kept.clear(),
            Scope::One(k) => self.kept.retain(|h| !k.covers(h)),
        }
        self.applied = self.desired();
        let kept = &self.kept;
        self.released
            .retain(|s| kept.iter().any(|k| k.service == *s && k.server.is_none()));
    }
}
