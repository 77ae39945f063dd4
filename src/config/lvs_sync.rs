//! Connection sync: global_defs `lvs_sync_daemon INTERFACE [VRRP_INSTANCE] [id SYNCID]
//! [maxlen LEN] [port PORT] [ttl TTL] [group ADDR]` and the deprecated per-instance
//! `lvs_sync_daemon_interface INTERFACE`, read as keepalived 2.2.7 reads them and resolved
//! into the one [`SyncDaemon`] the engine runs.
//!
//! keepalived 2.2.7, `core/global_parser.c` `lvs_syncd_handler`: the first word is the
//! interface (at most 15 characters, `IP_VS_IFNAME_MAXLEN`); then, in any order, `inst NAME`,
//! `id 0..255`, `maxlen 1..65507`, `port 1..65535`, `ttl 1..255`, `group MULTICAST`; for
//! compatibility the third word may be the instance's name and the fourth its sync id
//! ("Please use keyword "id" before lvs_sync_daemon SYNCID"); anything else is "Unknown
//! option". A second `lvs_sync_daemon` is ignored ("has already been specified"). keepalived
//! ignores a bad value and goes on; lvsdeck refuses the file with the line (as it does for
//! every bad value), and keeps keepalived's wording for what it only warns about.
//! `vrrp/vrrp_parser.c` `vrrp_lvs_syncd_handler`: `lvs_sync_daemon_interface` in an instance
//! is deprecated with a warning, sets the interface and that instance, and is ignored when
//! one is already set — whichever comes first in the file wins. `vrrp/vrrp.c`
//! `vrrp_complete_init`: a named instance that does not exist clears the whole setting
//! ("Unable to find vrrp instance %s for lvs_syncd - clearing lvs_syncd config": no sync
//! daemon runs); an unset sync id is the named instance's VRID, and 0 for the deprecated
//! form (which names no instance, it points at one) and for a setting without an instance.

use std::net::IpAddr;

use super::diag::{Diagnostics, Location};
use super::tree::Item;
use super::value as v;
use super::VrrpInstance;

/// The kernel's limit on an interface name, with its NUL (`IP_VS_IFNAME_MAXLEN`).
const IFNAME_MAX: usize = 16;
/// keepalived's bound on `maxlen`: 65535 less the IP and UDP headers.
const MAXLEN_MAX: u64 = 65535 - 20 - 8;

/// `lvs_sync_daemon` as written in global_defs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LvsSyncDaemon {
    pub interface: String,
    pub instance: Option<String>,
    pub syncid: Option<u8>,
    pub maxlen: Option<u16>,
    pub port: Option<u16>,
    pub ttl: Option<u8>,
    pub group: Option<IpAddr>,
    pub at: Location,
}

/// The connection sync the configuration runs, resolved as keepalived resolves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncDaemon {
    /// Where the sync messages go out (master) or are read (backup).
    pub interface: String,
    /// The VRRP instance whose state the daemons follow (master daemon while it is MASTER,
    /// backup daemon otherwise). `None`: no instance is named, and keepalived's checker runs
    /// both roles at once for as long as it runs (only with virtual servers).
    pub instance: Option<String>,
    pub syncid: u8,
    /// `None`: the kernel's default (the interface's MTU less headers).
    pub maxlen: Option<u16>,
    /// `None`: 8848.
    pub port: Option<u16>,
    /// `None`: 1.
    pub ttl: Option<u8>,
    /// `None`: 224.0.0.81.
    pub group: Option<IpAddr>,
    /// The line that set it.
    pub at: Location,
}

impl SyncDaemon {
    /// What the kernel is told (keepalived's `ipvs_syncd_changed` compares these): a
    /// reload that changes any of them restarts the daemons.
    pub fn same_settings(&self, other: &SyncDaemon) -> bool {
        (
            &self.interface,
            self.syncid,
            self.maxlen,
            self.port,
            self.ttl,
            self.group,
        ) == (
            &other.interface,
            other.syncid,
            other.maxlen,
            other.port,
            other.ttl,
            other.group,
        )
    }

    /// `lvs_sync_daemon eth0 VI_1 id 7 ...` as it could be written back.
    pub fn line(&self) -> String {
        let mut s = format!("lvs_sync_daemon {}", self.interface);
        if let Some(i) = &self.instance {
            s.push_str(&format!(" {i}"));
        }
        s.push_str(&format!(" id {}", self.syncid));
        if let Some(m) = self.maxlen {
            s.push_str(&format!(" maxlen {m}"));
        }
        if let Some(p) = self.port {
            s.push_str(&format!(" port {p}"));
        }
        if let Some(t) = self.ttl {
            s.push_str(&format!(" ttl {t}"));
        }
        if let Some(g) = self.group {
            s.push_str(&format!(" group {g}"));
        }
        s
    }
}

/// Reads one `lvs_sync_daemon` line of global_defs into `slot` (the first one wins).
pub fn parse(item: &Item, slot: &mut Option<LvsSyncDaemon>, d: &mut Diagnostics) {
    if item.block.is_some() {
        d.warning(
            &item.at,
            "'lvs_sync_daemon' takes no block; its contents are ignored",
        );
    }
    if let Some(first) = slot {
        d.warning(
            &item.at,
            format!(
                "lvs_sync_daemon has already been specified as {} {} (at {}) - ignoring",
                first.interface,
                first.instance.as_deref().unwrap_or(""),
                first.at
            ),
        );
        return;
    }
    let Some(interface) = item.arg(0) else {
        d.error(&item.at, "lvs_sync_daemon requires interface");
        return;
    };
    if interface.len() >= IFNAME_MAX {
        d.error(
            &item.at,
            format!(
                "lvs_sync_daemon interface name '{interface}' too long (at most {} characters)",
                IFNAME_MAX - 1
            ),
        );
        return;
    }
    let mut s = LvsSyncDaemon {
        interface: interface.to_string(),
        instance: None,
        syncid: None,
        maxlen: None,
        port: None,
        ttl: None,
        group: None,
        at: item.at.clone(),
    };
    let args = &item.args;
    // keepalived counts the keyword as word 0; `i` here is keepalived's i - 1.
    let mut i = 1;
    while i < args.len() {
        let word = args[i].as_str();
        let value = args.get(i + 1).map(String::as_str);
        let keyword = matches!(word, "inst" | "id" | "maxlen" | "port" | "ttl" | "group");
        if keyword {
            let Some(value) = value else {
                d.error(
                    &item.at,
                    format!("No value specified for lvs_sync_daemon {word}"),
                );
                break;
            };
            match word {
                "inst" => match &s.instance {
                    Some(first) => d.warning(
                        &item.at,
                        format!(
                            "lvs_sync_daemon vrrp instance has already been specified as {first} - ignoring"
                        ),
                    ),
                    None => s.instance = Some(value.to_string()),
                },
                "id" => s.syncid = number(item, "syncid", value, 0, 255, d).map(|n| n as u8),
                "maxlen" => {
                    s.maxlen = number(item, "lvs_sync_daemon maxlen", value, 1, MAXLEN_MAX, d)
                        .map(|n| n as u16)
                }
                "port" => {
                    s.port =
                        number(item, "lvs_sync_daemon port", value, 1, 65535, d).map(|n| n as u16)
                }
                "ttl" => {
                    s.ttl = number(item, "lvs_sync_daemon ttl", value, 1, 255, d).map(|n| n as u8)
                }
                _ => match value.parse::<IpAddr>() {
                    Ok(a) if a.is_multicast() => s.group = Some(a),
                    Ok(_) => d.error(
                        &item.at,
                        format!("lvs_sync_daemon group address {value} is not multicast"),
                    ),
                    Err(_) => d.error(
                        &item.at,
                        format!("Invalid lvs_sync_daemon group ({value}): not an IP address"),
                    ),
                },
            }
            i += 2;
            continue;
        }
        match i {
            // The old form: `lvs_sync_daemon IF VRRP_INSTANCE [SYNC_ID]`.
            1 => s.instance = Some(word.to_string()),
            2 => {
                if let Some(n) = number(item, "syncid", word, 0, 255, d) {
                    d.warning(
                        &item.at,
                        format!(
                            "Please use keyword \"id\" before lvs_sync_daemon SYNCID (lvs_sync_daemon {} {} id {n})",
                            s.interface,
                            s.instance.as_deref().unwrap_or(""),
                        ),
                    );
                    s.syncid = Some(n as u8);
                }
            }
            _ => d.error(
                &item.at,
                format!("Unknown option {word} specified for lvs_sync_daemon"),
            ),
        }
        i += 1;
    }
    *slot = Some(s);
}

fn number(
    item: &Item,
    what: &str,
    text: &str,
    min: u64,
    max: u64,
    d: &mut Diagnostics,
) -> Option<u64> {
    match v::parse_u64(text) {
        Some(n) if (min..=max).contains(&n) => Some(n),
        _ => {
            d.error(
                &item.at,
                format!("Invalid {what} ({text}): must be an integer between {min} and {max}"),
            );
            None
        }
    }
}

/// `lvs_sync_daemon_interface IF` inside `vrrp_instance NAME`: keepalived's deprecation
/// warning, and the interface.
pub fn parse_deprecated(item: &Item, instance: &str, d: &mut Diagnostics) -> Option<String> {
    let ifname = v::string(item, d)?;
    d.warning(
        &item.at,
        format!(
            "({instance}) Specifying lvs_sync_daemon_interface against a vrrp is deprecated. \
             Please use global lvs_sync_daemon (global_defs {{ lvs_sync_daemon {ifname} {instance} id 0 }})"
        ),
    );
    if ifname.len() >= IFNAME_MAX {
        d.error(
            &item.at,
            format!(
                "lvs_sync_daemon_interface name '{ifname}' too long (at most {} characters)",
                IFNAME_MAX - 1
            ),
        );
        return None;
    }
    Some(ifname)
}

/// Where each candidate was found: the index of its top-level item, for file order.
pub struct Candidates {
    pub global: Option<(usize, LvsSyncDaemon)>,
    /// (item index, instance name, interface, line).
    pub deprecated: Vec<(usize, String, String, Location)>,
}

/// The setting that runs: the first candidate in file order (the others ignored with
/// keepalived's warning), its instance looked up, its sync id defaulted.
pub fn resolve(
    c: Candidates,
    instances: &[VrrpInstance],
    have_virtual_servers: bool,
    d: &mut Diagnostics,
) -> Option<SyncDaemon> {
    let global_first = match (&c.global, c.deprecated.first()) {
        (Some((g, _)), Some((i, ..))) => g < i,
        (Some(_), None) => true,
        (None, _) => false,
    };
    let mut deprecated = c.deprecated.into_iter();
    let winner = if global_first {
        None
    } else {
        deprecated.next()
    };
    let global = c.global.map(|(_, g)| g);
    let first_words = match (&winner, &global) {
        (Some((_, _, ifname, _)), _) => ifname.clone(),
        (None, Some(g)) => g.interface.clone(),
        (None, None) => return None,
    };
    for (_, name, _, at) in deprecated {
        d.warning(
            &at,
            format!(
                "({name}) lvs_sync_daemon_interface has already been specified as {first_words} - ignoring"
            ),
        );
    }
    if let Some((_, name, interface, at)) = winner {
        if let Some(g) = &global {
            d.warning(
                &g.at,
                format!(
                    "lvs_sync_daemon has already been specified as {interface} (lvs_sync_daemon_interface at {at}) - ignoring"
                ),
            );
        }
        return Some(SyncDaemon {
            interface,
            instance: Some(name),
            syncid: 0,
            maxlen: None,
            port: None,
            ttl: None,
            group: None,
            at,
        });
    }
    let g = global?;
    let syncid = match &g.instance {
        Some(name) => match instances.iter().find(|i| &i.name == name) {
            Some(i) => g.syncid.unwrap_or(i.virtual_router_id),
            None => {
                d.warning(
                    &g.at,
                    format!(
                        "Unable to find vrrp instance {name} for lvs_syncd - clearing lvs_syncd config (no sync daemon runs)"
                    ),
                );
                return None;
            }
        },
        None => {
            if !have_virtual_servers {
                d.warning(
                    &g.at,
                    "lvs_sync_daemon names no vrrp_instance: keepalived then runs the master and \
                     backup daemons from its checker, which runs only with virtual servers; \
                     there are none, so no sync daemon runs",
                );
            }
            g.syncid.unwrap_or(0)
        }
    };
    Some(SyncDaemon {
        interface: g.interface,
        instance: g.instance,
        syncid,
        maxlen: g.maxlen,
        port: g.port,
        ttl: g.ttl,
        group: g.group,
        at: g.at,
    })
}

#[cfg(test)]
mod tests {
    use crate::config::{parse_str, ParsedConfig, Severity};
    use std::path::Path;

    const INSTANCES: &str = "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n priority 100\n virtual_ipaddress {\n 192.0.2.10\n }\n}\n";

    fn conf(global: &str) -> ParsedConfig {
        parse_str(
            &format!("global_defs {{\n {global}\n}}\n{INSTANCES}"),
            Path::new("k.conf"),
        )
    }

    fn messages(p: &ParsedConfig, s: Severity) -> Vec<String> {
        p.diagnostics
            .items
            .iter()
            .filter(|d| d.severity == s)
            .map(|d| d.to_string())
            .collect()
    }

    #[test]
    fn the_full_form_and_its_defaults() {
        let p = conf("lvs_sync_daemon eth1 VI_1 id 7 maxlen 1400 port 8849 ttl 2 group 239.1.2.3");
        assert!(p.diagnostics.items.is_empty(), "{:?}", p.diagnostics);
        let s = p.config.lvs_sync.expect("sync");
        assert_eq!(s.interface, "eth1");
        assert_eq!(s.instance.as_deref(), Some("VI_1"));
        assert_eq!(
            (s.syncid, s.maxlen, s.port, s.ttl),
            (7, Some(1400), Some(8849), Some(2))
        );
        assert_eq!(s.group, Some("239.1.2.3".parse().unwrap()));
        assert_eq!(s.at.to_string(), "k.conf:2");
        assert_eq!(
            s.line(),
            "lvs_sync_daemon eth1 VI_1 id 7 maxlen 1400 port 8849 ttl 2 group 239.1.2.3"
        );

        // No id: the instance's VRID; no other option: the kernel's defaults.
        let s = conf("lvs_sync_daemon eth0 VI_1").config.lvs_sync.unwrap();
        assert_eq!(
            (s.syncid, s.maxlen, s.port, s.ttl, s.group),
            (51, None, None, None, None)
        );
        // `inst NAME` is the same as the third word.
        let s = conf("lvs_sync_daemon eth0 inst VI_1 id 3")
            .config
            .lvs_sync
            .unwrap();
        assert_eq!((s.instance.as_deref(), s.syncid), (Some("VI_1"), 3));
        // An IPv6 group.
        let s = conf("lvs_sync_daemon eth0 VI_1 group ff05::81")
            .config
            .lvs_sync
            .unwrap();
        assert_eq!(s.group, Some("ff05::81".parse().unwrap()));
        // No instance: syncid 0, both roles (keepalived's checker runs them).
        let p = conf("lvs_sync_daemon eth0");
        let s = p.config.lvs_sync.clone().unwrap();
        assert_eq!((s.instance, s.syncid), (None, 0));
        assert!(
            messages(&p, Severity::Warning)[0].contains("there are none, so no sync daemon runs"),
            "{:?}",
            p.diagnostics
        );
        // Without the setting, nothing.
        assert!(conf("router_id r1").config.lvs_sync.is_none());
    }

    #[test]
    fn the_old_positional_sync_id_is_taken_with_keepalived_s_warning() {
        let p = conf("lvs_sync_daemon eth0 VI_1 9");
        assert_eq!(p.config.lvs_sync.clone().unwrap().syncid, 9);
        assert_eq!(
            messages(&p, Severity::Warning),
            ["k.conf:2: warning: Please use keyword \"id\" before lvs_sync_daemon SYNCID (lvs_sync_daemon eth0 VI_1 id 9)"]
        );
    }

    #[test]
    fn bad_values_are_errors_naming_the_line() {
        let cases = [
            ("lvs_sync_daemon", "k.conf:2: error: lvs_sync_daemon requires interface"),
            (
                "lvs_sync_daemon abcdefghijklmnop VI_1",
                "k.conf:2: error: lvs_sync_daemon interface name 'abcdefghijklmnop' too long (at most 15 characters)",
            ),
            (
                "lvs_sync_daemon eth0 VI_1 id 256",
                "k.conf:2: error: Invalid syncid (256): must be an integer between 0 and 255",
            ),
            (
                "lvs_sync_daemon eth0 VI_1 id",
                "k.conf:2: error: No value specified for lvs_sync_daemon id",
            ),
            (
                "lvs_sync_daemon eth0 VI_1 maxlen 0",
                "k.conf:2: error: Invalid lvs_sync_daemon maxlen (0): must be an integer between 1 and 65507",
            ),
            (
                "lvs_sync_daemon eth0 VI_1 port 70000",
                "k.conf:2: error: Invalid lvs_sync_daemon port (70000): must be an integer between 1 and 65535",
            ),
            (
                "lvs_sync_daemon eth0 VI_1 ttl x",
                "k.conf:2: error: Invalid lvs_sync_daemon ttl (x): must be an integer between 1 and 255",
            ),
            (
                "lvs_sync_daemon eth0 VI_1 group 192.0.2.1",
                "k.conf:2: error: lvs_sync_daemon group address 192.0.2.1 is not multicast",
            ),
            (
                "lvs_sync_daemon eth0 VI_1 group nowhere",
                "k.conf:2: error: Invalid lvs_sync_daemon group (nowhere): not an IP address",
            ),
            (
                "lvs_sync_daemon eth0 id 5 VI_1",
                "k.conf:2: error: Unknown option VI_1 specified for lvs_sync_daemon",
            ),
            (
                "lvs_sync_daemon eth0 VI_1 7 extra",
                "k.conf:2: error: Unknown option extra specified for lvs_sync_daemon",
            ),
        ];
        for (line, want) in cases {
            let p = conf(line);
            assert_eq!(messages(&p, Severity::Error), [want], "{line}");
        }
    }

    #[test]
    fn an_unknown_instance_clears_the_setting_as_keepalived_does() {
        let p = conf("lvs_sync_daemon eth0 VI_9 id 7");
        assert!(p.is_ok(), "a warning, not an error: {:?}", p.diagnostics);
        assert!(p.config.lvs_sync.is_none());
        assert_eq!(
            messages(&p, Severity::Warning),
            ["k.conf:2: warning: Unable to find vrrp instance VI_9 for lvs_syncd - clearing lvs_syncd config (no sync daemon runs)"]
        );
    }

    #[test]
    fn the_deprecated_instance_form_warns_and_the_first_in_the_file_wins() {
        let text = "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n lvs_sync_daemon_interface eth2\n}\n\
                    vrrp_instance VI_2 {\n interface eth0\n virtual_router_id 52\n lvs_sync_daemon_interface eth3\n}\n";
        let p = parse_str(text, Path::new("k.conf"));
        assert!(p.is_ok(), "{:?}", p.diagnostics);
        let s = p.config.lvs_sync.clone().unwrap();
        // The deprecated form names no instance by name: sync id 0, not the VRID.
        assert_eq!(
            (s.interface.as_str(), s.instance.as_deref(), s.syncid),
            ("eth2", Some("VI_1"), 0)
        );
        assert_eq!(
            messages(&p, Severity::Warning),
            [
                "k.conf:4: warning: (VI_1) Specifying lvs_sync_daemon_interface against a vrrp is deprecated. Please use global lvs_sync_daemon (global_defs { lvs_sync_daemon eth2 VI_1 id 0 })",
                "k.conf:9: warning: (VI_2) Specifying lvs_sync_daemon_interface against a vrrp is deprecated. Please use global lvs_sync_daemon (global_defs { lvs_sync_daemon eth3 VI_2 id 0 })",
                "k.conf:9: warning: (VI_2) lvs_sync_daemon_interface has already been specified as eth2 - ignoring",
            ]
        );

        // global_defs first: the global setting wins, the instance's is ignored.
        let p = conf("lvs_sync_daemon eth1 VI_1 id 4");
        assert_eq!(p.config.lvs_sync.unwrap().syncid, 4);
        let text = "global_defs {\n lvs_sync_daemon eth1 VI_1 id 4\n}\nvrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n lvs_sync_daemon_interface eth2\n}\n";
        let p = parse_str(text, Path::new("k.conf"));
        let s = p.config.lvs_sync.clone().unwrap();
        assert_eq!((s.interface.as_str(), s.syncid), ("eth1", 4));
        assert!(messages(&p, Severity::Warning)
            .last()
            .unwrap()
            .contains("k.conf:7: warning: (VI_1) lvs_sync_daemon_interface has already been specified as eth1 - ignoring"));

        // A second global line is ignored.
        let p = conf("lvs_sync_daemon eth1 VI_1 id 4\n lvs_sync_daemon eth2 VI_1 id 5");
        assert_eq!(p.config.lvs_sync.unwrap().interface, "eth1");
    }

    #[test]
    fn settings_compare_as_keepalived_s_ipvs_syncd_changed() {
        let a = conf("lvs_sync_daemon eth0 VI_1 id 7")
            .config
            .lvs_sync
            .unwrap();
        let mut b = a.clone();
        b.at = crate::config::Location::new(Path::new("other.conf"), 9);
        b.instance = None;
        // Neither the line nor the instance is a setting of the kernel's.
        assert!(a.same_settings(&b));
        b.syncid = 8;
        assert!(!a.same_settings(&b));
        let mut c = a.clone();
        c.ttl = Some(1);
        assert!(!a.same_settings(&c));
    }
}
