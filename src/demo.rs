//! `harava demo`: the bundled sample site, served on a loopback port and crawled
//! with the default settings, so anyone can see the whole job run in a minute
//! without touching a real site.

use std::net::SocketAddr;

use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use include_dir::{Dir, include_dir};

/// The sample site, compiled into the binary so `demo` works from any directory.
static SAMPLES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/samples/uusimaa2019");

/// The listing pages the demo crawl starts from.
pub(crate) const START_PATHS: &[&str] = &["/kuntajohtajakokous/", "/strateginen-johtoryhma/"];

/// Serves the samples on 127.0.0.1 on a free port until the returned task is dropped.
pub(crate) async fn serve_samples() -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let address = listener.local_addr()?;
    let app = axum::Router::new().fallback(sample_file);
    let server = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!("demo server stopped: {e}");
        }
    });
    Ok((address, server))
}

async fn sample_file(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    let file_path = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    };
    match SAMPLES.get_file(&file_path) {
        Some(file) => {
            let content_type = if file_path.ends_with(".html") {
                "text/html; charset=utf-8"
            } else {
                "text/plain; charset=utf-8"
            };
            ([(header::CONTENT_TYPE, content_type)], file.contents()).into_response()
        }
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}
