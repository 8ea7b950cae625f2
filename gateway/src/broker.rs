//! The broker: this gateway's one Redis pub/sub connection, and nothing else. It listens to
//! `indicator_updates:<symbol>:<tf>` only while the hub has a local watcher of that pair, and
//! hands every publication to the [`Feed`] (which orders it and fills gaps), in one loop that
//! also serves resumes. It never sees a socket.

use crate::feed::{Feed, ResumeJob};
use crate::hub::{Hub, Pair};
use crate::metrics::Metrics;
use futures::StreamExt;
use redis::aio::PubSubSink;
use redis::cluster_async::ClusterConnection;
use redis::{PushInfo, PushKind, RedisResult, Value};
use shared::keys;
use shared::redis_conn::Target;
use shared::update::{UpdateBatch, decode};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Publications received on a cluster but not yet handled; beyond it they are dropped (and
/// counted), which the feed sees as a gap and repairs from history.
const CLUSTER_PUSH_QUEUE: usize = 65_536;

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

/// Half to one and a half times `d`, so that gateways that lost Redis together do not all
/// come back at the same instant.
fn jittered(d: Duration) -> Duration {
    d.mul_f64(0.5 + crate::session::random_fraction())
}

pub struct Broker {
    target: Target,
    /// The live connection's sink, `None` while reconnecting. Held across a (un)subscribe so
    /// that concurrent callers see a channel as subscribed only once Redis confirmed it.
    sink: tokio::sync::Mutex<Option<Sink>>,
    subscribed: std::sync::Mutex<HashSet<Pair>>,
    connected: AtomicBool,
    /// The last seq received per pair while subscribed (forgotten when unsubscribed).
    last_seq: std::sync::Mutex<HashMap<Pair, u64>>,
    /// Resumes waiting to be served by the receive loop.
    jobs: tokio::sync::mpsc::Sender<ResumeJob>,
    job_queue: std::sync::Mutex<Option<tokio::sync::mpsc::Receiver<ResumeJob>>>,
}

impl Broker {
    pub fn new(target: Target) -> Self {
        let (jobs, queue) = tokio::sync::mpsc::channel(1024);
        Broker {
            target,
            sink: tokio::sync::Mutex::new(None),
            subscribed: std::sync::Mutex::default(),
            connected: AtomicBool::new(false),
            last_seq: std::sync::Mutex::default(),
            jobs,
            job_queue: std::sync::Mutex::new(Some(queue)),
        }
    }

    pub fn last_seq(&self, pair: &Pair) -> Option<u64> {
        self.last_seq
            .lock()
            .expect("broker lock")
            .get(pair)
            .copied()
    }

    pub fn set_last_seq(&self, pair: &Pair, seq: u64) {
        let mut last = self.last_seq.lock().expect("broker lock");
        if self.is_subscribed(pair) {
            last.insert(pair.clone(), seq);
        }
    }

    /// Queues a resume for the receive loop; false if the loop is gone.
    pub async fn resume(&self, job: ResumeJob) -> bool {
        self.jobs.send(job).await.is_ok()
    }

    pub fn is_connected(&self) -> bool {
        self.connected.load(Ordering::Relaxed)
    }

    fn is_subscribed(&self, pair: &Pair) -> bool {
        self.subscribed.lock().expect("broker lock").contains(pair)
    }

    /// Subscribes `sink` (a new link) to every pair the hub watches, and records them.
    async fn subscribe_watched(&self, sink: &mut Sink, hub: &Hub) -> RedisResult<()> {
        self.subscribed.lock().expect("broker lock").clear();
        let pairs = hub.pairs();
        let channels: Vec<String> = pairs
            .iter()
            .map(|(s, tf)| keys::updates_channel(s, *tf))
            .collect();
        if !channels.is_empty() {
            sink.subscribe(&channels).await?;
        }
        self.subscribed.lock().expect("broker lock").extend(pairs);
        Ok(())
    }

    /// Returns once Redis confirmed we listen to the pair's channel. Always under the sink lock:
    /// a concurrent [`Broker::release_later`] either sees the new watcher or has finished
    /// unsubscribing, in which case this subscribes again.
    pub async fn ensure(&self, pair: &Pair) -> redis::RedisResult<()> {
        let mut sink = self.sink.lock().await;
        if self.is_subscribed(pair) {
            return Ok(());
        }
        let channel = keys::updates_channel(&pair.0, pair.1);
        let Some(s) = sink.as_mut() else {
            return Err(redis::RedisError::from((
                redis::ErrorKind::Io,
                "pub/sub link is reconnecting",
            )));
        };
        s.subscribe(std::slice::from_ref(&channel)).await?;
        self.subscribed
            .lock()
            .expect("broker lock")
            .insert(pair.clone());
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
            if !broker.subscribed.lock().expect("broker lock").remove(&pair) {
                return;
            }
            let channel = keys::updates_channel(&pair.0, pair.1);
            broker.last_seq.lock().expect("broker lock").remove(&pair);
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
                    tokio::time::timeout(Duration::from_secs(2), s.ping()).await,
                    Ok(Ok(_))
                )
            };
            if self.target.is_cluster() {
                // The cluster connection repairs itself; readiness follows its answers.
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

    /// Keeps the pub/sub connection up: connects, re-subscribes whatever the hub watches, and
    /// dispatches publications until the connection drops; then again, with backoff.
    pub async fn run(self: Arc<Self>, feed: Arc<Feed>, shutdown: CancellationToken) {
        let (hub, metrics): (Arc<Hub>, Arc<Metrics>) = (feed.hub.clone(), feed.metrics.clone());
        let Some(mut jobs) = self.job_queue.lock().expect("broker lock").take() else {
            return;
        };
        let client = match &self.target {
            Target::Cluster(nodes) => {
                let nodes = nodes.clone();
                return self.run_cluster(nodes, feed, jobs, shutdown).await;
            }
            Target::Single(url) => match redis::Client::open(url.as_str()) {
                Ok(c) => c,
                Err(e) => {
                    tracing::error!(cause = %e, "pub/sub client");
                    return;
                }
            },
        };
        let mut backoff = Duration::from_millis(100);
        let mut was_connected = false;
        while !shutdown.is_cancelled() {
            match client.get_async_pubsub().await {
                Ok(ps) => {
                    let (sink, mut stream) = ps.split();
                    {
                        let mut guard = self.sink.lock().await;
                        let s = guard.insert(Sink::Single(sink));
                        // Seqs seen stay: the feed repairs from them once the link is back.
                        if self.subscribe_watched(s, &hub).await.is_ok() {
                            self.connected.store(true, Ordering::Relaxed);
                            backoff = Duration::from_millis(100);
                        }
                    }
                    if self.is_connected() {
                        tracing::info!("pub/sub connected");
                        if was_connected {
                            feed.relinked().await;
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
                                            Ok(batch) => feed.publication(batch).await,
                                            Err(e) => {
                                                Metrics::inc(&metrics.pubsub_decode_errors);
                                                tracing::warn!(cause = %e, channel = msg.get_channel_name(), "undecodable publication");
                                            }
                                        }
                                    }
                                    None => break,
                                },
                                Some(job) = jobs.recv() => feed.resume(job).await,
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
                _ = tokio::time::sleep(jittered(backoff)) => {}
            }
            backoff = (backoff * 2).min(Duration::from_secs(2));
        }
    }

    /// The same over a Redis Cluster: sharded pub/sub through the cluster connection, which
    /// reconnects to each node and subscribes again by itself; publications arrive as RESP3
    /// pushes. After a node's connection was lost, the feed repairs every watched pair once the
    /// subscriptions are confirmed again.
    async fn run_cluster(
        self: Arc<Self>,
        nodes: Vec<String>,
        feed: Arc<Feed>,
        mut jobs: tokio::sync::mpsc::Receiver<ResumeJob>,
        shutdown: CancellationToken,
    ) {
        let (hub, metrics) = (feed.hub.clone(), feed.metrics.clone());
        let (tx, mut pushes) = tokio::sync::mpsc::channel::<PushInfo>(CLUSTER_PUSH_QUEUE);
        let overflow = metrics.clone();
        let dropped = Arc::new(AtomicBool::new(false));
        let flag = dropped.clone();
        let push = move |info: PushInfo| {
            if tx.try_send(info).is_err() {
                Metrics::inc(&overflow.pubsub_dropped);
                flag.store(true, Ordering::Relaxed);
            }
            Ok::<(), ()>(())
        };
        let client = match Target::cluster_client(&nodes, Some(push)) {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(cause = %e, "cluster pub/sub client");
                return;
            }
        };
        let mut backoff = Duration::from_millis(100);
        let conn = loop {
            match client.get_async_connection().await {
                Ok(c) => break c,
                Err(e) => tracing::warn!(cause = %e, "cluster pub/sub connect failed"),
            }
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(jittered(backoff)) => {}
            }
            backoff = (backoff * 2).min(Duration::from_secs(2));
        };
        {
            let mut guard = self.sink.lock().await;
            let sink = guard.insert(Sink::Cluster(conn));
            if let Err(e) = self.subscribe_watched(sink, &hub).await {
                tracing::warn!(cause = %e, "cluster subscribe failed");
            }
        }
        self.connected.store(true, Ordering::Relaxed);
        tracing::info!("cluster pub/sub connected");
        tokio::spawn(
            self.clone()
                .health_check(CancellationToken::new(), shutdown.clone()),
        );
        let mut lost = false;
        let mut sweep = tokio::time::interval(Duration::from_secs(1));
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                Some(job) = jobs.recv() => feed.resume(job).await,
                // Publications dropped for a full queue: repair every pair now rather than
                // when each pair's next publication shows the gap.
                _ = sweep.tick() => if dropped.swap(false, Ordering::Relaxed) {
                    feed.relinked().await;
                },
                Some(push) = pushes.recv() => match push.kind {
                    PushKind::SMessage => {
                        Metrics::inc(&metrics.pubsub_messages);
                        let payload = match push.data.get(1) {
                            Some(Value::BulkString(b)) => b.as_slice(),
                            _ => &[][..],
                        };
                        match decode::<UpdateBatch>(payload) {
                            Ok(batch) => feed.publication(batch).await,
                            Err(e) => {
                                Metrics::inc(&metrics.pubsub_decode_errors);
                                tracing::warn!(cause = %e, "undecodable publication");
                            }
                        }
                    }
                    PushKind::Disconnection => {
                        lost = true;
                        Metrics::inc(&metrics.pubsub_reconnects);
                        tracing::warn!("a cluster node's pub/sub connection was lost");
                    }
                    PushKind::SSubscribe if lost => {
                        lost = false;
                        feed.relinked().await;
                    }
                    _ => {}
                },
            }
        }
    }
}
