//! What moved since the previous refresh: each number cell compared with the same row (by
//! key) in the table before, so re-sorts and inserted rows do not confuse the marks.

use std::collections::HashMap;

use super::columns::{Column, RowData, RowKey};
use crate::ipvs::ServiceEntry;

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

/// The previous table's numbers by row key. Empty before the second refresh.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    prev: HashMap<RowKey, [u64; 13]>,
}

impl Changes {
    /// Remembers `entries` as the table the next one is compared with.
    pub fn remember(entries: &[ServiceEntry]) -> Changes {
        let mut prev = HashMap::with_capacity(entries.iter().map(|e| e.dests.len() + 1).sum());
        for e in entries {
            let row = RowData::Service(e);
            prev.insert(row.key(), Column::numbers(&row));
            for d in &e.dests {
                let row = RowData::Dest(e, d);
                prev.insert(row.key(), Column::numbers(&row));
            }
        }
        Changes { prev }
    }

    /// The mark of one number cell, if it changed.
    pub fn mark(&self, key: &RowKey, col: Column, value: u64) -> Option<Mark> {
        let before = self.prev.get(key)?[col.number_index()?];
        match value.cmp(&before) {
            std::cmp::Ordering::Greater => Some(Mark::Up),
            std::cmp::Ordering::Less => Some(Mark::Down),
            std::cmp::Ordering::Equal => None,
        }
    }

    /// A row that was not in the previous table (and there was one).
    pub fn is_new(&self, key: &RowKey) -> bool {
        !self.prev.is_empty() && !self.prev.contains_key(key)
    }
}
