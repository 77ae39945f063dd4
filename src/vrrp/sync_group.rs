//! `vrrp_sync_group`: instances that change state together, with keepalived 2.2.7's rules
//! (`vrrp_sync.c`, `vrrp_scheduler.c`), without I/O.
//!
//! Each member reports its [`MemberView`] after every step; [`SyncGroup::report`] answers
//! with the [`Input`]s to feed to the other members, and the group's new state when it
//! changed (for the group's notify scripts). The rules:
//! - a member in FAULT puts every other member in FAULT until no member is faulty;
//! - a member leaving MASTER for BACKUP takes the other masters to BACKUP (no priority 0);
//! - a member becoming MASTER takes the others to MASTER;
//! - a member whose down timer runs out only *wants* MASTER ([`crate::vrrp::Config::sync_group`]):
//!   the group goes MASTER when every member wants it or one already is (prefer BACKUP over
//!   thrashing, as `vrrp_sync_can_goto_master` does).

use super::instance::Input;
use super::status::State;

/// What the group needs from one member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberView {
    pub state: State,
    /// The member's own fault (not one the group imposed).
    pub fault: bool,
    /// Its down timer ran out while held in BACKUP by the group.
    pub want_master: bool,
}

impl MemberView {
    pub const STOPPED: MemberView = MemberView {
        state: State::Initialize,
        fault: false,
        want_master: false,
    };

    fn wants_master(&self) -> bool {
        self.state == State::Master || self.want_master
    }
}

/// The answer to one report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Update {
    /// `(member index, input)`, in order.
    pub commands: Vec<(usize, Input)>,
    /// The group's state when it changed (Initialize: every member stopped).
    pub group: Option<State>,
}

#[derive(Debug, Clone)]
pub struct SyncGroup {
    members: Vec<MemberView>,
    /// What each member was told about the others' faults.
    told_fault: Vec<bool>,
    state: State,
}

impl SyncGroup {
    pub fn new(members: usize) -> SyncGroup {
        SyncGroup {
            members: vec![MemberView::STOPPED; members],
            told_fault: vec![false; members],
            state: State::Initialize,
        }
    }

    pub fn state(&self) -> State {
        self.state
    }

    pub fn members(&self) -> &[MemberView] {
        &self.members
    }

    /// Member `i` now looks like `view`.
    pub fn report(&mut self, i: usize, view: MemberView) -> Update {
        let mut up = Update::default();
        let Some(old) = self.members.get(i).copied() else {
            return up;
        };
        self.members[i] = view;
        self.propagate_faults(&mut up);
        let any_fault = self.members.iter().any(|m| m.fault);
        let all_stopped = self.members.iter().all(|m| m.state == State::Initialize);
        let mut group = self.state;
        if all_stopped {
            group = State::Initialize;
        } else if any_fault {
            group = State::Fault;
        } else {
            if old.state == State::Master && view.state == State::Backup {
                group = State::Backup;
                for (j, m) in self.members.iter().enumerate() {
                    if j != i && m.state == State::Master {
                        up.commands.push((j, Input::SyncBackup));
                    }
                }
            } else if view.state == State::Master && old.state != State::Master {
                group = State::Master;
            }
            if group != State::Master
                && self
                    .members
                    .iter()
                    .all(|m| m.state != State::Initialize && m.wants_master())
            {
                group = State::Master;
            }
            if group == State::Master {
                for (j, m) in self.members.iter().enumerate() {
                    if m.state == State::Backup && (j != i || m.want_master) {
                        up.commands.push((j, Input::SyncMaster));
                    }
                }
            } else if matches!(group, State::Initialize | State::Fault) {
                // Started, or out of FAULT: the group is BACKUP until someone is MASTER.
                group = State::Backup;
            }
        }
        if group != self.state {
            self.state = group;
            up.group = Some(group);
        }
        up
    }

    /// Member `j` is told of a fault when any *other* member has one, and of its end.
    fn propagate_faults(&mut self, up: &mut Update) {
        for j in 0..self.members.len() {
            let others = self
                .members
                .iter()
                .enumerate()
                .any(|(k, m)| k != j && m.fault);
            if others != self.told_fault[j] {
                self.told_fault[j] = others;
                up.commands.push((
                    j,
                    if others {
                        Input::SyncFault
                    } else {
                        Input::SyncFaultCleared
                    },
                ));
            }
        }
    }
}

/// keepalived's start rule (`vrrp_complete_init`): `state MASTER` holds in a group only when
/// every member is an address owner that wants MASTER; otherwise every member starts BACKUP.
/// `members`: (wants MASTER, is address owner) → whether each keeps its `state MASTER`.
pub fn initial_master(members: &[(bool, bool)]) -> Vec<bool> {
    let have_master = members.iter().any(|(m, _)| *m);
    let have_backup = members.iter().any(|(m, owner)| !*m || !*owner);
    members
        .iter()
        .map(|(m, _)| *m && !(have_master && have_backup))
        .collect()
}
