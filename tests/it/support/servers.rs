//! Throw-away metric backends for the budget tests: Debian's `prometheus`
//! (a TSDB backfilled with `promtool`) and `victoria-metrics`, each on
//! 127.0.0.1 with a free port and a temporary data folder, killed on drop.
//! Plain std networking, so sync and async tests can both use them.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running backend, killed on drop.
pub struct Backend {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// The port.
    pub port: u16,
    /// Data folder and log (`server.log`).
    pub dir: tempfile::TempDir,
}

impl Drop for Backend {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nobody listens on at the time of the call.
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// One HTTP/1.1 request to 127.0.0.1:`port` (`Connection: close`);
/// returns (status, body).
pub fn http(port: u16, method: &str, path: &str, body: &[u8]) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    s.write_all(body)?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(rest)
    } else {
        rest.to_string()
    };
    Ok((status, body))
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

fn wait_ready(b: &Backend, path: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok((200, _)) = http(b.port, "GET", path, b"") {
            return;
        }
        if Instant::now() > deadline {
            let log = std::fs::read_to_string(b.dir.path().join("server.log")).unwrap_or_default();
            panic!("{what} not ready after 30 s:\n{log}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Backfills `openmetrics` (OpenMetrics text, timestamps in seconds) with
/// `promtool tsdb create-blocks-from openmetrics` and starts `prometheus`
/// on it.
pub fn start_prometheus(openmetrics: &str) -> Backend {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("data.om.txt");
    let tsdb = dir.path().join("tsdb");
    std::fs::write(&input, openmetrics).expect("write openmetrics");
    let backfill = |extra: &[&str]| {
        Command::new("promtool")
            .args(["tsdb", "create-blocks-from", "openmetrics", "--quiet"])
            .args(extra)
            .arg(&input)
            .arg(&tsdb)
            .output()
            .expect("run promtool")
    };
    // One block instead of one per 2 h (the flag is hidden in 2.42).
    let mut out = backfill(&["--max-block-duration=720h"]);
    if !out.status.success() {
        let _ = std::fs::remove_dir_all(&tsdb);
        out = backfill(&[]);
    }
    assert!(
        out.status.success(),
        "promtool failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let config = dir.path().join("prometheus.yml");
    std::fs::write(
        &config,
        "global:\n  evaluation_interval: 1m\nscrape_configs: []\n",
    )
    .expect("config");
    let port = free_port();
    let log = std::fs::File::create(dir.path().join("server.log")).expect("log");
    let child = Command::new("prometheus")
        .arg(format!("--config.file={}", config.display()))
        .arg(format!("--storage.tsdb.path={}", tsdb.display()))
        .arg("--storage.tsdb.retention.time=100y")
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start prometheus");
    let b = Backend {
        child,
        url: format!("http://127.0.0.1:{port}"),
        port,
        dir,
    };
    wait_ready(&b, "/-/ready", "prometheus");
    b
}

/// Starts Debian's `victoria-metrics` (single node) with an empty store
/// and 100 years of retention (the tests' data lie in 2024).
pub fn start_victoria_metrics() -> Backend {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let log = std::fs::File::create(dir.path().join("server.log")).expect("log");
    let child = Command::new("victoria-metrics")
        .arg(format!(
            "-storageDataPath={}",
            dir.path().join("data").display()
        ))
        .arg(format!("-httpListenAddr=127.0.0.1:{port}"))
        .arg("-retentionPeriod=100y")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start victoria-metrics");
    let b = Backend {
        child,
        url: format!("http://127.0.0.1:{port}"),
        port,
        dir,
    };
    wait_ready(&b, "/health", "victoria-metrics");
    b
}

impl Backend {
    /// VictoriaMetrics: imports Prometheus exposition text (`name{labels}
    /// value timestamp_ms` lines) through `/api/v1/import/prometheus`, then
    /// flushes so the samples are searchable at once.
    pub fn vm_import(&self, text: &str) {
        let (status, body) = http(
            self.port,
            "POST",
            "/api/v1/import/prometheus",
            text.as_bytes(),
        )
        .expect("import");
        assert!(
            (200..300).contains(&status),
            "import: HTTP {status}: {body}"
        );
        let (status, body) = http(self.port, "GET", "/internal/force_flush", b"").expect("flush");
        assert_eq!(status, 200, "force_flush: {body}");
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }
}

/// `http://127.0.0.1:<port>` on a port nobody listens on at the time of the call.
pub fn closed_port_url() -> String {
    format!("http://127.0.0.1:{}", free_port())
}
