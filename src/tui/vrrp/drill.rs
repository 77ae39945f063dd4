//! Failover drills: what the operator asks (give up mastership, raise or lower priority for a
//! while), the typed confirmation, and the takeover the console measures afterwards: from the
//! command to our state change, and to the first advert of the new master as our instance
//! saw it.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use super::{state_name, Instance, MEASURED_KEPT};
use crate::engine::vrrp::InstanceCommand;
use crate::vrrp::State;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Priority 0 now, stay backup for the drill's time.
    GiveUp,
    Raise,
    Lower,
}

impl Kind {
    pub fn title(self) -> &'static str {
        match self {
            Kind::GiveUp => "give up mastership",
            Kind::Raise => "raise priority",
            Kind::Lower => "lower priority",
        }
    }
}

/// The drill dialog: its settings and the instance name being typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillForm {
    pub instance: String,
    pub kind: Kind,
    /// For raise and lower.
    pub priority: u8,
    pub seconds: u64,
    pub typed: String,
    pub error: Option<String>,
}

/// The VRRP dialogs; each has the keyboard while open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VrrpDialog {
    Drill(DrillForm),
    /// Quitting while master: what will happen, and No first.
    Quit {
        yes: bool,
    },
}

pub const DEFAULT_SECONDS: u64 = 30;
pub const SECONDS_STEP: u64 = 10;
pub const PRIORITY_STEP: u8 = 10;

impl DrillForm {
    pub fn new(instance: &Instance, kind: Kind) -> DrillForm {
        let priority = match kind {
            Kind::GiveUp => 0,
            Kind::Raise => 254,
            Kind::Lower => 1,
        };
        DrillForm {
            instance: instance.info.name.clone(),
            kind,
            priority,
            seconds: DEFAULT_SECONDS,
            typed: String::new(),
            error: None,
        }
    }

    /// What the drill does, in one line.
    pub fn summary(&self) -> String {
        match self.kind {
            Kind::GiveUp => format!(
                "{}: advertise priority 0 and stay BACKUP for {} s",
                self.instance, self.seconds
            ),
            Kind::Raise | Kind::Lower => format!(
                "{}: run at priority {} for {} s, then back to the configured one",
                self.instance, self.priority, self.seconds
            ),
        }
    }

    /// Up/Down on the priority (raise and lower only), clamped to 1..=254.
    pub fn step_priority(&mut self, up: bool) {
        if self.kind == Kind::GiveUp {
            return;
        }
        self.priority = if up {
            self.priority.saturating_add(PRIORITY_STEP).min(254)
        } else {
            self.priority.saturating_sub(PRIORITY_STEP).max(1)
        };
    }

    /// Left/Right on the time, 10 s to an hour.
    pub fn step_seconds(&mut self, up: bool) {
        self.seconds = if up {
            (self.seconds + SECONDS_STEP).min(3600)
        } else {
            self.seconds.saturating_sub(SECONDS_STEP).max(SECONDS_STEP)
        };
    }

    /// The engine command, once the name is typed exactly.
    pub fn command(&self) -> InstanceCommand {
        let d = Duration::from_secs(self.seconds);
        match self.kind {
            Kind::GiveUp => InstanceCommand::GiveUpMastership(d),
            Kind::Raise | Kind::Lower => InstanceCommand::SetPriority(self.priority, d),
        }
    }
}

/// A drill sent, waiting for the takeover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drill {
    pub title: String,
    pub sent: Instant,
    pub window: Duration,
    pub from_state: State,
    /// The master our instance knew when the drill was sent.
    pub from_master: Option<IpAddr>,
    /// When our instance's state first changed.
    pub state_changed: Option<(Duration, State)>,
}

/// What a drill did, as the transition list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measured {
    pub title: String,
    pub sent: Instant,
    pub state_changed: Option<(Duration, State)>,
    /// The new master and its priority, and when our instance first heard of it.
    pub takeover: Option<(IpAddr, u8, Duration)>,
}

impl Measured {
    /// One line: `give up mastership: BACKUP after 1ms, 192.0.2.2/100 master after 3.62s`.
    pub fn line(&self) -> String {
        let mut parts = Vec::new();
        if let Some((d, s)) = self.state_changed {
            parts.push(format!("{} after {}", state_name(s), ms(d)));
        }
        match self.takeover {
            Some((a, p, d)) => parts.push(format!("master {a}/{p} after {}", ms(d))),
            None => parts.push("no takeover seen".to_string()),
        }
        format!("drill {}: {}", self.title, parts.join(", "))
    }
}

/// `3.620s`, `12ms`.
pub fn ms(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{}ms", d.as_millis())
    } else {
        format!("{:.3}s", d.as_secs_f64())
    }
}

/// Starts measuring a drill on `inst`.
pub fn start(inst: &mut Instance, form: &DrillForm, now: Instant) {
    let (from_state, from_master) = match &inst.status {
        Some(s) => (s.state, s.master.map(|m| m.0)),
        None => (State::Initialize, None),
    };
    let title = match form.kind {
        Kind::GiveUp => format!("give up {}s", form.seconds),
        Kind::Raise | Kind::Lower => format!("priority {} {}s", form.priority, form.seconds),
    };
    inst.drill = Some(Drill {
        title,
        sent: now,
        window: Duration::from_secs(form.seconds).max(Duration::from_secs(SECONDS_STEP)),
        from_state,
        from_master,
        state_changed: None,
    });
}

/// A new status: notes the state change and ends the drill when another master shows.
pub fn observe(inst: &mut Instance, now: Instant) {
    let (Some(d), Some(s)) = (&mut inst.drill, &inst.status) else {
        return;
    };
    let after = now.saturating_duration_since(d.sent);
    if d.state_changed.is_none() && s.state != d.from_state {
        d.state_changed = Some((after, s.state));
    }
    let new_master = match s.master {
        Some((a, p)) if p > 0 && Some(a) != d.from_master => Some((a, p)),
        _ => None,
    };
    if let Some((a, p)) = new_master {
        let d = d.clone();
        finish(inst, d, Some((a, p, after)));
    }
}

/// Ends a drill whose window passed without a takeover; returns whether it did.
pub fn expire(inst: &mut Instance, now: Instant) -> bool {
    match &inst.drill {
        Some(d) if now.saturating_duration_since(d.sent) >= d.window => {
            let d = d.clone();
            finish(inst, d, None);
            true
        }
        _ => false,
    }
}

fn finish(inst: &mut Instance, d: Drill, takeover: Option<(IpAddr, u8, Duration)>) {
    inst.drill = None;
    if inst.measured.len() == MEASURED_KEPT {
        inst.measured.pop_front();
    }
    inst.measured.push_back(Measured {
        title: d.title,
        sent: d.sent,
        state_changed: d.state_changed,
        takeover,
    });
}
