//! Sort order of the table. Services are ordered among themselves and real servers within
//! their service, so the nesting survives every sort.

use std::cmp::Ordering;
use std::net::IpAddr;

use crate::adm::sort::cmp_services;
use crate::ipvs::ServiceKey;
use crate::tui::table::columns::{Column, RowData};

/// `column: None` is ipvsadm's order (what `ipvsadm -Ln` prints, so an operator can compare
/// the two), or the kernel's (hash) order when `kernel`. Number columns sort biggest first
/// (what an operator looks for); `reversed` flips whichever order the column has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sort {
    pub column: Option<Column>,
    pub reversed: bool,
    pub kernel: bool,
}

/// What a row is compared by, computed once per row per rebuild.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SortKey {
    Addr(AdmKey),
    Text(String),
    Number(Option<u64>),
}

/// A row's place in ipvsadm's listing: services by fwmark, family, protocol, address, port
/// (`adm::sort::cmp_services`), real servers by address, then port, numerically.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdmKey {
    Service(ServiceKey),
    /// `IpAddr`'s order is `cmp_dests`'s: IPv4 first, then the address as a number.
    Dest(IpAddr, u16),
}

impl Ord for AdmKey {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (AdmKey::Service(a), AdmKey::Service(b)) => cmp_services(a, b),
            (AdmKey::Dest(a, p), AdmKey::Dest(b, q)) => (a, p).cmp(&(b, q)),
            // Never compared with each other: services and real servers sort apart.
            (AdmKey::Service(_), AdmKey::Dest(..)) => Ordering::Less,
            (AdmKey::Dest(..), AdmKey::Service(_)) => Ordering::Greater,
        }
    }
}

impl PartialOrd for AdmKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl AdmKey {
    fn of(row: &RowData<'_>) -> AdmKey {
        match row {
            RowData::Service(e) => AdmKey::Service(e.service.config.key),
            RowData::Dest(_, d) => AdmKey::Dest(d.config.addr, d.config.port),
        }
    }
}

impl Sort {
    /// Next in the cycle: ipvsadm's order, each column in display order, the kernel's order,
    /// and back to ipvsadm's.
    pub fn next(self) -> Sort {
        let (column, kernel) = match self.column {
            None if self.kernel => (None, false),
            None => (Some(Column::ALL[0]), false),
            Some(c) => match Column::ALL
                .iter()
                .position(|x| *x == c)
                .and_then(|i| Column::ALL.get(i + 1).copied())
            {
                Some(n) => (Some(n), false),
                None => (None, true),
            },
        };
        Sort {
            column,
            reversed: false,
            kernel,
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
        let Some(col) = self.column else {
            return (!self.kernel).then(|| SortKey::Addr(AdmKey::of(row)));
        };
        Some(match col {
            Column::Name => SortKey::Addr(AdmKey::of(row)),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::table::filter::Filter;
    use crate::tui::table::rows::{build, RowRef};
    use crate::tui::tests::fixture::table;

    /// The rows as (service key, real server address and port), in order.
    fn listed(t: &[crate::ipvs::ServiceEntry], rows: &[RowRef]) -> Vec<String> {
        rows.iter()
            .filter_map(|r| r.key(t))
            .map(|k| format!("{k:?}"))
            .collect()
    }

    #[test]
    fn default_order_is_ipvsadms() {
        let mut t = table();
        // The kernel's hash order, whatever it is, must not show through.
        t.reverse();
        for e in &mut t {
            e.dests.reverse();
        }
        let shown = listed(&t, &build(&t, &Sort::default(), &Filter::default()));
        let mut adm = t.clone();
        crate::adm::sort::sort_table(&mut adm);
        let kernel = Sort::default();
        let all = build(
            &adm,
            &Sort {
                kernel: true,
                ..kernel
            },
            &Filter::default(),
        );
        assert_eq!(shown, listed(&adm, &all));
    }

    #[test]
    fn the_cycle_offers_the_kernels_order_then_comes_back() {
        let mut s = Sort::default();
        for _ in 0..Column::ALL.len() {
            s = s.next();
            assert!(s.column.is_some());
        }
        s = s.next();
        assert_eq!((s.column, s.kernel), (None, true));
        assert_eq!(s.next(), Sort::default());
    }
}
