//! The edge's side of the connections views: runs one `spawn_scan` at a time and forwards
//! its batches as events. A new scan or a stop aborts the forwarder, which drops the scan's
//! receiver, which stops the reading thread.

use std::path::PathBuf;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::ipvs::conn::{spawn_scan, ConnFilter, ScanEvent, ScanOptions};
use crate::tui::conns::state::ConnMsg;
use crate::tui::event::Event;

pub struct ScanRunner {
    path: PathBuf,
    /// Bounded, so a reader faster than the screen waits instead of filling memory.
    tx: mpsc::Sender<Event>,
    running: Option<JoinHandle<()>>,
}

impl ScanRunner {
    pub fn new(path: impl Into<PathBuf>, tx: mpsc::Sender<Event>) -> ScanRunner {
        ScanRunner {
            path: path.into(),
            tx,
            running: None,
        }
    }

    /// Replaces any running scan with a new one.
    pub fn start(&mut self, id: u64, filter: ConnFilter) {
        self.stop();
        let mut scan = spawn_scan(self.path.clone(), filter, ScanOptions::default());
        let tx = self.tx.clone();
        self.running = Some(tokio::spawn(async move {
            while let Some(ev) = scan.events.recv().await {
                let (msg, last) = match ev {
                    ScanEvent::Batch(b) => (ConnMsg::Batch(b), false),
                    ScanEvent::Done(s) => (ConnMsg::Done(s), true),
                    ScanEvent::Failed(e) => (ConnMsg::Failed(e.to_string()), true),
                };
                if tx.send(Event::Conns(id, msg)).await.is_err() || last {
                    return;
                }
            }
        }));
    }

    pub fn stop(&mut self) {
        if let Some(task) = self.running.take() {
            task.abort();
        }
    }
}

impl Drop for ScanRunner {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Batches of a real file arrive as `Event::Conns` with the scan's number, then `Done`.
    #[tokio::test]
    async fn batches_arrive_as_events() {
        let dir = std::env::temp_dir().join(format!("lvsdeck-scan-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let path = dir.join("ip_vs_conn");
        let mut text = String::from(
            "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n",
        );
        for i in 0..10_000u32 {
            let state = if i % 2 == 0 {
                "ESTABLISHED"
            } else {
                "TIME_WAIT"
            };
            text.push_str(&format!(
                "TCP C0000{:03X} {:04X} C633640A 0050 7F000001 1F90 {state:<11}     100\n",
                i % 4096,
                i % 65536
            ));
        }
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
        let (tx, mut rx) = mpsc::channel(4);
        let mut runner = ScanRunner::new(&path, tx);
        runner.start(7, ConnFilter::default());
        let mut conns = 0;
        let mut batches = 0;
        loop {
            let ev = tokio::time::timeout(Duration::from_secs(10), rx.recv())
                .await
                .unwrap_or_else(|_| panic!("no event"));
            match ev {
                Some(Event::Conns(7, ConnMsg::Batch(b))) => {
                    batches += 1;
                    conns += b.len();
                }
                Some(Event::Conns(7, ConnMsg::Done(s))) => {
                    assert_eq!(s.states.get("ESTABLISHED"), 5000);
                    break;
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(conns, 10_000);
        assert!(batches >= 2, "{batches} batches");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
