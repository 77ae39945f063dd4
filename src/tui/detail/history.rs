//! Rate history per row for the detail view's sparklines: one sample per applied refresh.
//!
//! Memory is bounded twice: each ring keeps `LEN` samples, and at most `MAX_KEYS` rows are
//! followed. A table that fits is followed whole; a bigger one (a 100k-server director) only
//! on the rows the operator looks at (the screen, the selection, the detail view), the least
//! recently looked-at dropped first, so a refresh costs the same at any table size.

use std::collections::{HashMap, VecDeque};

use crate::ipvs::ServiceEntry;
use crate::tui::table::columns::{RowData, RowKey};
use crate::tui::table::rows::RowRef;

/// Samples per ring: five minutes at the default 1 s refresh.
pub const LEN: usize = 300;
/// Rows followed at once (at most `MAX_KEYS * LEN * 32` bytes, about 20 MiB).
pub const MAX_KEYS: usize = 2048;

/// One refresh's numbers for one row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sample {
    pub cps: u64,
    pub inbps: u64,
    pub outbps: u64,
    pub active: u64,
}

impl Sample {
    pub fn of(row: &RowData<'_>) -> Sample {
        match row {
            RowData::Service(e) => Sample {
                cps: e.service.stats.cps,
                inbps: e.service.stats.inbps,
                outbps: e.service.stats.outbps,
                active: e.dests.iter().map(|d| u64::from(d.active_conns)).sum(),
            },
            RowData::Dest(_, d) => Sample {
                cps: d.stats.cps,
                inbps: d.stats.inbps,
                outbps: d.stats.outbps,
                active: u64::from(d.active_conns),
            },
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Ring {
    samples: VecDeque<Sample>,
    /// The refresh that last wrote here, for eviction.
    touched: u64,
}

impl Ring {
    pub fn samples(&self) -> impl ExactSizeIterator<Item = &Sample> + DoubleEndedIterator {
        self.samples.iter()
    }

    /// One series, oldest first (what `Sparkline` takes).
    pub fn series(&self, pick: fn(&Sample) -> u64) -> Vec<u64> {
        self.samples.iter().map(pick).collect()
    }

    fn push(&mut self, s: Sample, generation: u64) {
        if self.samples.len() == LEN {
            self.samples.pop_front();
        }
        self.samples.push_back(s);
        self.touched = generation;
    }
}

#[derive(Debug, Clone, Default)]
pub struct History {
    rings: HashMap<RowKey, Ring>,
    generation: u64,
}

impl History {
    pub fn get(&self, key: &RowKey) -> Option<&Ring> {
        self.rings.get(key)
    }

    pub fn len(&self) -> usize {
        self.rings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rings.is_empty()
    }

    /// Records one refresh. `rows` is the visible order, `watched` the rows on screen and
    /// the selected or detailed rows; followed are all rows when they fit, else `watched`.
    pub fn record(&mut self, entries: &[ServiceEntry], rows: &[RowRef], watched: &[RowRef]) {
        self.generation += 1;
        let g = self.generation;
        let all_fit = rows.len() <= MAX_KEYS;
        let pick = if all_fit { rows } else { watched };
        for r in pick {
            if let Some(data) = r.data(entries) {
                self.rings
                    .entry(data.key())
                    .or_default()
                    .push(Sample::of(&data), g);
            }
        }
        if all_fit {
            // Rows gone from the table go with their history.
            self.rings.retain(|_, r| r.touched == g);
        } else if self.rings.len() > MAX_KEYS {
            self.evict();
        }
    }

    /// Drops the least recently touched rings down to `MAX_KEYS`.
    fn evict(&mut self) {
        let mut ages: Vec<u64> = self.rings.values().map(|r| r.touched).collect();
        let excess = self.rings.len() - MAX_KEYS;
        let (_, cut, _) = ages.select_nth_unstable(excess - 1);
        let cut = *cut;
        let mut to_drop = excess;
        self.rings.retain(|_, r| {
            if to_drop > 0 && r.touched <= cut {
                to_drop -= 1;
                false
            } else {
                true
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::table::filter::Filter;
    use crate::tui::table::sort::Sort;
    use crate::tui::tests::fixture::table;
    use crate::tui::tests::perf::big_table;

    #[test]
    fn rings_keep_the_last_len_samples() {
        let mut t = table();
        let mut h = History::default();
        for i in 0..(LEN as u64 + 50) {
            t[0].service.stats.cps = i;
            let rows = crate::tui::table::rows::build(&t, &Sort::default(), &Filter::default());
            h.record(&t, &rows, &[]);
        }
        let key = RowKey::Service(t[0].service.config.key);
        let ring = h.get(&key).expect("followed");
        assert_eq!(ring.samples().len(), LEN);
        let cps = ring.series(|s| s.cps);
        assert_eq!(cps.first(), Some(&50));
        assert_eq!(cps.last(), Some(&(LEN as u64 + 49)));
        // Every row of a small table is followed, and only those.
        assert_eq!(h.len(), rows_of(&t).len());
    }

    fn rows_of(t: &[ServiceEntry]) -> Vec<RowRef> {
        crate::tui::table::rows::build(t, &Sort::default(), &Filter::default())
    }

    #[test]
    fn a_big_table_follows_only_watched_rows_and_stays_bounded() {
        let t = big_table(1000, 10);
        let rows = rows_of(&t);
        assert!(rows.len() > MAX_KEYS);
        let mut h = History::default();
        // The operator pages through the whole table, 50 rows a refresh.
        for page in rows.chunks(50) {
            h.record(&t, &rows, page);
            assert!(h.len() <= MAX_KEYS, "{} rings", h.len());
        }
        assert_eq!(h.len(), MAX_KEYS);
        // The last page looked at is still followed, the first was dropped.
        let last = rows[rows.len() - 1].key(&t).expect("key");
        let first = rows[0].key(&t).expect("key");
        assert!(h.get(&last).is_some());
        assert!(h.get(&first).is_none());
    }

    #[test]
    fn vanished_rows_lose_their_history() {
        let mut t = table();
        let mut h = History::default();
        h.record(&t, &rows_of(&t), &[]);
        let gone = RowKey::Service(t[3].service.config.key);
        assert!(h.get(&gone).is_some());
        t.pop();
        h.record(&t, &rows_of(&t), &[]);
        assert!(h.get(&gone).is_none());
    }
}
