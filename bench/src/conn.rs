//! One HTTP/1.1 client connection (hyper 1, no pool): a worker owns exactly one, so a phase
//! with N workers holds exactly N keep-alive connections. A server that closes after each
//! response (gunicorn's sync workers do) is reconnected before the next request, and the
//! connect time is part of that request's latency.

use anyhow::{bail, Context, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONNECTION, CONTENT_TYPE, HOST};
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpStream;

/// How long one request (connect, send, read the whole body) may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A response: its status and its whole body.
#[derive(Debug)]
pub struct Response {
    pub status: StatusCode,
    pub body: Bytes,
}

/// A single client connection to a loopback server.
pub struct Conn {
    addr: SocketAddr,
    host: String,
    sender: Option<SendRequest<Full<Bytes>>>,
    /// How many TCP connections this worker has opened in total.
    pub connects: u64,
    /// Sent as `Authorization` with every request, if set (an account's creates).
    authorization: Option<HeaderValue>,
}

impl Conn {
    /// A connection to `addr`, which must be a loopback address: the benchmark never sends
    /// traffic anywhere else. Nothing is opened until the first request.
    pub fn new(addr: SocketAddr) -> Result<Self> {
        if !addr.ip().is_loopback() {
            bail!("refusing to load {addr}: the benchmark only targets loopback addresses");
        }
        Ok(Self { addr, host: addr.to_string(), sender: None, connects: 0, authorization: None })
    }

    /// The same connection, sending `authorization` with every request.
    pub fn with_authorization(self, authorization: Option<HeaderValue>) -> Self {
        Self { authorization, ..self }
    }

    async fn connect(&mut self) -> Result<()> {
        let stream = TcpStream::connect(self.addr).await.with_context(|| format!("connecting to {}", self.addr))?;
        stream.set_nodelay(true)?;
        let (sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
        // The connection future ends when either side closes; errors surface on `sender`.
        tokio::spawn(async move {
            let _ = connection.await;
        });
        self.sender = Some(sender);
        self.connects += 1;
        Ok(())
    }

    /// POSTs a form body to `path` and reads the whole response, within [`REQUEST_TIMEOUT`].
    /// After any error the connection is dropped and the next request opens a new one.
    pub async fn post_form(&mut self, path: &str, body: Bytes) -> Result<Response> {
        match tokio::time::timeout(REQUEST_TIMEOUT, self.post_inner(path, body)).await {
            Ok(Ok(r)) => Ok(r),
            Ok(Err(e)) => {
                self.sender = None;
                Err(e)
            }
            Err(_) => {
                self.sender = None;
                bail!("request to {path} timed out after {REQUEST_TIMEOUT:?}")
            }
        }
    }

    async fn post_inner(&mut self, path: &str, body: Bytes) -> Result<Response> {
        if self.sender.as_ref().is_none_or(|s| s.is_closed()) {
            self.connect().await?;
        }
        let sender = self.sender.as_mut().context("no connection")?;
        sender.ready().await?;
        let mut req = Request::post(path)
            .header(HOST, &self.host)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(ACCEPT, "application/json");
        if let Some(auth) = &self.authorization {
            req = req.header(AUTHORIZATION, auth.clone());
        }
        let req = req.body(Full::new(body))?;
        let resp = sender.send_request(req).await?;
        let status = resp.status();
        let closing = resp.headers().get(CONNECTION).is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"close"));
        let body = resp.into_body().collect().await?.to_bytes();
        if closing {
            self.sender = None;
        }
        Ok(Response { status, body })
    }
}
