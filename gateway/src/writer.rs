//! One connection's writer task: drains its outbox into the socket (one flush per burst),
//! sends the heartbeat pings, and the close frame when the session ends.

use crate::outbox::Outbox;
use futures::SinkExt;
use futures::stream::SplitSink;
use hyper_util::rt::TokioIo;
use shared::protocol::CloseReason;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::time::Instant;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use warp::hyper::upgrade::Upgraded;

pub(crate) type Socket = WebSocketStream<TokioIo<Upgraded>>;

async fn send_close(sink: &mut SplitSink<Socket, Message>, reason: CloseReason) {
    let frame = CloseFrame {
        code: reason.code().into(),
        reason: reason.reason().into(),
    };
    let _ = tokio::time::timeout(
        Duration::from_secs(2),
        sink.send(Message::Close(Some(frame))),
    )
    .await;
}

/// Runs until the session closes the outbox (then sends the close frame it is given, if any,
/// within a second) or the socket fails.
pub(crate) async fn write_loop(
    mut sink: SplitSink<Socket, Message>,
    outbox: Arc<Outbox>,
    mut close_rx: oneshot::Receiver<CloseReason>,
    heartbeat: Duration,
) {
    let mut ping = tokio::time::interval_at(Instant::now() + heartbeat, heartbeat);
    let mut frames = Vec::new();
    loop {
        tokio::select! {
            biased;
            close = &mut close_rx => {
                if let Ok(reason) = close {
                    send_close(&mut sink, reason).await;
                }
                break;
            }
            more = outbox.take(&mut frames) => {
                if !more {
                    // The session is gone; a close frame may still follow.
                    if let Ok(Ok(reason)) = tokio::time::timeout(Duration::from_secs(1), close_rx).await {
                        send_close(&mut sink, reason).await;
                    }
                    break;
                }
                let mut ok = true;
                for frame in frames.drain(..) {
                    ok = ok && sink.feed(Message::Text(frame)).await.is_ok();
                }
                if !ok || sink.flush().await.is_err() {
                    break;
                }
            }
            _ = ping.tick() => {
                if sink.send(Message::Ping(Default::default())).await.is_err() {
                    break;
                }
            }
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(1), sink.close()).await;
}
