//! Which sync daemon commands run, and when: keepalived 2.2.7's rules as a pure function of
//! the setting, the moment (start, a state change of the named instance, reload, stop), that
//! instance's state and what the kernel runs. No I/O: [`super`] reads the kernel, applies
//! the ops and logs them.
//!
//! What keepalived 2.2.7 does (read in its sources):
//!
//! | moment | keepalived | here |
//! |---|---|---|
//! | start (`vrrp_scheduler.c` `vrrp_init_state`) | `STARTDAEMON` backup for the named instance (master if it starts as master on a reload), errors logged | start the role of the instance's state |
//! | becomes MASTER (`vrrp.c` `vrrp_state_become_master` → `ipvswrapper.c` `ipvs_syncd_master`) | `STOPDAEMON` backup, `STARTDAEMON` master | same |
//! | leaves MASTER for BACKUP or FAULT (`vrrp_state_leave_master` → `ipvs_syncd_backup`) | `STOPDAEMON` master, `STARTDAEMON` backup | same |
//! | BACKUP ↔ FAULT | nothing: the backup daemon stays | same |
//! | reload (`vrrp_daemon.c` `reload_vrrp_thread`, then `vrrp_init_state`) | settings changed (`ipvs_syncd_changed`: interface, syncid, maxlen, port, ttl, group): `STOPDAEMON` of the instance's role; always `STOPDAEMON` of the other role and `STARTDAEMON` of its role with the new settings (a running daemon of that role refuses: EEXIST, so unchanged settings restart nothing) | same |
//! | stop (`vrrp_daemon.c` `vrrp_terminate_phase1`, before the priority-0 adverts) | `STOPDAEMON` of the role of the instance's state | same, before the instances leave |
//! | setting removed, or its instance unknown, on reload | nothing: the daemons that run are left running (and are not stopped at exit) | same, with a warning |
//! | no instance named (`check/check_daemon.c` `start_check`, `checker_terminate_phase2`) | the checker (only with virtual servers) stops both roles at start, starts master and backup; on reload stops both and starts both when the settings changed; stops both at exit | same |
//!
//! Details of keepalived's reload: `reload_vrrp_thread` sends its STOP/START/STOP with no
//! settings (`ipvs_syncd_cmd(..., NULL, ...)`, errors ignored), so its START carries an
//! empty interface and syncid 0 and the kernel refuses it; the daemon comes back only from
//! `vrrp_init_state`'s START with the new settings, run after the reload — a running daemon
//! of the role refuses that one with EEXIST, which keepalived logs ("IPVS cmd
//! IP_VS_SO_SET_STARTDAEMON(1163) error: Daemon has already run(17)", seen in the lab on an
//! unchanged reload). When the old configuration had no sync (its sync id then reads 0) and
//! the new sync id is 0 too, `ipvs_syncd_changed` goes on to `strcmp` the old interface,
//! a NULL pointer (read, not tried); here a setting added by a reload is a change, and the
//! daemon is started.
//!
//! The role follows the instance's state only: MASTER runs the master daemon, every other
//! state (BACKUP, FAULT, INIT, not running) the backup daemon — the transitions above add up
//! to that. Commands the kernel would refuse because they change nothing (stopping a role
//! that does not run: ESRCH; starting one that runs: EEXIST) are not sent; the table ends as
//! keepalived's commands leave it. A daemon of the right role already running with other
//! settings (left by an earlier run) is left as keepalived leaves it, with a note saying so.

use crate::config::SyncDaemon;
use crate::ipvs::{Daemon, DaemonState, Op};
use crate::vrrp::State;

/// When the daemons are decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment<'a> {
    /// The director starts (after its instances).
    Start,
    /// The named instance entered MASTER, or left it.
    Change,
    /// A new configuration; `old` is the setting that ran before.
    Reload { old: Option<&'a SyncDaemon> },
    /// The director stops (before its instances leave).
    Stop,
}

/// What the director runs the decision on.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// The (new) setting; `None`: the configuration has none.
    pub setting: Option<&'a SyncDaemon>,
    /// The named instance's state; `None` when it does not run.
    pub state: Option<State>,
    /// Whether the configuration has virtual servers (keepalived's checker runs only then).
    pub checker: bool,
    /// The daemons the kernel runs now.
    pub kernel: &'a [Daemon],
}

/// The ops to apply in order, and what the operator should know.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decision {
    pub ops: Vec<Op>,
    pub notes: Vec<String>,
}

/// The role for an instance's state: master only while MASTER.
pub fn role_of(state: Option<State>) -> DaemonState {
    match state {
        Some(State::Master) => DaemonState::Master,
        _ => DaemonState::Backup,
    }
}

fn other(role: DaemonState) -> DaemonState {
    match role {
        DaemonState::Master => DaemonState::Backup,
        DaemonState::Backup => DaemonState::Master,
    }
}

/// `master` / `backup`, as ipvsadm names them.
pub fn role_name(role: DaemonState) -> &'static str {
    match role {
        DaemonState::Master => "master",
        DaemonState::Backup => "backup",
    }
}

/// The roles the setting wants now: one that follows the instance, or both (no instance,
/// with virtual servers), or none.
pub fn wanted(
    setting: Option<&SyncDaemon>,
    state: Option<State>,
    checker: bool,
) -> Vec<DaemonState> {
    match setting {
        None => Vec::new(),
        Some(s) if s.instance.is_some() => vec![role_of(state)],
        Some(_) if checker => vec![DaemonState::Master, DaemonState::Backup],
        Some(_) => Vec::new(),
    }
}

/// The kernel's daemon for `setting` in `role` (what `--start-daemon` is given).
pub fn daemon(setting: &SyncDaemon, role: DaemonState) -> Daemon {
    Daemon {
        state: role,
        mcast_ifn: setting.interface.clone(),
        syncid: u32::from(setting.syncid),
        sync_maxlen: setting.maxlen,
        mcast_group: setting.group,
        mcast_port: setting.port,
        mcast_ttl: setting.ttl,
    }
}

/// Whether a running daemon carries the setting (what the kernel reports for options the
/// setting leaves to its defaults is not compared).
pub fn runs_setting(d: &Daemon, setting: &SyncDaemon) -> bool {
    let given = |want: Option<u64>, have: Option<u64>| want.is_none() || want == have;
    d.mcast_ifn == setting.interface
        && d.syncid == u32::from(setting.syncid)
        && given(setting.maxlen.map(u64::from), d.sync_maxlen.map(u64::from))
        && given(setting.port.map(u64::from), d.mcast_port.map(u64::from))
        && given(setting.ttl.map(u64::from), d.mcast_ttl.map(u64::from))
        && (setting.group.is_none() || setting.group == d.mcast_group)
}

/// A daemon in one line: `master on eth0 syncid 7`.
pub fn describe(d: &Daemon) -> String {
    format!(
        "{} on {} syncid {}",
        role_name(d.state),
        d.mcast_ifn,
        d.syncid
    )
}

struct Plan<'a> {
    kernel: Vec<&'a Daemon>,
    out: Decision,
}

impl<'a> Plan<'a> {
    fn running(&self, role: DaemonState) -> Option<&'a Daemon> {
        self.kernel.iter().copied().find(|d| d.state == role)
    }

    fn stop(&mut self, role: DaemonState) {
        if let Some(i) = self.kernel.iter().position(|d| d.state == role) {
            self.kernel.remove(i);
            self.out.ops.push(Op::StopDaemon(role));
        }
    }

    fn start(&mut self, setting: &SyncDaemon, role: DaemonState) {
        match self.running(role) {
            Some(d) if !runs_setting(d, setting) => self.out.notes.push(format!(
                "a {} sync daemon already runs ({}), not the configured {}: the kernel keeps it, as it does for keepalived (ipvsadm --stop-daemon {} and a reload replace it)",
                role_name(role),
                describe(d),
                describe(&daemon(setting, role)),
                role_name(role)
            )),
            Some(_) => {}
            None => self.out.ops.push(Op::StartDaemon(daemon(setting, role))),
        }
    }
}

/// The ops for `moment` (see the table at the top of this file).
pub fn decide(moment: Moment<'_>, i: Inputs<'_>) -> Decision {
    let mut p = Plan {
        kernel: i.kernel.iter().collect(),
        out: Decision::default(),
    };
    let Some(s) = i.setting else {
        if let Moment::Reload { old: Some(old) } = moment {
            if !i.kernel.is_empty() {
                p.out.notes.push(format!(
                    "{} is gone from the configuration: the sync daemons that run ({}) are left as they are, as keepalived leaves them (ipvsadm --stop-daemon master|backup stops them)",
                    old.line(),
                    i.kernel.iter().map(describe).collect::<Vec<_>>().join(", ")
                ));
            }
        }
        return p.out;
    };
    let role = role_of(i.state);
    let follows = s.instance.is_some();
    if !follows && !i.checker {
        return p.out;
    }
    let both = [DaemonState::Master, DaemonState::Backup];
    match moment {
        Moment::Start if follows => p.start(s, role),
        Moment::Start => {
            // keepalived's checker: whatever an abnormal end left is stopped first.
            for r in both {
                p.stop(r);
            }
            for r in both {
                p.start(s, r);
            }
        }
        Moment::Change if follows => {
            p.stop(other(role));
            p.start(s, role);
        }
        Moment::Change => {}
        Moment::Reload { old } => {
            let changed = old.is_none_or(|o| !o.same_settings(s));
            if follows {
                if changed {
                    p.stop(role);
                }
                p.stop(other(role));
                p.start(s, role);
            } else {
                if changed {
                    for r in both {
                        p.stop(r);
                    }
                }
                for r in both {
                    p.start(s, r);
                }
            }
        }
        Moment::Stop if follows => p.stop(role),
        Moment::Stop => {
            for r in both {
                p.stop(r);
            }
        }
    }
    p.out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Location;
    use std::path::Path;

    fn setting(instance: Option<&str>, syncid: u8) -> SyncDaemon {
        SyncDaemon {
            interface: "eth0".into(),
            instance: instance.map(String::from),
            syncid,
            maxlen: None,
            port: None,
            ttl: None,
            group: None,
            at: Location::new(Path::new("k.conf"), 2),
        }
    }

    /// The ops as ipvsadm lines.
    fn lines(d: &Decision) -> Vec<String> {
        d.ops.iter().map(ToString::to_string).collect()
    }

    fn run(
        moment: Moment<'_>,
        state: Option<State>,
        s: Option<&SyncDaemon>,
        kernel: &[Daemon],
    ) -> Decision {
        decide(
            moment,
            Inputs {
                setting: s,
                state,
                checker: true,
                kernel,
            },
        )
    }

    const START_BACKUP: &str = "--start-daemon backup --mcast-interface eth0 --syncid 7";
    const START_MASTER: &str = "--start-daemon master --mcast-interface eth0 --syncid 7";

    /// The life of a sync daemon that follows VI_1, step by step, each step run on the
    /// kernel the previous one left.
    #[test]
    fn the_daemon_follows_the_instance_through_its_states() {
        let s = setting(Some("VI_1"), 7);
        let mut kernel: Vec<Daemon> = Vec::new();
        let mut step = |moment: Moment<'_>, state: Option<State>, s: Option<&SyncDaemon>| {
            let d = run(moment, state, s, &kernel);
            for op in &d.ops {
                match op {
                    Op::StartDaemon(dm) => kernel.push(dm.clone()),
                    Op::StopDaemon(r) => kernel.retain(|k| k.state != *r),
                    _ => {}
                }
            }
            lines(&d)
        };
        // Start: backup (the instance starts in INIT/BACKUP).
        assert_eq!(
            step(Moment::Start, Some(State::Initialize), Some(&s)),
            [START_BACKUP]
        );
        // MASTER: backup stopped, master started.
        assert_eq!(
            step(Moment::Change, Some(State::Master), Some(&s)),
            ["--stop-daemon backup", START_MASTER]
        );
        // A second notice of the same state changes nothing.
        assert!(step(Moment::Change, Some(State::Master), Some(&s)).is_empty());
        // FAULT from MASTER: back to backup.
        assert_eq!(
            step(Moment::Change, Some(State::Fault), Some(&s)),
            ["--stop-daemon master", START_BACKUP]
        );
        // FAULT -> BACKUP: nothing, the backup daemon stays.
        assert!(step(Moment::Change, Some(State::Backup), Some(&s)).is_empty());
        assert_eq!(
            step(Moment::Change, Some(State::Master), Some(&s)),
            ["--stop-daemon backup", START_MASTER]
        );
        // Reload, settings unchanged: nothing restarts.
        assert!(step(
            Moment::Reload { old: Some(&s) },
            Some(State::Master),
            Some(&s)
        )
        .is_empty());
        // Reload with another syncid while MASTER: the master restarts with it.
        let s9 = setting(Some("VI_1"), 9);
        assert_eq!(
            step(
                Moment::Reload { old: Some(&s) },
                Some(State::Master),
                Some(&s9)
            ),
            [
                "--stop-daemon master",
                "--start-daemon master --mcast-interface eth0 --syncid 9"
            ]
        );
        // Give-up (BACKUP), then stop: the backup daemon is stopped.
        assert_eq!(
            step(Moment::Change, Some(State::Backup), Some(&s9)),
            [
                "--stop-daemon master",
                "--start-daemon backup --mcast-interface eth0 --syncid 9"
            ]
        );
        assert_eq!(
            step(Moment::Stop, Some(State::Backup), Some(&s9)),
            ["--stop-daemon backup"]
        );
        assert!(kernel.is_empty());
    }

    #[test]
    fn an_owner_starting_as_master_runs_the_master_daemon() {
        let s = setting(Some("VI_1"), 7);
        assert_eq!(
            lines(&run(Moment::Start, Some(State::Master), Some(&s), &[])),
            [START_MASTER]
        );
        // The instance does not run (its interface is missing): backup, as for FAULT.
        assert_eq!(
            lines(&run(Moment::Start, None, Some(&s), &[])),
            [START_BACKUP]
        );
    }

    #[test]
    fn reload_as_backup_with_changes_and_a_stale_other_role() {
        let s = setting(Some("VI_1"), 7);
        let s9 = setting(Some("VI_1"), 9);
        let kernel = [
            daemon(&s, DaemonState::Backup),
            daemon(&s, DaemonState::Master),
        ];
        // Changed: this role restarted, the other (left by someone) stopped.
        assert_eq!(
            lines(&run(
                Moment::Reload { old: Some(&s) },
                Some(State::Backup),
                Some(&s9),
                &kernel
            )),
            [
                "--stop-daemon backup",
                "--stop-daemon master",
                "--start-daemon backup --mcast-interface eth0 --syncid 9"
            ]
        );
        // Unchanged: keepalived still stops the other role.
        assert_eq!(
            lines(&run(
                Moment::Reload { old: Some(&s) },
                Some(State::Backup),
                Some(&s),
                &kernel
            )),
            ["--stop-daemon master"]
        );
        // Unchanged, but the daemon was stopped by hand: keepalived's start brings it back.
        assert_eq!(
            lines(&run(
                Moment::Reload { old: Some(&s) },
                Some(State::Backup),
                Some(&s),
                &[]
            )),
            [START_BACKUP]
        );
        // Newly configured on reload: started.
        assert_eq!(
            lines(&run(
                Moment::Reload { old: None },
                Some(State::Master),
                Some(&s),
                &[]
            )),
            [START_MASTER]
        );
    }

    #[test]
    fn a_removed_setting_leaves_the_daemons_running_with_a_note() {
        let s = setting(Some("VI_1"), 7);
        let kernel = [daemon(&s, DaemonState::Master)];
        let d = run(
            Moment::Reload { old: Some(&s) },
            Some(State::Master),
            None,
            &kernel,
        );
        assert!(d.ops.is_empty());
        assert!(d.notes[0].contains("are left as they are"), "{:?}", d.notes);
        // Nothing at stop either.
        assert!(run(Moment::Stop, Some(State::Master), None, &kernel)
            .ops
            .is_empty());
    }

    #[test]
    fn a_stale_daemon_with_other_settings_is_kept_with_a_note() {
        let s = setting(Some("VI_1"), 7);
        let stale = daemon(&setting(Some("VI_1"), 3), DaemonState::Backup);
        let d = run(
            Moment::Start,
            Some(State::Backup),
            Some(&s),
            std::slice::from_ref(&stale),
        );
        assert!(d.ops.is_empty());
        assert!(
            d.notes[0].contains("backup on eth0 syncid 3"),
            "{:?}",
            d.notes
        );
        // The kernel's own values for options the setting leaves alone do not count.
        let mut reported = daemon(&s, DaemonState::Backup);
        reported.mcast_port = Some(8848);
        reported.sync_maxlen = Some(1472);
        assert!(runs_setting(&reported, &s));
        assert!(
            run(Moment::Start, Some(State::Backup), Some(&s), &[reported])
                .notes
                .is_empty()
        );
    }

    #[test]
    fn without_an_instance_both_roles_run_with_virtual_servers_only() {
        let s = setting(None, 0);
        let both = [
            "--start-daemon master --mcast-interface eth0 --syncid 0",
            "--start-daemon backup --mcast-interface eth0 --syncid 0",
        ];
        // A leftover from a crash is stopped first.
        let stale = [daemon(&setting(None, 4), DaemonState::Master)];
        let mut want = vec!["--stop-daemon master"];
        want.extend(both);
        assert_eq!(lines(&run(Moment::Start, None, Some(&s), &stale)), want);
        // State changes do not matter.
        assert!(run(Moment::Change, Some(State::Master), Some(&s), &[])
            .ops
            .is_empty());
        let running = [
            daemon(&s, DaemonState::Master),
            daemon(&s, DaemonState::Backup),
        ];
        assert!(
            run(Moment::Reload { old: Some(&s) }, None, Some(&s), &running)
                .ops
                .is_empty()
        );
        let s2 = setting(None, 2);
        assert_eq!(
            lines(&run(
                Moment::Reload { old: Some(&s) },
                None,
                Some(&s2),
                &running
            )),
            [
                "--stop-daemon master",
                "--stop-daemon backup",
                "--start-daemon master --mcast-interface eth0 --syncid 2",
                "--start-daemon backup --mcast-interface eth0 --syncid 2"
            ]
        );
        assert_eq!(
            lines(&run(Moment::Stop, None, Some(&s), &running)),
            ["--stop-daemon master", "--stop-daemon backup"]
        );
        // Without virtual servers keepalived's checker does not run: nothing.
        let d = decide(
            Moment::Start,
            Inputs {
                setting: Some(&s),
                state: None,
                checker: false,
                kernel: &[],
            },
        );
        assert!(d.ops.is_empty());
        assert!(wanted(Some(&s), None, false).is_empty());
        assert_eq!(wanted(Some(&s), None, true).len(), 2);
    }

    #[test]
    fn every_option_reaches_the_kernel() {
        let mut s = setting(Some("VI_1"), 7);
        s.maxlen = Some(1400);
        s.port = Some(8849);
        s.ttl = Some(2);
        s.group = Some("239.1.2.3".parse().unwrap());
        assert_eq!(
            lines(&run(Moment::Start, Some(State::Backup), Some(&s), &[])),
            ["--start-daemon backup --mcast-interface eth0 --syncid 7 --sync-maxlen 1400 --mcast-group 239.1.2.3 --mcast-port 8849 --mcast-ttl 2"]
        );
    }
}
