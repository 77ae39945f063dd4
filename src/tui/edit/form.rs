//! The add/edit forms for a service and a real server. The form is turned into the ipvsadm
//! argument vector an operator would type and read by `rules::parse`, so what it accepts and
//! the messages it shows are exactly ipvsadm's; each message goes under the field it is about.

use std::net::{IpAddr, Ipv4Addr};

use tui_textarea::TextArea;

use crate::ipvs::{
    tun_flags, DestConfig, Family, Forward, Op, Protocol, ServiceConfig, ServiceKey, TunnelType,
};
use crate::rules::{
    format_sched_flags, ip_text, join_host_port, parse, service_selector, Command, NoResolver,
    Numeric, RuleError,
};

/// What the form makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    AddService,
    EditService(ServiceKey),
    AddDest(ServiceKey),
    EditDest(ServiceKey),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldId {
    Protocol,
    Address,
    Ipv6,
    Scheduler,
    Persistence,
    Netmask,
    Pe,
    OnePacket,
    SchedFlags,
    Server,
    Forward,
    Weight,
    Upper,
    Lower,
    TunType,
    TunPort,
    TunCsum,
}

impl FieldId {
    pub fn label(self) -> &'static str {
        match self {
            FieldId::Protocol => "Protocol",
            FieldId::Address => "Address",
            FieldId::Ipv6 => "IPv6 fwmark",
            FieldId::Scheduler => "Scheduler",
            FieldId::Persistence => "Persistence (s)",
            FieldId::Netmask => "Netmask",
            FieldId::Pe => "Persist. engine",
            FieldId::OnePacket => "One-packet",
            FieldId::SchedFlags => "Sched flags",
            FieldId::Server => "Server",
            FieldId::Forward => "Forward",
            FieldId::Weight => "Weight",
            FieldId::Upper => "Upper threshold",
            FieldId::Lower => "Lower threshold",
            FieldId::TunType => "Tunnel type",
            FieldId::TunPort => "Tunnel port",
            FieldId::TunCsum => "Tunnel csum",
        }
    }

    /// What to type, shown next to an empty field.
    pub fn hint(self) -> &'static str {
        match self {
            FieldId::Address => "198.51.100.10:80, [2001:db8::1]:80, or a mark",
            FieldId::Scheduler => "wlc rr wrr lc lblc lblcr dh sh sed nq fo ovf mh twos",
            FieldId::Persistence => "empty: not persistent",
            FieldId::Netmask => "255.255.255.0 or an IPv6 prefix",
            FieldId::Pe => "sip",
            FieldId::SchedFlags => "sh-fallback,sh-port / mh-fallback,mh-port",
            FieldId::Server => "192.0.2.5[:port]",
            FieldId::Weight => "0..65535",
            FieldId::Upper | FieldId::Lower => "connections, 0: none",
            FieldId::TunPort => "GUE port",
            _ => "",
        }
    }
}

/// A field's value: typed text, or one of fixed choices (Left/Right/Space cycle).
#[derive(Debug, Clone)]
pub enum Input {
    Text(Box<TextArea<'static>>),
    Choice {
        options: &'static [(&'static str, &'static str)],
        index: usize,
    },
}

impl Input {
    fn text(value: &str) -> Input {
        let mut t = TextArea::new(vec![value.to_string()]);
        t.move_cursor(tui_textarea::CursorMove::End);
        Input::Text(Box::new(t))
    }

    fn choice(options: &'static [(&'static str, &'static str)], value: &str) -> Input {
        let index = options.iter().position(|(_, v)| *v == value).unwrap_or(0);
        Input::Choice { options, index }
    }

    /// The text typed, or the chosen option's argument.
    pub fn value(&self) -> String {
        match self {
            Input::Text(t) => t.lines().concat(),
            Input::Choice { options, index } => options[*index].1.to_string(),
        }
    }

    /// What the screen shows.
    pub fn shown(&self) -> String {
        match self {
            Input::Text(t) => t.lines().concat(),
            Input::Choice { options, index } => format!("< {} >", options[*index].0),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Field {
    pub id: FieldId,
    pub input: Input,
    /// Part of the key when editing: shown, not editable.
    pub locked: bool,
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Form {
    pub kind: FormKind,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// A message that concerns no single field.
    pub error: Option<String>,
}

const PROTOCOLS: &[(&str, &str)] = &[
    ("tcp", "-t"),
    ("udp", "-u"),
    ("sctp", "--sctp-service"),
    ("fwmark", "-f"),
];
const YES_NO: &[(&str, &str)] = &[("no", ""), ("yes", "yes")];
const FORWARDS: &[(&str, &str)] = &[
    ("route (-g)", "-g"),
    ("masq (-m)", "-m"),
    ("tunnel (-i)", "-i"),
];
const TUN_TYPES: &[(&str, &str)] = &[
    ("(none)", ""),
    ("ipip", "ipip"),
    ("gue", "gue"),
    ("gre", "gre"),
];
const CSUMS: &[(&str, &str)] = &[
    ("(default)", ""),
    ("nocsum", "--tun-nocsum"),
    ("csum", "--tun-csum"),
    ("remcsum", "--tun-remcsum"),
];

impl Form {
    /// An empty add-service form with ipvsadm's defaults.
    pub fn add_service() -> Form {
        let cfg = ServiceConfig::new(ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            port: 0,
        });
        let mut f = Form::service(FormKind::AddService, &cfg);
        f.set(FieldId::Address, "");
        f
    }

    /// The edit form of an existing service; protocol and address are its key.
    pub fn edit_service(cfg: &ServiceConfig) -> Form {
        Form::service(FormKind::EditService(cfg.key), cfg)
    }

    /// An add-server form for `key`, with ipvsadm's defaults (direct routing, weight 1).
    pub fn add_dest(key: ServiceKey) -> Form {
        let mut f = Form::dest(
            FormKind::AddDest(key),
            &DestConfig::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0),
        );
        f.set(FieldId::Server, "");
        f
    }

    pub fn edit_dest(key: ServiceKey, d: &DestConfig) -> Form {
        Form::dest(FormKind::EditDest(key), d)
    }

    fn service(kind: FormKind, cfg: &ServiceConfig) -> Form {
        let locked = matches!(kind, FormKind::EditService(_));
        let (proto, addr, v6) = match cfg.key {
            ServiceKey::Addr {
                protocol,
                addr,
                port,
            } => {
                let p = match protocol {
                    Protocol::Tcp => "-t",
                    Protocol::Udp => "-u",
                    Protocol::Sctp => "--sctp-service",
                };
                (
                    p,
                    join_host_port(&addr, &ip_text(&addr), &port.to_string()),
                    "",
                )
            }
            ServiceKey::Fwmark { mark, family } => (
                "-f",
                mark.to_string(),
                if family == Family::Inet6 { "yes" } else { "" },
            ),
        };
        let persistence = if cfg.persistent() {
            cfg.timeout.to_string()
        } else {
            String::new()
        };
        let netmask = match cfg.key.family() {
            Family::Inet if cfg.netmask != 0xffff_ffff => Ipv4Addr::from(cfg.netmask).to_string(),
            Family::Inet6 if cfg.netmask != 128 => cfg.netmask.to_string(),
            _ => String::new(),
        };
        let one = if cfg.one_packet() { "yes" } else { "" };
        let flags = format_sched_flags(&cfg.scheduler, cfg.flags);
        let fields = vec![
            field(FieldId::Protocol, Input::choice(PROTOCOLS, proto), locked),
            field(FieldId::Address, Input::text(&addr), locked),
            field(FieldId::Ipv6, Input::choice(YES_NO, v6), locked),
            field(FieldId::Scheduler, Input::text(&cfg.scheduler), false),
            field(FieldId::Persistence, Input::text(&persistence), false),
            field(FieldId::Netmask, Input::text(&netmask), false),
            field(
                FieldId::Pe,
                Input::text(cfg.pe_name.as_deref().unwrap_or("")),
                false,
            ),
            field(FieldId::OnePacket, Input::choice(YES_NO, one), false),
            field(FieldId::SchedFlags, Input::text(&flags), false),
        ];
        Form::with(kind, fields)
    }

    fn dest(kind: FormKind, d: &DestConfig) -> Form {
        let locked = matches!(kind, FormKind::EditDest(_));
        let fwd = match d.forward {
            Forward::Masq => "-m",
            Forward::Tunnel => "-i",
            Forward::Local | Forward::Route => "-g",
        };
        let tunnel = d.forward == Forward::Tunnel;
        let tun_type = match (tunnel, d.tun_type) {
            (false, _) => "",
            (true, TunnelType::Ipip) => "ipip",
            (true, TunnelType::Gue) => "gue",
            (true, TunnelType::Gre) => "gre",
        };
        let csum = match (tunnel && d.tun_type != TunnelType::Ipip, d.tun_flags) {
            (false, _) => "",
            (true, tun_flags::CSUM) => "--tun-csum",
            (true, tun_flags::REMCSUM) => "--tun-remcsum",
            (true, _) => "--tun-nocsum",
        };
        let num = |n: u32| if n == 0 { String::new() } else { n.to_string() };
        let port = if tunnel && d.tun_type == TunnelType::Gue {
            d.tun_port.to_string()
        } else {
            String::new()
        };
        let server = join_host_port(&d.addr, &ip_text(&d.addr), &d.port.to_string());
        let fields = vec![
            field(FieldId::Server, Input::text(&server), locked),
            field(FieldId::Forward, Input::choice(FORWARDS, fwd), false),
            field(FieldId::Weight, Input::text(&d.weight.to_string()), false),
            field(FieldId::Upper, Input::text(&num(d.u_threshold)), false),
            field(FieldId::Lower, Input::text(&num(d.l_threshold)), false),
            field(FieldId::TunType, Input::choice(TUN_TYPES, tun_type), false),
            field(FieldId::TunPort, Input::text(&port), false),
            field(FieldId::TunCsum, Input::choice(CSUMS, csum), false),
        ];
        Form::with(kind, fields)
    }

    fn with(kind: FormKind, fields: Vec<Field>) -> Form {
        let focus = fields.iter().position(|f| !f.locked).unwrap_or(0);
        Form {
            kind,
            fields,
            focus,
            error: None,
        }
    }

    /// The dialog's title.
    pub fn title(&self) -> String {
        let svc = |k: &ServiceKey| crate::tui::table::columns::service_label(k);
        match &self.kind {
            FormKind::AddService => "Add a virtual service".to_string(),
            FormKind::EditService(k) => format!("Edit {}", svc(k)),
            FormKind::AddDest(k) => format!("Add a real server to {}", svc(k)),
            FormKind::EditDest(k) => format!("Edit a real server of {}", svc(k)),
        }
    }

    pub fn get(&self, id: FieldId) -> String {
        self.fields
            .iter()
            .find(|f| f.id == id)
            .map_or(String::new(), |f| f.input.value())
    }

    /// Replaces a text field's content (tests and prefill).
    pub fn set(&mut self, id: FieldId, value: &str) {
        if let Some(f) = self.fields.iter_mut().find(|f| f.id == id) {
            if let Input::Text(_) = f.input {
                f.input = Input::text(value);
            }
        }
    }

    /// Moves the focus to the next (or previous) editable field, wrapping.
    pub fn step(&mut self, forward: bool) {
        let n = self.fields.len();
        for i in 1..=n {
            let j = if forward {
                (self.focus + i) % n
            } else {
                (self.focus + n - i) % n
            };
            if !self.fields[j].locked {
                self.focus = j;
                return;
            }
        }
    }

    /// The argument vector an operator would type for this form.
    pub fn args(&self) -> Vec<String> {
        let mut a: Vec<String> = Vec::new();
        let opt = |a: &mut Vec<String>, flag: &str, v: String| {
            if !v.is_empty() {
                a.push(flag.to_string());
                a.push(v);
            }
        };
        match &self.kind {
            FormKind::AddService | FormKind::EditService(_) => {
                let cmd = if self.kind == FormKind::AddService {
                    "-A"
                } else {
                    "-E"
                };
                a.push(cmd.into());
                a.push(self.get(FieldId::Protocol));
                a.push(self.get(FieldId::Address));
                if !self.get(FieldId::Ipv6).is_empty() {
                    a.push("-6".into());
                }
                opt(&mut a, "-s", self.get(FieldId::Scheduler));
                opt(&mut a, "-p", self.get(FieldId::Persistence));
                opt(&mut a, "-M", self.get(FieldId::Netmask));
                opt(&mut a, "--pe", self.get(FieldId::Pe));
                if !self.get(FieldId::OnePacket).is_empty() {
                    a.push("-o".into());
                }
                opt(&mut a, "-b", self.get(FieldId::SchedFlags));
            }
            FormKind::AddDest(key) | FormKind::EditDest(key) => {
                let cmd = if matches!(self.kind, FormKind::AddDest(_)) {
                    "-a"
                } else {
                    "-e"
                };
                a.push(cmd.into());
                a.extend(
                    service_selector(key, &Numeric)
                        .split_whitespace()
                        .map(String::from),
                );
                a.push("-r".into());
                a.push(self.get(FieldId::Server));
                a.push(self.get(FieldId::Forward));
                opt(&mut a, "-w", self.get(FieldId::Weight));
                opt(&mut a, "-x", self.get(FieldId::Upper));
                opt(&mut a, "-y", self.get(FieldId::Lower));
                opt(&mut a, "--tun-type", self.get(FieldId::TunType));
                opt(&mut a, "--tun-port", self.get(FieldId::TunPort));
                let csum = self.get(FieldId::TunCsum);
                if !csum.is_empty() {
                    a.push(csum);
                }
            }
        }
        a
    }

    /// Validates with ipvsadm's parser (names are not resolved: update never blocks). On
    /// error the message is put under its field (or the form) and `None` returned.
    pub fn validate(&mut self) -> Option<Op> {
        for f in &mut self.fields {
            f.error = None;
        }
        self.error = None;
        let args = self.args();
        match parse(&args, &NoResolver) {
            Ok(Command::Change(op)) => Some(op),
            Ok(other) => {
                self.error = Some(format!("not a change: {other:?}"));
                None
            }
            Err(e) => {
                let target = self.field_of(&e);
                match target.and_then(|id| self.fields.iter_mut().find(|f| f.id == id)) {
                    Some(f) => {
                        f.error = Some(format!("{}: {}", f.id.label(), e.message_for("ipvsadm")));
                        if let Some(i) = self.fields.iter().position(|g| g.error.is_some()) {
                            if !self.fields[i].locked {
                                self.focus = i;
                            }
                        }
                    }
                    None => self.error = Some(e.message_for("ipvsadm")),
                }
                None
            }
        }
    }

    /// The field a refusal is about.
    fn field_of(&self, e: &RuleError) -> Option<FieldId> {
        use RuleError as E;
        let by_value = |v: &str| {
            self.fields
                .iter()
                .find(|f| !v.is_empty() && f.input.value() == v)
                .map(|f| f.id)
        };
        Some(match e {
            E::ServiceAddress { .. } | E::Fwmark { .. } | E::ZeroPort => FieldId::Address,
            E::Netmask { .. } | E::Ipv6Netmask { .. } => FieldId::Netmask,
            E::Timeout { .. } => FieldId::Persistence,
            E::SchedFlag { .. } | E::SchedFlagScheduler { .. } => FieldId::SchedFlags,
            E::OnePacket => FieldId::OnePacket,
            E::Ipv6BeforeFwmark => FieldId::Ipv6,
            E::ServerAddress { .. } | E::MixedFamily => FieldId::Server,
            E::Weight { .. } => FieldId::Weight,
            E::UpperThreshold { .. } => FieldId::Upper,
            E::LowerThreshold { .. } => FieldId::Lower,
            E::TunnelType { .. } => FieldId::TunType,
            E::TunnelPort { .. } => FieldId::TunPort,
            E::TunnelOptionsWithoutTunnel => FieldId::Forward,
            E::MissingTunnelOption { option, .. }
            | E::IllegalTunnelOption { option, .. }
            | E::ConflictingTunnelOptions { option, .. } => match *option {
                "tun-port" => FieldId::TunPort,
                "tun-type" => FieldId::TunType,
                _ => FieldId::TunCsum,
            },
            E::IllegalOption { option, .. } | E::MissingOption { option, .. } => {
                option_field(option)?
            }
            E::UnexpectedArgument { value } => by_value(value)?,
            E::UnknownOption { token }
            | E::MissingArgument { token }
            | E::MisplacedOption { token } => by_value(token)?,
            _ => return None,
        })
    }

    /// Whether the op this form makes is the kind it promises (a form never deletes).
    pub fn op_fits(&self, op: &Op) -> bool {
        matches!(
            (&self.kind, op),
            (FormKind::AddService, Op::AddService(_))
                | (FormKind::EditService(_), Op::EditService(_))
                | (FormKind::AddDest(_), Op::AddDest(..))
                | (FormKind::EditDest(_), Op::EditDest(..))
        )
    }
}

/// ipvsadm's option names (as in its messages) to the form's fields.
fn option_field(option: &str) -> Option<FieldId> {
    Some(match option {
        "scheduler" => FieldId::Scheduler,
        "persistent" => FieldId::Persistence,
        "netmask" => FieldId::Netmask,
        "pe" => FieldId::Pe,
        "ops" => FieldId::OnePacket,
        "sched-flags" => FieldId::SchedFlags,
        "real-server" => FieldId::Server,
        "weight" => FieldId::Weight,
        "u-threshold" => FieldId::Upper,
        "l-threshold" => FieldId::Lower,
        "service-address" => FieldId::Address,
        "tun-type" => FieldId::TunType,
        "tun-port" => FieldId::TunPort,
        "forwarding-method" => FieldId::Forward,
        _ => return None,
    })
}

fn field(id: FieldId, input: Input, locked: bool) -> Field {
    Field {
        id,
        input,
        locked,
        error: None,
    }
}
