//! Checker latency histograms for the metrics endpoint: every result a checker reports is
//! counted once, read from the health pictures the director publishes (after every decision
//! and every second). Pure: pictures in, bucket counts out.

use std::collections::BTreeMap;
use std::net::IpAddr;

use crate::clock::Instant;
use crate::engine::health::status::HealthStatus;

/// Upper bounds of the buckets, in seconds (`+Inf` is implied by the count).
pub const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// One checker: `virtual_server` as written, the real server, the checker's position.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CheckerKey {
    pub virtual_server: String,
    pub addr: IpAddr,
    pub port: u16,
    pub index: usize,
}

/// One checker's histogram.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Histogram {
    /// Per bucket of [`BUCKETS`], not cumulative.
    pub counts: [u64; BUCKETS.len()],
    pub count: u64,
    pub sum_secs: f64,
    /// The result last counted (a picture repeats it until the next check).
    last_at: Option<Instant>,
}

impl Histogram {
    fn observe(&mut self, secs: f64) {
        if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
            self.counts[i] += 1;
        }
        self.count += 1;
        self.sum_secs += secs;
    }

    /// `(upper bound, cumulative count)` as the text format lists them, `+Inf` last.
    pub fn cumulative(&self) -> Vec<(f64, u64)> {
        let mut total = 0;
        let mut out: Vec<(f64, u64)> = BUCKETS
            .iter()
            .zip(self.counts.iter())
            .map(|(b, c)| {
                total += c;
                (*b, total)
            })
            .collect();
        out.push((f64::INFINITY, self.count));
        out
    }
}

/// Every checker's histogram; checkers no longer in the picture are forgotten (a reload
/// that removes a server removes its series).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LatencyBook {
    pub checkers: BTreeMap<CheckerKey, Histogram>,
}

impl LatencyBook {
    /// Counts the results in `picture` not counted yet.
    pub fn observe(&mut self, picture: &HealthStatus) {
        let mut seen = BTreeMap::new();
        for s in &picture.servers {
            let Some(st) = &s.status else { continue };
            for (index, c) in st.checkers.iter().enumerate() {
                let key = CheckerKey {
                    virtual_server: s.virtual_server.clone(),
                    addr: s.addr,
                    port: s.port,
                    index,
                };
                let mut h = self.checkers.remove(&key).unwrap_or_default();
                if let Some(last) = &c.last {
                    if h.last_at != Some(last.at) {
                        h.last_at = Some(last.at);
                        h.observe(last.latency.as_secs_f64());
                    }
                }
                seen.insert(key, h);
            }
        }
        self.checkers = seen;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::policy::status::{CheckerStatus, Health, Intent, LastResult, ServerStatus};
    use crate::engine::health::status::{ServerView, Why};
    use std::collections::VecDeque;
    use std::time::Duration;

    fn picture(at_ms: u64, latency_ms: u64) -> HealthStatus {
        HealthStatus {
            servers: vec![ServerView {
                virtual_server: "198.51.100.10 80".into(),
                services: vec![],
                addr: "192.0.2.1".parse().unwrap(),
                port: 80,
                why: Why::Weight(1),
                status: Some(ServerStatus {
                    health: Health::Up,
                    intent: Intent::Auto,
                    weight: 1,
                    in_table: Some(1),
                    checkers: vec![CheckerStatus {
                        name: "TCP_CHECK",
                        up: true,
                        last: Some(LastResult {
                            at: Instant::from_since_epoch(Duration::from_millis(at_ms)),
                            ok: true,
                            detail: String::new(),
                            latency: Duration::from_millis(latency_ms),
                        }),
                        consecutive_failures: 0,
                        next_check: None,
                    }],
                    transitions: VecDeque::new(),
                }),
            }],
            ..HealthStatus::default()
        }
    }

    #[test]
    fn each_result_counts_once() {
        let mut b = LatencyBook::default();
        b.observe(&picture(1000, 3));
        b.observe(&picture(1000, 3)); // the same result, published again
        b.observe(&picture(2000, 300));
        let h = b.checkers.values().next().unwrap();
        assert_eq!(h.count, 2);
        assert!((h.sum_secs - 0.303).abs() < 1e-9);
        let c = h.cumulative();
        assert_eq!(c[1], (0.0025, 0));
        assert_eq!(c[2], (0.005, 1));
        assert_eq!(c[8], (0.5, 2));
        assert_eq!(c.last(), Some(&(f64::INFINITY, 2)));
        b.observe(&HealthStatus::default());
        assert!(b.checkers.is_empty(), "a removed checker is forgotten");
    }
}
