//! The metrics listener: HTTP/1.1 on `--metrics ADDR`, `GET /metrics` answers the
//! OpenMetrics text of [`super::families`]. Each scrape reads the kernel table through one
//! netlink client kept by the endpoint (reconnected after a failure), asks the daemon loop
//! for the director's picture, then encodes on a blocking thread and streams the text one
//! family at a time, so a 100,000-server table is never held as one string.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use bytes::Bytes;
use http_body_util::{combinators::BoxBody, BodyExt, Full, StreamBody};
use hyper::body::Frame;
use hyper::{Method, Request, Response, StatusCode};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot, Mutex};
use tokio::task::JoinHandle;

use super::families::{self, DirectorRead, Format, Picture, Read};
use crate::engine::daemon::MetricsAsk;
use crate::ipvs::netlink::Client;

/// How long a scrape waits for the daemon loop.
const ASK_TIMEOUT: Duration = Duration::from_secs(5);

/// What the endpoint reads at each scrape.
#[derive(Clone)]
pub struct Sources {
    /// The daemon loop, for the director's picture (`None`: a console without a daemon).
    pub director: Option<mpsc::Sender<MetricsAsk>>,
    /// Read the kernel's sync daemons directly (the console; a daemon's director has them).
    pub kernel_sync: bool,
}

struct State {
    sources: Sources,
    client: Mutex<Option<Client>>,
}

/// The bound listener; dropping it stops serving.
pub struct Endpoint {
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// `127.0.0.1:9739`, `[::1]:9739`.
pub fn parse_addr(s: &str) -> Result<SocketAddr, String> {
    s.parse::<SocketAddr>()
        .map_err(|_| format!("`{s}`: give ADDR:PORT, e.g. 127.0.0.1:9739 or [::1]:9739"))
}

/// Binds `addr` and serves until the [`Endpoint`] is dropped.
pub async fn bind(addr: SocketAddr, sources: Sources) -> anyhow::Result<Endpoint> {
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("metrics: bind {addr}"))?;
    let bound = listener.local_addr().unwrap_or(addr);
    let state = Arc::new(State {
        sources,
        client: Mutex::new(None),
    });
    tracing::info!("metrics on http://{bound}/metrics");
    let task = tokio::spawn(accept(listener, state));
    Ok(Endpoint { addr: bound, task })
}

async fn accept(listener: TcpListener, state: Arc<State>) {
    loop {
        let stream = match listener.accept().await {
            Ok((s, _)) => s,
            Err(e) => {
                tracing::warn!("metrics: accept: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let state = Arc::clone(&state);
        tokio::spawn(async move {
            let io = hyper_util::rt::TokioIo::new(stream);
            let service = hyper::service::service_fn(move |req| {
                let state = Arc::clone(&state);
                async move { Ok::<_, Infallible>(answer(&state, req).await) }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(Duration::from_secs(10))
                .serve_connection(io, service);
            if let Err(e) = conn.await {
                tracing::debug!("metrics: connection: {e}");
            }
        });
    }
}

type Body = BoxBody<Bytes, Infallible>;

fn text(status: StatusCode, body: &'static str) -> Response<Body> {
    let mut r = Response::new(Full::new(Bytes::from_static(body.as_bytes())).boxed());
    *r.status_mut() = status;
    r
}

async fn answer(state: &State, req: Request<hyper::body::Incoming>) -> Response<Body> {
    match (req.method(), req.uri().path()) {
        (&Method::GET, "/metrics") | (&Method::HEAD, "/metrics") => {}
        (&Method::GET, "/") => {
            return text(StatusCode::OK, "lvsdeck metrics: GET /metrics\n");
        }
        (&Method::GET, _) | (&Method::HEAD, _) => {
            return text(StatusCode::NOT_FOUND, "not found: GET /metrics\n")
        }
        _ => return text(StatusCode::METHOD_NOT_ALLOWED, "GET /metrics\n"),
    }
    let format = Format::negotiate(
        req.headers()
            .get(hyper::header::ACCEPT)
            .and_then(|v| v.to_str().ok()),
    );
    let picture = scrape(state).await;
    let (tx, rx) = mpsc::channel::<Bytes>(2);
    tokio::task::spawn_blocking(move || encode_into(&picture, format, &tx));
    let stream = body_stream(rx);
    let mut r = Response::new(StreamBody::new(stream).boxed());
    if let Ok(v) = hyper::header::HeaderValue::from_str(format.content_type()) {
        r.headers_mut().insert(hyper::header::CONTENT_TYPE, v);
    }
    r
}

/// The receiver as a body stream of frames; when the client goes away the body is
/// dropped, the encoder's next send fails and it stops.
fn body_stream(
    rx: mpsc::Receiver<Bytes>,
) -> impl futures_core::Stream<Item = Result<Frame<Bytes>, Infallible>> + Send + Sync + 'static {
    struct Rx(mpsc::Receiver<Bytes>);
    impl futures_core::Stream for Rx {
        type Item = Result<Frame<Bytes>, Infallible>;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            self.0.poll_recv(cx).map(|o| o.map(|b| Ok(Frame::data(b))))
        }
    }
    Rx(rx)
}

/// Encodes `p` family by family into `tx`, about 256 KiB a chunk; stops when the client
/// has gone.
fn encode_into(p: &Picture, format: Format, tx: &mpsc::Sender<Bytes>) {
    const CHUNK: usize = 256 << 10;
    let f = families::families(p);
    let mut buf = String::with_capacity(CHUNK + (64 << 10));
    for r in &f.registries {
        if families::encode_family(&mut buf, r, format).is_err() {
            tracing::warn!("metrics: encoding failed");
            return;
        }
        if buf.len() >= CHUNK
            && tx
                .blocking_send(Bytes::from(std::mem::take(&mut buf)))
                .is_err()
        {
            return;
        }
    }
    families::encode_end(&mut buf, format);
    let _ = tx.blocking_send(Bytes::from(buf));
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// The endpoint's netlink client, connected first if needed.
async fn client(guard: &mut tokio::sync::MutexGuard<'_, Option<Client>>) -> Result<(), String> {
    if guard.is_none() {
        let c = Client::connect()
            .await
            .map_err(|e| format!("IPVS (generic netlink): {e}"))?;
        **guard = Some(c);
    }
    Ok(())
}

/// The kernel table; a failure drops the client so the next scrape connects anew.
async fn read_table(state: &State) -> Result<Vec<crate::ipvs::model::ServiceEntry>, String> {
    let mut guard = state.client.lock().await;
    client(&mut guard).await?;
    let r = match guard.as_ref() {
        Some(c) => c.table().await.map_err(|e| format!("IPVS: {e}")),
        None => Err("IPVS: no client".into()),
    };
    if r.is_err() {
        *guard = None;
    }
    r
}

/// The kernel's sync daemons, as [`read_table`].
async fn read_daemons(state: &State) -> Result<Vec<crate::ipvs::model::Daemon>, String> {
    let mut guard = state.client.lock().await;
    client(&mut guard).await?;
    let r = match guard.as_ref() {
        Some(c) => c.daemons().await.map_err(|e| format!("IPVS: {e}")),
        None => Err("IPVS: no client".into()),
    };
    if r.is_err() {
        *guard = None;
    }
    r
}

/// Reads every source once.
async fn scrape(state: &State) -> Picture {
    let started = std::time::Instant::now();
    let value = read_table(state).await;
    if let Err(e) = &value {
        tracing::debug!("metrics: {e}");
    }
    let ipvs = Some(Read {
        value,
        at_unix: unix_now(),
        took: started.elapsed(),
    });
    let sync_daemons = if state.sources.kernel_sync {
        let started = std::time::Instant::now();
        let value = read_daemons(state).await;
        Some(Read {
            value,
            at_unix: unix_now(),
            took: started.elapsed(),
        })
    } else {
        None
    };
    let director = match &state.sources.director {
        Some(tx) => {
            let started = std::time::Instant::now();
            let value = ask(tx).await;
            Some(Read {
                value,
                at_unix: unix_now(),
                took: started.elapsed(),
            })
        }
        None => None,
    };
    Picture {
        now_unix: unix_now(),
        ipvs,
        sync_daemons,
        director,
    }
}

async fn ask(tx: &mpsc::Sender<MetricsAsk>) -> Result<DirectorRead, String> {
    let (reply, answer) = oneshot::channel();
    tx.send(reply)
        .await
        .map_err(|_| "the daemon loop has stopped".to_string())?;
    let (picture, latency) = tokio::time::timeout(ASK_TIMEOUT, answer)
        .await
        .map_err(|_| format!("the daemon loop did not answer within {ASK_TIMEOUT:?}"))?
        .map_err(|_| "the daemon loop dropped the question".to_string())?;
    let status = picture
        .status
        .ok_or_else(|| "the director gave no status".to_string())?;
    Ok(DirectorRead {
        status,
        now: picture.now,
        vrrp: picture.vrrp,
        latency,
    })
}
