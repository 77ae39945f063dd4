//! One `vrrp_instance` as the engine runs it: the core's settings minus what only the host
//! can tell (the primary address), plus what the I/O layer needs (interface, peers, prefixes).
//! Pure, and comparable: a reload keeps every instance whose spec is unchanged.

use std::net::IpAddr;
use std::time::Duration;

use super::notify::{Line, Scripts};
use super::track::{LinkTrack, ScriptTrack, Track};
use crate::config::vrrp_instance::{AuthType, Tracked};
use crate::config::{GlobalDefs, Location, Script, VrrpInstance, VrrpScript};
use crate::vrrp::{AddressCheck, Auth, Config, Garp, Version};

/// keepalived's `default_interface`.
pub const DEFAULT_INTERFACE: &str = "eth0";

/// A VIP as it goes on the interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vip {
    pub addr: IpAddr,
    pub prefix: u8,
    /// Another interface than the instance's (`dev IF`).
    pub dev: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    pub name: String,
    pub interface: String,
    /// `unicast_src_ip` / `mcast_src_ip`, else the interface's primary address at start.
    pub src: Option<IpAddr>,
    /// Empty: multicast.
    pub peers: Vec<IpAddr>,
    /// The multicast group of the instance's family (`vrrp_mcast_group4/6`).
    pub mcast_group: IpAddr,
    /// Advertised and added (`virtual_ipaddress`).
    pub vips: Vec<Vip>,
    /// Added but not advertised (`virtual_ipaddress_excluded`).
    pub excluded: Vec<Vip>,
    /// The core's settings; `primary` is a placeholder until [`Spec::core`].
    pub core: Config,
    /// `track_script` then `track_interface`, in the file's order.
    pub tracks: Vec<Track>,
    pub notify: Scripts,
    /// The `vrrp_sync_group` it belongs to (set by [`super::group::apply`]); part of the
    /// spec so a changed group restarts its members together.
    pub group: Option<super::group::GroupSpec>,
    /// `use_vmac`: the VIPs and adverts go on this macvlan.
    pub vmac: Option<VmacSpec>,
    /// The instance's own links, tracked fault-only unless `dont_track_primary`
    /// (keepalived's TRACK_VRRP): the interface, and with `use_vmac` the vmac too.
    pub own_links: Vec<String>,
}

/// `use_vmac [NAME]` and `vmac_xmit_base`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VmacSpec {
    /// `vrrp.VRID` unless named.
    pub name: String,
    /// Adverts from the base interface (the VIPs and GARPs still use the vmac).
    pub xmit_base: bool,
}

/// Why an instance or sync group cannot run, at the configuration line that says so.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {message}")]
pub struct SpecError {
    pub at: Location,
    pub message: String,
}

impl SpecError {
    pub fn new(at: &Location, message: impl Into<String>) -> SpecError {
        SpecError {
            at: at.clone(),
            message: message.into(),
        }
    }
}

/// A script line split into words (no shell), run as its own user or `script_user`.
/// `what` names the script's owner for the messages.
fn line(
    command: &str,
    user: Option<&String>,
    g: &GlobalDefs,
    at: &Location,
    what: &str,
) -> Result<Line, SpecError> {
    let argv = crate::linux::script::split(command)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| {
            SpecError::new(
                at,
                format!("{what}: cannot split '{command}' (unclosed quote?)"),
            )
        })?;
    let user = match user {
        Some(u) => Some(u.clone()),
        None => super::security::default_user(g.script_user.as_ref(), g.enable_script_security)
            .map_err(|e| SpecError::new(at, format!("{what}: {e}")))?,
    };
    let l = Line { argv, user };
    match super::security::check(&l, g.enable_script_security) {
        Ok(super::security::Verdict::Secure) => {}
        Ok(super::security::Verdict::Warn(e)) => tracing::warn!("{at} {what}: {e}"),
        Err(e) => {
            return Err(SpecError::new(
                at,
                format!("{what}: {e}; not run (enable_script_security)"),
            ))
        }
    }
    Ok(l)
}

pub(super) fn notify_line(
    s: &Option<Script>,
    g: &GlobalDefs,
    at: &str,
) -> Result<Option<Line>, SpecError> {
    s.as_ref()
        .map(|s| line(&s.command, s.user.as_ref(), g, &s.at, at))
        .transpose()
}

/// keepalived's tracking for one instance: the instance's `weight` overrides the script's.
fn tracks(
    i: &VrrpInstance,
    g: &GlobalDefs,
    scripts: &[VrrpScript],
) -> Result<Vec<Track>, SpecError> {
    track_list(&i.track_script, &i.track_interface, g, scripts)
}

/// `track_script` then `track_interface` entries as tracks (an instance's or a sync group's).
pub(super) fn track_list(
    track_script: &[Tracked],
    track_interface: &[Tracked],
    g: &GlobalDefs,
    scripts: &[VrrpScript],
) -> Result<Vec<Track>, SpecError> {
    let mut out = Vec::new();
    for t in track_script {
        let Some(s) = scripts.iter().find(|s| s.name == t.name) else {
            return Err(SpecError::new(
                &t.at,
                format!("track_script {}: no such vrrp_script", t.name),
            ));
        };
        let (weight, reverse) = match t.weight {
            Some(w) => (w, t.reverse),
            None => (s.weight, s.weight_reverse),
        };
        out.push(Track::Script(ScriptTrack {
            name: s.name.clone(),
            line: line(
                &s.script,
                s.user.as_ref(),
                g,
                &s.at,
                &format!("vrrp_script {}", s.name),
            )?,
            interval: s.interval,
            timeout: s.timeout,
            weight,
            reverse,
            rise: s.rise,
            fall: s.fall,
            init_fail: s.init_fail,
        }));
    }
    for t in track_interface {
        out.push(Track::Link(LinkTrack {
            name: t.name.clone(),
            weight: t.weight.unwrap_or(0),
            reverse: t.reverse,
        }));
    }
    Ok(out)
}

fn family_name(a: &IpAddr) -> &'static str {
    if a.is_ipv4() {
        "IPv4"
    } else {
        "IPv6"
    }
}

/// One family per instance, taken from its first `virtual_ipaddress` (keepalived's
/// `alloc_vrrp_vip` reports a VIP of another family as a config error and drops it; here the
/// instance is refused so nothing runs half-configured). `virtual_ipaddress_excluded` may mix
/// families, as in keepalived. Peers and the source must be of the instance's family.
fn check_families(i: &VrrpInstance) -> Result<(), SpecError> {
    let Some(first) = i.virtual_ipaddress.first() else {
        return Ok(());
    };
    let fam = family_name(&first.addr);
    let who = format!("vrrp_instance {}", i.name);
    if let Some(v) = i
        .virtual_ipaddress
        .iter()
        .find(|v| v.addr.is_ipv4() != first.addr.is_ipv4())
    {
        return Err(SpecError::new(
            &v.at,
            format!(
                "{who}: virtual_ipaddress {} is {} but the instance is {fam} (from {}); \
                 put other-family addresses in virtual_ipaddress_excluded",
                v.addr,
                family_name(&v.addr),
                first.addr
            ),
        ));
    }
    if let Some((p, at)) = i
        .unicast_peer
        .iter()
        .find(|(p, _)| p.is_ipv4() != first.addr.is_ipv4())
    {
        return Err(SpecError::new(
            at,
            format!(
                "{who}: unicast_peer {p} is {} but the instance is {fam}",
                family_name(p)
            ),
        ));
    }
    for (kw, a) in [
        ("unicast_src_ip", i.unicast_src_ip),
        ("mcast_src_ip", i.mcast_src_ip),
    ] {
        if let Some(a) = a.filter(|a| a.is_ipv4() != first.addr.is_ipv4()) {
            return Err(SpecError::new(
                &i.at,
                format!(
                    "{who}: {kw} {a} is {} but the instance is {fam}",
                    family_name(&a)
                ),
            ));
        }
    }
    Ok(())
}

fn vip(v: &crate::config::VirtualAddress) -> Vip {
    Vip {
        addr: v.addr,
        prefix: v.prefix,
        dev: v.dev.clone(),
    }
}

/// keepalived's own-interface tracking: a `track_interface` naming the instance's own
/// interface is ignored (with its complaint), and unless `dont_track_primary` the interface
/// and the vmac go down as a fault.
fn own_links(spec: &mut Spec, dont_track_primary: bool) {
    let (name, own) = (&spec.name, &spec.interface);
    spec.tracks.retain(|t| match t {
        Track::Link(l) if &l.name == own => {
            tracing::warn!("({name}) Ignoring track_interface {own} since own interface");
            false
        }
        _ => true,
    });
    if !dont_track_primary {
        spec.own_links.push(own.clone());
        if let Some(v) = &spec.vmac {
            spec.own_links.push(v.name.clone());
        }
    }
}

impl Spec {
    /// Every track the instance watches: the configured ones, then its own links.
    pub fn all_tracks(&self) -> Vec<Track> {
        let own = self.own_links.iter().map(|n| {
            Track::Link(LinkTrack {
                name: n.clone(),
                weight: 0,
                reverse: false,
            })
        });
        self.tracks.iter().cloned().chain(own).collect()
    }

    /// Maps one instance; `Err` says why it cannot run (with its file:line).
    pub fn from_config(
        i: &VrrpInstance,
        g: &GlobalDefs,
        scripts: &[VrrpScript],
    ) -> Result<Spec, SpecError> {
        let at = &i.at;
        let who = format!("vrrp_instance {}", i.name);
        check_families(i)?;
        let notify = Scripts {
            master: notify_line(&i.notify_master, g, &who)?,
            backup: notify_line(&i.notify_backup, g, &who)?,
            fault: notify_line(&i.notify_fault, g, &who)?,
            stop: notify_line(&i.notify_stop, g, &who)?,
            generic: notify_line(&i.notify, g, &who)?,
        };
        let version = if i.version == 3 {
            Version::V3
        } else {
            Version::V2
        };
        let auth = match (&i.authentication, version) {
            (Some(a), Version::V2) => match a.kind {
                AuthType::Pass => Auth::pass(&a.pass),
                AuthType::Ah => {
                    return Err(SpecError::new(
                        &a.at,
                        format!("vrrp_instance {}: auth_type AH is not supported", i.name),
                    ))
                }
            },
            // keepalived ignores authentication in v3 (with a warning the parser gives).
            _ => Auth::None,
        };
        let vips: Vec<Vip> = i.virtual_ipaddress.iter().map(vip).collect();
        // The family comes from the VIPs (IPv4 without any, as keepalived defaults).
        let is_v6 = vips.first().is_some_and(|v| v.addr.is_ipv6());
        let placeholder = if is_v6 {
            IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED)
        } else {
            IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED)
        };
        let interval_cs = (i.advert_int.as_millis() / 10).clamp(1, u128::from(u16::MAX)) as u16;
        let core = Config {
            vrid: i.virtual_router_id,
            version,
            primary: placeholder,
            priority: i.priority,
            advert_interval_cs: interval_cs,
            // keepalived clears both for `state MASTER` (the parser warned).
            preempt: !i.nopreempt || i.state == crate::config::InitialState::Master,
            preempt_delay: if i.state == crate::config::InitialState::Master {
                Duration::ZERO
            } else {
                i.preempt_delay
            },
            accept_mode: i.accept.unwrap_or(!g.vrrp_strict),
            vips: vips.iter().map(|v| v.addr).collect(),
            auth,
            garp: Garp {
                count: g.vrrp_garp_master_repeat,
                repeat_count: g.vrrp_garp_master_repeat,
                delay: i.garp_master_delay.unwrap_or(g.vrrp_garp_master_delay),
            },
            address_check: if g.vrrp_skip_check_adv_addr {
                AddressCheck::Ignore
            } else {
                AddressCheck::Count
            },
            initial_master: i.state == crate::config::InitialState::Master,
            sync_group: false,
            startup_delay: g.vrrp_startup_delay,
        };
        let spec = Spec {
            name: i.name.clone(),
            interface: i
                .interface
                .clone()
                .unwrap_or_else(|| DEFAULT_INTERFACE.to_string()),
            src: i.unicast_src_ip.or(i.mcast_src_ip),
            peers: i.unicast_peer.iter().map(|(a, _)| *a).collect(),
            mcast_group: if is_v6 {
                IpAddr::V6(g.vrrp_mcast_group6)
            } else {
                IpAddr::V4(g.vrrp_mcast_group4)
            },
            vips,
            excluded: i.virtual_ipaddress_excluded.iter().map(vip).collect(),
            core,
            tracks: tracks(i, g, scripts)?,
            notify,
            group: None,
            own_links: Vec::new(),
            vmac: match i.use_vmac.as_deref() {
                None => None,
                Some(n) if n.len() >= 16 => {
                    return Err(SpecError::new(
                        at,
                        format!(
                            "vrrp_instance {}: use_vmac name '{n}' is longer than 15 characters",
                            i.name
                        ),
                    ))
                }
                Some(n) => Some(VmacSpec {
                    name: if n.is_empty() {
                        crate::linux::vmac::default_name(i.virtual_router_id)
                    } else {
                        n.to_string()
                    },
                    xmit_base: i.vmac_xmit_base,
                }),
            },
        };
        let mut spec = spec;
        own_links(&mut spec, i.dont_track_primary);
        // Validate now, with a stand-in primary, so errors carry the file:line.
        spec.core(placeholder)
            .map(|_| spec.clone())
            .map_err(|e| SpecError::new(at, format!("vrrp_instance {}: {e}", i.name)))
    }

    /// The core's settings with the primary address found on the host.
    pub fn core(&self, primary: IpAddr) -> Result<Config, crate::vrrp::ConfigError> {
        let c = Config {
            primary,
            ..self.core.clone()
        };
        c.validate()?;
        Ok(c)
    }

    /// Every script line it may run: tracks, its notify scripts, its group's.
    pub fn script_lines(&self) -> impl Iterator<Item = &Line> {
        let n = &self.notify;
        let own = [&n.master, &n.backup, &n.fault, &n.stop, &n.generic];
        let group = self.group.iter().flat_map(|g| {
            let n = &g.notify;
            [&n.master, &n.backup, &n.fault, &n.stop, &n.generic]
        });
        self.tracks
            .iter()
            .filter_map(|t| match t {
                Track::Script(s) => Some(&s.line),
                Track::Link(_) => None,
            })
            .chain(own.into_iter().chain(group).flatten())
    }

    /// Advert interval, for logs.
    pub fn interval(&self) -> Duration {
        crate::clock::centis(u64::from(self.core.advert_interval_cs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_str;
    use std::path::Path;

    /// Each instance's spec, or its error as an operator reads it.
    fn specs(text: &str) -> Vec<Result<Spec, String>> {
        typed(text)
            .into_iter()
            .map(|r| r.map_err(|e| e.to_string()))
            .collect()
    }

    fn typed(text: &str) -> Vec<Result<Spec, SpecError>> {
        let l = parse_str(text, Path::new("k.conf"));
        assert!(l.is_ok(), "{:?}", l.diagnostics.items);
        l.config
            .instances
            .iter()
            .map(|i| Spec::from_config(i, &l.config.global, &l.config.scripts))
            .collect()
    }

    #[test]
    fn errors_carry_the_line_that_says_so() {
        let e = typed(
            "vrrp_instance A {\n interface lo\n virtual_router_id 1\n priority 100\n \
             authentication {\n  auth_type AH\n  auth_pass secret\n }\n virtual_ipaddress {\n  192.0.2.1\n }\n}\n",
        )
        .remove(0)
        .expect_err("refused");
        assert_eq!((e.at.file.as_ref(), e.at.line), (Path::new("k.conf"), 5));
        assert_eq!(e.message, "vrrp_instance A: auth_type AH is not supported");
    }

    #[test]
    fn maps_keepalived_settings_onto_the_core() {
        let s = specs(
            "global_defs {\n vrrp_garp_master_repeat 3\n}\n\
             vrrp_instance VI {\n interface veth0\n virtual_router_id 51\n priority 90\n\
             advert_int 2\n nopreempt\n authentication {\n auth_type PASS\n\
             auth_pass secret99\n }\n virtual_ipaddress {\n 192.0.2.100/24\n }\n}\n",
        );
        let s = s[0].as_ref().expect("maps");
        assert_eq!(s.interface, "veth0");
        assert_eq!(s.core.vrid, 51);
        assert_eq!(s.core.priority, 90);
        assert_eq!(s.core.advert_interval_cs, 200);
        assert!(!s.core.preempt);
        assert_eq!(s.core.auth, Auth::pass("secret99"));
        assert_eq!(s.core.garp.count, 3);
        assert_eq!(s.vips[0].prefix, 24);
        assert_eq!(s.core.version, Version::V2);
    }

    #[test]
    fn own_interface_and_vmac_are_tracked_unless_dont_track_primary() {
        let s = specs(
            "vrrp_instance A {\n interface veth0\n virtual_router_id 1\n\
             track_interface {\n veth0 weight -10\n up9\n }\n\
             virtual_ipaddress {\n 192.0.2.1\n }\n}\n\
             vrrp_instance B {\n interface veth0\n virtual_router_id 2\n use_vmac\n\
             virtual_ipaddress {\n 192.0.2.2\n }\n}\n\
             vrrp_instance C {\n interface veth0\n virtual_router_id 3\n use_vmac\n\
             dont_track_primary\n virtual_ipaddress {\n 192.0.2.3\n }\n}\n",
        );
        let a = s[0].as_ref().expect("maps");
        assert_eq!(a.own_links, ["veth0"]);
        // The own interface listed in track_interface is dropped, as keepalived does.
        let all = a.all_tracks();
        let names: Vec<(&str, i32)> = all
            .iter()
            .map(|t| match t {
                Track::Link(l) => (l.name.as_str(), l.weight),
                Track::Script(s) => (s.name.as_str(), s.weight),
            })
            .collect();
        assert_eq!(names, [("up9", 0), ("veth0", 0)]);
        let b = s[1].as_ref().expect("maps");
        assert_eq!(b.own_links, ["veth0", "vrrp.2"]);
        let c = s[2].as_ref().expect("maps");
        assert!(c.own_links.is_empty() && c.all_tracks().is_empty());
    }

    #[test]
    fn state_master_runs_without_nopreempt_and_preempt_delay_as_keepalived() {
        let text = "vrrp_instance M {\n state MASTER\n priority 100\n interface e\n\
             virtual_router_id 1\n nopreempt\n preempt_delay 5\n\
             virtual_ipaddress {\n 192.0.2.1\n }\n}\n";
        let l = parse_str(text, Path::new("k.conf"));
        let warned: Vec<String> = l.diagnostics.warnings().map(|d| d.to_string()).collect();
        assert!(
            warned
                .iter()
                .any(|w| w.contains("nopreempt does not work with state MASTER")),
            "{warned:?}"
        );
        assert!(
            warned
                .iter()
                .any(|w| w.starts_with("k.conf:7:") && w.contains("preempt_delay")),
            "{warned:?}"
        );
        let s = specs(text);
        let s = s[0].as_ref().expect("maps");
        assert!(s.core.preempt && s.core.initial_master);
        assert_eq!(s.core.preempt_delay, Duration::ZERO);
    }

    #[test]
    fn v3_drops_auth_and_ah_is_refused_with_its_line() {
        let s = specs(
            "vrrp_instance A {\n interface e\n virtual_router_id 1\n version 3\n\
             advert_int 0.5\n virtual_ipaddress {\n 192.0.2.1\n }\n}\n\
             vrrp_instance B {\n interface e\n virtual_router_id 2\n\
             authentication {\n auth_type AH\n auth_pass x\n }\n\
             virtual_ipaddress {\n 192.0.2.2\n }\n}\n",
        );
        let a = s[0].as_ref().expect("v3 maps");
        assert_eq!(a.core.version, Version::V3);
        assert_eq!(a.core.advert_interval_cs, 50);
        assert_eq!(a.core.auth, Auth::None);
        let b = s[1].as_ref().expect_err("AH refused");
        assert!(b.starts_with("k.conf:13:"), "{b}");
    }

    #[test]
    fn ipv6_instances_are_v3_and_take_link_local_peers() {
        let s = specs(
            "vrrp_instance V6 {\n interface e\n virtual_router_id 9\n\
             virtual_ipaddress {\n 2001:db8::100\n 2001:db8::101/64\n }\n\
             virtual_ipaddress_excluded {\n 192.0.2.9\n }\n\
             unicast_peer {\n fe80::2\n }\n}\n",
        );
        let s = s[0].as_ref().expect("maps");
        assert_eq!(s.core.version, Version::V3, "IPv6 defaults to v3");
        assert_eq!(s.core.family(), crate::vrrp::Family::V6);
        assert_eq!(
            (s.vips[0].prefix, s.vips[1].prefix),
            (128, 64),
            "/128 by default"
        );
        assert_eq!(s.excluded[0].addr, IpAddr::from([192, 0, 2, 9]));
        assert_eq!(s.peers, vec!["fe80::2".parse::<IpAddr>().expect("address")]);
    }

    #[test]
    fn the_multicast_group_follows_the_family_and_global_defs() {
        let s = specs(
            "global_defs {\n vrrp_mcast_group6 ff02::113\n}\n\
             vrrp_instance A {\n interface e\n virtual_router_id 1\n\
             virtual_ipaddress {\n 2001:db8::1\n }\n}\n\
             vrrp_instance B {\n interface e\n virtual_router_id 2\n\
             virtual_ipaddress {\n 192.0.2.1\n }\n}\n",
        );
        let a = s[0].as_ref().expect("maps");
        let b = s[1].as_ref().expect("maps");
        assert_eq!(a.mcast_group, "ff02::113".parse::<IpAddr>().expect("group"));
        assert_eq!(b.mcast_group, IpAddr::from([224, 0, 0, 18]));
    }

    #[test]
    fn mixed_families_are_refused_with_the_offending_line() {
        let s = specs(
            "vrrp_instance M {\n interface e\n virtual_router_id 1\n version 3\n\
             virtual_ipaddress {\n 192.0.2.1\n 2001:db8::1\n }\n}\n\
             vrrp_instance P {\n interface e\n virtual_router_id 2\n\
             virtual_ipaddress {\n 2001:db8::2\n }\n unicast_peer {\n 192.0.2.7\n }\n}\n\
             vrrp_instance S {\n interface e\n virtual_router_id 3\n\
             unicast_src_ip 2001:db8::5\n virtual_ipaddress {\n 192.0.2.3\n }\n}\n",
        );
        let m = s[0].as_ref().expect_err("mixed VIPs");
        assert!(m.starts_with("k.conf:7:"), "{m}");
        assert!(
            m.contains("2001:db8::1 is IPv6 but the instance is IPv4"),
            "{m}"
        );
        let p = s[1].as_ref().expect_err("IPv4 peer of an IPv6 instance");
        assert!(p.starts_with("k.conf:17:"), "{p}");
        assert!(p.contains("unicast_peer 192.0.2.7"), "{p}");
        let src = s[2].as_ref().expect_err("IPv6 source of an IPv4 instance");
        assert!(src.starts_with("k.conf:20:"), "{src}");
    }

    #[test]
    fn v2_with_ipv6_is_refused_with_its_line() {
        // keepalived ignores `version 2` after IPv6 addresses ("conflicts with configured or
        // deduced version") and refuses it under vrrp_strict; lvsdeck refuses it always.
        let l = parse_str(
            "vrrp_instance V {\n interface e\n virtual_router_id 1\n\
             virtual_ipaddress {\n 2001:db8::1\n }\n version 2\n}\n",
            Path::new("k.conf"),
        );
        let e = l
            .diagnostics
            .items
            .iter()
            .find(|d| d.to_string().contains("IPv6 addresses need VRRP version 3"))
            .unwrap_or_else(|| panic!("{:?}", l.diagnostics.items));
        assert!(e.to_string().contains("k.conf:1"), "{e}");
        // Were it to reach the engine, the core refuses it too.
        let i = &l.config.instances[0];
        let r = Spec::from_config(i, &l.config.global, &l.config.scripts);
        assert!(r
            .expect_err("v2 + IPv6")
            .to_string()
            .starts_with("k.conf:1:"));
    }

    #[test]
    fn tracks_and_notify_take_overrides_and_script_user() {
        let s = specs(
            "global_defs {\n script_user nobody\n}\n\
             vrrp_script chk {\n script \"/usr/bin/test -e '/tmp/a b'\"\n weight -60\n\
             rise 2\n fall 3\n}\n\
             vrrp_script own {\n script \"/bin/true\"\n user root\n}\n\
             vrrp_instance VI {\n interface e\n virtual_router_id 1\n\
             virtual_ipaddress {\n 192.0.2.1\n }\n track_script {\n chk weight 10 reverse\n own\n }\n\
             track_interface {\n eth9 weight -5\n }\n notify \"/n x\"\n\
             notify_fault \"/f\" root\n}\n",
        );
        let s = s[0].as_ref().expect("maps");
        let Track::Script(chk) = &s.tracks[0] else {
            panic!("{:?}", s.tracks)
        };
        assert_eq!(chk.line.argv, ["/usr/bin/test", "-e", "/tmp/a b"]);
        assert_eq!(chk.line.user.as_deref(), Some("nobody"));
        assert_eq!(
            (chk.weight, chk.reverse, chk.rise, chk.fall),
            (10, true, 2, 3)
        );
        let Track::Script(own) = &s.tracks[1] else {
            panic!("{:?}", s.tracks)
        };
        assert_eq!((own.weight, own.line.user.as_deref()), (0, Some("root")));
        assert_eq!(
            s.tracks[2],
            Track::Link(LinkTrack {
                name: "eth9".into(),
                weight: -5,
                reverse: false
            })
        );
        let g = s.notify.generic.as_ref().expect("notify");
        assert_eq!((g.argv.len(), g.user.as_deref()), (2, Some("nobody")));
        let f = s.notify.fault.as_ref().expect("notify_fault");
        assert_eq!(f.user.as_deref(), Some("root"));
    }
}
