//! A webhook receiver for tests: an HTTP/1.1 server on `127.0.0.1` that records every request
//! in order and answers as its [`Behaviour`] says (succeed, fail, be gone, redirect, stall, or
//! answer with an endless body). It stops when dropped.

use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Body, Bytes, Frame, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

/// How the receiver answers.
#[derive(Debug, Clone)]
pub enum Behaviour {
    /// `200 OK` with body `ok`, always.
    Ok,
    /// `500` with body `boom` for the first N requests, then `200`.
    FailFirst(usize),
    /// `410 Gone`, always.
    Gone,
    /// `302 Found` to this URL, always.
    Redirect(String),
    /// Waits this long, then `200`: for timeouts.
    Sleep(Duration),
    /// `200` with a body of this many `x` bytes, streamed (`u64::MAX`: practically endless).
    Huge(u64),
}

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// The path and query.
    pub path: String,
    /// Header names in lower case, in the order sent.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub at: SystemTime,
}

impl Recorded {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

struct Shared {
    behaviour: Behaviour,
    requests: Mutex<Vec<Recorded>>,
    count: watch::Sender<usize>,
}

/// A running receiver; dropping it stops the server and its connections.
pub struct Receiver {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: JoinHandle<()>,
}

/// Request bodies larger than this are refused (the tests send small JSON).
const MAX_REQUEST_BODY: usize = 1 << 20;

impl Receiver {
    /// Binds `127.0.0.1:0` and serves on the current tokio runtime.
    pub async fn start(behaviour: Behaviour) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("cannot bind the receiver");
        let addr = listener.local_addr().expect("the receiver has no address");
        let (count, _) = watch::channel(0);
        let shared = Arc::new(Shared { behaviour, requests: Mutex::new(Vec::new()), count });
        let server = tokio::spawn(serve(listener, shared.clone()));
        Receiver { addr, shared, server }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port><path>`; `path` starts with `/`.
    pub fn url(&self, path: &str) -> url::Url {
        url::Url::parse(&format!("http://{}{path}", self.addr)).expect("a receiver URL parses")
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.requests.lock().expect("receiver lock").clone()
    }

    /// Waits until at least `n` requests have arrived, at most `timeout`; panics after that.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Recorded> {
        let mut count = self.shared.count.subscribe();
        let reached = tokio::time::timeout(timeout, count.wait_for(|c| *c >= n)).await;
        if !matches!(reached, Ok(Ok(_))) {
            panic!("the receiver got {} of {n} requests within {timeout:?}", self.requests().len());
        }
        self.requests()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        // Aborting the accept loop drops its JoinSet, which aborts every connection task.
        self.server.abort();
    }
}

async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let shared = shared.clone();
                connections.spawn(async move {
                    let service = service_fn(move |req| answer(req, shared.clone()));
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

type ResponseBody = BoxBody<Bytes, Infallible>;

async fn answer(req: Request<Incoming>, shared: Arc<Shared>) -> Result<Response<ResponseBody>, Infallible> {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_REQUEST_BODY).collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(_) => return Ok(reply(StatusCode::PAYLOAD_TOO_LARGE, "too large")),
    };
    let recorded = Recorded {
        method: parts.method.to_string(),
        path: parts.uri.path_and_query().map(|p| p.to_string()).unwrap_or_else(|| "/".into()),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect(),
        body,
        at: SystemTime::now(),
    };
    let index = {
        let mut requests = shared.requests.lock().expect("receiver lock");
        requests.push(recorded);
        requests.len() - 1
    };
    shared.count.send_replace(index + 1);
    Ok(match &shared.behaviour {
        Behaviour::Ok => reply(StatusCode::OK, "ok"),
        Behaviour::FailFirst(n) if index < *n => reply(StatusCode::INTERNAL_SERVER_ERROR, "boom"),
        Behaviour::FailFirst(_) => reply(StatusCode::OK, "ok"),
        Behaviour::Gone => reply(StatusCode::GONE, "gone"),
        Behaviour::Redirect(to) => {
            let mut response = reply(StatusCode::FOUND, "moved");
            let location = hyper::header::HeaderValue::from_str(to).expect("a redirect target fits a header");
            response.headers_mut().insert(hyper::header::LOCATION, location);
            response
        }
        Behaviour::Sleep(pause) => {
            tokio::time::sleep(*pause).await;
            reply(StatusCode::OK, "late")
        }
        Behaviour::Huge(bytes) => {
            let mut response = Response::new(Filler { left: *bytes }.boxed());
            *response.status_mut() = StatusCode::OK;
            response
        }
    })
}

fn reply(status: StatusCode, text: &'static str) -> Response<ResponseBody> {
    let mut response = Response::new(Full::new(Bytes::from_static(text.as_bytes())).boxed());
    *response.status_mut() = status;
    response
}

/// A body of `left` bytes of `x`, made as it is read, 64 KiB at a time.
struct Filler {
    left: u64,
}

static CHUNK: [u8; 64 * 1024] = [b'x'; 64 * 1024];

impl Body for Filler {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.left == 0 {
            return Poll::Ready(None);
        }
        let n = usize::try_from(self.left).unwrap_or(usize::MAX).min(CHUNK.len());
        self.left -= n as u64;
        Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(&CHUNK[..n])))))
    }
}
