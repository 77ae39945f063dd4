//! The `/` query: words match addresses, `field op value` terms test columns, all ANDed.
//!
//! `10.0.0` `weight=0` `active>100` `fwd=masq` `sched=rr` `proto=udp` `cps>=1k`. A real
//! server takes its service's scheduler, protocol and label; a service has no weight or
//! forward method, so those terms select real servers (shown with their service).

use crate::adm::fields::protocol_name;
use crate::ipvs::{Forward, ServiceKey};
use crate::tui::table::columns::{Column, RowData};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl Cmp {
    fn holds(self, a: u64, b: u64) -> bool {
        match self {
            Cmp::Eq => a == b,
            Cmp::Ne => a != b,
            Cmp::Gt => a > b,
            Cmp::Ge => a >= b,
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    /// Lower-case substring of the address label.
    Text(String),
    Number(Column, Cmp, u64),
    /// Forward method, `true` for `=`.
    Forward(bool, Forward),
    Sched(bool, String),
    Proto(bool, String),
}

/// A parsed query; the empty query matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    terms: Vec<Term>,
}

const NUMBER_FIELDS: [(&str, Column); 13] = [
    ("weight", Column::Weight),
    ("active", Column::Active),
    ("inact", Column::InAct),
    ("conns", Column::Conns),
    ("inpkts", Column::InPkts),
    ("outpkts", Column::OutPkts),
    ("inbytes", Column::InBytes),
    ("outbytes", Column::OutBytes),
    ("cps", Column::Cps),
    ("inpps", Column::InPps),
    ("outpps", Column::OutPps),
    ("inbps", Column::InBps),
    ("outbps", Column::OutBps),
];

/// Operators, longest first so `>=` is not read as `>`.
const OPS: [(&str, Cmp); 6] = [
    ("!=", Cmp::Ne),
    (">=", Cmp::Ge),
    ("<=", Cmp::Le),
    ("=", Cmp::Eq),
    (">", Cmp::Gt),
    ("<", Cmp::Lt),
];

impl Filter {
    /// Parses a query; the error names the term at fault.
    pub fn parse(input: &str) -> Result<Filter, String> {
        let terms = input
            .split_whitespace()
            .map(term)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Filter { terms })
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether every term holds for this row.
    pub fn matches(&self, row: &RowData<'_>) -> bool {
        self.terms.iter().all(|t| holds(t, row))
    }
}

fn term(word: &str) -> Result<Term, String> {
    let Some((at, op_text, cmp)) = OPS
        .iter()
        .filter_map(|(t, c)| word.find(t).map(|i| (i, *t, *c)))
        .min_by_key(|(i, t, _)| (*i, std::cmp::Reverse(t.len())))
    else {
        return Ok(Term::Text(word.to_lowercase()));
    };
    let field = word[..at].to_lowercase();
    let value = &word[at + op_text.len()..];
    if value.is_empty() {
        return Err(format!("{word}: a value is missing after {op_text}"));
    }
    if let Some((_, col)) = NUMBER_FIELDS.iter().find(|(n, _)| *n == field) {
        let n = number(value).ok_or_else(|| format!("{word}: {value} is not a number"))?;
        return Ok(Term::Number(*col, cmp, n));
    }
    let eq = match cmp {
        Cmp::Eq => true,
        Cmp::Ne => false,
        _ => return Err(format!("{word}: {field} takes = or !=")),
    };
    match field.as_str() {
        "fwd" | "forward" => forward(value)
            .map(|f| Term::Forward(eq, f))
            .ok_or_else(|| format!("{word}: forward is masq, route, tunnel or local")),
        "sched" | "scheduler" => Ok(Term::Sched(eq, value.to_lowercase())),
        "proto" | "prot" => Ok(Term::Proto(eq, value.to_lowercase())),
        _ => Err(format!(
            "{word}: unknown field {field} (weight active inact conns cps inbps outbps \
             inpps outpps inpkts outpkts inbytes outbytes fwd sched proto)"
        )),
    }
}

/// `1500`, `2k`, `3M`, `1G` (decimal).
fn number(text: &str) -> Option<u64> {
    let (digits, scale) = match text.chars().last()? {
        'k' | 'K' => (&text[..text.len() - 1], 1_000),
        'm' | 'M' => (&text[..text.len() - 1], 1_000_000),
        'g' | 'G' => (&text[..text.len() - 1], 1_000_000_000),
        _ => (text, 1),
    };
    digits.parse::<u64>().ok()?.checked_mul(scale)
}

/// ipvsadm's words and option letters: `masq`/`nat`/`m`, `route`/`dr`/`g`, `tunnel`/`i`.
fn forward(text: &str) -> Option<Forward> {
    match text.to_lowercase().as_str() {
        "masq" | "nat" | "m" => Some(Forward::Masq),
        "route" | "dr" | "g" => Some(Forward::Route),
        "tunnel" | "tun" | "ipip" | "i" => Some(Forward::Tunnel),
        "local" => Some(Forward::Local),
        _ => None,
    }
}

fn holds(term: &Term, row: &RowData<'_>) -> bool {
    let entry = row.service();
    let key = &entry.service.config.key;
    match term {
        Term::Text(t) => {
            let own = row.label().to_lowercase().contains(t.as_str());
            own || matches!(row, RowData::Dest(..))
                && RowData::Service(entry)
                    .label()
                    .to_lowercase()
                    .contains(t.as_str())
        }
        Term::Number(col, cmp, n) => col.value(row).is_some_and(|v| cmp.holds(v, *n)),
        Term::Forward(eq, f) => match row {
            RowData::Dest(_, d) => (d.config.forward == *f) == *eq,
            RowData::Service(_) => false,
        },
        Term::Sched(eq, s) => (entry.service.config.scheduler.eq_ignore_ascii_case(s)) == *eq,
        Term::Proto(eq, p) => {
            let name = match key {
                ServiceKey::Addr { protocol, .. } => protocol_name(*protocol),
                ServiceKey::Fwmark { .. } => "fwm",
            };
            name.eq_ignore_ascii_case(p) == *eq
        }
    }
}
