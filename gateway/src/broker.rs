//! The broker: this gateway's one Redis pub/sub connection, and nothing else. It listens to
//! `indicator_updates:<symbol>:<tf>` only while the hub has a local watcher of that pair, and
//! hands every publication to [`Hub::dispatch`]. It never sees a socket.

use crate::hub::{Hub, Pair};
use crate::metrics::Metrics;
use futures::StreamExt;
use redis::aio::PubSubSink;
use shared::keys;
use shared::update::{UpdateBatch, decode};
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub struct Broker {
    client: redis::Client,
    /// The live connection's sink, `None` while reconnecting. Held across a (un)subscribe so
    /// that concurrent callers see a channel as subscribed only once Redis confirmed it.
    sink: tokio::sync::Mutex<Option<PubSubSink>>,
    subscribed: std::sync::Mutex<HashSet<String>>,
    connected: AtomicBool,
    /// Bumped each time the link is back after a loss: publications may have been missed, so
    /// the gateway resyncs its connections.
    reconnects: tokio::sync::watch::Sender<u64>,
}

impl Broker {
    pub fn new(client: redis::Client) -> Self {
        Broker {
            client,
            sink: tokio::sync::Mutex::new(None),
            subscribed: std::sync::Mutex::default(),
            connected: AtomicBool::new(false),
            reconnects: tokio::sync::watch::Sender::new(0),
        }
    }

    /// Changes after every reconnection that followed a lost link.
    pub fn reconnects(&self) -> tokio::sync::watch::Receiver<u64> {
        self.reconnects.subscribe()
    }

    pub fn is_connected(&self) -> bool {
        self.connected.load(Ordering::Relaxed)
    }

    fn is_subscribed(&self, channel: &str) -> bool {
        self.subscribed
            .lock()
            .expect("broker lock")
            .contains(channel)
    }

    /// Returns once Redis confirmed we listen to the pair's channel. Always under the sink lock:
    /// a concurrent [`Broker::release_later`] either sees the new watcher or has finished
    /// unsubscribing, in which case this subscribes again.
    pub async fn ensure(&self, pair: &Pair) -> redis::RedisResult<()> {
        let channel = keys::updates_channel(&pair.0, pair.1);
        let mut sink = self.sink.lock().await;
        if self.is_subscribed(&channel) {
            return Ok(());
        }
        let Some(s) = sink.as_mut() else {
            return Err(redis::RedisError::from((
                redis::ErrorKind::Io,
                "pub/sub link is reconnecting",
            )));
        };
        s.subscribe(&channel).await?;
        self.subscribed.lock().expect("broker lock").insert(channel);
        Ok(())
    }

    /// After `delay`, unsubscribes from the pair's channel if nobody local watches it any more.
    pub fn release_later(self: &Arc<Self>, hub: Arc<Hub>, pair: Pair, delay: Duration) {
        let broker = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let mut sink = broker.sink.lock().await;
            if hub.has_watchers(&pair) {
                return;
            }
            let channel = keys::updates_channel(&pair.0, pair.1);
            if !broker
                .subscribed
                .lock()
                .expect("broker lock")
                .remove(&channel)
            {
                return;
            }
            if let Some(s) = sink.as_mut()
                && let Err(e) = s.unsubscribe(&channel).await
            {
                tracing::warn!(cause = %e, %channel, "unsubscribe failed");
            }
        });
    }

    /// Pings Redis over the pub/sub connection every second: a link that stopped answering
    /// (dropped without a FIN, Redis stalled) is declared dead within about 3 s, so `/readyz`
    /// fails and the link is rebuilt (and the connections resynced).
    async fn health_check(
        self: Arc<Self>,
        link_dead: CancellationToken,
        shutdown: CancellationToken,
    ) {
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = link_dead.cancelled() => return,
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
            let alive = {
                let mut sink = self.sink.lock().await;
                let Some(s) = sink.as_mut() else { return };
                matches!(
                    tokio::time::timeout(Duration::from_secs(2), s.ping::<redis::Value>()).await,
                    Ok(Ok(_))
                )
            };
            if !alive {
                tracing::warn!("pub/sub link does not answer pings");
                self.connected.store(false, Ordering::Relaxed);
                link_dead.cancel();
                return;
            }
        }
    }

    /// Keeps the pub/sub connection up: connects, re-subscribes whatever the hub watches, and
    /// dispatches publications until the connection drops; then again, with backoff.
    pub async fn run(
        self: Arc<Self>,
        hub: Arc<Hub>,
        metrics: Arc<Metrics>,
        shutdown: CancellationToken,
    ) {
        let mut backoff = Duration::from_millis(100);
        let mut was_connected = false;
        while !shutdown.is_cancelled() {
            match self.client.get_async_pubsub().await {
                Ok(ps) => {
                    let (sink, mut stream) = ps.split();
                    {
                        let mut guard = self.sink.lock().await;
                        *guard = Some(sink);
                        self.subscribed.lock().expect("broker lock").clear();
                        let channels: Vec<String> = hub
                            .pairs()
                            .iter()
                            .map(|(s, tf)| keys::updates_channel(s, *tf))
                            .collect();
                        let s = guard.as_mut().expect("just set");
                        let ok = channels.is_empty() || s.subscribe(&channels).await.is_ok();
                        if ok {
                            self.subscribed
                                .lock()
                                .expect("broker lock")
                                .extend(channels);
                            self.connected.store(true, Ordering::Relaxed);
                            backoff = Duration::from_millis(100);
                        }
                    }
                    if self.is_connected() {
                        tracing::info!("pub/sub connected");
                        if was_connected {
                            self.reconnects.send_modify(|n| *n += 1);
                        }
                        was_connected = true;
                        let link_dead = CancellationToken::new();
                        tokio::spawn(
                            self.clone()
                                .health_check(link_dead.clone(), shutdown.clone()),
                        );
                        loop {
                            tokio::select! {
                                _ = shutdown.cancelled() => return,
                                _ = link_dead.cancelled() => break,
                                msg = stream.next() => match msg {
                                    Some(msg) => {
                                        Metrics::inc(&metrics.pubsub_messages);
                                        match decode::<UpdateBatch>(msg.get_payload_bytes()) {
                                            Ok(batch) => hub.dispatch(&batch, &metrics),
                                            Err(e) => {
                                                Metrics::inc(&metrics.pubsub_decode_errors);
                                                tracing::warn!(cause = %e, channel = msg.get_channel_name(), "undecodable publication");
                                            }
                                        }
                                    }
                                    None => break,
                                }
                            }
                        }
                    }
                    self.connected.store(false, Ordering::Relaxed);
                    *self.sink.lock().await = None;
                    tracing::warn!("pub/sub connection lost; reconnecting");
                    Metrics::inc(&metrics.pubsub_reconnects);
                }
                Err(e) => tracing::warn!(cause = %e, "pub/sub connect failed"),
            }
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(backoff) => {}
            }
            backoff = (backoff * 2).min(Duration::from_secs(2));
        }
    }
}
