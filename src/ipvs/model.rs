//! The kernel's IPVS table as plain values.
//!
//! These types are the common vocabulary: the netlink client fills and takes them, ipvsadm's
//! listings print them, the rule language describes changes to them. They carry no I/O and no
//! formatting, and they keep the kernel's full widths (u64 counters, u32 weights) so nothing is
//! cut on the way to the screen.

use std::net::IpAddr;

/// Address family of a service or real server (AF_INET / AF_INET6 on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    Inet,
    Inet6,
}

impl Family {
    /// The `AF_*` number the kernel uses.
    pub fn af(self) -> u16 {
        match self {
            Family::Inet => libc::AF_INET as u16,
            Family::Inet6 => libc::AF_INET6 as u16,
        }
    }

    pub fn from_af(af: u16) -> Option<Family> {
        match i32::from(af) {
            libc::AF_INET => Some(Family::Inet),
            libc::AF_INET6 => Some(Family::Inet6),
            _ => None,
        }
    }

    pub fn of(addr: &IpAddr) -> Family {
        match addr {
            IpAddr::V4(_) => Family::Inet,
            IpAddr::V6(_) => Family::Inet6,
        }
    }
}

/// Transport protocol of an address-based virtual service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    Tcp,
    Udp,
    Sctp,
}

impl Protocol {
    /// IANA protocol number, as carried in IPVS_SVC_ATTR_PROTOCOL.
    pub fn number(self) -> u16 {
        match self {
            Protocol::Tcp => 6,
            Protocol::Udp => 17,
            Protocol::Sctp => 132,
        }
    }

    pub fn from_number(n: u16) -> Option<Protocol> {
        match n {
            6 => Some(Protocol::Tcp),
            17 => Some(Protocol::Udp),
            132 => Some(Protocol::Sctp),
            _ => None,
        }
    }
}

/// What identifies a virtual service: protocol + address + port, or a firewall mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ServiceKey {
    Addr {
        protocol: Protocol,
        addr: IpAddr,
        port: u16,
    },
    Fwmark {
        mark: u32,
        family: Family,
    },
}

impl ServiceKey {
    pub fn family(&self) -> Family {
        match self {
            ServiceKey::Addr { addr, .. } => Family::of(addr),
            ServiceKey::Fwmark { family, .. } => *family,
        }
    }

    pub fn is_fwmark(&self) -> bool {
        matches!(self, ServiceKey::Fwmark { .. })
    }
}

/// Service flag bits as the kernel defines them (`IP_VS_SVC_F_*`).
pub mod svc_flags {
    pub const PERSISTENT: u32 = 0x0001;
    /// Set by the kernel on every hashed service; never sent by us.
    pub const HASHED: u32 = 0x0002;
    pub const ONEPACKET: u32 = 0x0004;
    /// Scheduler flag 1 (`sh-fallback`, `mh-fallback`).
    pub const SCHED1: u32 = 0x0008;
    /// Scheduler flag 2 (`sh-port`, `mh-port`).
    pub const SCHED2: u32 = 0x0010;
    pub const SCHED3: u32 = 0x0020;
    /// Every flag a user may set (HASHED excluded).
    pub const USER_MASK: u32 = PERSISTENT | ONEPACKET | SCHED1 | SCHED2 | SCHED3;
}

/// The settable part of a virtual service: what `-A`/`-E` send and `-S` prints.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServiceConfig {
    pub key: ServiceKey,
    /// Scheduler name (`wlc`, `rr`, ...), at most 15 bytes.
    pub scheduler: String,
    /// `svc_flags` bits; HASHED is cleared when read from the kernel.
    pub flags: u32,
    /// Persistence timeout in seconds (meaningful with `svc_flags::PERSISTENT`).
    pub timeout: u32,
    /// IPv4: the mask as a host-order number (255.255.255.255 = 0xffff_ffff).
    /// IPv6: the prefix length (128 = a single address).
    pub netmask: u32,
    /// Persistence engine (`sip` is the only one the kernel has).
    pub pe_name: Option<String>,
}

impl ServiceConfig {
    /// A service with the kernel's and ipvsadm's defaults: wlc, not persistent, full mask.
    pub fn new(key: ServiceKey) -> ServiceConfig {
        let netmask = match key.family() {
            Family::Inet => 0xffff_ffff,
            Family::Inet6 => 128,
        };
        ServiceConfig {
            key,
            scheduler: "wlc".to_string(),
            flags: 0,
            timeout: 0,
            netmask,
            pe_name: None,
        }
    }

    pub fn persistent(&self) -> bool {
        self.flags & svc_flags::PERSISTENT != 0
    }

    pub fn one_packet(&self) -> bool {
        self.flags & svc_flags::ONEPACKET != 0
    }
}

/// Counters and estimator rates of a service or real server, always 64-bit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Stats {
    pub conns: u64,
    pub inpkts: u64,
    pub outpkts: u64,
    pub inbytes: u64,
    pub outbytes: u64,
    /// Connections per second (kernel estimator, refreshed about every 2 s).
    pub cps: u64,
    pub inpps: u64,
    pub outpps: u64,
    /// Bytes per second.
    pub inbps: u64,
    pub outbps: u64,
}

/// A virtual service as read from the kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub config: ServiceConfig,
    pub stats: Stats,
}

/// How packets reach a real server (`IP_VS_CONN_F_FWD_MASK` values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Forward {
    /// NAT (`-m`), kernel value 0.
    Masq,
    /// The director itself, kernel value 1.
    Local,
    /// IP-in-IP/GUE/GRE tunnel (`-i`), kernel value 2.
    Tunnel,
    /// Direct routing (`-g`, ipvsadm's default), kernel value 3.
    Route,
}

impl Forward {
    pub fn kernel_value(self) -> u32 {
        match self {
            Forward::Masq => 0,
            Forward::Local => 1,
            Forward::Tunnel => 2,
            Forward::Route => 3,
        }
    }

    pub fn from_kernel(v: u32) -> Option<Forward> {
        match v & 0x7 {
            0 => Some(Forward::Masq),
            1 => Some(Forward::Local),
            2 => Some(Forward::Tunnel),
            3 => Some(Forward::Route),
            _ => None,
        }
    }
}

/// Encapsulation of a tunnelled real server (`IPVS_DEST_ATTR_TUN_TYPE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TunnelType {
    #[default]
    Ipip,
    Gue,
    Gre,
}

impl TunnelType {
    pub fn kernel_value(self) -> u8 {
        match self {
            TunnelType::Ipip => 0,
            TunnelType::Gue => 1,
            TunnelType::Gre => 2,
        }
    }

    pub fn from_kernel(v: u8) -> Option<TunnelType> {
        match v {
            0 => Some(TunnelType::Ipip),
            1 => Some(TunnelType::Gue),
            2 => Some(TunnelType::Gre),
            _ => None,
        }
    }
}

/// Checksum mode of a GUE/GRE tunnel (`IPVS_DEST_ATTR_TUN_FLAGS` bits).
pub mod tun_flags {
    pub const NOCSUM: u16 = 0x0000;
    pub const CSUM: u16 = 0x0001;
    pub const REMCSUM: u16 = 0x0002;
}

/// The settable part of a real server: what `-a`/`-e` send and `-S` prints.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DestConfig {
    pub addr: IpAddr,
    pub port: u16,
    pub forward: Forward,
    /// ipvsadm accepts 0..=65535; the kernel keeps an int.
    pub weight: u32,
    /// Upper connection threshold (0 = none).
    pub u_threshold: u32,
    /// Lower connection threshold (0 = none).
    pub l_threshold: u32,
    pub tun_type: TunnelType,
    /// GUE destination port (0 when unused).
    pub tun_port: u16,
    /// `tun_flags` bits.
    pub tun_flags: u16,
}

impl DestConfig {
    /// A real server with ipvsadm's defaults: direct routing, weight 1, no thresholds.
    pub fn new(addr: IpAddr, port: u16) -> DestConfig {
        DestConfig {
            addr,
            port,
            forward: Forward::Route,
            weight: 1,
            u_threshold: 0,
            l_threshold: 0,
            tun_type: TunnelType::Ipip,
            tun_port: 0,
            tun_flags: tun_flags::NOCSUM,
        }
    }

    pub fn family(&self) -> Family {
        Family::of(&self.addr)
    }
}

/// A real server as read from the kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dest {
    pub config: DestConfig,
    pub active_conns: u32,
    pub inact_conns: u32,
    pub persist_conns: u32,
    pub stats: Stats,
}

/// One service with its real servers, in kernel order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceEntry {
    pub service: Service,
    pub dests: Vec<Dest>,
}

/// `IPVS_CMD_GET_INFO`: the IPVS version and connection hash table size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Info {
    /// Encoded as `(major << 16) | (minor << 8) | patch`.
    pub version: u32,
    pub conn_tab_size: u32,
}

impl Info {
    /// "1.2.1", as ipvsadm prints it.
    pub fn version_string(&self) -> String {
        format!(
            "{}.{}.{}",
            (self.version >> 16) & 0xff,
            (self.version >> 8) & 0xff,
            self.version & 0xff
        )
    }
}

/// Connection timeouts in seconds; in a change, 0 means "leave unchanged".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Timeouts {
    pub tcp: u32,
    pub tcp_fin: u32,
    pub udp: u32,
}

/// Role of a connection-sync daemon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DaemonState {
    Master,
    Backup,
}

impl DaemonState {
    pub fn kernel_value(self) -> u32 {
        match self {
            DaemonState::Master => 1,
            DaemonState::Backup => 2,
        }
    }

    pub fn from_kernel(v: u32) -> Option<DaemonState> {
        match v {
            1 => Some(DaemonState::Master),
            2 => Some(DaemonState::Backup),
            _ => None,
        }
    }
}

/// A connection-sync daemon, as started with `--start-daemon` or listed with `--daemon`.
/// `None` fields were not given (start) or not reported (list): the kernel's defaults apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Daemon {
    pub state: DaemonState,
    pub mcast_ifn: String,
    pub syncid: u32,
    pub sync_maxlen: Option<u16>,
    pub mcast_group: Option<IpAddr>,
    pub mcast_port: Option<u16>,
    pub mcast_ttl: Option<u8>,
}

/// One entry of the kernel's connection table (/proc/net/ip_vs_conn).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Connection {
    /// As the kernel prints it: `TCP`, `UDP`, `SCTP` (or `IP` for others).
    pub protocol: String,
    pub client_addr: IpAddr,
    pub client_port: u16,
    pub virtual_addr: IpAddr,
    pub virtual_port: u16,
    pub dest_addr: IpAddr,
    pub dest_port: u16,
    /// Protocol state as the kernel prints it (`ESTABLISHED`, `TIME_WAIT`, `NONE`, ...).
    pub state: String,
    /// Seconds until the entry expires.
    pub expires: u32,
    /// Persistence engine name and data, on kernels that print those columns and set them.
    pub pe_name: Option<String>,
    pub pe_data: Option<String>,
}
