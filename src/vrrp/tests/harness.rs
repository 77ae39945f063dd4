//! A simulated clock around one instance, for conformance tests.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use crate::vrrp::*;

pub fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

pub const VIP: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 100);

pub fn cfg_v2(prio: u8) -> Config {
    let mut c = Config::new(51, ip("192.0.2.1"), vec![IpAddr::V4(VIP)]);
    c.priority = prio;
    c
}

pub fn cfg_v3(prio: u8, interval_cs: u16) -> Config {
    let mut c = cfg_v2(prio);
    c.version = Version::V3;
    c.advert_interval_cs = interval_cs;
    c
}

/// One instance and the simulated time.
pub struct Rig {
    pub inst: Instance,
    pub now: Instant,
    pub last: Output,
}

impl Rig {
    pub fn new(cfg: Config) -> Rig {
        Rig {
            inst: Instance::new(cfg).unwrap(),
            now: Instant::ZERO,
            last: Output::default(),
        }
    }

    pub fn started(cfg: Config) -> Rig {
        let mut r = Rig::new(cfg);
        r.input(Input::Start);
        r
    }

    pub fn input(&mut self, i: Input) -> Vec<Instruction> {
        self.last = self.inst.handle(self.now, i);
        self.last.actions.clone()
    }

    pub fn advance(&mut self, d: Duration) {
        self.now = self.now + d;
    }

    pub fn at(&mut self, t: Instant) {
        assert!(t >= self.now);
        self.now = t;
    }

    /// Fires the timer at the returned deadline; returns the actions.
    pub fn fire(&mut self) -> Vec<Instruction> {
        let d = self.last.deadline.expect("a deadline");
        self.at(d);
        self.input(Input::Timer)
    }

    pub fn deadline_in(&self) -> Duration {
        self.last.deadline.expect("a deadline") - self.now
    }

    /// An advert from `src` at `prio` built like our own (same VRID, interval, VIPs, auth).
    pub fn advert(&self, prio: u8) -> Advert {
        self.inst.advert(prio)
    }

    pub fn rx(&mut self, src: &str, prio: u8) -> Vec<Instruction> {
        let advert = self.advert(prio);
        self.input(Input::AdvertReceived {
            src: ip(src),
            advert,
        })
    }

    /// The wire path: `bytes` from `src` with `ttl`.
    pub fn rx_raw(&mut self, src: &str, ttl: u8, bytes: &[u8]) -> Vec<Instruction> {
        let src = ip(src);
        let pkt = Received {
            src,
            dst: Family::of(src).group(),
            ttl,
            payload: bytes,
        };
        self.last = self.inst.receive(self.now, &pkt);
        self.last.actions.clone()
    }

    pub fn wire(&self, src: &str, advert: &Advert) -> Vec<u8> {
        advert.encode(&Path::multicast(ip(src))).unwrap()
    }
}

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

pub fn us(n: u64) -> Duration {
    Duration::from_micros(n)
}

pub fn became_master(actions: &[Instruction]) -> bool {
    actions.iter().any(|a| {
        matches!(
            a,
            Instruction::StateChanged {
                to: State::Master,
                ..
            }
        )
    })
}
