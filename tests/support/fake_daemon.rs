//! A stand-in for `lvsdeck daemon`'s control socket, for tests on a machine without IPVS:
//! it answers `status` with one VRRP instance whose state the test sets, and a drain with
//! the ipvsadm line a health policy would apply. It can be stopped and started again on
//! the same path (a daemon restart). Threads only; the socket goes when the value drops.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub struct FakeDaemon {
    pub path: PathBuf,
    pub state: Arc<Mutex<String>>,
    /// Request lines received, in order.
    pub requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FakeDaemon {
    pub fn start(path: &Path, state: &str) -> FakeDaemon {
        let state = Arc::new(Mutex::new(state.to_string()));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let mut d = FakeDaemon {
            path: path.to_path_buf(),
            state,
            requests,
            stop: Arc::new(AtomicBool::new(false)),
            thread: None,
        };
        d.listen();
        d
    }

    fn listen(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        let listener = UnixListener::bind(&self.path).unwrap();
        listener.set_nonblocking(true).unwrap();
        let (state, requests, stop) =
            (self.state.clone(), self.requests.clone(), self.stop.clone());
        // The configuration file it names: beside its socket.
        let config = self.path.with_file_name("keepalived.conf");
        let _ = std::fs::write(&config, "vrrp_instance VI_1 {\n}\n");
        let config = config.display().to_string();
        stop.store(false, Ordering::SeqCst);
        self.thread = Some(std::thread::spawn(move || {
            let mut conns: Vec<Arc<AtomicBool>> = Vec::new();
            while !stop.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((s, _)) => {
                        let (state, requests, config) =
                            (state.clone(), requests.clone(), config.clone());
                        let gone = Arc::new(AtomicBool::new(false));
                        conns.push(gone.clone());
                        let stop = stop.clone();
                        std::thread::spawn(move || {
                            s.set_read_timeout(Some(Duration::from_millis(100)))
                                .unwrap();
                            let mut w = s.try_clone().unwrap();
                            let mut r = BufReader::new(s);
                            let mut line = String::new();
                            loop {
                                if stop.load(Ordering::SeqCst) {
                                    // A daemon that stops closes its connections.
                                    return;
                                }
                                match r.read_line(&mut line) {
                                    Ok(0) => return,
                                    Ok(_) => {}
                                    Err(_) => continue,
                                }
                                let req = line.trim().to_string();
                                line.clear();
                                requests.lock().unwrap().push(req.clone());
                                let reply = answer(&req, &state.lock().unwrap(), &config);
                                if w.write_all(reply.as_bytes()).is_err() {
                                    return;
                                }
                            }
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
            let _ = conns;
        }));
    }

    /// The daemon stops: its socket goes, its connections close.
    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let _ = std::fs::remove_file(&self.path);
        std::thread::sleep(Duration::from_millis(200));
    }

    pub fn restart(&mut self) {
        self.stop();
        self.listen();
    }

    pub fn set(&self, state: &str) {
        *self.state.lock().unwrap() = state.to_string();
    }
}

impl Drop for FakeDaemon {
    fn drop(&mut self) {
        self.stop();
    }
}

fn answer(req: &str, state: &str, config: &str) -> String {
    if req.contains("\"status\"") {
        format!(
            "{{\"reply\":\"status\",\"config\":\"{config}\",\"wall_secs\":1,\"servers\":[],\"drift\":[],\"reconciler_error\":null,\
             \"vrrp\":[{{\"name\":\"VI_1\",\"interface\":\"eth0\",\"vrid\":51,\"state\":\"{state}\",\
             \"configured_priority\":150,\"effective_priority\":150,\"master\":\"192.0.2.2\",\"master_priority\":150,\
             \"vips\":[\"198.51.100.10/32\"],\"in_state_ms\":0,\"rejected\":0}}]}}\n"
        )
    } else if req.contains("\"drain\"") {
        "{\"reply\":\"done\",\"message\":\"draining -t 198.51.100.10:80 -r 192.0.2.21:80\",\
         \"applied\":[\"-e -t 198.51.100.10:80 -r 192.0.2.21:80 -g -w 0\"]}\n"
            .to_string()
    } else {
        "{\"reply\":\"error\",\"message\":\"not in this fake\"}\n".to_string()
    }
}
