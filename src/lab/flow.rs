//! `lvsdeck lab-flow` (hidden): the pair lab's test traffic and stopwatch, std only, every
//! mode bounded in time and count. `send` keeps long-lived TCP connections through a VIP,
//! a line every few milliseconds on each, and notes when one breaks (a reset, the peer's
//! close, a failed write); `sink` (on a real server) counts what arrives per connection;
//! `watch` (in a director's namespace) stamps when the VIP appears there and when that
//! director starts forwarding packets for it (seen on a packet socket). Each keeps a status file the scenario reads, rewritten
//! whole (write, then rename) every 100 ms; times are milliseconds since boot, the clock of
//! `/proc/uptime` that a busybox shell reads without a fork.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

/// At most this long for any mode (the lab's own timeout is 15 minutes by default; the
/// interactive pair's traffic runs 2 hours).
const MAX_SECS: u64 = 4 * 3600;
/// `send`: at most this many connections; `sink`: at most this many at once.
const MAX_CONNS: usize = 64;
const SINK_MAX_OPEN: usize = 256;

/// The modes.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Keep CONNS TCP connections to ADDR:PORT, a line `NAME-i SEQ` on each every EVERY ms,
    /// for SECS seconds; the status file has `ID SENT STATE PORT` per connection (STATE
    /// `ok`, or `broken@MS:REASON`; PORT the local one). Exits 0 when none broke, else 1.
    Send {
        #[arg(long, value_name = "ADDR:PORT")]
        to: SocketAddr,
        #[arg(long, default_value_t = 4)]
        conns: usize,
        #[arg(long, value_name = "MS", default_value_t = 50)]
        every: u64,
        #[arg(long = "for", value_name = "SECS")]
        secs: u64,
        #[arg(long, default_value = "flow")]
        name: String,
        #[arg(long, value_name = "FILE")]
        status: PathBuf,
    },
    /// Accept on ADDR:PORT for SECS seconds and count the lines of each connection; the
    /// status file has `ID LINES LAST_SEQ IDLE_MS STATE` per connection that sent a line
    /// (health checks that only connect are left out).
    Sink {
        #[arg(long, value_name = "ADDR:PORT")]
        listen: SocketAddr,
        #[arg(long = "for", value_name = "SECS")]
        secs: u64,
        #[arg(long, value_name = "FILE")]
        status: PathBuf,
    },
    /// For SECS seconds, every EVERY ms: is VIP an address of this namespace, and does
    /// this director forward packets for it (frames out of DEV from its MAC to the VIP)?
    /// Prints `vip up MS`, `vip down MS`, and `forward MS` for the first forwarded packet
    /// after 300 ms without any.
    Watch {
        #[arg(long)]
        vip: IpAddr,
        #[arg(long, default_value = "eth0")]
        dev: String,
        #[arg(long = "for", value_name = "SECS")]
        secs: u64,
        #[arg(long, value_name = "MS", default_value_t = 5)]
        every: u64,
    },
    /// Print the milliseconds since boot (the clock of the other modes).
    Now,
}

/// Runs one mode; the process exit code.
pub fn main(cmd: &Command) -> Result<i32> {
    let clock = BootClock::new();
    match cmd {
        Command::Send {
            to,
            conns,
            every,
            secs,
            name,
            status,
        } => send(&clock, *to, *conns, *every, *secs, name, status),
        Command::Sink {
            listen,
            secs,
            status,
        } => sink(&clock, *listen, *secs, status),
        Command::Watch {
            vip,
            dev,
            secs,
            every,
        } => watch(&clock, *vip, dev, *secs, *every),
        Command::Now => {
            println!("{}", clock.now_ms());
            Ok(0)
        }
    }
}

/// Milliseconds since boot: `/proc/uptime` has a 10 ms resolution, so the clock is anchored
/// on one of its ticks and runs on `Instant` from there.
#[derive(Debug, Clone, Copy)]
struct BootClock {
    base_ms: u64,
    at: Instant,
}

impl BootClock {
    fn new() -> BootClock {
        let first = uptime_cs();
        let t0 = Instant::now();
        // Wait (at most 30 ms) for the next tick: then the reading is exact to ~1 ms.
        while let Some(f) = first {
            match uptime_cs() {
                Some(n) if n != f => {
                    return BootClock {
                        base_ms: n * 10,
                        at: Instant::now(),
                    }
                }
                _ if t0.elapsed() > Duration::from_millis(30) => break,
                _ => std::thread::sleep(Duration::from_micros(500)),
            }
        }
        BootClock {
            base_ms: first.unwrap_or(0) * 10,
            at: t0,
        }
    }

    fn now_ms(&self) -> u64 {
        self.base_ms + self.at.elapsed().as_millis() as u64
    }
}

fn uptime_cs() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/uptime").ok()?;
    let first = s.split_whitespace().next()?;
    let (secs, cs) = first.split_once('.')?;
    Some(secs.parse::<u64>().ok()? * 100 + cs.parse::<u64>().ok()?)
}

fn bounded(secs: u64) -> Duration {
    Duration::from_secs(secs.clamp(1, MAX_SECS))
}

/// Writes `text` to `path` through a temporary file, so a reader never sees half of it.
fn write_status(path: &Path, text: &str) {
    let tmp = path.with_extension("tmp");
    if std::fs::write(&tmp, text).is_ok() {
        let _ = std::fs::rename(&tmp, path);
    }
}

/// One sending connection's state.
#[derive(Debug, Clone)]
struct Sent {
    sent: u64,
    broken: Option<(u64, String)>,
    /// The connection's local port, once connected.
    port: u16,
}

fn reason(e: &std::io::Error) -> String {
    match e.kind() {
        ErrorKind::ConnectionReset => "reset".into(),
        ErrorKind::BrokenPipe => "broken-pipe".into(),
        ErrorKind::ConnectionRefused => "refused".into(),
        ErrorKind::TimedOut | ErrorKind::WouldBlock => "timeout".into(),
        _ => e.to_string().replace(' ', "-"),
    }
}

fn send(
    clock: &BootClock,
    to: SocketAddr,
    conns: usize,
    every: u64,
    secs: u64,
    name: &str,
    status: &Path,
) -> Result<i32> {
    let conns = conns.clamp(1, MAX_CONNS);
    let every = Duration::from_millis(every.clamp(1, 60_000));
    let end = Instant::now() + bounded(secs);
    let state: Arc<Mutex<Vec<Sent>>> = Arc::new(Mutex::new(vec![
        Sent {
            sent: 0,
            broken: None,
            port: 0,
        };
        conns
    ]));
    let clock = *clock;
    let mut threads = Vec::new();
    for i in 0..conns {
        let state = state.clone();
        let id = format!("{name}-{i}");
        threads.push(std::thread::spawn(move || {
            let set = |f: &dyn Fn(&mut Sent)| {
                if let Ok(mut s) = state.lock() {
                    if let Some(c) = s.get_mut(i) {
                        f(c);
                    }
                }
            };
            let broke = |why: String| set(&|c| c.broken = Some((clock.now_ms(), why.clone())));
            let mut s = match TcpStream::connect_timeout(&to, Duration::from_secs(3)) {
                Ok(s) => s,
                Err(e) => return broke(format!("connect-{}", reason(&e))),
            };
            let port = s.local_addr().map(|a| a.port()).unwrap_or(0);
            set(&|c| c.port = port);
            let _ = s.set_nodelay(true);
            if s.set_nonblocking(true).is_err() {
                return broke("nonblocking".into());
            }
            let mut next = Instant::now();
            let mut seq = 0u64;
            let mut buf = [0u8; 512];
            while Instant::now() < end {
                // Nothing is ever sent back on the data path (direct routing answers from
                // the real server); a read tells a reset or a close from the far end.
                match s.read(&mut buf) {
                    Ok(0) => return broke("closed".into()),
                    Ok(_) => {}
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                    Err(e) => return broke(reason(&e)),
                }
                let line = format!("{id} {seq}\n");
                match s.write(line.as_bytes()) {
                    Ok(n) if n == line.len() => {
                        seq += 1;
                        set(&|c| c.sent = seq);
                    }
                    // A full send buffer: the network stalls; try again next tick.
                    Ok(_) => return broke("short-write".into()),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                    Err(e) => return broke(reason(&e)),
                }
                next += every;
                let now = Instant::now();
                if next > now {
                    std::thread::sleep(next - now);
                } else {
                    next = now;
                }
            }
        }));
    }
    let render = |s: &[Sent]| {
        let mut out = String::new();
        for (i, c) in s.iter().enumerate() {
            let st = match &c.broken {
                None => "ok".to_string(),
                Some((at, why)) => format!("broken@{at}:{why}"),
            };
            out.push_str(&format!("{name}-{i} {} {st} {}\n", c.sent, c.port));
        }
        out
    };
    while threads.iter().any(|t| !t.is_finished()) {
        if let Ok(s) = state.lock() {
            write_status(status, &render(&s));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    for t in threads {
        let _ = t.join();
    }
    let s = state.lock().map(|s| s.clone()).unwrap_or_default();
    let text = render(&s);
    write_status(status, &text);
    print!("{text}");
    Ok(i32::from(s.iter().any(|c| c.broken.is_some())))
}

/// One received connection's state.
#[derive(Debug, Clone, Default)]
struct Got {
    id: Option<String>,
    lines: u64,
    last_seq: u64,
    last_ms: u64,
    end: Option<String>,
}

fn sink(clock: &BootClock, listen: SocketAddr, secs: u64, status: &Path) -> Result<i32> {
    let end = Instant::now() + bounded(secs);
    let l = TcpListener::bind(listen).with_context(|| format!("listening on {listen}"))?;
    l.set_nonblocking(true)?;
    let conns: Arc<Mutex<BTreeMap<u64, Got>>> = Arc::default();
    let clock = *clock;
    let mut n = 0u64;
    let mut last_write = Instant::now();
    while Instant::now() < end {
        match l.accept() {
            Ok((s, _)) => {
                let open = conns
                    .lock()
                    .map(|c| c.values().filter(|g| g.end.is_none()).count())
                    .unwrap_or(0);
                if open >= SINK_MAX_OPEN {
                    continue;
                }
                n += 1;
                let key = n;
                let conns = conns.clone();
                if let Ok(mut c) = conns.lock() {
                    c.insert(key, Got::default());
                }
                std::thread::spawn(move || sink_conn(s, key, &conns, &clock, end));
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(10))
            }
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
        if last_write.elapsed() >= Duration::from_millis(100) {
            last_write = Instant::now();
            write_status(status, &render_sink(&conns, clock.now_ms()));
        }
    }
    write_status(status, &render_sink(&conns, clock.now_ms()));
    Ok(0)
}

fn sink_conn(
    s: TcpStream,
    key: u64,
    conns: &Mutex<BTreeMap<u64, Got>>,
    clock: &BootClock,
    end: Instant,
) {
    let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
    let mut r = BufReader::new(s);
    let mut line = String::new();
    let finish = |why: String| {
        if let Ok(mut c) = conns.lock() {
            if let Some(g) = c.get_mut(&key) {
                g.end = Some(why);
            }
        }
    };
    while Instant::now() < end {
        match r.read_line(&mut line) {
            Ok(0) => return finish("eof".into()),
            Ok(_) if line.ends_with('\n') => {
                let mut w = line.split_whitespace();
                let id = w.next().map(String::from);
                let seq = w.next().and_then(|s| s.parse::<u64>().ok()).unwrap_or(0);
                if let Ok(mut c) = conns.lock() {
                    if let Some(g) = c.get_mut(&key) {
                        if g.id.is_none() {
                            g.id = id;
                        }
                        g.lines += 1;
                        g.last_seq = seq;
                        g.last_ms = clock.now_ms();
                    }
                }
                line.clear();
            }
            // A partial line (the timeout hit mid-line): keep it and read on.
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) => return finish(reason(&e)),
        }
    }
    finish("time-up".into());
}

fn render_sink(conns: &Mutex<BTreeMap<u64, Got>>, now: u64) -> String {
    let mut out = String::new();
    if let Ok(c) = conns.lock() {
        for g in c.values() {
            if let Some(id) = &g.id {
                let st = g.end.as_deref().unwrap_or("open");
                out.push_str(&format!(
                    "{id} {} {} {} {st}\n",
                    g.lines,
                    g.last_seq,
                    now.saturating_sub(g.last_ms)
                ));
            }
        }
    }
    out
}

/// Is `vip` an address of this namespace? Binding to it succeeds only then.
fn is_local(vip: IpAddr) -> bool {
    UdpSocket::bind(SocketAddr::new(vip, 0)).is_ok()
}

/// The MAC address of `dev` in this namespace (sysfs, which `ip netns exec` remounts).
fn mac_of(dev: &str) -> Option<[u8; 6]> {
    let s = std::fs::read_to_string(format!("/sys/class/net/{dev}/address")).ok()?;
    let mut mac = [0u8; 6];
    let mut parts = s.trim().split(':');
    for b in &mut mac {
        *b = u8::from_str_radix(parts.next()?, 16).ok()?;
    }
    Some(mac)
}

/// Whether an Ethernet frame is this director forwarding a packet for `vip` (direct
/// routing keeps the VIP as destination and puts the real server's MAC in front): our MAC
/// as its source, IPv4 TCP to `vip`.
fn is_forwarded(frame: &[u8], mac: &[u8; 6], vip: std::net::Ipv4Addr) -> bool {
    frame.len() >= 34
        && frame[6..12] == mac[..]
        && frame[12..14] == [0x08, 0x00]
        && frame[23] == 6
        && frame[30..34] == vip.octets()
}

fn watch(clock: &BootClock, vip: IpAddr, dev: &str, secs: u64, every: u64) -> Result<i32> {
    let end = Instant::now() + bounded(secs);
    let every = Duration::from_millis(every.clamp(1, 1000));
    let mac = mac_of(dev).with_context(|| format!("no MAC address for {dev}"))?;
    let IpAddr::V4(vip4) = vip else {
        anyhow::bail!("watch takes an IPv4 VIP");
    };
    // Every frame this namespace sends or receives (ETH_P_ALL: a socket bound to one
    // protocol is not shown outgoing frames), read without blocking.
    let sock = crate::linux::packet_socket::open(0x0003).context("a packet socket")?;
    let mut frames = std::fs::File::from(sock);
    let mut buf = [0u8; 2048];
    let mut out = std::io::stdout();
    let mut up = is_local(vip);
    writeln!(
        out,
        "vip {} {}",
        if up { "initially-up" } else { "initially-down" },
        clock.now_ms()
    )?;
    out.flush()?;
    let mut last_forward: Option<Instant> = None;
    while Instant::now() < end {
        let now_up = is_local(vip);
        if now_up != up {
            up = now_up;
            writeln!(
                out,
                "vip {} {}",
                if up { "up" } else { "down" },
                clock.now_ms()
            )?;
            out.flush()?;
        }
        // Drain what arrived since the last look.
        let mut seen = false;
        loop {
            match frames.read(&mut buf) {
                Ok(n) if n > 0 => seen |= is_forwarded(&buf[..n], &mac, vip4),
                _ => break,
            }
        }
        if seen {
            if last_forward.is_none_or(|t| t.elapsed() >= Duration::from_millis(300)) {
                writeln!(out, "forward {}", clock.now_ms())?;
                out.flush()?;
            }
            last_forward = Some(Instant::now());
        }
        std::thread::sleep(every);
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An Ethernet frame from `src` MAC carrying IPv4 protocol `proto` to `dst`.
    fn frame(src: [u8; 6], proto: u8, dst: [u8; 4]) -> Vec<u8> {
        let mut f = vec![0u8; 54];
        f[0..6].copy_from_slice(&[2, 0, 0, 0, 0, 0x11]);
        f[6..12].copy_from_slice(&src);
        f[12..14].copy_from_slice(&[0x08, 0x00]);
        f[14] = 0x45;
        f[23] = proto;
        f[26..30].copy_from_slice(&[192, 0, 2, 100]);
        f[30..34].copy_from_slice(&dst);
        f
    }

    #[test]
    fn a_forwarded_frame_is_ours_tcp_to_the_vip() {
        let me = [2, 0, 0, 0, 0, 2];
        let vip = std::net::Ipv4Addr::new(198, 51, 100, 10);
        assert!(is_forwarded(&frame(me, 6, vip.octets()), &me, vip));
        // The client's frame to us, UDP, another address, a runt: not forwarding.
        assert!(!is_forwarded(
            &frame([2, 0, 0, 0, 0, 9], 6, vip.octets()),
            &me,
            vip
        ));
        assert!(!is_forwarded(&frame(me, 17, vip.octets()), &me, vip));
        assert!(!is_forwarded(&frame(me, 6, [192, 0, 2, 11]), &me, vip));
        assert!(!is_forwarded(&frame(me, 6, vip.octets())[..30], &me, vip));
    }

    #[test]
    fn the_sink_lists_only_connections_that_sent_a_line() {
        let conns = Mutex::new(BTreeMap::new());
        if let Ok(mut c) = conns.lock() {
            c.insert(1, Got::default()); // a health check: connected, closed, said nothing
            c.insert(
                2,
                Got {
                    id: Some("r-0".into()),
                    lines: 7,
                    last_seq: 6,
                    last_ms: 900,
                    end: None,
                },
            );
        }
        assert_eq!(render_sink(&conns, 1000), "r-0 7 6 100 open\n");
    }
}
