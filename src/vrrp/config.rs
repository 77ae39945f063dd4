//! One virtual router's settings, validated once so the state machine can rely on them.

use std::net::IpAddr;
use std::time::Duration;

use thiserror::Error;

use super::advert::{Auth, Family, Version};
use super::checks::AddressCheck;

/// The address owner's priority.
pub const PRIORITY_OWNER: u8 = 255;
/// keepalived's default priority.
pub const PRIORITY_DEFAULT: u8 = 100;

/// Gratuitous ARP / unsolicited NA on becoming master (keepalived `vrrp_garp_master_*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Garp {
    /// Sent at once (`vrrp_garp_master_repeat`, 5).
    pub count: u32,
    /// Sent again after `delay` (`vrrp_garp_master_delay`, 5 s); 0 or a zero delay: none.
    pub repeat_count: u32,
    pub delay: Duration,
}

impl Default for Garp {
    fn default() -> Self {
        Garp {
            count: 5,
            repeat_count: 5,
            delay: Duration::from_secs(5),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub vrid: u8,
    pub version: Version,
    /// Our primary address (IPv4) or link-local (IPv6): advert source and equal-priority
    /// tie-break. Its family is the instance's.
    pub primary: IpAddr,
    /// 1..=254, or 255 for the address owner.
    pub priority: u8,
    /// Centiseconds; v2 only whole seconds (1..=255 s), v3 1..=4095.
    pub advert_interval_cs: u16,
    pub preempt: bool,
    /// A backup waits this long after first seeing a lower-priority master before preempting.
    pub preempt_delay: Duration,
    /// v3 Accept_Mode: carried for the engine (it decides who may answer on the VIPs).
    pub accept_mode: bool,
    pub vips: Vec<IpAddr>,
    /// v2 only; must be `Auth::None` in v3.
    pub auth: Auth,
    pub garp: Garp,
    pub address_check: AddressCheck,
    /// `state MASTER`: at start wait one advert interval plus the smallest skew for a better
    /// master, then take over (keepalived's `vrrp_init_state`), instead of Master_Down_Interval.
    pub initial_master: bool,
    /// Member of a `vrrp_sync_group`: when the down timer runs out the instance only says it
    /// wants MASTER; the group ([`super::sync_group::SyncGroup`]) decides.
    pub sync_group: bool,
    /// keepalived's `vrrp_startup_delay`: at start, down timers run from `start + delay`
    /// (an address owner too waits that long before taking over).
    pub startup_delay: Duration,
}

impl Config {
    /// keepalived's defaults (v2, priority 100, 1 s, preempt) for `vrid` on `primary`.
    pub fn new(vrid: u8, primary: IpAddr, vips: Vec<IpAddr>) -> Config {
        Config {
            vrid,
            version: match primary {
                IpAddr::V4(_) => Version::V2,
                IpAddr::V6(_) => Version::V3,
            },
            primary,
            priority: PRIORITY_DEFAULT,
            advert_interval_cs: 100,
            preempt: true,
            preempt_delay: Duration::ZERO,
            accept_mode: false,
            vips,
            auth: Auth::None,
            garp: Garp::default(),
            address_check: AddressCheck::default(),
            initial_master: false,
            sync_group: false,
            startup_delay: Duration::ZERO,
        }
    }

    pub fn family(&self) -> Family {
        Family::of(self.primary)
    }

    pub fn is_owner(&self) -> bool {
        self.priority == PRIORITY_OWNER
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.vrid == 0 {
            return Err(ConfigError::Vrid);
        }
        if self.priority == 0 {
            return Err(ConfigError::Priority);
        }
        if self.vips.len() > 255 {
            return Err(ConfigError::TooManyVips(self.vips.len()));
        }
        if let Some(v) = self.vips.iter().find(|v| Family::of(**v) != self.family()) {
            return Err(ConfigError::VipFamily(*v));
        }
        match self.version {
            Version::V2 => {
                if self.family() == Family::V6 {
                    return Err(ConfigError::V2Ipv6);
                }
                let cs = self.advert_interval_cs;
                if !cs.is_multiple_of(100) || cs == 0 || cs > 25_500 {
                    return Err(ConfigError::Interval(cs));
                }
            }
            Version::V3 => {
                if self.advert_interval_cs == 0 || self.advert_interval_cs > 4095 {
                    return Err(ConfigError::Interval(self.advert_interval_cs));
                }
                if self.auth != Auth::None {
                    return Err(ConfigError::V3Auth);
                }
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConfigError {
    #[error("virtual_router_id must be 1..255")]
    Vrid,
    #[error("priority must be 1..255")]
    Priority,
    #[error("advert interval {0} cs is out of range (v2: 1..255 whole seconds, v3: 1..4095 cs)")]
    Interval(u16),
    #[error("VRRPv2 is IPv4 only")]
    V2Ipv6,
    #[error("VRRPv3 has no authentication")]
    V3Auth,
    #[error("virtual address {0} is not of the instance's family")]
    VipFamily(IpAddr),
    #[error("at most 255 virtual addresses per instance, got {0}")]
    TooManyVips(usize),
}
