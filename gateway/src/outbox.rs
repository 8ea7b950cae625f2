//! One connection's bounded send queue, with the slow-client policy:
//! - a live value of an indicator replaces that indicator's live value still waiting in the
//!   queue (conflation: a slow client gets the newest value, not a backlog);
//! - finals and replies are never dropped;
//! - a client is too slow (the push fails and the caller closes it with 4009) when more than
//!   `soft` frames have been waiting for longer than `grace` (its socket stays full), or at once
//!   when `hard` frames are waiting. A short stall (GC pause, network hiccup, a burst of finals)
//!   is absorbed; memory per connection stays bounded by `hard` frames (plus the batch the
//!   writer holds).
//!
//! The replaced frame is removed from its place and the new one goes to the back, so a pair's
//! frames stay in seq order (a final queued after the old live value stays before the new one).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;
use tokio_tungstenite::tungstenite::Utf8Bytes;

/// Identifies "the live value of indicator I of pair P" for conflation.
pub(crate) type LiveKey = Arc<str>;

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Push {
    Queued,
    /// The client is too slow (see the module doc).
    Full,
    Closed,
}

#[derive(Debug, Default)]
struct Inner {
    /// `None`: a live value replaced by a newer one.
    items: VecDeque<Option<Utf8Bytes>>,
    /// Absolute index (see `head`) of each queued live value.
    live: HashMap<LiveKey, u64>,
    /// Absolute index of `items[0]`.
    head: u64,
    /// Frames waiting (not counting replaced ones).
    waiting: usize,
    /// Since when more than `soft` frames have been waiting.
    behind_since: Option<Instant>,
    closed: bool,
}

#[derive(Debug)]
pub(crate) struct Outbox {
    inner: Mutex<Inner>,
    notify: Notify,
    soft: usize,
    hard: usize,
    grace: Duration,
}

impl Outbox {
    pub(crate) fn new(soft: usize, hard: usize, grace: Duration) -> Self {
        Outbox {
            inner: Mutex::default(),
            notify: Notify::new(),
            soft,
            hard: hard.max(soft),
            grace,
        }
    }

    pub(crate) fn push(&self, frame: Utf8Bytes, live: Option<&LiveKey>) -> Push {
        self.push_at(frame, live, Instant::now())
    }

    pub(crate) fn push_at(&self, frame: Utf8Bytes, live: Option<&LiveKey>, now: Instant) -> Push {
        let mut inner = self.inner.lock().expect("outbox lock");
        if inner.closed {
            return Push::Closed;
        }
        if let Some(key) = live
            && let Some(at) = inner.live.remove(key)
        {
            let slot = (at - inner.head) as usize;
            if inner.items[slot].take().is_some() {
                inner.waiting -= 1;
            }
        }
        if inner.waiting >= self.soft {
            let since = *inner.behind_since.get_or_insert(now);
            if inner.waiting >= self.hard || now.duration_since(since) > self.grace {
                return Push::Full;
            }
        }
        inner.items.push_back(Some(frame));
        inner.waiting += 1;
        if let Some(key) = live {
            let at = inner.head + inner.items.len() as u64 - 1;
            inner.live.insert(key.clone(), at);
        }
        drop(inner);
        self.notify.notify_one();
        Push::Queued
    }

    /// Waits for frames and moves all of them into `out`; `false` once closed and drained.
    pub(crate) async fn take(&self, out: &mut Vec<Utf8Bytes>) -> bool {
        loop {
            {
                let mut inner = self.inner.lock().expect("outbox lock");
                if !inner.items.is_empty() {
                    let n = inner.items.len();
                    out.extend(inner.items.drain(..).flatten());
                    inner.head += n as u64;
                    inner.waiting = 0;
                    inner.behind_since = None;
                    inner.live.clear();
                    return true;
                }
                if inner.closed {
                    return false;
                }
            }
            // A push between the check and here left a permit: this returns at once.
            self.notify.notified().await;
        }
    }

    /// No more pushes; `take` returns what is left, then `false`.
    pub(crate) fn close(&self) {
        self.inner.lock().expect("outbox lock").closed = true;
        self.notify.notify_one();
    }

    #[cfg(test)]
    pub(crate) fn waiting(&self) -> usize {
        self.inner.lock().expect("outbox lock").waiting
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(s: &str) -> Utf8Bytes {
        Utf8Bytes::from(s.to_owned())
    }

    // Shows a newer live value replaces the queued one and moves behind frames queued since.
    const GRACE: Duration = Duration::from_secs(5);

    #[tokio::test]
    async fn live_values_conflate_in_order() {
        let o = Outbox::new(10, 10, GRACE);
        let rsi: LiveKey = "X:1min:RSI_14".into();
        let sma: LiveKey = "X:1min:SMA_20".into();
        assert_eq!(o.push(f("rsi live 1"), Some(&rsi)), Push::Queued);
        o.push(f("sma live 1"), Some(&sma));
        o.push(f("rsi final 2"), None);
        o.push(f("rsi live 3"), Some(&rsi));
        o.push(f("sma live 3"), Some(&sma));
        assert_eq!(o.waiting(), 3);
        let mut out = Vec::new();
        assert!(o.take(&mut out).await);
        let got: Vec<&str> = out.iter().map(Utf8Bytes::as_str).collect();
        assert_eq!(got, ["rsi final 2", "rsi live 3", "sma live 3"]);
        // After a take nothing is conflated with what already left.
        o.push(f("rsi live 4"), Some(&rsi));
        out.clear();
        assert!(o.take(&mut out).await);
        assert_eq!(out.len(), 1);
    }

    // Shows finals are never dropped: past the hard limit the push fails (the caller kicks), and
    // live values alone never fill the queue.
    #[tokio::test]
    async fn finals_fill_the_queue_live_values_do_not() {
        let o = Outbox::new(3, 3, GRACE);
        let k: LiveKey = "k".into();
        for i in 0..100 {
            assert_eq!(o.push(f(&format!("live {i}")), Some(&k)), Push::Queued);
        }
        assert_eq!(o.waiting(), 1);
        assert_eq!(o.push(f("final 1"), None), Push::Queued);
        assert_eq!(o.push(f("final 2"), None), Push::Queued);
        assert_eq!(o.push(f("final 3"), None), Push::Full);
        o.close();
        let mut out = Vec::new();
        assert!(o.take(&mut out).await);
        assert_eq!(
            out.iter().map(Utf8Bytes::as_str).collect::<Vec<_>>(),
            ["live 99", "final 1", "final 2"]
        );
        assert!(!o.take(&mut out).await);
        assert_eq!(o.push(f("late"), None), Push::Closed);
    }

    // Shows a stall above the soft limit is tolerated for the grace time, then the client is
    // too slow; a drain by the writer starts the clock again.
    #[tokio::test]
    async fn soft_limit_tolerates_a_short_stall() {
        let o = Outbox::new(2, 100, GRACE);
        let t0 = Instant::now();
        for i in 0..10 {
            assert_eq!(o.push_at(f(&format!("final {i}")), None, t0), Push::Queued);
        }
        assert_eq!(
            o.push_at(f("later"), None, t0 + Duration::from_secs(4)),
            Push::Queued
        );
        let mut out = Vec::new();
        assert!(o.take(&mut out).await);
        for i in 0..3 {
            assert_eq!(
                o.push_at(f(&format!("again {i}")), None, t0 + Duration::from_secs(6)),
                Push::Queued
            );
        }
        assert_eq!(
            o.push_at(f("too late"), None, t0 + Duration::from_secs(12)),
            Push::Full
        );
    }
}
