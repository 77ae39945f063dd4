//! Pictures → metric families (pure): what the kernel table, the director and the clocks
//! said, turned into Prometheus/OpenMetrics families with `prometheus-client`'s encoder.
//! No I/O: [`crate::metrics::edge`] reads the sources and serves the text.
//!
//! Every source carries its staleness: `lvsdeck_scrape_up{source}` (0: the read failed,
//! its families are absent rather than stale), `lvsdeck_scrape_age_seconds{source}` (how old
//! the data is when encoded), `lvsdeck_scrape_duration_seconds{source}` (how long the read
//! took) and `lvsdeck_scrape_timestamp_seconds{source}` (Unix time of the read).

use std::fmt::Write;
use std::sync::Arc;
use std::time::Duration;

use prometheus_client::encoding::{EncodeMetric, MetricEncoder, NoLabelSet};
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::{Registry, Unit};

use crate::clock::Instant;
use crate::engine::control::protocol::{ServerReport, StatusReply};
use crate::engine::director::InstancePicture;
use crate::engine::health::latency::LatencyBook;
use crate::ipvs::model::{Daemon, Dest, ServiceEntry, ServiceKey, Stats};
use crate::vrrp::{Reason, State};

/// One source's read: what it gave (or why it failed), when and how long it took.
#[derive(Debug, Clone)]
pub struct Read<T> {
    pub value: Result<T, String>,
    /// Unix seconds when the read finished.
    pub at_unix: f64,
    pub took: Duration,
}

/// The director's side, as the daemon loop answered a scrape.
#[derive(Debug, Clone)]
pub struct DirectorRead {
    pub status: StatusReply,
    /// The instances' clock when the picture was taken.
    pub now: Option<Instant>,
    pub vrrp: Vec<InstancePicture>,
    pub latency: LatencyBook,
}

/// What one scrape saw. A source that this process does not have is `None` (a console
/// without a daemon has no director); one that it has but could not read is an `Err`.
#[derive(Debug, Clone, Default)]
pub struct Picture {
    /// Unix seconds when the families are encoded (ages count to it).
    pub now_unix: f64,
    /// The kernel's virtual services with their real servers and counters.
    pub ipvs: Option<Read<Vec<ServiceEntry>>>,
    /// The kernel's sync daemons (the console's source; a daemon's come with `director`).
    pub sync_daemons: Option<Read<Vec<Daemon>>>,
    pub director: Option<Read<DirectorRead>>,
}

/// Label names and values of one series (values escaped by the encoder).
pub type Labels = Vec<(&'static str, String)>;

/// One sample's value; 16 bytes (a histogram is boxed): a 100,000-server table has
/// 1.4 million of them.
#[derive(Debug, Clone)]
enum Value {
    Int(u64),
    Float(f64),
    Hist(Box<Hist>),
}

#[derive(Debug, Clone)]
struct Hist {
    sum: f64,
    count: u64,
    buckets: Vec<(f64, u64)>,
}

/// One family's samples: label sets (shared between the families of one table) and values.
#[derive(Debug)]
struct Series {
    kind: MetricType,
    labels: Arc<Vec<Labels>>,
    /// `(index into labels, value)`.
    rows: Vec<(usize, Value)>,
}

impl EncodeMetric for Series {
    fn encode(&self, mut encoder: MetricEncoder) -> Result<(), std::fmt::Error> {
        for (i, v) in &self.rows {
            let Some(labels) = self.labels.get(*i) else {
                continue;
            };
            let mut e = encoder.encode_family(labels)?;
            match v {
                Value::Int(n) if matches!(self.kind, MetricType::Counter) => {
                    e.encode_counter::<NoLabelSet, u64, f64>(n, None)?
                }
                Value::Int(n) => e.encode_gauge(n)?,
                Value::Float(f) if matches!(self.kind, MetricType::Counter) => {
                    e.encode_counter::<NoLabelSet, f64, f64>(f, None)?
                }
                Value::Float(f) => e.encode_gauge(f)?,
                Value::Hist(h) => {
                    e.encode_histogram::<NoLabelSet>(h.sum, h.count, &h.buckets, None)?
                }
            }
        }
        Ok(())
    }

    fn metric_type(&self) -> MetricType {
        self.kind
    }
}

/// Builds families that share one label table; each becomes its own registry so the edge
/// can encode and send one family at a time (a 100,000-server table is not held as one
/// text).
struct Table {
    labels: Arc<Vec<Labels>>,
}

impl Table {
    fn new(labels: Vec<Labels>) -> Table {
        Table {
            labels: Arc::new(labels),
        }
    }

    fn series(&self, kind: MetricType, rows: Vec<(usize, Value)>) -> Series {
        Series {
            kind,
            labels: Arc::clone(&self.labels),
            rows,
        }
    }
}

/// The registries of one scrape, in order; encode each with
/// `prometheus_client::encoding::text::encode_registry` and end with `encode_eof`.
pub struct Families {
    pub registries: Vec<Registry>,
}

fn family(name: &str, help: &str, unit: Option<Unit>, series: Series, out: &mut Vec<Registry>) {
    let mut r = Registry::with_prefix("lvsdeck");
    match unit {
        Some(u) => r.register_with_unit(name, help, u, series),
        None => r.register(name, help, series),
    }
    out.push(r);
}

/// Every family of `p`.
pub fn families(p: &Picture) -> Families {
    let mut out = Vec::new();
    scrape_families(p, &mut out);
    if let Some(Read { value: Ok(t), .. }) = &p.ipvs {
        ipvs_families(t, &mut out);
    }
    if let Some(Read { value: Ok(d), .. }) = &p.sync_daemons {
        kernel_sync_families(d, &mut out);
    }
    if let Some(Read {
        value: Ok(d),
        at_unix,
        ..
    }) = &p.director
    {
        director_families(d, *at_unix, &mut out);
    }
    Families { registries: out }
}

/// The two text formats: OpenMetrics 1.0 (what Prometheus asks for) and the classic
/// Prometheus text format 0.0.4 (what `promtool check metrics`, curl and older scrapers
/// read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    OpenMetrics,
    Classic,
}

impl Format {
    /// From the request's `Accept` header, as client_golang negotiates.
    pub fn negotiate(accept: Option<&str>) -> Format {
        match accept {
            Some(a) if a.contains("application/openmetrics-text") => Format::OpenMetrics,
            _ => Format::Classic,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
            Format::Classic => "text/plain; version=0.0.4; charset=utf-8",
        }
    }
}

/// Appends one registry (one family) in `format`.
pub fn encode_family(out: &mut String, r: &Registry, format: Format) -> std::fmt::Result {
    match format {
        Format::OpenMetrics => prometheus_client::encoding::text::encode_registry(out, r),
        Format::Classic => {
            let mut s = String::new();
            prometheus_client::encoding::text::encode_registry(&mut s, r)?;
            classic_into(out, &s);
            Ok(())
        }
    }
}

/// The end of the text (`# EOF` for OpenMetrics, nothing for the classic format).
pub fn encode_end(out: &mut String, format: Format) {
    if format == Format::OpenMetrics {
        let _ = prometheus_client::encoding::text::encode_eof(out);
    }
}

/// One family's OpenMetrics text in the classic format: a counter's HELP and TYPE name
/// its `_total` samples, `# UNIT` goes (the name carries the unit), samples stay.
fn classic_into(out: &mut String, family: &str) {
    let mut rest = family;
    while let Some(line) = rest.strip_prefix('#') {
        let (l, tail) = line.split_once('\n').unwrap_or((line, ""));
        rest = tail;
        match l.splitn(3, ' ').collect::<Vec<_>>().as_slice() {
            ["", "UNIT", ..] => {}
            ["", kind @ ("HELP" | "TYPE"), more] => {
                let (name, text) = more.split_once(' ').unwrap_or((more, ""));
                let suffix = if family_type_is_counter(family, name) {
                    "_total"
                } else {
                    ""
                };
                let _ = writeln!(out, "# {kind} {name}{suffix} {text}");
            }
            _ => {
                let _ = writeln!(out, "#{l}");
            }
        }
    }
    out.push_str(rest);
}

/// Whether `family` declares `name` a counter (HELP comes before TYPE).
fn family_type_is_counter(family: &str, name: &str) -> bool {
    family.contains(&format!("# TYPE {name} counter\n"))
}

/// The whole text at once (tests, small tables).
pub fn encode(p: &Picture, format: Format) -> String {
    let mut s = String::new();
    for r in &families(p).registries {
        let _ = encode_family(&mut s, r, format);
    }
    encode_end(&mut s, format);
    s
}

fn scrape_families(p: &Picture, out: &mut Vec<Registry>) {
    let mut labels = Vec::new();
    let mut up = Vec::new();
    let mut age = Vec::new();
    let mut took = Vec::new();
    let mut at = Vec::new();
    let mut add = |name: &str, ok: bool, at_unix: f64, d: Duration| {
        let i = labels.len();
        labels.push(vec![("source", name.to_string())]);
        up.push((i, Value::Int(u64::from(ok))));
        age.push((i, Value::Float((p.now_unix - at_unix).max(0.0))));
        took.push((i, Value::Float(d.as_secs_f64())));
        at.push((i, Value::Float(at_unix)));
    };
    if let Some(r) = &p.ipvs {
        add("ipvs", r.value.is_ok(), r.at_unix, r.took);
    }
    if let Some(r) = &p.sync_daemons {
        add("sync", r.value.is_ok(), r.at_unix, r.took);
    }
    if let Some(r) = &p.director {
        add("director", r.value.is_ok(), r.at_unix, r.took);
        // The sync daemons and the reconciler are read by the director: their own `up`.
        if let Ok(d) = &r.value {
            if let Some(s) = &d.status.sync {
                add("sync", s.error.is_none(), r.at_unix, r.took);
            }
            if d.status.reconciler_error.is_some() || !d.status.servers.is_empty() {
                add(
                    "reconciler",
                    d.status.reconciler_error.is_none(),
                    r.at_unix,
                    r.took,
                );
            }
        }
    }
    let t = Table::new(labels);
    family(
        "scrape_up",
        "Whether the source could be read at this scrape (0: its families are absent)",
        None,
        t.series(MetricType::Gauge, up),
        out,
    );
    family(
        "scrape_age",
        "How old the source's data is at encoding time",
        Some(Unit::Seconds),
        t.series(MetricType::Gauge, age),
        out,
    );
    family(
        "scrape_duration",
        "How long reading the source took",
        Some(Unit::Seconds),
        t.series(MetricType::Gauge, took),
        out,
    );
    family(
        "scrape_timestamp",
        "Unix time at which the source was read",
        Some(Unit::Seconds),
        t.series(MetricType::Gauge, at),
        out,
    );
}

/// `proto`, `local_address`, `local_port`, `local_mark`: node_exporter's ipvs collector's
/// label names and values (`FWM` with the mark in hex for a firewall-mark service).
fn service_labels(k: &ServiceKey) -> Labels {
    match k {
        ServiceKey::Addr {
            protocol,
            addr,
            port,
        } => vec![
            ("proto", proto_name(*protocol).to_string()),
            ("local_address", addr.to_string()),
            ("local_port", port.to_string()),
            ("local_mark", String::new()),
        ],
        ServiceKey::Fwmark { mark, .. } => vec![
            ("proto", "FWM".to_string()),
            ("local_address", String::new()),
            ("local_port", "0".to_string()),
            ("local_mark", format!("{mark:X}")),
        ],
    }
}

fn proto_name(p: crate::ipvs::model::Protocol) -> &'static str {
    match p {
        crate::ipvs::model::Protocol::Tcp => "TCP",
        crate::ipvs::model::Protocol::Udp => "UDP",
        crate::ipvs::model::Protocol::Sctp => "SCTP",
    }
}

fn role_name(s: crate::ipvs::model::DaemonState) -> &'static str {
    match s {
        crate::ipvs::model::DaemonState::Master => "master",
        crate::ipvs::model::DaemonState::Backup => "backup",
    }
}

/// The counters and rates both a service and a real server have.
fn stats_families(what: &str, t: &Table, stats: &[(usize, &Stats)], out: &mut Vec<Registry>) {
    let counter = |f: fn(&Stats) -> u64| {
        t.series(
            MetricType::Counter,
            stats.iter().map(|(i, s)| (*i, Value::Int(f(s)))).collect(),
        )
    };
    let gauge = |f: fn(&Stats) -> u64| {
        t.series(
            MetricType::Gauge,
            stats.iter().map(|(i, s)| (*i, Value::Int(f(s)))).collect(),
        )
    };
    let n = |s: &str| format!("ipvs_{what}_{s}");
    family(
        &n("connections"),
        "Connections scheduled (kernel counter)",
        None,
        counter(|s| s.conns),
        out,
    );
    family(
        &n("incoming_packets"),
        "Packets in (kernel counter)",
        None,
        counter(|s| s.inpkts),
        out,
    );
    family(
        &n("outgoing_packets"),
        "Packets out (kernel counter)",
        None,
        counter(|s| s.outpkts),
        out,
    );
    family(
        &n("incoming"),
        "Bytes in (kernel counter)",
        Some(Unit::Bytes),
        counter(|s| s.inbytes),
        out,
    );
    family(
        &n("outgoing"),
        "Bytes out (kernel counter)",
        Some(Unit::Bytes),
        counter(|s| s.outbytes),
        out,
    );
    family(
        &n("connection_rate"),
        "Connections per second (the kernel's 2-second estimator)",
        None,
        gauge(|s| s.cps),
        out,
    );
    family(
        &n("incoming_packet_rate"),
        "Packets in per second (the kernel's estimator)",
        None,
        gauge(|s| s.inpps),
        out,
    );
    family(
        &n("outgoing_packet_rate"),
        "Packets out per second (the kernel's estimator)",
        None,
        gauge(|s| s.outpps),
        out,
    );
    family(
        &n("incoming_byte_rate"),
        "Bytes in per second (the kernel's estimator)",
        None,
        gauge(|s| s.inbps),
        out,
    );
    family(
        &n("outgoing_byte_rate"),
        "Bytes out per second (the kernel's estimator)",
        None,
        gauge(|s| s.outbps),
        out,
    );
}

fn ipvs_families(table: &[ServiceEntry], out: &mut Vec<Registry>) {
    let mut labels = Vec::with_capacity(table.len());
    let mut info = Vec::with_capacity(table.len());
    for e in table {
        let mut l = service_labels(&e.service.config.key);
        labels.push(l.clone());
        l.push(("scheduler", e.service.config.scheduler.clone()));
        info.push(l);
    }
    let t = Table::new(labels);
    let stats: Vec<(usize, &Stats)> = table
        .iter()
        .enumerate()
        .map(|(i, e)| (i, &e.service.stats))
        .collect();
    let count = table.len();
    let t_info = Table::new(info);
    family(
        "ipvs_service_info",
        "One per virtual service, with its scheduler",
        None,
        t_info.series(
            MetricType::Gauge,
            (0..count).map(|i| (i, Value::Int(1))).collect(),
        ),
        out,
    );
    stats_families("service", &t, &stats, out);
    let servers: usize = table.iter().map(|e| e.dests.len()).sum();
    let mut labels = Vec::with_capacity(servers);
    let mut dests: Vec<&Dest> = Vec::with_capacity(servers);
    for e in table {
        let base = service_labels(&e.service.config.key);
        for d in &e.dests {
            let mut l = Vec::with_capacity(6);
            l.push(("remote_address", d.config.addr.to_string()));
            l.push(("remote_port", d.config.port.to_string()));
            l.extend(base.iter().cloned());
            labels.push(l);
            dests.push(d);
        }
    }
    let t = Table::new(labels);
    let gauge = |f: &dyn Fn(&Dest) -> u64| {
        t.series(
            MetricType::Gauge,
            dests
                .iter()
                .enumerate()
                .map(|(i, d)| (i, Value::Int(f(d))))
                .collect(),
        )
    };
    family(
        "ipvs_server_weight",
        "The real server's weight in the kernel table",
        None,
        gauge(&|d| u64::from(d.config.weight)),
        out,
    );
    family(
        "ipvs_server_active_connections",
        "Active connections (ESTABLISHED for TCP)",
        None,
        gauge(&|d| u64::from(d.active_conns)),
        out,
    );
    family(
        "ipvs_server_inactive_connections",
        "Inactive connections (other TCP states, UDP)",
        None,
        gauge(&|d| u64::from(d.inact_conns)),
        out,
    );
    family(
        "ipvs_server_persistent_connections",
        "Persistence templates pointing at the real server",
        None,
        gauge(&|d| u64::from(d.persist_conns)),
        out,
    );
    let stats: Vec<(usize, &Stats)> = dests
        .iter()
        .enumerate()
        .map(|(i, d)| (i, &d.stats))
        .collect();
    stats_families("server", &t, &stats, out);
}

fn kernel_sync_families(daemons: &[Daemon], out: &mut Vec<Registry>) {
    let labels: Vec<Labels> = daemons
        .iter()
        .map(|d| {
            vec![
                ("role", role_name(d.state).to_string()),
                ("interface", d.mcast_ifn.clone()),
                ("syncid", d.syncid.to_string()),
            ]
        })
        .collect();
    let n = labels.len();
    let t = Table::new(labels);
    family(
        "sync_daemon_info",
        "One per connection sync daemon the kernel runs",
        None,
        t.series(
            MetricType::Gauge,
            (0..n).map(|i| (i, Value::Int(1))).collect(),
        ),
        out,
    );
}

/// keepalived's state numbers (gen2brain/keepalived_exporter's `keepalived_vrrp_state`).
fn state_code(s: State) -> u64 {
    match s {
        State::Initialize => 0,
        State::Backup => 1,
        State::Master => 2,
        State::Fault => 3,
    }
}

fn state_name(s: State) -> &'static str {
    crate::engine::control::state_word(s)
}

/// The wait the protocol imposed before the transition to MASTER at `reason`:
/// Master_Down_Interval (3 × Master_Adver_Interval + Skew_Time, RFC 5798) when the master
/// went silent, Skew_Time when it resigned with priority 0, none otherwise (preemption,
/// address owner, operator, sync group).
pub fn takeover_secs(reason: Reason, learned_interval_cs: u16, priority: u8) -> f64 {
    let interval = f64::from(learned_interval_cs) / 100.0;
    let skew = (256.0 - f64::from(priority)) * interval / 256.0;
    match reason {
        Reason::MasterDown => 3.0 * interval + skew,
        Reason::MasterResigned => skew,
        _ => 0.0,
    }
}

/// Why adverts were dropped: the label values of `lvsdeck_vrrp_adverts_dropped_total`.
fn drops(c: &crate::vrrp::Counters) -> [(&'static str, u64); 12] {
    [
        ("ttl", c.ttl_errors),
        ("version", c.version_errors),
        ("type", c.type_errors),
        ("length", c.length_errors),
        ("family", c.family_errors),
        ("checksum", c.checksum_errors),
        ("vrid", c.vrid_errors),
        ("owner", c.owner_drops),
        ("auth_type", c.auth_type_errors),
        ("auth", c.auth_failures),
        ("interval", c.interval_errors),
        ("address_list", c.address_list_errors),
    ]
}

fn vrrp_families(d: &DirectorRead, now_unix: f64, out: &mut Vec<Registry>) {
    let base: Vec<Labels> = d
        .vrrp
        .iter()
        .map(|v| {
            vec![
                ("vrrp_instance", v.name.clone()),
                ("interface", v.interface.clone()),
                ("vrid", v.status.vrid.to_string()),
            ]
        })
        .collect();
    let mut by_state = Vec::new();
    let mut by_reason = Vec::new();
    let mut state_rows = Vec::new();
    let mut drop_rows = Vec::new();
    for (i, v) in d.vrrp.iter().enumerate() {
        let Some(l) = base.get(i) else { continue };
        for s in [
            State::Initialize,
            State::Backup,
            State::Master,
            State::Fault,
        ] {
            let mut l = l.clone();
            l.push(("state", state_name(s).to_string()));
            state_rows.push((by_state.len(), Value::Int(u64::from(v.status.state == s))));
            by_state.push(l);
        }
        for (reason, n) in drops(&v.status.counters) {
            let mut l = l.clone();
            l.push(("reason", reason.to_string()));
            drop_rows.push((by_reason.len(), Value::Int(n)));
            by_reason.push(l);
        }
    }
    let t = Table::new(base);
    let each = |kind: MetricType, f: &dyn Fn(&InstancePicture) -> Option<Value>| {
        t.series(
            kind,
            d.vrrp
                .iter()
                .enumerate()
                .filter_map(|(i, v)| f(v).map(|x| (i, x)))
                .collect(),
        )
    };
    let int = |f: fn(&InstancePicture) -> u64| move |v: &InstancePicture| Some(Value::Int(f(v)));
    family(
        "vrrp_state",
        "1 for the instance's current state (INIT, BACKUP, MASTER, FAULT), 0 for the others",
        None,
        Table::new(by_state).series(MetricType::Gauge, state_rows),
        out,
    );
    family(
        "vrrp_state_code",
        "The instance's state as keepalived numbers it: 0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT",
        None,
        each(MetricType::Gauge, &int(|v| state_code(v.status.state))),
        out,
    );
    family(
        "vrrp_configured_priority",
        "The priority the configuration gives",
        None,
        each(
            MetricType::Gauge,
            &int(|v| u64::from(v.status.configured_priority)),
        ),
        out,
    );
    family(
        "vrrp_effective_priority",
        "The priority advertised now (tracking, drills)",
        None,
        each(
            MetricType::Gauge,
            &int(|v| u64::from(v.status.effective_priority)),
        ),
        out,
    );
    family(
        "vrrp_master_priority",
        "The priority of the master last heard (ourselves when master)",
        None,
        each(MetricType::Gauge, &|v| {
            v.status.master.map(|(_, p)| Value::Int(u64::from(p)))
        }),
        out,
    );
    family(
        "vrrp_became_master",
        "Transitions to MASTER",
        None,
        each(
            MetricType::Counter,
            &int(|v| v.status.counters.became_master),
        ),
        out,
    );
    family(
        "vrrp_left_master",
        "Transitions out of MASTER",
        None,
        each(MetricType::Counter, &int(|v| v.status.counters.left_master)),
        out,
    );
    family(
        "vrrp_adverts_sent",
        "Adverts sent",
        None,
        each(
            MetricType::Counter,
            &int(|v| v.status.counters.adverts_sent),
        ),
        out,
    );
    family(
        "vrrp_adverts_received",
        "Adverts that passed every check",
        None,
        each(
            MetricType::Counter,
            &int(|v| v.status.counters.adverts_received),
        ),
        out,
    );
    family(
        "vrrp_priority_zero_sent",
        "Priority-0 adverts sent (handing over)",
        None,
        each(
            MetricType::Counter,
            &int(|v| v.status.counters.priority_zero_sent),
        ),
        out,
    );
    family(
        "vrrp_priority_zero_received",
        "Priority-0 adverts received (the master resigned)",
        None,
        each(
            MetricType::Counter,
            &int(|v| v.status.counters.priority_zero_received),
        ),
        out,
    );
    family(
        "vrrp_adverts_dropped",
        "Adverts dropped by the receive checks, by reason",
        None,
        Table::new(by_reason).series(MetricType::Counter, drop_rows),
        out,
    );
    let now = d.now;
    family(
        "vrrp_state_duration",
        "Time in the current state",
        Some(Unit::Seconds),
        each(MetricType::Gauge, &|v| {
            let since = match (v.status.transitions.last(), now) {
                (Some(t), Some(n)) => n.saturating_since(t.at),
                _ => v.status.time_in_state,
            };
            Some(Value::Float(since.as_secs_f64()))
        }),
        out,
    );
    family(
        "vrrp_last_transition_timestamp",
        "Unix time of the instance's last state change",
        Some(Unit::Seconds),
        each(MetricType::Gauge, &|v| {
            let (t, n) = (v.status.transitions.last()?, now?);
            Some(Value::Float(
                now_unix - n.saturating_since(t.at).as_secs_f64(),
            ))
        }),
        out,
    );
    family(
        "vrrp_last_takeover",
        "The last takeover's protocol wait: Master_Down_Interval after a silent master, Skew_Time after a priority-0 handover, 0 for a preemption (absent before the first)",
        Some(Unit::Seconds),
        each(MetricType::Gauge, &|v| {
            let t = v
                .status
                .transitions
                .iter()
                .rev()
                .find(|t| t.to == State::Master)?;
            let interval = if v.status.learned_interval_cs > 0 {
                v.status.learned_interval_cs
            } else {
                v.status.advert_interval_cs
            };
            Some(Value::Float(takeover_secs(
                t.reason,
                interval,
                v.status.effective_priority,
            )))
        }),
        out,
    );
}

/// `-r 192.0.2.1:80`, `-r [2001:db8::1]:80`: how a server text ends.
fn rs_words(addr: std::net::IpAddr, port: u16) -> String {
    match addr {
        std::net::IpAddr::V4(a) => format!("-r {a}:{port}"),
        std::net::IpAddr::V6(a) => format!("-r [{a}]:{port}"),
    }
}

/// The labels of one real server of the health picture.
fn server_labels(s: &ServerReport) -> Labels {
    vec![
        ("virtual_server", s.virtual_server.clone()),
        ("server", s.server.clone()),
    ]
}

fn health_families(d: &DirectorRead, out: &mut Vec<Registry>) {
    let st = &d.status;
    let t = Table::new(st.servers.iter().map(server_labels).collect());
    let each = |f: &dyn Fn(&ServerReport) -> Option<Value>| {
        t.series(
            MetricType::Gauge,
            st.servers
                .iter()
                .enumerate()
                .filter_map(|(i, s)| f(s).map(|v| (i, v)))
                .collect(),
        )
    };
    family(
        "server_up",
        "1 when the real server's checkers say up, 0 down (absent for a sorry server)",
        None,
        each(&|s| {
            s.health
                .as_deref()
                .map(|h| Value::Int(u64::from(h == "up")))
        }),
        out,
    );
    family(
        "server_weight",
        "The weight the checks give the real server",
        None,
        each(&|s| s.weight.map(|w| Value::Int(u64::from(w)))),
        out,
    );
    family(
        "server_in_table",
        "1 when the health policy wants the real server in the kernel table",
        None,
        each(&|s| Some(Value::Int(u64::from(s.in_table.is_some())))),
        out,
    );
    let mut intents = Vec::new();
    let mut rows = Vec::new();
    for s in &st.servers {
        let Some(now) = s.intent.as_deref() else {
            continue;
        };
        for i in ["auto", "drain", "disable"] {
            let mut l = server_labels(s);
            l.push(("intent", i.to_string()));
            rows.push((intents.len(), Value::Int(u64::from(now == i))));
            intents.push(l);
        }
    }
    family(
        "server_intent",
        "The operator's intent: 1 for the current one of auto, drain, disable",
        None,
        Table::new(intents).series(MetricType::Gauge, rows),
        out,
    );
    let mut checkers = Vec::new();
    let mut up = Vec::new();
    let mut fails = Vec::new();
    let mut last = Vec::new();
    let mut hist = Vec::new();
    for s in &st.servers {
        for (index, c) in s.checkers.iter().enumerate() {
            let mut l = server_labels(s);
            l.push(("checker", c.name.clone()));
            l.push(("index", index.to_string()));
            let i = checkers.len();
            checkers.push(l);
            up.push((i, Value::Int(u64::from(c.up))));
            fails.push((i, Value::Int(u64::from(c.consecutive_failures))));
            if let Some(ms) = c.latency_ms {
                last.push((i, Value::Float(ms as f64 / 1000.0)));
            }
            let h = d.latency.checkers.iter().find_map(|(k, h)| {
                (k.virtual_server == s.virtual_server
                    && k.index == index
                    && s.server.ends_with(&rs_words(k.addr, k.port)))
                .then_some(h)
            });
            if let Some(h) = h {
                hist.push((
                    i,
                    Value::Hist(Box::new(Hist {
                        sum: h.sum_secs,
                        count: h.count,
                        buckets: h.cumulative(),
                    })),
                ));
            }
        }
    }
    let t = Table::new(checkers);
    family(
        "checker_up",
        "1 when the checker's last verdict (after retries) is up",
        None,
        t.series(MetricType::Gauge, up),
        out,
    );
    family(
        "checker_consecutive_failures",
        "Failed checks in a row",
        None,
        t.series(MetricType::Gauge, fails),
        out,
    );
    family(
        "checker_last_latency",
        "The last check's latency",
        Some(Unit::Seconds),
        t.series(MetricType::Gauge, last),
        out,
    );
    family(
        "checker_latency",
        "Check latencies since the daemon started (each result counted once)",
        Some(Unit::Seconds),
        t.series(MetricType::Histogram, hist),
        out,
    );
    let kept = st.drift.iter().filter(|d| d.kept).count() as u64;
    let t = Table::new(vec![
        vec![("kept", "false".to_string())],
        vec![("kept", "true".to_string())],
    ]);
    family(
        "drift_entries",
        "Kernel table entries that differ from the configuration (kept: the operator keeps them)",
        None,
        t.series(
            MetricType::Gauge,
            vec![
                (0, Value::Int(st.drift.len() as u64 - kept)),
                (1, Value::Int(kept)),
            ],
        ),
        out,
    );
}

fn director_sync_families(d: &DirectorRead, out: &mut Vec<Registry>) {
    let Some(s) = &d.status.sync else { return };
    let labels: Vec<Labels> = s
        .daemons
        .iter()
        .map(|d| {
            vec![
                ("role", d.role.clone()),
                ("interface", d.interface.clone()),
                ("syncid", d.syncid.to_string()),
            ]
        })
        .collect();
    let n = labels.len();
    family(
        "sync_daemon_info",
        "One per connection sync daemon the kernel runs",
        None,
        Table::new(labels).series(
            MetricType::Gauge,
            (0..n).map(|i| (i, Value::Int(1))).collect(),
        ),
        out,
    );
    let t = Table::new(vec![
        vec![("role", "master".to_string())],
        vec![("role", "backup".to_string())],
    ]);
    family(
        "sync_wanted",
        "1 for each role the configuration wants a sync daemon in now",
        None,
        t.series(
            MetricType::Gauge,
            vec![
                (
                    0,
                    Value::Int(u64::from(s.wanted.iter().any(|w| w == "master"))),
                ),
                (
                    1,
                    Value::Int(u64::from(s.wanted.iter().any(|w| w == "backup"))),
                ),
            ],
        ),
        out,
    );
    let t = Table::new(vec![
        vec![("origin", "local".to_string())],
        vec![("origin", "synced".to_string())],
    ]);
    let mut rows = Vec::new();
    if let Some(n) = s.local_connections {
        rows.push((0, Value::Int(n)));
    }
    if let Some(n) = s.synced_connections {
        rows.push((1, Value::Int(n)));
    }
    family(
        "sync_connections",
        "Connection table entries by origin: scheduled here (local) or sent by the peer's master daemon (synced)",
        None,
        t.series(MetricType::Gauge, rows),
        out,
    );
}

/// `at_unix`: the wall clock when the picture was read (the instances' instants are
/// converted against it).
fn director_families(d: &DirectorRead, at_unix: f64, out: &mut Vec<Registry>) {
    vrrp_families(d, at_unix, out);
    health_families(d, out);
    director_sync_families(d, out);
}

#[cfg(test)]
mod tests;
