//! ipvsadm's option vocabulary: every spelling popt accepts, and the option "bits" its
//! command-compatibility table is indexed by.

/// Whether an option takes a value, as popt sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    None,
    Required,
    /// `-p [timeout]`: popt takes the next word unless it starts with `-`.
    Optional,
}

/// The commands, in ipvsadm's order (it indexes the compatibility table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmd {
    Add,
    Edit,
    Del,
    Flush,
    List,
    AddDest,
    DelDest,
    EditDest,
    SetTimeouts,
    StartDaemon,
    StopDaemon,
    Restore,
    Save,
    Zero,
}

impl Cmd {
    /// The name ipvsadm uses for the command in its messages.
    pub fn name(self) -> &'static str {
        match self {
            Cmd::Add => "add-service",
            Cmd::Edit => "edit-service",
            Cmd::Del => "delete-service",
            Cmd::Flush => "flush",
            Cmd::List => "list",
            Cmd::AddDest => "add-server",
            Cmd::DelDest => "delete-server",
            Cmd::EditDest => "edit-server",
            Cmd::SetTimeouts => "set",
            Cmd::StartDaemon => "start-daemon",
            Cmd::StopDaemon => "stop-daemon",
            Cmd::Restore => "restore",
            Cmd::Save => "save",
            Cmd::Zero => "zero",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// One bit of the set of options given; the order is ipvsadm's (its table's columns),
/// with lvsdeck's `--save-thresholds` appended last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bit {
    Numeric,
    Connection,
    Service,
    Scheduler,
    Persistent,
    Netmask,
    Server,
    Forward,
    Weight,
    UThreshold,
    LThreshold,
    McastInterface,
    Timeout,
    Daemon,
    Stats,
    Rate,
    Thresholds,
    PersistentConn,
    NoSort,
    SyncId,
    Exact,
    Ops,
    Pe,
    SchedFlags,
    McastGroup,
    McastPort,
    McastTtl,
    SyncMaxlen,
    TunInfo,
    TunType,
    TunPort,
    TunNocsum,
    TunCsum,
    TunRemcsum,
    SaveThresholds,
}

/// Every bit, in table order.
pub const ALL_BITS: [Bit; 35] = [
    Bit::Numeric,
    Bit::Connection,
    Bit::Service,
    Bit::Scheduler,
    Bit::Persistent,
    Bit::Netmask,
    Bit::Server,
    Bit::Forward,
    Bit::Weight,
    Bit::UThreshold,
    Bit::LThreshold,
    Bit::McastInterface,
    Bit::Timeout,
    Bit::Daemon,
    Bit::Stats,
    Bit::Rate,
    Bit::Thresholds,
    Bit::PersistentConn,
    Bit::NoSort,
    Bit::SyncId,
    Bit::Exact,
    Bit::Ops,
    Bit::Pe,
    Bit::SchedFlags,
    Bit::McastGroup,
    Bit::McastPort,
    Bit::McastTtl,
    Bit::SyncMaxlen,
    Bit::TunInfo,
    Bit::TunType,
    Bit::TunPort,
    Bit::TunNocsum,
    Bit::TunCsum,
    Bit::TunRemcsum,
    Bit::SaveThresholds,
];

impl Bit {
    /// The name ipvsadm prints for the option in its messages.
    pub fn name(self) -> &'static str {
        match self {
            Bit::Numeric => "numeric",
            Bit::Connection => "connection",
            Bit::Service => "service-address",
            Bit::Scheduler => "scheduler",
            Bit::Persistent => "persistent",
            Bit::Netmask => "netmask",
            Bit::Server => "real-server",
            Bit::Forward => "forwarding-method",
            Bit::Weight => "weight",
            Bit::UThreshold => "u-threshold",
            Bit::LThreshold => "l-threshold",
            Bit::McastInterface => "mcast-interface",
            Bit::Timeout => "timeout",
            Bit::Daemon => "daemon",
            Bit::Stats => "stats",
            Bit::Rate => "rate",
            Bit::Thresholds => "thresholds",
            Bit::PersistentConn => "persistent-conn",
            Bit::NoSort => "nosort",
            Bit::SyncId => "syncid",
            Bit::Exact => "exact",
            Bit::Ops => "ops",
            Bit::Pe => "pe",
            Bit::SchedFlags => "sched-flags",
            Bit::McastGroup => "mcast-group",
            Bit::McastPort => "mcast-port",
            Bit::McastTtl => "mcast-ttl",
            Bit::SyncMaxlen => "sync-maxlen",
            Bit::TunInfo => "tun-info",
            Bit::TunType => "tun-type",
            Bit::TunPort => "tun-port",
            Bit::TunNocsum => "tun-nocsum",
            Bit::TunCsum => "tun-csum",
            Bit::TunRemcsum => "tun-remcsum",
            Bit::SaveThresholds => "save-thresholds",
        }
    }

    pub fn mask(self) -> u64 {
        1u64 << (self as u32)
    }
}

/// What an option asks the parser to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opt {
    Command(Cmd),
    Help,
    Version,
    Tcp,
    Udp,
    Sctp,
    Fwmark,
    Scheduler,
    Persistent,
    Netmask,
    RealServer,
    Masquerading,
    Ipip,
    Gatewaying,
    Weight,
    UThreshold,
    LThreshold,
    Numeric,
    Connection,
    McastInterface,
    SyncId,
    Timeout,
    Daemon,
    Stats,
    Rate,
    Thresholds,
    PersistentConn,
    NoSort,
    /// `--sort`: the default, accepted and ignored.
    Sort,
    Exact,
    Ipv6,
    Ops,
    Pe,
    SchedFlags,
    McastGroup,
    McastPort,
    McastTtl,
    SyncMaxlen,
    TunInfo,
    TunType,
    TunPort,
    TunNocsum,
    TunCsum,
    TunRemcsum,
    SaveThresholds,
}

/// One row of the option table: `--long`, `-s`, arity.
pub struct OptSpec {
    pub long: &'static str,
    pub short: Option<u8>,
    pub arity: Arity,
    pub opt: Opt,
}

const fn spec(long: &'static str, short: Option<u8>, arity: Arity, opt: Opt) -> OptSpec {
    OptSpec {
        long,
        short,
        arity,
        opt,
    }
}

use Arity::{None as N, Optional as O, Required as R};

/// ipvsadm 1.31's options (plus `--save-thresholds`). `--list` is listed once with `-L`;
/// `-l` is its second short form.
pub const OPTIONS: &[OptSpec] = &[
    spec("add-service", Some(b'A'), N, Opt::Command(Cmd::Add)),
    spec("edit-service", Some(b'E'), N, Opt::Command(Cmd::Edit)),
    spec("delete-service", Some(b'D'), N, Opt::Command(Cmd::Del)),
    spec("clear", Some(b'C'), N, Opt::Command(Cmd::Flush)),
    spec("list", Some(b'L'), N, Opt::Command(Cmd::List)),
    spec("list", Some(b'l'), N, Opt::Command(Cmd::List)),
    spec("zero", Some(b'Z'), N, Opt::Command(Cmd::Zero)),
    spec("add-server", Some(b'a'), N, Opt::Command(Cmd::AddDest)),
    spec("edit-server", Some(b'e'), N, Opt::Command(Cmd::EditDest)),
    spec("delete-server", Some(b'd'), N, Opt::Command(Cmd::DelDest)),
    spec("set", None, N, Opt::Command(Cmd::SetTimeouts)),
    spec("help", Some(b'h'), N, Opt::Help),
    spec("version", Some(b'v'), N, Opt::Version),
    spec("restore", Some(b'R'), N, Opt::Command(Cmd::Restore)),
    spec("save", Some(b'S'), N, Opt::Command(Cmd::Save)),
    spec("start-daemon", None, R, Opt::Command(Cmd::StartDaemon)),
    spec("stop-daemon", None, R, Opt::Command(Cmd::StopDaemon)),
    spec("tcp-service", Some(b't'), R, Opt::Tcp),
    spec("udp-service", Some(b'u'), R, Opt::Udp),
    spec("sctp-service", None, R, Opt::Sctp),
    spec("fwmark-service", Some(b'f'), R, Opt::Fwmark),
    spec("scheduler", Some(b's'), R, Opt::Scheduler),
    spec("persistent", Some(b'p'), O, Opt::Persistent),
    spec("netmask", Some(b'M'), R, Opt::Netmask),
    spec("real-server", Some(b'r'), R, Opt::RealServer),
    spec("masquerading", Some(b'm'), N, Opt::Masquerading),
    spec("ipip", Some(b'i'), N, Opt::Ipip),
    spec("gatewaying", Some(b'g'), N, Opt::Gatewaying),
    spec("weight", Some(b'w'), R, Opt::Weight),
    spec("u-threshold", Some(b'x'), R, Opt::UThreshold),
    spec("l-threshold", Some(b'y'), R, Opt::LThreshold),
    spec("numeric", Some(b'n'), N, Opt::Numeric),
    spec("connection", Some(b'c'), N, Opt::Connection),
    spec("mcast-interface", None, R, Opt::McastInterface),
    spec("syncid", None, R, Opt::SyncId),
    spec("timeout", None, N, Opt::Timeout),
    spec("daemon", None, N, Opt::Daemon),
    spec("stats", None, N, Opt::Stats),
    spec("rate", None, N, Opt::Rate),
    spec("thresholds", None, N, Opt::Thresholds),
    spec("persistent-conn", None, N, Opt::PersistentConn),
    spec("nosort", None, N, Opt::NoSort),
    spec("sort", None, N, Opt::Sort),
    spec("exact", Some(b'X'), N, Opt::Exact),
    spec("ipv6", Some(b'6'), N, Opt::Ipv6),
    spec("ops", Some(b'o'), N, Opt::Ops),
    spec("pe", None, R, Opt::Pe),
    spec("sched-flags", Some(b'b'), R, Opt::SchedFlags),
    spec("mcast-group", None, R, Opt::McastGroup),
    spec("mcast-port", None, R, Opt::McastPort),
    spec("mcast-ttl", None, R, Opt::McastTtl),
    spec("sync-maxlen", None, R, Opt::SyncMaxlen),
    spec("tun-info", None, N, Opt::TunInfo),
    spec("tun-type", None, R, Opt::TunType),
    spec("tun-port", None, R, Opt::TunPort),
    spec("tun-nocsum", None, N, Opt::TunNocsum),
    spec("tun-csum", None, N, Opt::TunCsum),
    spec("tun-remcsum", None, N, Opt::TunRemcsum),
    spec("save-thresholds", None, N, Opt::SaveThresholds),
];

pub fn by_long(name: &str) -> Option<&'static OptSpec> {
    OPTIONS.iter().find(|o| o.long == name)
}

pub fn by_short(c: u8) -> Option<&'static OptSpec> {
    OPTIONS.iter().find(|o| o.short == Some(c))
}
