//! With an OTLP endpoint configured, spans reach the collector over
//! HTTP/protobuf and are flushed when the guard drops. Its own test binary:
//! telemetry is process-global.

#![allow(clippy::unwrap_used)]

use lawos_telemetry::{LogFormat, TelemetryConfig, init_with};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

/// A one-request HTTP server that reports the request head and answers 200.
fn collector() -> (String, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            let mut buf = vec![0u8; 64 * 1024];
            let n = stream.read(&mut buf).unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]).into_owned();
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n");
            let _ = tx.send(head);
        }
    });
    (format!("http://{addr}"), rx)
}

#[test]
fn spans_are_exported_over_http_protobuf() {
    let (endpoint, received) = collector();
    let guard = init_with(TelemetryConfig {
        service_name: "lawos-otlp-test".to_owned(),
        filter: Some("info".to_owned()),
        format: LogFormat::Json,
        otlp_endpoint: Some(endpoint),
    })
    .unwrap();
    assert!(guard.exporting());
    // Spans come from any thread; the batch processor exports from its own.
    std::thread::spawn(|| {
        let span = tracing::info_span!("exported_span");
        span.in_scope(|| tracing::info!("inside"));
    })
    .join()
    .unwrap();
    drop(guard); // flushes

    let head = received.recv_timeout(Duration::from_secs(10)).unwrap();
    assert!(head.starts_with("POST /v1/traces "), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/x-protobuf"),
        "{head}"
    );
    assert!(head.contains("exported_span"), "{head}");
    assert!(head.contains("lawos-otlp-test"), "{head}");
}
