//! The background scan of the connection table: the kernel walks its whole hash table for
//! every read, and a busy director has millions of entries, so the UI never reads it itself.
//! A blocking task reads and filters; batches come back over a bounded channel, which also
//! paces the reader to the consumer. Dropping the receiver stops the task.

use std::io::BufRead;
use std::path::PathBuf;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::filter::ConnFilter;
use super::line::{parse_fields, ConnParseError};
use super::reader::{as_text, next_line, open, ConnReadError};
use super::states::StateCounts;
use crate::ipvs::model::Connection;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanOptions {
    /// Matching connections per batch.
    pub batch_size: usize,
    /// Batches in flight before the reader waits for the consumer.
    pub channel_capacity: usize,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            batch_size: 4096,
            channel_capacity: 4,
        }
    }
}

/// What a finished scan saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanSummary {
    /// Connection lines read (header and blank lines not counted).
    pub lines: u64,
    /// Connections that passed the filter (all of them were sent in batches).
    pub matched: u64,
    /// Lines that did not parse; they are skipped so one odd line does not hide the table.
    pub malformed: u64,
    /// The first of those, for the status line.
    pub first_malformed: Option<(u64, ConnParseError)>,
    /// States over the whole table, filter or not, for the summary tabs.
    pub states: StateCounts,
}

#[derive(Debug)]
pub enum ScanEvent {
    Batch(Vec<Connection>),
    /// The last event of a scan that read to the end.
    Done(ScanSummary),
    /// The last event of a scan that could not open or read the file.
    Failed(ConnReadError),
}

/// A running scan. Read `events` until `Done` or `Failed`; drop it to cancel.
pub struct ConnScan {
    pub events: mpsc::Receiver<ScanEvent>,
    pub task: JoinHandle<()>,
}

/// How often (in lines) a scan whose filter keeps nothing checks that someone still listens.
const CANCEL_CHECK_LINES: u64 = 4096;

/// Scans a connection file (normally [`super::CONN_PATH`]). Needs a tokio runtime.
pub fn spawn_scan(path: impl Into<PathBuf>, filter: ConnFilter, options: ScanOptions) -> ConnScan {
    let path = path.into();
    let (tx, events) = mpsc::channel(options.channel_capacity.max(1));
    let task = tokio::task::spawn_blocking(move || match open(&path) {
        Ok(reader) => scan_blocking(reader, &filter, options, &tx),
        Err(e) => {
            // Nobody listening is fine: there is nobody to tell either.
            let _ = tx.blocking_send(ScanEvent::Failed(e));
        }
    });
    ConnScan { events, task }
}

/// Scans any reader of the file's text (tests, captured files). Needs a tokio runtime.
pub fn spawn_scan_reader<R>(reader: R, filter: ConnFilter, options: ScanOptions) -> ConnScan
where
    R: BufRead + Send + 'static,
{
    let (tx, events) = mpsc::channel(options.channel_capacity.max(1));
    let task = tokio::task::spawn_blocking(move || scan_blocking(reader, &filter, options, &tx));
    ConnScan { events, task }
}

/// The reading loop; returns early, silently, once the receiver is gone.
fn scan_blocking<R: BufRead>(
    mut reader: R,
    filter: &ConnFilter,
    options: ScanOptions,
    tx: &mpsc::Sender<ScanEvent>,
) {
    let batch_size = options.batch_size.max(1);
    let mut summary = ScanSummary::default();
    let mut batch = Vec::with_capacity(batch_size);
    let mut buf = Vec::with_capacity(256);
    let mut line_no = 0u64;
    loop {
        match next_line(&mut reader, &mut buf) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let _ = tx.blocking_send(ScanEvent::Failed(e.into()));
                return;
            }
        }
        line_no += 1;
        if line_no.is_multiple_of(CANCEL_CHECK_LINES) && tx.is_closed() {
            return;
        }
        let text = as_text(&buf);
        let fields = match parse_fields(&text) {
            Ok(f) => f,
            Err(ConnParseError::Header | ConnParseError::Empty) => continue,
            Err(e) => {
                summary.lines += 1;
                summary.malformed += 1;
                summary.first_malformed.get_or_insert((line_no, e));
                continue;
            }
        };
        summary.lines += 1;
        summary.states.add(fields.state);
        if !filter.matches(&fields) {
            continue;
        }
        summary.matched += 1;
        batch.push(fields.to_connection());
        if batch.len() >= batch_size {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(batch_size));
            if tx.blocking_send(ScanEvent::Batch(full)).is_err() {
                return;
            }
        }
    }
    if !batch.is_empty() && tx.blocking_send(ScanEvent::Batch(batch)).is_err() {
        return;
    }
    let _ = tx.blocking_send(ScanEvent::Done(summary));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{self, Read};
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    fn table(n: u64) -> String {
        let mut s = String::from(
            "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n",
        );
        for i in 0..n {
            let state = if i % 3 == 0 {
                "ESTABLISHED"
            } else {
                "TIME_WAIT"
            };
            s.push_str(&format!(
                "TCP C0000{:03X} {:04X} C633640A 0050 7F000001 1F90 {state:<11} {:7}\n",
                i % 4096,
                i % 65536,
                i % 900
            ));
        }
        s
    }

    async fn collect(mut scan: ConnScan) -> (Vec<Connection>, usize, Option<ScanSummary>) {
        let mut conns = Vec::new();
        let mut batches = 0;
        while let Some(ev) = scan.events.recv().await {
            match ev {
                ScanEvent::Batch(b) => {
                    batches += 1;
                    conns.extend(b);
                }
                ScanEvent::Done(s) => return (conns, batches, Some(s)),
                ScanEvent::Failed(e) => panic!("{e}"),
            }
        }
        (conns, batches, None)
    }

    #[tokio::test]
    async fn batches_filter_and_counts() {
        let text = table(1000) + "TCP junk\n";
        let filter = ConnFilter {
            state: Some("ESTABLISHED".into()),
            ..Default::default()
        };
        let options = ScanOptions {
            batch_size: 100,
            channel_capacity: 2,
        };
        let scan = spawn_scan_reader(io::Cursor::new(text.clone()), filter.clone(), options);
        let (conns, batches, summary) = collect(scan).await;
        let summary = summary.unwrap();
        let expected: Vec<Connection> = crate::ipvs::conn::conn_lines(text.as_bytes())
            .filter_map(Result::ok)
            .filter(|c| filter.matches_connection(c))
            .collect();
        assert_eq!(conns, expected);
        assert_eq!(batches, expected.len().div_ceil(100));
        assert_eq!(summary.lines, 1001);
        assert_eq!(summary.matched, expected.len() as u64);
        assert_eq!(summary.malformed, 1);
        assert_eq!(summary.first_malformed.as_ref().map(|m| m.0), Some(1002));
        assert_eq!(summary.states.get("ESTABLISHED"), expected.len() as u64);
        assert_eq!(summary.states.total(), 1000);
    }

    #[tokio::test]
    async fn missing_file_is_a_failed_event() {
        let mut scan = spawn_scan(
            "/nonexistent/ip_vs_conn",
            ConnFilter::default(),
            ScanOptions::default(),
        );
        match scan.events.recv().await {
            Some(ScanEvent::Failed(ConnReadError::Open { .. })) => {}
            other => panic!("{other:?}"),
        }
    }

    /// An endless table that counts the bytes taken from it.
    struct Endless {
        line: &'static [u8],
        pos: usize,
        taken: Arc<AtomicU64>,
    }

    impl Read for Endless {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let mut n = 0;
            while n < out.len() {
                out[n] = self.line[self.pos];
                self.pos = (self.pos + 1) % self.line.len();
                n += 1;
            }
            self.taken.fetch_add(n as u64, Ordering::Relaxed);
            Ok(n)
        }
    }

    async fn stops_when_dropped(filter: ConnFilter) {
        let taken = Arc::new(AtomicU64::new(0));
        let reader = io::BufReader::new(Endless {
            line: b"TCP C633640A ACCC C633640A 0050 7F000001 1F91 TIME_WAIT       115\n",
            pos: 0,
            taken: taken.clone(),
        });
        let mut scan = spawn_scan_reader(reader, filter, ScanOptions::default());
        // Let it run a little, then walk away.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let _ = scan.events.try_recv();
        drop(scan.events);
        tokio::time::timeout(std::time::Duration::from_secs(10), scan.task)
            .await
            .expect("the scan task did not stop after the receiver was dropped")
            .unwrap();
        assert!(taken.load(Ordering::Relaxed) > 0);
    }

    #[tokio::test]
    async fn dropping_the_receiver_stops_a_scan_that_sends() {
        stops_when_dropped(ConnFilter::default()).await;
    }

    #[tokio::test]
    async fn dropping_the_receiver_stops_a_scan_that_matches_nothing() {
        stops_when_dropped(ConnFilter {
            state: Some("ESTABLISHED".into()),
            ..Default::default()
        })
        .await;
    }
}
