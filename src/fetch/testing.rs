//! A real HTTP server on 127.0.0.1 for the fetch layers' tests: it answers
//! with a plain function of the request and keeps every request it got.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::response::Response;
use url::Url;

use super::FetchConfig;

/// A request as the server got it.
#[derive(Debug, Clone)]
pub(super) struct Seen {
    pub path: String,
    pub headers: HeaderMap,
    pub at: Instant,
    /// How many requests for the same path came before this one.
    pub earlier: usize,
}

impl Seen {
    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

type Answer = fn(&Seen) -> Response;

pub(super) struct Server {
    address: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Server {
    /// Serves on a thread and runtime of its own, so a test's runtime, clock or
    /// blocking leaves it be.
    pub(super) fn start(answer: Answer) -> Server {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let address = listener.local_addr().unwrap();
        let app = axum::Router::new()
            .fallback(serve)
            .with_state((answer, seen.clone()));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await
                    .unwrap()
            })
        });
        Server {
            address,
            seen,
            stop: Some(stop),
        }
    }

    pub(super) fn url(&self, path: &str) -> Url {
        Url::parse(&format!("http://{}{path}", self.address)).unwrap()
    }

    pub(super) fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// The paths requested, in order.
    pub(super) fn paths(&self) -> Vec<String> {
        self.seen().into_iter().map(|s| s.path).collect()
    }
}

async fn serve(
    State((answer, seen)): State<(Answer, Arc<Mutex<Vec<Seen>>>)>,
    request: Request,
) -> Response {
    let path = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let request = {
        let mut seen = seen.lock().unwrap();
        let earlier = seen.iter().filter(|s| s.path == path).count();
        let request = Seen {
            path,
            headers: request.headers().clone(),
            at: Instant::now(),
            earlier,
        };
        seen.push(request.clone());
        request
    };
    answer(&request)
}

/// An answer with `status`, `headers` and `body`.
pub(super) fn respond(status: u16, headers: &[(&str, &str)], body: &str) -> Response {
    let mut builder = Response::builder().status(status);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::from(body.to_string())).unwrap()
}

/// The crawl's defaults, without the rate limit, robots.txt and waits that
/// would slow a test down; each test turns on what it is about.
pub(super) fn config() -> FetchConfig {
    let start = Url::parse("http://127.0.0.1/").unwrap();
    let mut config = crate::crawl::CrawlConfig::new(vec![start]).fetch;
    config.rate = 0.0;
    config.ignore_robots = true;
    config.backoff_base = std::time::Duration::from_millis(1);
    config
}
