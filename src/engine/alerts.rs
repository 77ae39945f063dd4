//! keepalived's mail alerts (`smtp_alert`): a real server going up or down, a VRRP instance
//! changing state. Deciding what to send is pure ([`Alerter`], [`vrrp_alert`]); sending is
//! one tokio task speaking plain SMTP (lettre) to `smtp_server`, fed by a bounded queue so
//! a slow or dead mail server never holds up the engine (alerts beyond the queue are dropped
//! and logged).

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::mpsc;

use crate::check::{Health, RsIndex, ServerStatus, VsSpec};
use crate::config::GlobalDefs;
use crate::vrrp::State;

/// Alerts waiting to be sent beyond this are dropped.
const QUEUE: usize = 256;

/// Where alerts go: `None` from [`MailConfig::from_global`] when there is no `smtp_server`
/// or no `notification_email`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailConfig {
    pub host: String,
    pub port: u16,
    pub from: String,
    pub to: Vec<String>,
    pub timeout: Duration,
    /// Subjects start with `[router_id]`, as keepalived's do; also the HELO name.
    pub router_id: String,
}

impl MailConfig {
    pub fn from_global(g: &GlobalDefs) -> Option<MailConfig> {
        let (host, port) = g.smtp_server.clone()?;
        if g.notification_email.is_empty() {
            return None;
        }
        let router_id = g.router_id.clone().unwrap_or_else(|| "lvsdeck".into());
        Some(MailConfig {
            host,
            port,
            from: g
                .notification_email_from
                .clone()
                .unwrap_or_else(|| format!("lvsdeck@{router_id}")),
            to: g.notification_email.clone(),
            timeout: g.smtp_connect_timeout,
            router_id,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub subject: String,
    pub body: String,
}

/// Real-server alerts from successive status pictures: one per change of health of a
/// server whose `smtp_alert` is on.
#[derive(Debug, Default)]
pub struct Alerter {
    last: HashMap<RsIndex, Health>,
}

impl Alerter {
    /// Starts from `statuses` without alerting (the state at start is no change).
    pub fn seed(&mut self, statuses: &[(RsIndex, ServerStatus)]) {
        self.last = statuses.iter().map(|(id, s)| (*id, s.health)).collect();
    }

    pub fn changes(
        &mut self,
        router_id: &str,
        specs: &[VsSpec],
        statuses: &[(RsIndex, ServerStatus)],
    ) -> Vec<Alert> {
        let mut out = Vec::new();
        for (id, s) in statuses {
            let was = self.last.insert(*id, s.health);
            if was.is_none_or(|w| w == s.health) {
                continue;
            }
            let Some(vs) = specs.get(id.vs) else {
                continue;
            };
            let Some(rs) = vs.servers.get(id.rs) else {
                continue;
            };
            if !rs.smtp_alert {
                continue;
            }
            let state = match s.health {
                Health::Up => "UP",
                Health::Down => "DOWN",
            };
            let why = s
                .transitions
                .back()
                .map(|t| t.reason.clone())
                .unwrap_or_default();
            out.push(Alert {
                subject: format!(
                    "[{router_id}] Realserver {} of virtual server {} - {state}",
                    addr_port(rs.dest.addr, rs.dest.port),
                    vs.name
                ),
                body: format!("=> {why} <=\r\n"),
            });
        }
        out
    }
}

/// The VRRP instances whose state changes are mailed: their own `smtp_alert`, their sync
/// group's, or global_defs' `smtp_alert`.
pub fn vrrp_alerting(cfg: &crate::config::Config) -> BTreeSet<String> {
    let global = cfg.global.smtp_alert == Some(true);
    cfg.instances
        .iter()
        .filter(|i| {
            global
                || i.smtp_alert
                || cfg
                    .sync_groups
                    .iter()
                    .any(|g| g.smtp_alert && g.members.iter().any(|(m, _)| *m == i.name))
        })
        .map(|i| i.name.clone())
        .collect()
}

/// VRRP alerts from successive state readings: one per new state (Initialize aside) of an
/// instance in `alerting`.
#[derive(Debug, Default)]
pub struct VrrpAlerter {
    last: HashMap<String, State>,
}

impl VrrpAlerter {
    pub fn changes(
        &mut self,
        router_id: &str,
        states: &[(String, State)],
        alerting: &BTreeSet<String>,
    ) -> Vec<Alert> {
        let mut out = Vec::new();
        for (name, state) in states {
            let was = self.last.insert(name.clone(), *state);
            if was == Some(*state) || *state == State::Initialize || !alerting.contains(name) {
                continue;
            }
            let s = format!("{state:?}").to_uppercase();
            out.push(vrrp_alert(router_id, name, &s));
        }
        out
    }
}

/// A VRRP instance's change of state.
pub fn vrrp_alert(router_id: &str, instance: &str, state: &str) -> Alert {
    Alert {
        subject: format!("[{router_id}] VRRP Instance {instance} - Entering {state} state"),
        body: format!("=> VRRP Instance is now owning VRRP VIPs as {state} <=\r\n"),
    }
}

fn addr_port(addr: std::net::IpAddr, port: u16) -> String {
    match addr {
        std::net::IpAddr::V4(a) => format!("[{a}]:{port}"),
        std::net::IpAddr::V6(a) => format!("[{a}]:{port}"),
    }
}

/// The sending task's handle; dropping it lets the task send what is queued and end.
pub struct Mailer {
    queue: mpsc::Sender<Alert>,
    pub task: tokio::task::JoinHandle<()>,
}

impl Mailer {
    pub fn spawn(cfg: MailConfig) -> Mailer {
        let (queue, rx) = mpsc::channel(QUEUE);
        let task = tokio::spawn(send_all(cfg, rx));
        Mailer { queue, task }
    }

    /// Queues an alert; never waits.
    pub fn send(&self, alert: Alert) {
        if let Err(e) = self.queue.try_send(alert) {
            tracing::warn!("mail alert dropped ({e}): the SMTP queue is full or closed");
        }
    }
}

async fn send_all(cfg: MailConfig, mut rx: mpsc::Receiver<Alert>) {
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(cfg.host.as_str())
        .port(cfg.port)
        .timeout(Some(cfg.timeout))
        .hello_name(ClientId::Domain(cfg.router_id.clone()))
        .build();
    while let Some(alert) = rx.recv().await {
        let message = match build(&cfg, &alert) {
            Ok(m) => m,
            Err(e) => {
                tracing::error!("mail alert \"{}\" not sent: {e}", alert.subject);
                continue;
            }
        };
        match transport.send(message).await {
            Ok(_) => tracing::info!("mail alert sent: {}", alert.subject),
            Err(e) => tracing::error!(
                "mail alert \"{}\" not sent to {}:{}: {e}",
                alert.subject,
                cfg.host,
                cfg.port
            ),
        }
    }
}

fn build(cfg: &MailConfig, alert: &Alert) -> Result<Message, String> {
    let mut b = Message::builder()
        .from(
            cfg.from
                .parse()
                .map_err(|e| format!("from {}: {e}", cfg.from))?,
        )
        .subject(alert.subject.clone());
    for to in &cfg.to {
        b = b.to(to.parse().map_err(|e| format!("to {to}: {e}"))?);
    }
    b.body(alert.body.clone()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vrrp_alerts_follow_smtp_alert_and_changes() {
        let text = "vrrp_sync_group G { group { VI_2 } smtp_alert }\n\
                    vrrp_instance VI_1 { interface lo virtual_router_id 1 priority 100 \
                    virtual_ipaddress { 192.0.2.1 } }\n\
                    vrrp_instance VI_2 { interface lo virtual_router_id 2 priority 100 \
                    virtual_ipaddress { 192.0.2.2 } }\n";
        let loaded = crate::config::parse_str(text, std::path::Path::new("v.conf"));
        let alerting = vrrp_alerting(&loaded.config);
        assert_eq!(alerting.iter().collect::<Vec<_>>(), vec!["VI_2"]);
        let mut a = VrrpAlerter::default();
        let states = |s: State| vec![("VI_1".to_string(), s), ("VI_2".to_string(), s)];
        assert!(a
            .changes("r", &states(State::Initialize), &alerting)
            .is_empty());
        let got = a.changes("r", &states(State::Backup), &alerting);
        assert_eq!(got.len(), 1);
        assert_eq!(
            got[0].subject,
            "[r] VRRP Instance VI_2 - Entering BACKUP state"
        );
        assert!(a.changes("r", &states(State::Backup), &alerting).is_empty());
        let got = a.changes("r", &states(State::Master), &alerting);
        assert_eq!(
            got[0].subject,
            "[r] VRRP Instance VI_2 - Entering MASTER state"
        );
    }
}
