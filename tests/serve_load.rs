//! A bounded load test of `alliances serve`'s API on loopback: every request answered, the
//! latency figures printed (p50, p99), and the server's memory flat. It is alone in this test
//! binary so that the process's memory is the server's and the clients'.

#[path = "common/http.rs"]
mod http;

use std::time::{Duration, Instant};

use alliances::serve::Options;
use alliances::session::{Request, Session};
use http::{get, post, start};

/// The server's resident memory, in kilobytes (it runs in this process).
fn resident_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// 16 clients send a mix of requests; every one is answered, and memory stays flat between
/// the first round and the rest. ALLIANCES_LOAD_TEST=1 sends 10,000 requests, else 1,600.
#[test]
fn load_on_loopback_is_answered_and_memory_stays_flat() {
    let full = std::env::var_os("ALLIANCES_LOAD_TEST").is_some();
    let total: usize = if full { 10_000 } else { 1_600 };
    let clients = 16;
    let (session, _) = Session::open(&Request::default(), &|_| {}).unwrap();
    let address = start(session, Options::default());
    let requests: [(&str, Option<&str>); 4] = [
        ("/api/search?q=nvi", None),
        ("/api/neighbours/nvidia", None),
        (
            "/api/query",
            Some(
                r#"{"query": "MATCH (a)-[r:INVESTS_IN]->(b) RETURN a.name, b.name, r.amount_usd ORDER BY r.amount_usd DESC LIMIT 10"}"#,
            ),
        ),
        ("/api/paths?from=BlackRock&to=Intel", None),
    ];
    let round = |count: usize| -> Vec<Duration> {
        let handles: Vec<_> = (0..clients)
            .map(|c| {
                // The remainder goes one each to the first clients.
                let per_client = count / clients + usize::from(c < count % clients);
                std::thread::spawn(move || {
                    let mut times = Vec::with_capacity(per_client);
                    for i in 0..per_client {
                        let (path, body) = requests[(c + i) % requests.len()];
                        let started = Instant::now();
                        let answer = match body {
                            Some(body) => post(address, path, body),
                            None => get(address, path),
                        };
                        times.push(started.elapsed());
                        assert_eq!(answer.status, 200, "{path}: {}", answer.body);
                    }
                    times
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    };
    let warm = total / 10;
    round(warm);
    let before = resident_kb();
    let started = Instant::now();
    let mut times = round(total - warm);
    let elapsed = started.elapsed();
    let after = resident_kb();
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    eprintln!(
        "load: {} requests from {clients} clients in {:.2} s ({:.0}/s); p50 {:.2} ms, p99 {:.2} ms; resident {before} kB -> {after} kB",
        total,
        elapsed.as_secs_f64(),
        times.len() as f64 / elapsed.as_secs_f64(),
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
    );
    assert_eq!(times.len() + warm, total);
    // Flat: what the server holds after thousands more requests grows by less than 32 MB.
    assert!(
        after < before + 32 * 1024,
        "resident memory grew from {before} kB to {after} kB"
    );
}
