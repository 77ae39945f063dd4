//! Why an ipvsadm command line was refused.
//!
//! `Display` is ipvsadm 1.31's own message, so `lvsdeck adm` prints it unchanged to
//! stderr (followed by a newline) and exits with [`RuleError::exit_code`]. Every variant
//! carries the option or value it is about.

use thiserror::Error;

/// A refused command line. Option names are ipvsadm's (`"weight"`, `"service-address"`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RuleError {
    /// The first option is not a command (or no option at all).
    #[error("Try `ipvsadm -h' or 'ipvsadm --help' for more information.")]
    TryHelp,
    /// popt: an option nobody knows.
    #[error("{token}: unknown option")]
    UnknownOption { token: String },
    /// popt: an option that needs a value came last.
    #[error("{token}: missing argument")]
    MissingArgument { token: String },
    /// popt: `--flag=value` for an option without a value.
    #[error("{token}: option does not take an argument")]
    UnwantedArgument { token: String },
    /// A known option in the wrong place (a second command, `-h` after a command).
    #[error("invalid option `{token}'")]
    MisplacedOption { token: String },
    #[error("multiple '{option}' options specified")]
    RepeatedOption { option: &'static str },
    #[error("unexpected argument {value}")]
    UnexpectedArgument { value: String },
    #[error("illegal start-daemon parameter specified")]
    StartDaemonState { value: String },
    /// ipvsadm's wording, underscore included.
    #[error("illegal start_daemon specified")]
    StopDaemonState { value: String },
    #[error("illegal virtual server address[:port] specified")]
    ServiceAddress { value: String },
    #[error("invalid fwmark value `{value}' specified")]
    Fwmark { value: String },
    #[error("illegal virtual server persistent mask specified")]
    Netmask { value: String },
    #[error("illegal ipv6 netmask specified")]
    Ipv6Netmask { value: String },
    #[error("illegal real server address[:port] specified")]
    ServerAddress { value: String },
    #[error("illegal weight specified")]
    Weight { value: String },
    #[error("illegal u_threshold specified")]
    UpperThreshold { value: String },
    #[error("illegal l_threshold specified")]
    LowerThreshold { value: String },
    #[error("illegal syncid specified")]
    SyncId { value: String },
    /// ipvsadm prints an extra blank line here; the message keeps it for byte equality.
    #[error("-6 used before -f\n")]
    Ipv6BeforeFwmark,
    #[error("invalid IPv6 mcast-group `{value}'")]
    McastGroup6 { value: String },
    #[error("invalid IPv4 mcast-group `{value}'")]
    McastGroup4 { value: String },
    #[error("illegal mcast-port specified")]
    McastPort { value: String },
    #[error("illegal mcast-ttl specified")]
    McastTtl { value: String },
    #[error("illegal sync-maxlen specified")]
    SyncMaxlen { value: String },
    #[error("illegal tunnel type specified")]
    TunnelType { value: String },
    #[error("illegal tunnel port specified")]
    TunnelPort { value: String },
    #[error("--set option requires 3 timeout values")]
    SetNeedsThree,
    /// `-p` or `--set` value out of range.
    #[error("invalid timeout value `{value}' specified")]
    Timeout { value: String },
    #[error("incompatible scheduler flag `{flag}'")]
    SchedFlagScheduler { flag: String, scheduler: String },
    #[error("invalid scheduler flag `{flag}'")]
    SchedFlag { flag: String },
    #[error("You need to supply the '{option}' option for the '{command}' command")]
    MissingOption {
        option: &'static str,
        command: &'static str,
    },
    #[error("Illegal '{option}' option with the '{command}' command")]
    IllegalOption {
        option: &'static str,
        command: &'static str,
    },
    #[error(
        "The option '{option}' conflicts with the '{other}' option in the '{command}' command"
    )]
    ConflictingOptions {
        option: &'static str,
        other: &'static str,
        command: &'static str,
    },
    #[error("You need to supply the '{option}' option for the '{tunnel}' tunnel type")]
    MissingTunnelOption {
        option: &'static str,
        tunnel: &'static str,
    },
    #[error("Illegal '{option}' option with the '{tunnel}' tunnel type")]
    IllegalTunnelOption {
        option: &'static str,
        tunnel: &'static str,
    },
    #[error(
        "The option '{option}' conflicts with the '{other}' option in the '{tunnel}' tunnel type"
    )]
    ConflictingTunnelOptions {
        option: &'static str,
        other: &'static str,
        tunnel: &'static str,
    },
    #[error("Zero port specified for non-persistent service")]
    ZeroPort,
    #[error("One-Packet Scheduling is only for UDP virtual services")]
    OnePacket,
    #[error("Different address family is allowed only for tunneling servers")]
    MixedFamily,
    #[error("Tunnel options conflict with forward method")]
    TunnelOptionsWithoutTunnel,
    #[error("options conflicts in the list command")]
    ListConflict,
}

impl RuleError {
    /// ipvsadm's exit status: 255 for popt's errors and the "Try" hint, 2 for the rest.
    pub fn exit_code(&self) -> i32 {
        match self {
            RuleError::TryHelp
            | RuleError::UnknownOption { .. }
            | RuleError::MissingArgument { .. }
            | RuleError::UnwantedArgument { .. } => 255,
            _ => 2,
        }
    }

    /// The message with `program` (ipvsadm's `argv[0]`) where ipvsadm names itself.
    pub fn message_for(&self, program: &str) -> String {
        match self {
            RuleError::TryHelp => {
                format!("Try `{program} -h' or '{program} --help' for more information.")
            }
            other => other.to_string(),
        }
    }
}
