//! The broker: this gateway's one Redis pub/sub link, and nothing else. It listens to
//! `indicator_updates:<symbol>:<tf>` only while the node asks it to (a pair with a local
//! watcher), and hands every publication and every event of the link to the feed over one
//! bounded channel. It never sees a socket, and keeps no per-pair state but what it listens to.
//!
//! A standalone Redis and a Redis Cluster differ only in where messages come from (a pub/sub
//! connection, or RESP3 pushes of sharded pub/sub on the cluster connection) and in who
//! reconnects (we do, or the cluster connection itself); both go through [`Broker::receive`].

use crate::backoff::Backoff;
use crate::hub::Hub;
use crate::metrics::Metrics;
use futures::{Stream, StreamExt};
use redis::aio::PubSubSink;
use redis::cluster_async::ClusterConnection;
use redis::{PushInfo, PushKind, RedisResult, Value};
use shared::keys;
use shared::pair::Pair;
use shared::redis_conn::Target;
use shared::update::{UpdateBatch, decode};
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Link events waiting for the feed, and publications received on a cluster but not yet
/// handled; beyond it cluster pushes are dropped (and counted), which is repaired from history.
pub(crate) const QUEUE: usize = 65_536;

/// What the link tells the feed, in the order it happened.
#[derive(Debug)]
pub(crate) enum LinkEvent {
    Publication(UpdateBatch),
    /// The link (or a cluster node's) was lost and is back: publications may be missing.
    Relinked,
    /// No longer listening to the pair: what the feed knows of it is stale.
    Released(Pair),
}

/// Where (un)subscriptions go: a standalone server's pub/sub connection, or the cluster
/// connection (sharded pub/sub: `SSUBSCRIBE` on the node that owns each channel's slot).
enum Sink {
    Single(PubSubSink),
    Cluster(ClusterConnection),
}

impl Sink {
    async fn subscribe(&mut self, channels: &[String]) -> RedisResult<()> {
        match self {
            Sink::Single(s) => s.subscribe(channels).await,
            Sink::Cluster(c) => {
                // One call per channel: each may live on another node.
                for ch in channels {
                    c.ssubscribe(ch).await?;
                }
                Ok(())
            }
        }
    }

    async fn unsubscribe(&mut self, channel: &str) -> RedisResult<()> {
        match self {
            Sink::Single(s) => s.unsubscribe(channel).await,
            Sink::Cluster(c) => c.sunsubscribe(channel).await,
        }
    }

    async fn ping(&mut self) -> RedisResult<()> {
        match self {
            Sink::Single(s) => s.ping::<Value>().await.map(drop),
            Sink::Cluster(c) => redis::cmd("PING").query_async::<Value>(c).await.map(drop),
        }
    }
}

/// What arrives on the link, from either kind of Redis.
enum Incoming {
    Message(redis::Msg),
    Push(PushInfo),
}

#[derive(Debug)]
pub(crate) struct Broker {
    target: Target,
    hub: Arc<Hub>,
    metrics: Arc<Metrics>,
    /// The live connection's sink, `None` while reconnecting. Held across a (un)subscribe so
    /// that concurrent callers see a channel as listened to only once Redis confirmed it.
    sink: tokio::sync::Mutex<Option<Sink>>,
    listening: std::sync::Mutex<HashSet<Pair>>,
    connected: AtomicBool,
    /// Set when a cluster push was dropped for a full queue: every pair is repaired.
    dropped: Arc<AtomicBool>,
    events: mpsc::Sender<LinkEvent>,
}

impl std::fmt::Debug for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Sink::Single(_) => "Sink::Single",
            Sink::Cluster(_) => "Sink::Cluster",
        })
    }
}

impl Broker {
    /// The broker, and the receiving end of its events (for the feed).
    pub(crate) fn new(
        target: Target,
        hub: Arc<Hub>,
        metrics: Arc<Metrics>,
    ) -> (Self, mpsc::Receiver<LinkEvent>) {
        let (events, rx) = mpsc::channel(QUEUE);
        let broker = Broker {
            target,
            hub,
            metrics,
            sink: tokio::sync::Mutex::new(None),
            listening: std::sync::Mutex::default(),
            connected: AtomicBool::new(false),
            dropped: Arc::default(),
            events,
        };
        (broker, rx)
    }

    pub(crate) fn is_connected(&self) -> bool {
        self.connected.load(Ordering::Relaxed)
    }

    /// Whether Redis confirmed we listen to the pair's channel.
    pub(crate) fn is_listening(&self, pair: &Pair) -> bool {
        self.listening.lock().expect("broker lock").contains(pair)
    }

    /// Returns once Redis confirmed we listen to the pair's channel. Under the sink lock: a
    /// concurrent [`Broker::release_later`] either sees the new watcher or has finished
    /// unsubscribing, in which case this subscribes again; a concurrent first subscribe of the
    /// same pair is waited for.
    pub(crate) async fn listen(&self, pair: &Pair) -> RedisResult<()> {
        let mut sink = self.sink.lock().await;
        if self.is_listening(pair) {
            return Ok(());
        }
        let Some(s) = sink.as_mut() else {
            return Err(redis::RedisError::from((
                redis::ErrorKind::Io,
                "pub/sub link is reconnecting",
            )));
        };
        s.subscribe(&[keys::updates_channel(pair.symbol(), pair.timeframe)])
            .await?;
        self.listening
            .lock()
            .expect("broker lock")
            .insert(pair.clone());
        Ok(())
    }

    /// After `delay`, stops listening to the pair if nobody local watches it any more.
    pub(crate) fn release_later(self: &Arc<Self>, pair: Pair, delay: Duration) {
        let broker = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            {
                let mut sink = broker.sink.lock().await;
                if broker.hub.has_watchers(&pair) {
                    return;
                }
                if !broker.listening.lock().expect("broker lock").remove(&pair) {
                    return;
                }
                let channel = keys::updates_channel(pair.symbol(), pair.timeframe);
                if let Some(s) = sink.as_mut()
                    && let Err(e) = s.unsubscribe(&channel).await
                {
                    tracing::warn!(cause = %e, %channel, "unsubscribe failed");
                }
            }
            let _ = broker.events.send(LinkEvent::Released(pair)).await;
        });
    }

    /// Subscribes `sink` (a new link) to every pair the hub watches, and installs it.
    async fn install(&self, sink: Sink) -> RedisResult<()> {
        let mut guard = self.sink.lock().await;
        let s = guard.insert(sink);
        self.listening.lock().expect("broker lock").clear();
        let pairs = self.hub.pairs();
        let channels: Vec<String> = pairs
            .iter()
            .map(|p| keys::updates_channel(p.symbol(), p.timeframe))
            .collect();
        if !channels.is_empty() {
            s.subscribe(&channels).await?;
        }
        self.listening.lock().expect("broker lock").extend(pairs);
        Ok(())
    }

    /// Keeps the link up until `shutdown`: on a standalone Redis, connects, re-subscribes what
    /// the hub watches and receives until the connection drops, then again with backoff; on a
    /// cluster, connects once (the cluster connection reconnects to each node by itself).
    pub(crate) async fn run(self: Arc<Self>, shutdown: CancellationToken) {
        let result = match &self.target {
            Target::Single(url) => self.clone().run_single(url.clone(), &shutdown).await,
            Target::Cluster(nodes) => self.clone().run_cluster(nodes.clone(), &shutdown).await,
        };
        if let Err(e) = result {
            tracing::error!(cause = %e, "pub/sub client");
        }
    }

    async fn run_single(
        self: Arc<Self>,
        url: String,
        shutdown: &CancellationToken,
    ) -> RedisResult<()> {
        let client = redis::Client::open(url.as_str())?;
        let mut backoff = Backoff::new();
        let mut was_connected = false;
        while !shutdown.is_cancelled() {
            match client.get_async_pubsub().await {
                Ok(ps) => {
                    let (sink, stream) = ps.split();
                    // Seqs seen stay with the feed: it repairs from them once the link is back.
                    if self.install(Sink::Single(sink)).await.is_ok() {
                        self.connected.store(true, Ordering::Relaxed);
                        backoff.reset();
                        tracing::info!("pub/sub connected");
                        if was_connected {
                            self.send(LinkEvent::Relinked).await;
                        }
                        was_connected = true;
                        let link_dead = CancellationToken::new();
                        tokio::spawn(
                            self.clone()
                                .health_check(link_dead.clone(), shutdown.clone()),
                        );
                        let stopped = self
                            .receive(stream.map(Incoming::Message), &link_dead, shutdown)
                            .await;
                        link_dead.cancel();
                        if stopped {
                            return Ok(());
                        }
                    }
                    self.connected.store(false, Ordering::Relaxed);
                    *self.sink.lock().await = None;
                    tracing::warn!("pub/sub connection lost; reconnecting");
                    Metrics::inc(&self.metrics.pubsub_reconnects);
                }
                Err(e) => tracing::warn!(cause = %e, "pub/sub connect failed"),
            }
            if !backoff.wait(shutdown).await {
                break;
            }
        }
        Ok(())
    }

    async fn run_cluster(
        self: Arc<Self>,
        nodes: Vec<String>,
        shutdown: &CancellationToken,
    ) -> RedisResult<()> {
        let (tx, mut pushes) = mpsc::channel::<PushInfo>(QUEUE);
        let (metrics, dropped) = (self.metrics.clone(), self.dropped.clone());
        let push = move |info: PushInfo| {
            if tx.try_send(info).is_err() {
                Metrics::inc(&metrics.pubsub_dropped);
                dropped.store(true, Ordering::Relaxed);
            }
            Ok::<(), ()>(())
        };
        let client = Target::cluster_client(&nodes, Some(push))?;
        let mut backoff = Backoff::new();
        let conn = loop {
            match client.get_async_connection().await {
                Ok(c) => break c,
                Err(e) => tracing::warn!(cause = %e, "cluster pub/sub connect failed"),
            }
            if !backoff.wait(shutdown).await {
                return Ok(());
            }
        };
        if let Err(e) = self.install(Sink::Cluster(conn)).await {
            tracing::warn!(cause = %e, "cluster subscribe failed");
        }
        self.connected.store(true, Ordering::Relaxed);
        tracing::info!("cluster pub/sub connected");
        let never = CancellationToken::new();
        tokio::spawn(self.clone().health_check(never.clone(), shutdown.clone()));
        let incoming = futures::stream::poll_fn(move |cx| pushes.poll_recv(cx)).map(Incoming::Push);
        self.receive(incoming, &never, shutdown).await;
        Ok(())
    }

    /// The one dispatch of both kinds of link: until the link ends (false) or shutdown (true).
    async fn receive(
        &self,
        mut incoming: impl Stream<Item = Incoming> + Unpin,
        link_dead: &CancellationToken,
        shutdown: &CancellationToken,
    ) -> bool {
        // A cluster node's connection was lost: repair once its subscriptions are back.
        let mut node_lost = false;
        let mut sweep = tokio::time::interval(Duration::from_secs(1));
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return true,
                _ = link_dead.cancelled() => return false,
                // Publications dropped for a full queue: repair every pair now rather than
                // when each pair's next publication shows the gap.
                _ = sweep.tick() => if self.dropped.swap(false, Ordering::Relaxed) {
                    self.send(LinkEvent::Relinked).await;
                },
                next = incoming.next() => match next {
                    None => return false,
                    Some(Incoming::Message(msg)) => self.forward(msg.get_payload_bytes()).await,
                    Some(Incoming::Push(push)) => match push.kind {
                        PushKind::SMessage => {
                            let payload = match push.data.get(1) {
                                Some(Value::BulkString(b)) => b.as_slice(),
                                _ => &[][..],
                            };
                            self.forward(payload).await;
                        }
                        PushKind::Disconnection => {
                            node_lost = true;
                            Metrics::inc(&self.metrics.pubsub_reconnects);
                            tracing::warn!("a cluster node's pub/sub connection was lost");
                        }
                        PushKind::SSubscribe if node_lost => {
                            node_lost = false;
                            self.send(LinkEvent::Relinked).await;
                        }
                        _ => {}
                    },
                },
            }
        }
    }

    /// One publication's payload, decoded, to the feed.
    async fn forward(&self, payload: &[u8]) {
        Metrics::inc(&self.metrics.pubsub_messages);
        match decode::<UpdateBatch>(payload) {
            Ok(batch) => self.send(LinkEvent::Publication(batch)).await,
            Err(e) => {
                Metrics::inc(&self.metrics.pubsub_decode_errors);
                tracing::warn!(cause = %e, "undecodable publication");
            }
        }
    }

    async fn send(&self, event: LinkEvent) {
        // Waits while the feed is busy (a repair): the link's own buffers absorb the burst.
        // It fails only once the feed stopped, at shutdown.
        let _ = self.events.send(event).await;
    }

    /// Pings Redis over the pub/sub connection every second: a link that stopped answering
    /// (dropped without a FIN, Redis stalled) is declared dead within about 3 s, so `/readyz`
    /// fails and the link is rebuilt (and the connections resynced). On a cluster, readiness
    /// follows the answers and the connection repairs itself.
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
                    tokio::time::timeout(Duration::from_secs(2), s.ping()).await,
                    Ok(Ok(()))
                )
            };
            if self.target.is_cluster() {
                self.connected.store(alive, Ordering::Relaxed);
                continue;
            }
            if !alive {
                tracing::warn!("pub/sub link does not answer pings");
                self.connected.store(false, Ordering::Relaxed);
                link_dead.cancel();
                return;
            }
        }
    }
}
