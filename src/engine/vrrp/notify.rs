//! Notify scripts with keepalived's arguments (`vrrp_notify.c`): `notify_master`,
//! `notify_backup`, `notify_fault`, `notify_stop` run as written; `notify` gets
//! `INSTANCE NAME MASTER|BACKUP|FAULT|STOP PRIORITY` (a sync group: `GROUP NAME STATE 0`).
//! They run one after the other per instance, so a quick BACKUP→MASTER is seen in order.

use std::time::Duration;

use tokio::sync::mpsc;

use crate::linux::script::{self, RunAs};
use crate::vrrp::State;

/// keepalived gives notify scripts no timeout of their own; ours keeps the queue moving.
const NOTIFY_TIMEOUT: Duration = Duration::from_secs(30);

/// One configured script line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub argv: Vec<String>,
    /// `user[:group]`; `None`: the engine's own user.
    pub user: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scripts {
    pub master: Option<Line>,
    pub backup: Option<Line>,
    pub fault: Option<Line>,
    pub stop: Option<Line>,
    pub generic: Option<Line>,
}

/// keepalived's state words.
pub fn word(state: State) -> &'static str {
    match state {
        State::Master => "MASTER",
        State::Backup => "BACKUP",
        State::Fault => "FAULT",
        State::Initialize => "STOP",
    }
}

impl Scripts {
    pub fn is_empty(&self) -> bool {
        *self == Scripts::default()
    }

    /// The command lines to run for entering `state`, in keepalived's order.
    pub fn commands(&self, kind: &str, name: &str, state: State, priority: u8) -> Vec<Line> {
        let specific = match state {
            State::Master => &self.master,
            State::Backup => &self.backup,
            State::Fault => &self.fault,
            State::Initialize => &self.stop,
        };
        let mut out: Vec<Line> = specific.iter().cloned().collect();
        if let Some(g) = &self.generic {
            let mut l = g.clone();
            l.argv.extend([
                kind.to_string(),
                name.to_string(),
                word(state).to_string(),
                priority.to_string(),
            ]);
            out.push(l);
        }
        out
    }
}

/// A queue that runs lines in order on its own task.
pub struct Runner {
    tx: mpsc::UnboundedSender<(Line, Option<RunAs>)>,
    join: tokio::task::JoinHandle<()>,
}

impl Runner {
    pub fn start(owner: String) -> Runner {
        let (tx, mut rx) = mpsc::unbounded_channel::<(Line, Option<RunAs>)>();
        let join = tokio::spawn(async move {
            while let Some((line, who)) = rx.recv().await {
                let exit = script::run(&line.argv, who, NOTIFY_TIMEOUT).await;
                if !exit.ok() {
                    tracing::warn!("{owner}: notify {:?} ended {exit:?}", line.argv);
                }
            }
        });
        Runner { tx, join }
    }

    /// Queues `lines`, each as its user (an unknown user skips the line, loudly).
    pub fn run(&self, lines: Vec<Line>) {
        for l in lines {
            let who = match &l.user {
                None => None,
                Some(u) => match script::resolve(u) {
                    Some(w) => Some(w),
                    None => {
                        tracing::error!("notify {:?}: unknown user {u}; not run", l.argv);
                        continue;
                    }
                },
            };
            let _ = self.tx.send((l, who));
        }
    }

    /// Waits (bounded) until every queued line ran: a stopping engine lets notify_stop finish.
    pub async fn drain(self, within: Duration) {
        let Runner { tx, join } = self;
        drop(tx);
        if tokio::time::timeout(within, join).await.is_err() {
            tracing::warn!("notify scripts still running after {within:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(s: &str) -> Line {
        Line {
            argv: s.split(' ').map(str::to_string).collect(),
            user: None,
        }
    }

    #[test]
    fn keepalived_arguments() {
        let s = Scripts {
            master: Some(line("/m a")),
            stop: Some(line("/s")),
            generic: Some(line("/n x")),
            ..Scripts::default()
        };
        let argv = |st, p| -> Vec<Vec<String>> {
            s.commands("INSTANCE", "VI_1", st, p)
                .into_iter()
                .map(|l| l.argv)
                .collect()
        };
        assert_eq!(
            argv(State::Master, 150),
            vec![
                vec!["/m", "a"],
                vec!["/n", "x", "INSTANCE", "VI_1", "MASTER", "150"]
            ]
        );
        assert_eq!(
            argv(State::Initialize, 90),
            vec![
                vec!["/s"],
                vec!["/n", "x", "INSTANCE", "VI_1", "STOP", "90"]
            ]
        );
        assert_eq!(
            argv(State::Fault, 1),
            vec![vec!["/n", "x", "INSTANCE", "VI_1", "FAULT", "1"]]
        );
    }
}
