//! Shared test helpers: the built binary, the sample site, the seed texts, and a
//! real HTTP server on 127.0.0.1 that logs every request it gets.

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::Value;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn samples() -> PathBuf {
    root().join("samples/uusimaa2019")
}

/// The harava binary cargo built for these tests.
pub fn harava() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_harava"));
    command.env_remove("RUST_LOG").stdin(Stdio::null());
    command
}

/// How many meetings the state database at `path` knows.
pub fn state_meetings(path: &Path) -> i64 {
    rusqlite::Connection::open(path)
        .unwrap()
        .query_row("SELECT count(*) FROM meetings", [], |row| row.get(0))
        .unwrap()
}

/// Whether a run on the state database at `path`, going on now, has delivered
/// records: its checkpoint noted an output longer than nothing.
pub fn state_has_deliveries(path: &Path) -> bool {
    rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .and_then(|db| {
            db.query_row(
                "SELECT count(*) FROM outputs WHERE path NOT LIKE 'warc:%' AND bytes > 0",
                [],
                |row| row.get::<_, i64>(0),
            )
        })
        .is_ok_and(|outputs| outputs > 0)
}

/// Runs harava with `args` until `server` has been asked for `path` and the
/// run has delivered records to the state at `state`, then kills it outright
/// (SIGKILL), as a crash would.
pub fn killed_once_delivering<S: AsRef<std::ffi::OsStr>>(
    args: &[S],
    server: &TestServer,
    path: &str,
    state: &Path,
) {
    let asked_before = server.paths().len();
    let mut child = harava().args(args).spawn().unwrap();
    let deadline = Instant::now() + std::time::Duration::from_secs(20);
    while !(server.paths()[asked_before..]
        .iter()
        .any(|asked| asked == path)
        && state_has_deliveries(state))
    {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {path} and a delivery"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Runs harava with `args` and returns its output.
pub fn run(args: &[&str]) -> Output {
    harava().args(args).output().expect("harava runs")
}

/// Runs harava with `stdin` as its standard input.
pub fn run_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = harava()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("harava starts");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The records in a JSON Lines text.
pub fn records(jsonl: &[u8]) -> Vec<Value> {
    let text = std::str::from_utf8(jsonl).expect("output is UTF-8");
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "output must end with a newline"
    );
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect()
}

/// Records sorted by id, with `fetched_at` removed (it is the only field that
/// differs between runs).
pub fn comparable(mut records: Vec<Value>) -> Vec<Value> {
    for r in &mut records {
        r.as_object_mut().unwrap().remove("fetched_at");
    }
    records.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    records
}

/// One meeting as the seed text shows it.
#[derive(Debug, Clone)]
pub struct SeedEntry {
    pub published: String,
    pub title: String,
    pub category: String,
    pub document: String,
    pub summary: String,
}

/// The meetings in the two seed pages, read the way a person reads them.
pub fn seed_entries() -> Vec<SeedEntry> {
    let dir = root().join("tests/data/seeds");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let start = regex::Regex::new(
        r"(\d{1,2}\.\d{1,2}\.\d{4})((?:Kuntajohtajakokous|Strategisen johtoryhmän kokous) .*)$",
    )
    .unwrap();
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut current: Option<(String, String, Vec<String>)> = None;
        let finish = |entry: Option<(String, String, Vec<String>)>, out: &mut Vec<SeedEntry>| {
            let Some((published, title, lines)) = entry else {
                return;
            };
            let lines: Vec<String> = lines.into_iter().filter(|l| !l.trim().is_empty()).collect();
            let category = lines[0].clone();
            let document = lines[1].strip_prefix("> ").unwrap().to_string();
            let mut paragraphs: Vec<String> = Vec::new();
            for line in &lines[2..] {
                let line = line.trim_end_matches("Lue lisää | 0 Kommenttia | Kommentoi");
                let collapsed = line.split_whitespace().collect::<Vec<_>>().join(" ");
                if !collapsed.is_empty() {
                    paragraphs.push(collapsed);
                }
            }
            out.push(SeedEntry {
                published,
                title,
                category,
                document,
                summary: paragraphs.join("\n\n"),
            });
        };
        for line in text.lines() {
            if let Some(c) = start.captures(line) {
                finish(current.take(), &mut out);
                current = Some((c[1].to_string(), c[2].to_string(), Vec::new()));
            } else if line.trim() == "Vanhemmat" {
                finish(current.take(), &mut out);
            } else if let Some((_, _, lines)) = current.as_mut() {
                lines.push(line.to_string());
            }
        }
        finish(current.take(), &mut out);
    }
    out
}

/// "8.5.2017" → "2017-05-08".
pub fn iso(finnish: &str) -> String {
    let parts: Vec<u32> = finnish
        .trim_end_matches('.')
        .split('.')
        .map(|p| p.parse().unwrap())
        .collect();
    format!("{:04}-{:02}-{:02}", parts[2], parts[1], parts[0])
}

/// How the test server answers one path.
#[derive(Clone)]
pub enum Route {
    /// Status, headers and body.
    Fixed(u16, Vec<(&'static str, String)>, Vec<u8>),
    /// The n-th request gets the n-th route; the last one repeats.
    Sequence(Vec<Route>),
    /// Headers and a first chunk, then nothing ever again.
    Hang,
}

impl Route {
    pub fn html(body: &str) -> Route {
        Route::Fixed(
            200,
            vec![("content-type", "text/html; charset=utf-8".into())],
            body.as_bytes().to_vec(),
        )
    }

    pub fn status(status: u16) -> Route {
        Route::Fixed(status, vec![], Vec::new())
    }

    pub fn redirect(location: &str) -> Route {
        Route::Fixed(302, vec![("location", location.to_string())], Vec::new())
    }
}

/// One request the server got.
#[derive(Debug, Clone)]
pub struct Logged {
    pub at: Instant,
    pub path: String,
    pub headers: HeaderMap,
}

struct ServerState {
    root: Option<PathBuf>,
    routes: Mutex<HashMap<String, Route>>,
    hits: Mutex<HashMap<String, usize>>,
    log: Mutex<Vec<Logged>>,
}

/// A real HTTP server on 127.0.0.1 serving a directory (the samples) plus routes
/// that override or add paths; it logs every request.
pub struct TestServer {
    pub address: SocketAddr,
    state: Arc<ServerState>,
    // Owned so the server lives exactly as long as the test's handle.
    _runtime: tokio::runtime::Runtime,
}

impl TestServer {
    pub fn samples() -> TestServer {
        TestServer::start(Some(samples()))
    }

    pub fn empty() -> TestServer {
        TestServer::start(None)
    }

    fn start(root: Option<PathBuf>) -> TestServer {
        let state = Arc::new(ServerState {
            root,
            routes: Mutex::new(HashMap::new()),
            hits: Mutex::new(HashMap::new()),
            log: Mutex::new(Vec::new()),
        });
        let (address, runtime) = spawn_server(
            axum::Router::new()
                .fallback(serve)
                .with_state(state.clone()),
        );
        TestServer {
            address,
            state,
            _runtime: runtime,
        }
    }

    /// Answers `path` (with its query, if any) with `route`.
    pub fn route(&self, path: &str, route: Route) -> &TestServer {
        self.state
            .routes
            .lock()
            .unwrap()
            .insert(path.to_string(), route);
        self
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.address, path)
    }

    pub fn log(&self) -> Vec<Logged> {
        self.state.log.lock().unwrap().clone()
    }

    /// How many requests the server has received so far.
    pub fn requests(&self) -> usize {
        self.state.log.lock().unwrap().len()
    }

    pub fn paths(&self) -> Vec<String> {
        self.log().into_iter().map(|l| l.path).collect()
    }
}

/// Serves `app` on a free port of 127.0.0.1 from a runtime of its own; the server
/// lives as long as the returned runtime.
pub fn spawn_server(app: axum::Router) -> (SocketAddr, tokio::runtime::Runtime) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let address = listener.local_addr().unwrap();
    runtime.spawn(async move { axum::serve(listener, app).await.unwrap() });
    (address, runtime)
}

async fn serve(State(state): State<Arc<ServerState>>, request: Request) -> Response {
    let path = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    state.log.lock().unwrap().push(Logged {
        at: Instant::now(),
        path: path.clone(),
        headers: request.headers().clone(),
    });
    let hit = {
        let mut hits = state.hits.lock().unwrap();
        let n = hits.entry(path.clone()).or_insert(0);
        *n += 1;
        *n - 1
    };
    let route = state.routes.lock().unwrap().get(&path).cloned();
    match route {
        Some(route) => respond(route, hit),
        None => match &state.root {
            Some(root) => from_dir(root, request.uri().path(), request.headers()),
            None => respond(Route::status(404), 0),
        },
    }
}

fn respond(route: Route, hit: usize) -> Response {
    match route {
        Route::Fixed(status, headers, body) => {
            let mut response = Response::new(Body::from(body));
            *response.status_mut() = StatusCode::from_u16(status).unwrap();
            for (name, value) in headers {
                response.headers_mut().insert(
                    HeaderName::from_static(name),
                    HeaderValue::from_str(&value).unwrap(),
                );
            }
            response
        }
        Route::Sequence(routes) => {
            let route = routes.get(hit).or(routes.last()).cloned().unwrap();
            respond(route, 0)
        }
        Route::Hang => {
            let first = futures::stream::once(async {
                Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"<html><body><p>Alku"))
            });
            let never = futures::stream::pending();
            let mut response =
                Response::new(Body::from_stream(futures::StreamExt::chain(first, never)));
            response
                .headers_mut()
                .insert("content-type", HeaderValue::from_static("text/html"));
            response
        }
    }
}

/// A file under `root`, with a strong `ETag` (of its bytes, as read now) and 304
/// Not Modified when the request's `If-None-Match` names it, as a
/// well-configured server answers.
fn from_dir(root: &Path, path: &str, headers: &HeaderMap) -> Response {
    let relative = path.trim_start_matches('/');
    let file = if relative.is_empty() || relative.ends_with('/') {
        root.join(relative).join("index.html")
    } else {
        root.join(relative)
    };
    match std::fs::read(&file) {
        Ok(bytes) if !relative.contains("..") => {
            let content_type = if file.extension().is_some_and(|e| e == "html") {
                "text/html; charset=utf-8"
            } else {
                "text/plain"
            };
            let digest = <sha2::Sha256 as sha2::Digest>::digest(&bytes);
            let etag = format!("\"{}\"", data_encoding::HEXLOWER.encode(&digest[..16]));
            if headers
                .get("if-none-match")
                .is_some_and(|tag| tag.as_bytes() == etag.as_bytes())
            {
                return respond(Route::Fixed(304, vec![("etag", etag)], Vec::new()), 0);
            }
            respond(
                Route::Fixed(
                    200,
                    vec![("content-type", content_type.into()), ("etag", etag)],
                    bytes,
                ),
                0,
            )
        }
        _ => respond(Route::status(404), 0),
    }
}

/// Runs `harava crawl` against `server` with `args` (fast settings unless the test
/// overrides them) and returns its output.
pub fn crawl(args: &[&str]) -> Output {
    let mut all = vec!["crawl"];
    all.extend_from_slice(args);
    run(&all)
}

/// The output's lines, byte for byte but for `fetched_at`, sorted: what must be
/// equal between a crawl and an extract of its WARC.
pub fn lines_but_fetched_at(jsonl: &[u8]) -> Vec<String> {
    let fetched_at = regex::Regex::new(r#""fetched_at":(?:"[^"]*"|null),"#).unwrap();
    let mut lines: Vec<String> = std::str::from_utf8(jsonl)
        .unwrap()
        .lines()
        .map(|line| {
            assert!(fetched_at.is_match(line), "no fetched_at in {line}");
            fetched_at.replace(line, "").into_owned()
        })
        .collect();
    lines.sort();
    lines
}

/// A copy of the sample site with every file's text passed through `edit`.
pub fn copy_samples(edit: impl Fn(&Path, String) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in walkdir::WalkDir::new(samples()) {
        let entry = entry.unwrap();
        let relative = entry.path().strip_prefix(samples()).unwrap();
        let target = dir.path().join(relative);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            std::fs::write(&target, edit(relative, text)).unwrap();
        }
    }
    dir
}

/// The response a [`Route`] gives, for servers of their own (the archive emulator).
pub fn respond_with(route: Route) -> Response {
    respond(route, 0)
}

impl TestServer {
    /// A server for the files under `dir` (another sample site's root).
    pub fn serving(dir: PathBuf) -> TestServer {
        TestServer::start(Some(dir))
    }
}
