//! The page and its scripts, compiled into the binary: the user needs no build step and no
//! network. Only the names listed here answer; any other path (`/../../etc/passwd` included)
//! is 404, since nothing here reads a file.

use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

/// Each served path, its content type and its bytes.
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "/",
        "text/html; charset=utf-8",
        include_str!("../../assets/index.html"),
    ),
    (
        "/index.html",
        "text/html; charset=utf-8",
        include_str!("../../assets/index.html"),
    ),
    (
        "/app.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/app.js"),
    ),
    (
        "/app.css",
        "text/css; charset=utf-8",
        include_str!("../../assets/app.css"),
    ),
    (
        "/vendor/cytoscape.min.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/vendor/cytoscape/cytoscape.min.js"),
    ),
    (
        "/vendor/layout-base.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/vendor/fcose/layout-base.js"),
    ),
    (
        "/vendor/cose-base.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/vendor/fcose/cose-base.js"),
    ),
    (
        "/vendor/cytoscape-fcose.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/vendor/fcose/cytoscape-fcose.js"),
    ),
    (
        "/vendor/LICENSE-layout-base.txt",
        "text/plain; charset=utf-8",
        include_str!("../../assets/vendor/fcose/LICENSE-layout-base"),
    ),
    (
        "/vendor/LICENSE-cose-base.txt",
        "text/plain; charset=utf-8",
        include_str!("../../assets/vendor/fcose/LICENSE-cose-base"),
    ),
    (
        "/vendor/LICENSE-cytoscape-fcose.txt",
        "text/plain; charset=utf-8",
        include_str!("../../assets/vendor/fcose/LICENSE-cytoscape-fcose"),
    ),
    (
        "/vendor/LICENSE-cytoscape.txt",
        "text/plain; charset=utf-8",
        include_str!("../../assets/vendor/cytoscape/LICENSE"),
    ),
];

/// What the page may load: its own scripts, styles and images, and no other site's.
const CSP: &str = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

pub(super) async fn asset(uri: Uri) -> Response {
    match ASSETS.iter().find(|(path, _, _)| *path == uri.path()) {
        Some((_, kind, body)) => (
            [
                (header::CONTENT_TYPE, *kind),
                (header::CONTENT_SECURITY_POLICY, CSP),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
                (header::REFERRER_POLICY, "no-referrer"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            *body,
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "not found: the server answers its page (/) and its API (/api/…) only\n",
        )
            .into_response(),
    }
}
