//! The checkers' scripts, run: `notify_up`/`notify_down` of a real server and
//! `quorum_up`/`quorum_down` of a virtual server, when the policy decides a transition.
//!
//! As keepalived (`ipwrapper.c` `do_rs_notifies`/`do_vs_notifies`, `notify_exec`): the line
//! runs as written — keepalived appends no arguments and sets no variables of its own — as
//! its own user or global_defs' `script_user`, without a shell unless the line names one.
//! keepalived forks and forgets; here each server's (and each virtual server's) scripts run
//! in order on their own queue, so the checker loop never waits, with a timeout so a hung
//! script cannot hold the queue.

use std::collections::HashMap;
use std::time::Duration;

use crate::check::{ScriptAction, ScriptCall, VsSpec};

use crate::linux::script::{self, Job, Queue};

/// keepalived gives these scripts no timeout; ours keeps a queue moving.
pub const TIMEOUT: Duration = Duration::from_secs(30);
/// keepalived's bound for the down notifiers run while stopping (`TIMER_HZ`).
pub const STOP_TIMEOUT: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Owner {
    Server(usize, usize),
    Vs(usize),
}

pub struct HealthScripts {
    script_user: Option<String>,
    timeout: Duration,
    queues: HashMap<Owner, Queue>,
}

impl HealthScripts {
    pub fn new(script_user: Option<String>, timeout: Duration) -> HealthScripts {
        HealthScripts {
            script_user,
            timeout,
            queues: HashMap::new(),
        }
    }

    /// Queues the script of `action` (never waits). A line that cannot be split or whose
    /// user is unknown is logged and not run.
    pub fn run(&mut self, action: &ScriptAction, specs: &[VsSpec]) {
        let Some((owner, job)) = job(action, specs, self.script_user.as_deref()) else {
            return;
        };
        let timeout = self.timeout;
        self.queues
            .entry(owner)
            .or_insert_with(|| Queue::start(timeout))
            .push(job);
    }

    /// Lets every queued script finish within `within`, then kills what still runs.
    pub async fn drain(self, within: Duration) {
        let mut set = tokio::task::JoinSet::new();
        for q in self.queues.into_values() {
            set.spawn(q.drain(within));
        }
        while set.join_next().await.is_some() {}
    }
}

/// The queue and the job for `action`.
fn job(action: &ScriptAction, specs: &[VsSpec], script_user: Option<&str>) -> Option<(Owner, Job)> {
    let (owner, kind, s, vs) = match action {
        ScriptAction::NotifyUp { server, script } => (
            Owner::Server(server.vs, server.rs),
            "notify_up",
            script,
            server.vs,
        ),
        ScriptAction::NotifyDown { server, script } => (
            Owner::Server(server.vs, server.rs),
            "notify_down",
            script,
            server.vs,
        ),
        ScriptAction::QuorumUp { vs, script } => (Owner::Vs(*vs), "quorum_up", script, *vs),
        ScriptAction::QuorumDown { vs, script } => (Owner::Vs(*vs), "quorum_down", script, *vs),
    };
    let vs_spec = specs.get(vs);
    let vs_name = vs_spec.map_or("?", |v| v.name.as_str());
    let dest = match owner {
        Owner::Server(_, r) => vs_spec.and_then(|v| v.servers.get(r)).map(|r| &r.dest),
        Owner::Vs(_) => None,
    };
    let mut what = match dest {
        Some(d) => format!(
            "{kind} of real_server {} {} in virtual_server {vs_name}",
            d.addr, d.port
        ),
        None => format!("{kind} of virtual_server {vs_name}"),
    };
    if !s.at.is_empty() {
        what = format!("{what} ({})", s.at);
    }
    job_for(s, script_user, what)
        .map_err(|e| tracing::error!("{e}; not run"))
        .ok()
        .map(|j| (owner, j))
}

/// A configured script as a job: words split, user resolved (its own, else `script_user`).
pub fn job_for(s: &ScriptCall, script_user: Option<&str>, what: String) -> Result<Job, String> {
    let argv = crate::linux::script::split(&s.command)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| format!("{what}: cannot split '{}' into words", s.command))?;
    let who = match s.user.as_deref().or(script_user) {
        None => None,
        Some(u) => {
            Some(script::resolve(u).ok_or_else(|| format!("{what}: unknown user or group '{u}'"))?)
        }
    };
    Ok(Job { argv, who, what })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::RsIndex;

    fn specs() -> Vec<VsSpec> {
        let text = "virtual_server 198.51.100.10 80 {\n lb_kind NAT\n protocol TCP\n \
                    real_server 127.0.0.1 8080 {\n weight 3\n notify_up \"/bin/echo 'a b'\" nobody\n }\n}\n";
        let cfg = crate::config::parse_str(text, std::path::Path::new("t.conf")).config;
        crate::check::build::build(&cfg, "h", None).specs
    }

    #[test]
    fn jobs_name_the_server_and_run_as_written() {
        let specs = specs();
        let script = specs[0].servers[0].notify_up.clone().expect("notify_up");
        let a = ScriptAction::NotifyUp {
            server: RsIndex { vs: 0, rs: 0 },
            script,
        };
        let (owner, j) = job(&a, &specs, Some("root")).expect("job");
        assert_eq!(owner, Owner::Server(0, 0));
        assert_eq!(j.argv, vec!["/bin/echo", "a b"], "no arguments appended");
        assert_eq!(j.who, script::resolve("nobody"), "its own user wins");
        assert_eq!(
            j.what,
            "notify_up of real_server 127.0.0.1 8080 in virtual_server 198.51.100.10 80 (t.conf:6)"
        );
        let q = ScriptAction::QuorumDown {
            vs: 0,
            script: ScriptCall::from("/bin/q"),
        };
        let (owner, j) = job(&q, &specs, Some("root")).expect("job");
        assert_eq!((owner, j.who), (Owner::Vs(0), script::resolve("root")));
        let bad = ScriptAction::QuorumUp {
            vs: 0,
            script: ScriptCall {
                user: Some("no-such-user-lvsdeck".into()),
                ..ScriptCall::from("/bin/q")
            },
        };
        assert!(job(&bad, &specs, None).is_none());
    }

    #[tokio::test]
    async fn a_hung_script_blocks_neither_the_caller_nor_other_servers() {
        let dir = std::env::temp_dir().join(format!("lvsdeck-hs-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let marker = dir.join("b-ran");
        let specs = specs();
        let mut hs = HealthScripts::new(None, Duration::from_millis(500));
        let t0 = std::time::Instant::now();
        hs.run(
            &ScriptAction::NotifyDown {
                server: RsIndex { vs: 0, rs: 0 },
                script: ScriptCall::from("/bin/sleep 10"),
            },
            &specs,
        );
        hs.run(
            &ScriptAction::QuorumDown {
                vs: 0,
                script: ScriptCall::from(format!("/usr/bin/touch {}", marker.display())),
            },
            &specs,
        );
        assert!(t0.elapsed() < Duration::from_millis(100), "run() waited");
        while !marker.exists() && t0.elapsed() < Duration::from_secs(3) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(
            marker.exists(),
            "the other queue was held up by the hung script"
        );
        assert!(t0.elapsed() < Duration::from_millis(450));
        // The hung one is killed at its timeout: draining ends well before its 10 s.
        hs.drain(Duration::from_secs(5)).await;
        assert!(t0.elapsed() < Duration::from_secs(2), "{:?}", t0.elapsed());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
