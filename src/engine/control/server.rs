//! The listening edge of the control socket: binds the unix socket (mode 0600; refuses a
//! path another live daemon answers on, replaces a stale one), reads request lines from
//! each connection and hands them to the daemon loop, which answers through a oneshot.
//! The socket file is removed when the [`Listener`] is dropped.

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::protocol::{parse_request, to_line, Reply, Request, MAX_LINE};

/// A request and where its reply goes.
pub type Pending = (Request, oneshot::Sender<Reply>);

/// The bound socket; dropping it stops accepting and removes the file.
pub struct Listener {
    path: PathBuf,
    task: JoinHandle<()>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.task.abort();
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Whether a daemon answers on `path` (a connection is accepted within a second).
pub async fn live(path: &Path) -> bool {
    matches!(
        tokio::time::timeout(Duration::from_secs(1), UnixStream::connect(path)).await,
        Ok(Ok(_))
    )
}

/// Binds `path` and starts accepting; requests arrive on the receiver.
pub async fn bind(path: &Path) -> anyhow::Result<(Listener, mpsc::Receiver<Pending>)> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_socket() => {
            if live(path).await {
                bail!(
                    "{}: another lvsdeck daemon answers on this control socket; stop it, or give --control another path",
                    path.display()
                );
            }
            // Left by a daemon that did not exit cleanly: nobody listens.
            std::fs::remove_file(path)
                .with_context(|| format!("{}: removing the stale socket", path.display()))?;
        }
        Ok(_) => bail!(
            "{}: exists and is not a socket; refusing to replace it",
            path.display()
        ),
        Err(_) => {}
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.exists() {
            std::fs::create_dir_all(dir).with_context(|| format!("{}", dir.display()))?;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .with_context(|| format!("{}", dir.display()))?;
        }
    }
    let listener = UnixListener::bind(path).with_context(|| format!("{}: bind", path.display()))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .with_context(|| format!("{}: chmod 0600", path.display()))?;
    let (tx, rx) = mpsc::channel(16);
    let task = tokio::spawn(accept(listener, tx));
    tracing::info!("control socket {}", path.display());
    Ok((
        Listener {
            path: path.to_path_buf(),
            task,
        },
        rx,
    ))
}

async fn accept(listener: UnixListener, tx: mpsc::Sender<Pending>) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                tokio::spawn(serve(stream, tx.clone()));
            }
            Err(e) => {
                tracing::warn!("control socket: accept: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// One connection: a reply line for every request line, until the peer closes.
async fn serve(stream: UnixStream, tx: mpsc::Sender<Pending>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    loop {
        let line = match lines.next_line().await {
            Ok(Some(l)) => l,
            Ok(None) => return,
            Err(e) => {
                let _ = write
                    .write_all(
                        to_line(&Reply::Error {
                            message: format!("reading the request: {e}"),
                        })
                        .as_bytes(),
                    )
                    .await;
                return;
            }
        };
        let reply = if line.len() > MAX_LINE {
            Reply::Error {
                message: format!("request longer than {MAX_LINE} bytes"),
            }
        } else {
            match parse_request(&line) {
                Err(e) => Reply::Error {
                    message: e.to_string(),
                },
                Ok(req) => {
                    let (rtx, rrx) = oneshot::channel();
                    if tx.send((req, rtx)).await.is_err() {
                        return;
                    }
                    rrx.await.unwrap_or(Reply::Error {
                        message: "the daemon is stopping".into(),
                    })
                }
            }
        };
        if write.write_all(to_line(&reply).as_bytes()).await.is_err() {
            return;
        }
    }
}

/// The next request; never ready without a socket.
pub async fn next(rx: &mut Option<mpsc::Receiver<Pending>>) -> Option<Pending> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}
