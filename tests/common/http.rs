//! A server started in the test process on a free loopback port, and a raw HTTP/1.1 client
//! over a TCP stream, so that a test sends exactly the bytes it means to (a path with `..`, a
//! foreign `Host`), which an HTTP library would tidy up first.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use alliances::serve::{self, Options};
use alliances::session::{Request, Session};

/// Starts a server on `session` with `options` (its port replaced by a free one) in a thread
/// of its own, and returns its address once it listens.
pub fn start(session: Session, options: Options) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let options = Options { port: 0, ..options };
        let _ = serve::run(session, options, move |address| {
            let _ = tx.send(address);
        });
    });
    rx.recv_timeout(Duration::from_secs(30))
        .expect("the server listens")
}

/// A server on the built-in dataset with the default options.
pub fn start_default() -> SocketAddr {
    let (session, _) = Session::open(&Request::default(), &|_| {}).expect("the dataset opens");
    start(session, Options::default())
}

/// An answer: its status, its headers (names lowercased) and its body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Sends `head` (the request line and headers, without the blank line) and `body` as they
/// are, and reads the whole answer.
pub fn raw(address: SocketAddr, head: &str, body: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut request = head.replace('\n', "\r\n");
    request.push_str("\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    // A server that refuses a body may close before it is all sent; the answer still counts.
    let _ = stream.write_all(body);
    // Read until the body announced is complete: a server may keep the connection open.
    let mut bytes = Vec::new();
    let mut buffer = [0u8; 1 << 16];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => bytes.extend_from_slice(&buffer[..n]),
        }
        if complete(&bytes) {
            break;
        }
    }
    parse(&bytes)
}

/// Whether `bytes` hold a whole answer with a `Content-Length`.
fn complete(bytes: &[u8]) -> bool {
    let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&bytes[..end]).to_lowercase();
    head.lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|n| n.trim().parse::<usize>().ok())
        .is_some_and(|length| bytes.len() >= end + 4 + length)
}

fn parse(bytes: &[u8]) -> Answer {
    let text = String::from_utf8_lossy(bytes);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_owned()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
    let body = if chunked {
        unchunk(body)
    } else {
        body.to_owned()
    };
    Answer {
        status,
        headers,
        body,
    }
}

fn unchunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}

/// `GET path` with this server's own `Host`.
pub fn get(address: SocketAddr, path: &str) -> Answer {
    raw(
        address,
        &format!("GET {path} HTTP/1.1\nHost: {address}"),
        b"",
    )
}

/// `POST path` with a JSON body and this server's own `Host`.
pub fn post(address: SocketAddr, path: &str, body: &str) -> Answer {
    raw(
        address,
        &format!(
            "POST {path} HTTP/1.1\nHost: {address}\nContent-Type: application/json\nContent-Length: {}",
            body.len()
        ),
        body.as_bytes(),
    )
}
