//! keepalived.conf: the format LVS operators already have, read into typed values.
//!
//! Layers, one file each: `lexer` (a line into words and braces), `include` (files and
//! `include GLOB` into one located token stream), `tree` (keyword/args/block items), then one
//! module per section, `crossref` for names that point elsewhere, `ipvs` for the kernel
//! table the virtual servers describe, and `summary` for `lvsdeck validate`.
//! Every item and message carries its file and line; nothing unknown is dropped silently.

pub mod checker;
pub mod crossref;
pub mod diag;
pub mod global_defs;
pub mod include;
pub mod ipvs;
pub mod lexer;
pub mod lvs_sync;
pub mod method;
pub mod real_server;
pub mod ssl;
pub mod summary;
pub mod sync_group;
pub mod tree;
pub mod value;
pub mod virtual_server;
pub mod vrrp_instance;
pub mod vrrp_script;

use std::path::Path;

pub use checker::{CheckCommon, Checker, CheckerKind, HttpCheck, MiscCheck, Url};
pub use diag::{Diagnostic, Diagnostics, Location, Severity};
pub use global_defs::GlobalDefs;
pub use include::ReadError;
pub use ipvs::IpvsService;
pub use lvs_sync::SyncDaemon;
pub use method::Method;
pub use real_server::RealServer;
pub use sync_group::SyncGroup;
pub use tree::Item;
pub use value::Script;
pub use virtual_server::{GroupEntry, VirtualServer, VirtualServerGroup, VsTarget};
pub use vrrp_instance::{InitialState, VirtualAddress, VrrpInstance};
pub use vrrp_script::VrrpScript;

/// A whole keepalived configuration, keepalived's defaults applied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    pub global: GlobalDefs,
    pub scripts: Vec<VrrpScript>,
    pub sync_groups: Vec<SyncGroup>,
    pub instances: Vec<VrrpInstance>,
    pub vs_groups: Vec<VirtualServerGroup>,
    pub virtual_servers: Vec<VirtualServer>,
    /// The `SSL { }` block for SSL_GET, if any.
    pub ssl: Option<ssl::Ssl>,
    /// Connection sync (`lvs_sync_daemon`, or the deprecated `lvs_sync_daemon_interface`),
    /// resolved: its instance exists and its sync id is set.
    pub lvs_sync: Option<SyncDaemon>,
}

/// A configuration and everything said about it. With errors, `config` holds what could
/// be read; it must not be run.
#[derive(Debug, Clone)]
pub struct ParsedConfig {
    pub config: Config,
    pub diagnostics: Diagnostics,
}

impl ParsedConfig {
    pub fn is_ok(&self) -> bool {
        !self.diagnostics.has_errors()
    }
}

/// Reads `path` and its includes.
pub fn load(path: &Path) -> Result<ParsedConfig, ReadError> {
    let mut d = Diagnostics::default();
    let tokens = include::load_file(path, &mut d)?;
    Ok(finish(&tokens, d))
}

/// Reads `text` as the file `name` (includes resolve relative to `name`).
pub fn parse_str(text: &str, name: &Path) -> ParsedConfig {
    let mut d = Diagnostics::default();
    let tokens = include::load_text(text, name, &mut d);
    finish(&tokens, d)
}

fn finish(tokens: &[include::Located], mut d: Diagnostics) -> ParsedConfig {
    let items = tree::build(tokens, &mut d);
    let config = from_items(&items, &mut d);
    crossref::check(&config, &mut d);
    // Converting reports what cannot become a kernel service (family mismatches, ...).
    ipvs::convert(&config, &mut d);
    ParsedConfig {
        config,
        diagnostics: d,
    }
}

/// The typed configuration of a tree. `global_defs` is read first wherever it is, because
/// instances take their defaults (VRRP version, strict mode) from it.
pub fn from_items(items: &[Item], d: &mut Diagnostics) -> Config {
    let mut c = Config::default();
    // Connection sync: whichever of the global and the per-instance forms comes first in
    // the file wins, as in keepalived, which reads the file in order.
    let mut sync = lvs_sync::Candidates {
        global: None,
        deprecated: Vec::new(),
    };
    for (n, item) in items.iter().enumerate() {
        if item.keyword == "global_defs" {
            global_defs::parse(item, &mut c.global, d);
            if sync.global.is_none() {
                sync.global = c.global.lvs_sync_daemon.clone().map(|g| (n, g));
            }
        }
    }
    for (n, item) in items.iter().enumerate() {
        match item.keyword.as_str() {
            "global_defs" => {}
            "vrrp_script" => c.scripts.extend(vrrp_script::parse(item, d)),
            "vrrp_sync_group" => c.sync_groups.extend(sync_group::parse(item, d)),
            "vrrp_instance" => {
                let parsed = vrrp_instance::parse(item, &c.global, d);
                if let Some(i) = &parsed {
                    if let Some((ifname, at)) = &i.lvs_sync_daemon_interface {
                        sync.deprecated
                            .push((n, i.name.clone(), ifname.clone(), at.clone()));
                    }
                }
                c.instances.extend(parsed);
            }
            "virtual_server_group" => c.vs_groups.extend(virtual_server::parse_group(item, d)),
            "virtual_server" => c.virtual_servers.extend(virtual_server::parse(item, d)),
            "SSL" => c.ssl = Some(ssl::parse(item, d)),
            _ => value::unsupported(item, "the top level", d),
        }
    }
    let have_vs = !c.virtual_servers.is_empty();
    c.lvs_sync = lvs_sync::resolve(sync, &c.instances, have_vs, d);
    c
}
