//! A WebSocket client of the notifications socket.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{Error, Message};

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

fn ws_url(base: &str, query: &str) -> String {
    format!(
        "{}/api/v1/notifications/ws{query}",
        base.replacen("http://", "ws://", 1)
    )
}

/// Opens the socket with `token` in `Sec-WebSocket-Protocol` (as a browser would).
pub async fn open(base: &str, token: &str) -> Result<Socket, Error> {
    let mut req = ws_url(base, "").into_client_request()?;
    req.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_str(&format!("lawos.bearer, {token}")).unwrap(),
    );
    let (socket, res) = tokio_tungstenite::connect_async(req).await?;
    assert_eq!(
        res.headers().get("sec-websocket-protocol").unwrap(),
        "lawos.bearer"
    );
    Ok(socket)
}

/// Opens the socket with `?ticket=`.
pub async fn open_with_ticket(base: &str, ticket: &str) -> Result<Socket, Error> {
    let req = ws_url(base, &format!("?ticket={ticket}")).into_client_request()?;
    Ok(tokio_tungstenite::connect_async(req).await?.0)
}

/// Opens the socket and reads its hello.
pub async fn open_ready(base: &str, token: &str) -> Socket {
    let mut socket = open(base, token).await.unwrap();
    let hello = next_json(&mut socket, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(hello["type"], "hello", "{hello}");
    socket
}

/// The next JSON frame within `within` (pings answered, skipped).
pub async fn next_json(socket: &mut Socket, within: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let msg = tokio::time::timeout_at(deadline, socket.next())
            .await
            .ok()??
            .ok()?;
        match msg {
            Message::Text(t) => return serde_json::from_str(t.as_str()).ok(),
            Message::Ping(p) => {
                let _ = socket.send(Message::Pong(p)).await;
            }
            Message::Close(_) => return None,
            _ => {}
        }
    }
}

/// The next frame of `kind` within `within`.
pub async fn next_of(socket: &mut Socket, kind: &str, within: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let v = next_json(socket, left).await?;
        if v["type"] == kind {
            return Some(v);
        }
    }
}

/// The close frame's reason within `within` (`None`: no close came).
pub async fn closed_with(socket: &mut Socket, within: Duration) -> Option<String> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let msg = tokio::time::timeout_at(deadline, socket.next())
            .await
            .ok()?;
        match msg {
            Some(Ok(Message::Close(frame))) => {
                return Some(frame.map(|f| f.reason.to_string()).unwrap_or_default());
            }
            Some(Ok(Message::Ping(p))) => {
                let _ = socket.send(Message::Pong(p)).await;
            }
            Some(Ok(_)) => {}
            Some(Err(_)) | None => return Some(String::new()),
        }
    }
}

/// The refusal of an upgrade: its status and JSON body.
pub fn refusal(e: Error) -> (u16, Value) {
    match e {
        Error::Http(res) => {
            let status = res.status().as_u16();
            let body = res
                .body()
                .as_ref()
                .map(|b| serde_json::from_slice(b).unwrap_or(Value::Null))
                .unwrap_or(Value::Null);
            (status, body)
        }
        other => panic!("expected an HTTP refusal, got {other}"),
    }
}

/// The next `notification.created` frame about a notification of type `kind`.
pub async fn next_notice(socket: &mut Socket, kind: &str, within: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let v = next_of(socket, "notification.created", left).await?;
        if v["notification"]["type"] == kind {
            return Some(v);
        }
    }
}
