//! The ipvsadm command language as a typed value: parse, validate, print (`-S` form).
//!
//! [`parse`] reads an ipvsadm argument vector into a [`Command`] with ipvsadm 1.31's
//! rules and messages; [`parse_line`] reads one `-R` line; [`op_line`] and `Op`'s
//! `Display` write an `Op` back as the line `ipvsadm -S -n` would print; [`parse_selector`]
//! reads a service or real server named as ipvsadm names them.

mod address;
mod c_numbers;
pub mod command;
mod compat;
mod error;
mod finish;
mod names;
mod options;
mod parser;
mod popt;
mod resolve;
mod restore;
mod save;
mod sched_flags;
mod selector;

#[cfg(test)]
mod tests;

pub use command::{Command, ListOptions};
pub use error::RuleError;
pub use finish::{DEFAULT_MCAST_IFN, DEFAULT_SCHEDULER};
pub use names::{ip_text, join_host_port, AddrFormat, Numeric};
pub use parser::{parse, DEFAULT_PERSISTENCE, MAX_TIMEOUT, MAX_WEIGHT};
pub use resolve::{NoResolver, Resolver, Services};
pub use restore::parse_line;
pub use save::{dest_line, op_line, replay_line, service_line, service_selector, SaveFormat};
pub use sched_flags::format_sched_flags;
pub use selector::{parse_selector, Selector};

/// One option of ipvsadm's command line, as the rule language reads it (for manuals and
/// completions, which are generated from this table so they cannot drift from it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionName {
    pub long: &'static str,
    pub short: Option<char>,
    /// Takes a value (`Some(true)`: always, `Some(false)`: an optional one).
    pub value: Option<bool>,
}

/// Every option the rule language reads, in ipvsadm's order.
pub fn option_names() -> impl Iterator<Item = OptionName> {
    options::OPTIONS.iter().map(|o| OptionName {
        long: o.long,
        short: o.short.map(char::from),
        value: match o.arity {
            options::Arity::None => None,
            options::Arity::Required => Some(true),
            options::Arity::Optional => Some(false),
        },
    })
}
