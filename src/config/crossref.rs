//! Names that point at other sections: they must exist, and names must be unique.

use std::collections::HashMap;

use super::diag::{Diagnostics, Location};
use super::virtual_server::VsTarget;
use super::Config;

fn unique<'a>(
    what: &str,
    names: impl Iterator<Item = (&'a str, &'a Location)>,
    d: &mut Diagnostics,
) {
    let mut seen: HashMap<&str, &Location> = HashMap::new();
    for (name, at) in names {
        if let Some(first) = seen.get(name) {
            d.error(at, format!("{what} '{name}' is already defined at {first}"));
        } else {
            seen.insert(name, at);
        }
    }
}

pub fn check(c: &Config, d: &mut Diagnostics) {
    unique(
        "vrrp_script",
        c.scripts.iter().map(|s| (s.name.as_str(), &s.at)),
        d,
    );
    unique(
        "vrrp_instance",
        c.instances.iter().map(|i| (i.name.as_str(), &i.at)),
        d,
    );
    unique(
        "vrrp_sync_group",
        c.sync_groups.iter().map(|g| (g.name.as_str(), &g.at)),
        d,
    );
    unique(
        "virtual_server_group",
        c.vs_groups.iter().map(|g| (g.name.as_str(), &g.at)),
        d,
    );

    for i in &c.instances {
        for t in &i.track_script {
            if !c.scripts.iter().any(|s| s.name == t.name) {
                d.error(
                    &t.at,
                    format!(
                        "track_script '{}' in vrrp_instance {}: no vrrp_script of that name",
                        t.name, i.name
                    ),
                );
            }
        }
    }

    // Instances on one interface and family must not share a virtual_router_id (unicast
    // setups can, but lvsdeck keeps to the safe rule and only warns).
    let mut vrids: HashMap<(Option<&str>, bool, u8), &str> = HashMap::new();
    for i in &c.instances {
        let v6 = i
            .virtual_ipaddress
            .first()
            .is_some_and(|a| a.addr.is_ipv6());
        let key = (i.interface.as_deref(), v6, i.virtual_router_id);
        if let Some(other) = vrids.insert(key, &i.name) {
            d.warning(
                &i.at,
                format!(
                    "vrrp_instance {} uses virtual_router_id {} like {other} on the same interface",
                    i.name, i.virtual_router_id
                ),
            );
        }
    }

    let mut member_of: HashMap<&str, &str> = HashMap::new();
    for g in &c.sync_groups {
        for (m, at) in &g.members {
            if !c.instances.iter().any(|i| &i.name == m) {
                d.error(
                    at,
                    format!("vrrp_sync_group {}: no vrrp_instance named '{m}'", g.name),
                );
            }
            if let Some(other) = member_of.insert(m, &g.name) {
                d.error(
                    at,
                    format!(
                        "vrrp_instance {m} is in both vrrp_sync_group {other} and {}",
                        g.name
                    ),
                );
            }
        }
    }

    for vs in &c.virtual_servers {
        if let VsTarget::Group(name) = &vs.target {
            if !c.vs_groups.iter().any(|g| &g.name == name) {
                d.error(
                    &vs.at,
                    format!("virtual_server group '{name}': no virtual_server_group of that name"),
                );
            }
        }
    }
}
