//! `lvsdeck daemon -f FILE`: the headless engine for systemd (see [`crate::engine::daemon`]).

use std::path::PathBuf;
use std::process::ExitCode;

use crate::engine::control::server;
use crate::engine::director::StopPolicy;
use crate::engine::ipvs::run::OnStop;

/// What `lvsdeck daemon` was given.
#[derive(Debug, Clone)]
pub struct Options {
    pub file: PathBuf,
    /// The control socket's path.
    pub control: PathBuf,
    /// `--dont-release-ipvs` (keepalived's -X).
    pub dont_release_ipvs: bool,
    /// `--dont-release-vrrp` (keepalived's -V).
    pub dont_release_vrrp: bool,
    /// `--metrics ADDR`: the Prometheus endpoint.
    pub metrics: Option<std::net::SocketAddr>,
}

pub async fn run(opts: Options) -> anyhow::Result<ExitCode> {
    super::init_tracing();
    let loaded = match crate::engine::load::load(&opts.file) {
        Ok(l) => l,
        Err(errors) => {
            for e in errors {
                eprintln!("{e}");
            }
            return Ok(ExitCode::from(1));
        }
    };
    // Bound before anything starts: a second daemon on the same socket refuses to run.
    let (_listener, requests) = match server::bind(&opts.control).await {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("{e:#}");
            return Ok(ExitCode::from(1));
        }
    };
    // Bound before anything starts too: an address in use is a start failure, not a
    // silently missing endpoint.
    let (_endpoint, asks) = match opts.metrics {
        Some(addr) => {
            let (tx, rx) = tokio::sync::mpsc::channel(4);
            let sources = crate::metrics::edge::Sources {
                director: Some(tx),
                kernel_sync: false,
            };
            match crate::metrics::edge::bind(addr, sources).await {
                Ok(e) => (Some(e), Some(rx)),
                Err(e) => {
                    tracing::error!("{e:#}");
                    return Ok(ExitCode::from(1));
                }
            }
        }
        None => (None, None),
    };
    let stop = StopPolicy {
        ipvs: if opts.dont_release_ipvs {
            OnStop::Leave
        } else {
            OnStop::Release
        },
        vrrp: !opts.dont_release_vrrp,
    };
    let code = crate::engine::daemon::run(&opts.file, loaded, Some(requests), asks, stop).await?;
    Ok(ExitCode::from(code))
}
