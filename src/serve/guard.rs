//! Who may talk to the server: a request whose `Host` is not the server's own address (a
//! DNS-rebinding page) or whose `Origin` is another site (a cross-site form or script) is
//! refused before any handler runs. Bodies are bounded by `MAX_BODY_BYTES` in `mod.rs`.
//!
//! **Invariant:** the refusal is a JSON error with status 403, and reads nothing of the graph.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::Shared;
use super::json::error_response;

/// The `Host` values that name this server: its address and port, and `localhost:PORT` when it
/// listens on loopback (or on every address, where loopback is one of them).
pub(super) fn allowed_hosts(bound: SocketAddr) -> Vec<String> {
    let port = bound.port();
    let mut hosts = vec![match bound {
        SocketAddr::V4(a) => format!("{}:{port}", a.ip()),
        SocketAddr::V6(a) => format!("[{}]:{port}", a.ip()),
    }];
    if bound.ip().is_loopback() || bound.ip().is_unspecified() {
        hosts.push(format!("localhost:{port}"));
        hosts.push(format!("127.0.0.1:{port}"));
        hosts.push(format!("[::1]:{port}"));
    }
    hosts
}

/// Why a request is refused, if it is.
pub(super) fn refusal(hosts: &[String], headers: &HeaderMap) -> Option<String> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        return Some(format!(
            "the request's Host header is \"{host}\", not this server's address ({}); open the address the server printed",
            hosts.join(", ")
        ));
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        let own = origin
            .strip_prefix("http://")
            .is_some_and(|o| hosts.iter().any(|h| h.eq_ignore_ascii_case(o)));
        if !own {
            return Some(format!(
                "requests from another site ({origin}) are refused; the API answers this server's own page and programs that send no Origin"
            ));
        }
    }
    if headers
        .get("sec-fetch-site")
        .is_some_and(|s| s.as_bytes() == b"cross-site")
    {
        return Some("requests from another site are refused".to_owned());
    }
    None
}

/// The middleware: refuses a foreign request, and passes the rest on.
pub(super) async fn check(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    match refusal(&shared.hosts, request.headers()) {
        Some(message) => error_response(StatusCode::FORBIDDEN, &message, None).into_response(),
        None => next.run(request).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, v.parse().unwrap());
        }
        map
    }

    #[test]
    fn own_host_and_origin_pass_and_others_do_not() {
        let hosts = allowed_hosts("127.0.0.1:7474".parse().unwrap());
        assert_eq!(
            refusal(&hosts, &headers(&[("host", "127.0.0.1:7474")])),
            None
        );
        assert_eq!(
            refusal(&hosts, &headers(&[("host", "localhost:7474")])),
            None
        );
        assert!(refusal(&hosts, &headers(&[("host", "evil.example")])).is_some());
        assert!(refusal(&hosts, &headers(&[("host", "localhost:7475")])).is_some());
        assert!(refusal(&hosts, &headers(&[])).is_some());
        let own = [
            ("host", "localhost:7474"),
            ("origin", "http://localhost:7474"),
        ];
        assert_eq!(refusal(&hosts, &headers(&own)), None);
        let foreign = [
            ("host", "localhost:7474"),
            ("origin", "https://evil.example"),
        ];
        assert!(
            refusal(&hosts, &headers(&foreign))
                .unwrap()
                .contains("evil.example")
        );
        let null = [("host", "localhost:7474"), ("origin", "null")];
        assert!(refusal(&hosts, &headers(&null)).is_some());
    }

    #[test]
    fn another_address_allows_only_itself() {
        let hosts = allowed_hosts("192.168.1.5:80".parse().unwrap());
        assert_eq!(
            refusal(&hosts, &headers(&[("host", "192.168.1.5:80")])),
            None
        );
        assert!(refusal(&hosts, &headers(&[("host", "localhost:80")])).is_some());
    }
}
