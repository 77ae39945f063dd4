//! Sort order of the table. Services are ordered among themselves and real servers within
//! their service, so the nesting survives every sort.

use super::columns::{Column, RowData, RowKey};

/// `column: None` is the kernel's order. Number columns sort biggest first (what an operator
/// looks for); `reversed` flips whichever order the column has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sort {
    pub column: Option<Column>,
    pub reversed: bool,
}

/// What a row is compared by, computed once per row per rebuild.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SortKey {
    Key(RowKey),
    Text(String),
    Number(Option<u64>),
}

impl Sort {
    /// Next column in display order; after the last, back to the kernel's order.
    pub fn next(self) -> Sort {
        let column = match self.column {
            None => Some(Column::ALL[0]),
            Some(c) => Column::ALL
                .iter()
                .position(|x| *x == c)
                .and_then(|i| Column::ALL.get(i + 1).copied()),
        };
        Sort {
            column,
            reversed: false,
        }
    }

    pub fn reverse(self) -> Sort {
        Sort {
            reversed: !self.reversed,
            ..self
        }
    }

    /// The key of one row, or `None` in kernel order.
    pub fn key(&self, row: &RowData<'_>) -> Option<SortKey> {
        let col = self.column?;
        Some(match col {
            Column::Name => SortKey::Key(row.key()),
            Column::Sched | Column::Forward => SortKey::Text(col.text(row).unwrap_or_default()),
            _ => SortKey::Number(col.value(row)),
        })
    }

    /// Descending for numbers, ascending otherwise, then `reversed`.
    pub fn descending(&self) -> bool {
        let numeric = self
            .column
            .is_some_and(|c| !matches!(c, Column::Name | Column::Sched | Column::Forward));
        numeric != self.reversed
    }

    /// Orders `items` (each with its kernel position) stably by their keys.
    pub fn order<T>(&self, items: &mut [(Option<SortKey>, usize, T)]) {
        let desc = self.descending();
        items.sort_by(|a, b| {
            let by_key = if desc { b.0.cmp(&a.0) } else { a.0.cmp(&b.0) };
            by_key.then(a.1.cmp(&b.1))
        });
    }

    /// `InBPS ↓` for the header of the sorted column.
    pub fn arrow(&self) -> &'static str {
        if self.descending() {
            "↓"
        } else {
            "↑"
        }
    }
}
