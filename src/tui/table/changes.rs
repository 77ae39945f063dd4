//! What moved since the previous refresh: each number cell compared with the same row (by
//! key) in the table before, so re-sorts and inserted rows do not confuse the marks.
//!
//! The comparison is made once, when a table is taken in, while the old table is still held:
//! what is kept is a few bits per row of the new table (about 0.5 MiB for 110,000 rows), not
//! a second copy of every number keyed by row (which cost about 20 MiB there).

use std::collections::HashMap;
use std::net::IpAddr;

use crate::ipvs::{Dest, ServiceEntry, ServiceKey};
use crate::tui::table::columns::{Column, RowData};
use crate::tui::table::rows::RowRef;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Up,
    Down,
}

impl Mark {
    pub fn glyph(self) -> char {
        match self {
            Mark::Up => '↑',
            Mark::Down => '↓',
        }
    }
}

/// Bit of a row that was not in the previous table; bits `2i`/`2i+1` are number column `i`
/// gone up/down.
const NEW: u32 = 1 << 26;
const _: () = assert!(2 * Column::NUMBERS.len() <= 26);

/// Change marks of the table shown, by position in it. Empty before the second refresh.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    /// Per service of the table shown, where its rows start in `bits`.
    start: Vec<u32>,
    /// Per row (each service, then its real servers, in snapshot order): the mark bits.
    bits: Vec<u32>,
    /// Scratch: the old table's services by key (kept to reuse its allocation).
    index: HashMap<ServiceKey, u32>,
}

impl Changes {
    /// Compares `new` (the table about to be shown) with `old` (the one shown until now).
    /// Allocations are reused across refreshes.
    pub fn compare(&mut self, old: &[ServiceEntry], new: &[ServiceEntry]) {
        self.start.clear();
        self.bits.clear();
        self.index.clear();
        if old.is_empty() {
            return;
        }
        self.index.extend(
            old.iter()
                .enumerate()
                .map(|(i, e)| (e.service.config.key, i as u32)),
        );
        let mut by_addr: HashMap<(IpAddr, u16), usize> = HashMap::new();
        for e in new {
            self.start.push(self.bits.len() as u32);
            let Some(o) = self
                .index
                .get(&e.service.config.key)
                .and_then(|&i| old.get(i as usize))
            else {
                self.bits
                    .extend(std::iter::repeat_n(NEW, e.dests.len() + 1));
                continue;
            };
            self.bits
                .push(bits(&RowData::Service(e), &RowData::Service(o)));
            by_addr.clear();
            for (j, d) in e.dests.iter().enumerate() {
                let before = find_dest(o, j, d, &mut by_addr);
                self.bits.push(match before {
                    Some(b) => bits(&RowData::Dest(e, d), &RowData::Dest(o, b)),
                    None => NEW,
                });
            }
        }
    }

    fn row_bits(&self, row: RowRef) -> u32 {
        let Some(&start) = self.start.get(row.svc as usize) else {
            return 0;
        };
        let at = start as usize + row.dest.map_or(0, |d| d as usize + 1);
        // A position past this service's rows belongs to the next one: stale, no mark.
        let end = self
            .start
            .get(row.svc as usize + 1)
            .map_or(self.bits.len(), |&s| s as usize);
        if at < end {
            self.bits[at]
        } else {
            0
        }
    }

    /// The mark of one number cell, if it changed.
    pub fn mark(&self, row: RowRef, col: Column) -> Option<Mark> {
        let i = col.number_index()?;
        let b = self.row_bits(row);
        if b & NEW != 0 {
            None
        } else if b & (1 << (2 * i)) != 0 {
            Some(Mark::Up)
        } else if b & (1 << (2 * i + 1)) != 0 {
            Some(Mark::Down)
        } else {
            None
        }
    }

    /// A row that was not in the previous table (and there was one).
    pub fn is_new(&self, row: RowRef) -> bool {
        self.row_bits(row) & NEW != 0
    }
}

/// The real server of `old` with `d`'s address and port: at the same position as a rule
/// (the kernel keeps its order), else searched, by a map for big services.
fn find_dest<'a>(
    old: &'a ServiceEntry,
    j: usize,
    d: &Dest,
    by_addr: &mut HashMap<(IpAddr, u16), usize>,
) -> Option<&'a Dest> {
    let same = |o: &&Dest| o.config.addr == d.config.addr && o.config.port == d.config.port;
    if let Some(o) = old.dests.get(j).filter(same) {
        return Some(o);
    }
    if old.dests.len() <= 32 {
        return old.dests.iter().find(same);
    }
    if by_addr.is_empty() {
        by_addr.extend(
            old.dests
                .iter()
                .enumerate()
                .map(|(i, o)| ((o.config.addr, o.config.port), i)),
        );
    }
    by_addr
        .get(&(d.config.addr, d.config.port))
        .and_then(|&i| old.dests.get(i))
}

/// Up/down bits of every number column of `now` against `before`.
fn bits(now: &RowData<'_>, before: &RowData<'_>) -> u32 {
    let (now, before) = (Column::numbers(now), Column::numbers(before));
    let mut out = 0;
    for (i, (n, b)) in now.iter().zip(before).enumerate() {
        match n.cmp(&b) {
            std::cmp::Ordering::Greater => out |= 1 << (2 * i),
            std::cmp::Ordering::Less => out |= 1 << (2 * i + 1),
            std::cmp::Ordering::Equal => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::tests::fixture::table;

    fn at(svc: u32, dest: Option<u32>) -> RowRef {
        RowRef { svc, dest }
    }

    #[test]
    fn marks_follow_rows_by_key_across_reordering() {
        let old = table();
        let mut new = old.clone();
        // The kernel lists things in another order, and one real server's counters move.
        new.reverse();
        let last = new.len() - 1;
        new[last].dests.reverse();
        let moved = new[last].dests.len() - 1;
        new[last].dests[moved].stats.inbps += 1;
        new[last].dests[moved].stats.cps = 0;
        let mut c = Changes::default();
        c.compare(&old, &new);
        let row = at(last as u32, Some(moved as u32));
        assert_eq!(c.mark(row, Column::InBps), Some(Mark::Up));
        assert_eq!(c.mark(row, Column::OutBps), None);
        assert!(!c.is_new(row));
        // Everything else sits elsewhere and did not move.
        assert_eq!(c.mark(at(last as u32, Some(0)), Column::InBps), None);
        assert_eq!(c.mark(at(0, None), Column::Conns), None);
    }

    #[test]
    fn new_rows_are_new_and_nothing_is_before_a_second_table() {
        let old = table();
        let mut new = old.clone();
        let mut extra = new[0].dests[0].clone();
        extra.config.port = 8443;
        new[0].dests.push(extra);
        let mut c = Changes::default();
        c.compare(&[], &new);
        assert!(!c.is_new(at(0, None)));
        c.compare(&old, &new);
        let added = at(0, Some(new[0].dests.len() as u32 - 1));
        assert!(c.is_new(added));
        assert_eq!(c.mark(added, Column::Conns), None);
        assert!(!c.is_new(at(0, Some(0))));
        // Stale positions mark nothing.
        assert!(!c.is_new(at(99, None)));
        assert!(!c.is_new(at(0, Some(99))));
    }
}
