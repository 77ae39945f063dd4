//! Randomized simulation: 2–4 routers of one VRID on a simulated link with per-pair delivery
//! delay and loss, random partitions, heals, restarts and priority changes. After the chaos,
//! the link is made whole and quiet for well over Master_Down_Interval; then there must be
//! exactly one master, and one the RFC allows: no preempting backup may outrank it, and with
//! preempt everywhere and distinct priorities it is the highest.
//! Seeds: `VRRP_SIM_SEEDS` (default 3000); a failure names its seed.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use crate::vrrp::*;

/// splitmix64: deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

enum Ev {
    Deliver {
        to: usize,
        from: usize,
        bytes: Vec<u8>,
    },
    Restart(usize),
    Chaos,
}

struct Net {
    nodes: Vec<Instance>,
    deadlines: Vec<Option<Instant>>,
    up: Vec<bool>,
    /// links[i][j]: does i hear j.
    links: Vec<Vec<bool>>,
    loss: u64,
    queue: BTreeMap<(Instant, u64), Ev>,
    seq: u64,
    now: Instant,
    rng: Rng,
    chaos: bool,
}

fn addr(i: usize) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1 + i as u8))
}

impl Net {
    fn push(&mut self, at: Instant, ev: Ev) {
        self.seq += 1;
        self.queue.insert((at, self.seq), ev);
    }

    fn apply(&mut self, i: usize, out: Output) {
        self.deadlines[i] = out.deadline;
        for a in out.actions {
            if let Instruction::SendAdvert { priority } = a {
                let bytes = self.nodes[i]
                    .advert(priority)
                    .encode(&Path::multicast(addr(i)))
                    .expect("valid config encodes");
                for j in 0..self.nodes.len() {
                    if j == i || !self.links[j][i] || (self.loss > 0 && self.rng.chance(self.loss))
                    {
                        continue;
                    }
                    let at = self.now + Duration::from_micros(100 + self.rng.below(3000));
                    self.push(
                        at,
                        Ev::Deliver {
                            to: j,
                            from: i,
                            bytes: bytes.clone(),
                        },
                    );
                }
            }
        }
    }

    fn input(&mut self, i: usize, input: Input) {
        let out = self.nodes[i].handle(self.now, input);
        self.apply(i, out);
    }

    /// Runs events and timers up to `until`.
    fn run(&mut self, until: Instant) {
        loop {
            let timer = self
                .deadlines
                .iter()
                .enumerate()
                .filter_map(|(i, d)| d.map(|d| (d, i)))
                .min();
            let event = self.queue.keys().next().copied();
            let take_timer = match (timer, event) {
                (Some((t, _)), Some((e, _))) => t < e,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            if take_timer {
                let Some((t, i)) = timer else { break };
                if t > until {
                    break;
                }
                self.now = t;
                self.input(i, Input::Timer);
            } else {
                let Some(key) = event else { break };
                if key.0 > until {
                    break;
                }
                let Some(ev) = self.queue.remove(&key) else {
                    break;
                };
                self.now = key.0;
                self.event(ev);
            }
        }
        self.now = until;
    }

    fn event(&mut self, ev: Ev) {
        match ev {
            Ev::Deliver { to, from, bytes } => {
                let pkt = Received {
                    src: addr(from),
                    dst: Family::V4.group(),
                    ttl: 255,
                    payload: &bytes,
                };
                let out = self.nodes[to].receive(self.now, &pkt);
                self.apply(to, out);
            }
            Ev::Restart(i) => {
                self.up[i] = true;
                self.input(i, Input::Start);
            }
            Ev::Chaos if self.chaos => {
                self.chaos_step();
                let next = self.now + Duration::from_millis(200 + self.rng.below(4000));
                self.push(next, Ev::Chaos);
            }
            Ev::Chaos => {}
        }
    }

    fn chaos_step(&mut self) {
        let n = self.nodes.len();
        match self.rng.below(5) {
            0 => {
                for i in 0..n {
                    for j in 0..n {
                        self.links[i][j] = i == j || self.rng.chance(50);
                    }
                }
            }
            1 => self.links = vec![vec![true; n]; n],
            2 => {
                let i = self.rng.below(n as u64) as usize;
                if self.up[i] {
                    self.up[i] = false;
                    self.input(i, Input::Shutdown);
                    let at = self.now + Duration::from_millis(self.rng.below(3000));
                    self.push(at, Ev::Restart(i));
                }
            }
            3 => {
                let i = self.rng.below(n as u64) as usize;
                let w = self.rng.below(101) as i32 - 50;
                self.input(i, Input::PriorityChanged { tracked_weight: w });
            }
            _ => self.loss = self.rng.below(60),
        }
    }
}

fn simulate(seed: u64) {
    let mut rng = Rng(seed);
    let n = 2 + rng.below(3) as usize;
    let v3 = rng.chance(50);
    let interval_cs = if v3 {
        50 + rng.below(151) as u16
    } else {
        100 * (1 + rng.below(2) as u16)
    };
    let mut owner_used = false;
    let mut nodes = Vec::new();
    for i in 0..n {
        let mut c = Config::new(7, addr(i), vec![IpAddr::V4(Ipv4Addr::new(10, 0, 0, 100))]);
        c.version = if v3 { Version::V3 } else { Version::V2 };
        c.advert_interval_cs = interval_cs;
        c.auth = if v3 { Auth::None } else { Auth::pass("sim") };
        c.priority = if !owner_used && rng.chance(10) {
            owner_used = true;
            255
        } else {
            // A narrow range so ties (address tie-break) happen often.
            90 + rng.below(20) as u8
        };
        c.preempt = !rng.chance(20);
        nodes.push(Instance::new(c).expect("valid config"));
    }
    let mut net = Net {
        deadlines: vec![None; n],
        up: vec![true; n],
        links: vec![vec![true; n]; n],
        loss: 0,
        queue: BTreeMap::new(),
        seq: 0,
        now: Instant::ZERO,
        rng,
        chaos: true,
        nodes,
    };
    // Staggered boots, some simultaneous.
    for i in 0..n {
        let at = Instant::from_centis(net.rng.below(3) * net.rng.below(300));
        net.up[i] = false;
        net.push(at, Ev::Restart(i));
    }
    net.push(Instant::from_centis(50), Ev::Chaos);
    let chaos_end = Instant::from_centis(500 + net.rng.below(2500));
    net.run(chaos_end);

    // Whole, lossless and quiet from here on; everyone running.
    net.chaos = false;
    net.loss = 0;
    net.links = vec![vec![true; n]; n];
    let pending: Vec<usize> = (0..n).filter(|&i| !net.up[i]).collect();
    net.queue.retain(|_, ev| !matches!(ev, Ev::Restart(_)));
    for i in pending {
        net.up[i] = true;
        net.input(i, Input::Start);
    }
    let md = net
        .nodes
        .iter()
        .map(|x| x.master_down_interval())
        .max()
        .unwrap();
    let settle = md * 2 + Duration::from_millis(u64::from(interval_cs) * 10 * 2);
    net.run(chaos_end + settle);

    if std::env::var("VRRP_SIM_DEBUG").is_ok() {
        for x in &net.nodes {
            let c = x.counters();
            eprintln!(
                "seed {seed} {:?} sent {} rcvd {} rej {} masters {} t {:?}",
                x.state(),
                c.adverts_sent,
                c.adverts_received,
                c.rejected(),
                c.became_master,
                net.now
            );
        }
    }
    let masters: Vec<usize> = (0..n)
        .filter(|&i| net.nodes[i].state() == State::Master)
        .collect();
    let desc: Vec<String> = net
        .nodes
        .iter()
        .map(|x| {
            format!(
                "{:?} prio {} preempt {}",
                x.state(),
                x.effective_priority(),
                x.config().preempt
            )
        })
        .collect();
    assert_eq!(masters.len(), 1, "seed {seed}: {desc:?}");
    let m = masters[0];
    let mp = net.nodes[m].effective_priority();
    for (i, x) in net.nodes.iter().enumerate() {
        if i == m {
            continue;
        }
        assert_eq!(x.state(), State::Backup, "seed {seed}: {desc:?}");
        if x.config().preempt {
            assert!(
                x.effective_priority() <= mp,
                "seed {seed}: preempting backup outranks master: {desc:?}"
            );
        }
    }
    let all_preempt = net.nodes.iter().all(|x| x.config().preempt);
    let best = (0..n)
        .max_by_key(|&i| (net.nodes[i].effective_priority(), addr(i)))
        .expect("nodes");
    let distinct = (0..n).all(|i| {
        (0..n).all(|j| {
            i == j || net.nodes[i].effective_priority() != net.nodes[j].effective_priority()
        })
    });
    if all_preempt && distinct {
        assert_eq!(m, best, "seed {seed}: {desc:?}");
    }
}

#[test]
fn randomized_link_converges_to_the_rfc_master() {
    let seeds: u64 = std::env::var("VRRP_SIM_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3000);
    for seed in 0..seeds {
        simulate(seed);
    }
}

#[test]
fn simulation_detects_split_brain() {
    // The oracle must be able to fail: two routers that cannot hear each other both end master.
    let mut c0 = Config::new(7, addr(0), vec![]);
    c0.priority = 100;
    let mut c1 = c0.clone();
    c1.primary = addr(1);
    let mut a = Instance::new(c0).unwrap();
    let mut b = Instance::new(c1).unwrap();
    let t0 = Instant::ZERO;
    a.handle(t0, Input::Start);
    b.handle(t0, Input::Start);
    let t1 = t0 + Duration::from_secs(4);
    a.handle(t1, Input::Timer);
    b.handle(t1, Input::Timer);
    assert_eq!((a.state(), b.state()), (State::Master, State::Master));
}
