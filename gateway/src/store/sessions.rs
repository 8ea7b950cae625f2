//! The life of `ws_conn:<id>`. Each script touches that one key, so it runs unchanged on Redis
//! Cluster; the other keys follow in separate commands that are safe to repeat, and every step
//! that could leave something behind queues the session in `detached_sessions` first, so the
//! sweeper ([`Store::expire_detached`]) finishes whatever a failure interrupted.

use super::{Result, Store};
use crate::conn::{HeldSession, SessionRecord, Subscriptions};
use redis::{AsyncCommands, Script};
use shared::clock;
use shared::keys;
use shared::redis_conn::Conn;
use std::collections::BTreeSet;
use std::sync::LazyLock;

static END: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("lua/end.lua")));
static DETACH: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("lua/detach.lua")));
static CLAIM: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("lua/claim.lua")));
static EXPIRE: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("lua/expire.lua")));

/// A session taken over by a `resume`.
#[derive(Debug)]
pub(crate) struct Claimed {
    pub(crate) epoch: u64,
    /// False when the follow-up writes (this gateway's list) failed: the caller must give the
    /// session back (detach it) rather than hold it unlisted.
    pub(crate) listed: bool,
    pub(crate) subscriptions: Subscriptions,
}

fn srem_all(pipe: &mut redis::Pipeline, ws_conn_id: &str, subs: &Subscriptions) {
    for (pair, id) in subs.entries() {
        pipe.srem(
            keys::subscribers(pair.symbol(), pair.timeframe, id),
            ws_conn_id,
        )
        .ignore();
    }
}

impl Store {
    pub(crate) async fn open_session(&self, ws_conn_id: &str, rec: &SessionRecord) -> Result<()> {
        let mut c = self.conn().await?;
        let mut pipe = redis::pipe();
        self.record(&mut pipe, ws_conn_id, rec, "{}");
        let () = pipe.query_async(&mut c).await?;
        Ok(())
    }

    /// The whole `ws_conn` record and this gateway's claim on it.
    fn record(&self, pipe: &mut redis::Pipeline, id: &str, rec: &SessionRecord, subs: &str) {
        pipe.hset_multiple(
            keys::ws_conn(id),
            &[
                ("user_id", rec.user_id.as_str()),
                ("session_id", rec.session_id.as_str()),
                ("gateway_id", self.gateway_id.as_str()),
                ("connected_at", &rec.connected_at.to_string()),
                ("resume_token", rec.token_hash.as_str()),
                ("epoch", &rec.epoch.to_string()),
                ("state", "attached"),
                ("subscriptions", subs),
            ],
        )
        .ignore()
        .sadd(keys::gateway_conns(&self.gateway_id), id)
        .ignore();
    }

    /// Writes back everything this gateway holds, after Redis lost it (restarted empty) or
    /// after this gateway was taken for dead: session records, subscriber sets, watch entries.
    /// Every command is idempotent.
    pub(crate) async fn reregister(&self, sessions: &[HeldSession]) -> Result<()> {
        let mut c = self.conn().await?;
        for chunk in sessions.chunks(200) {
            let mut pipe = redis::pipe();
            let expiry = clock::now_ms() + self.watch_ttl_ms();
            for s in chunk {
                self.record(&mut pipe, &s.id, &s.record, &s.subs.to_json());
                for (pair, ids) in s.subs.pairs() {
                    let ids: Vec<String> = ids.iter().cloned().collect();
                    Self::add_subscriber(&mut pipe, &s.id, pair, &ids);
                    self.watch_pair(&mut pipe, pair, &ids, expiry);
                }
            }
            let () = pipe.query_async(&mut c).await?;
        }
        Ok(())
    }

    /// Takes over session `ws_conn_id` for a `resume` by `user_id` holding `token_hash` (the
    /// token stays valid: a resume cut short can be retried). `None`: no such session for this
    /// user and token, or its window closed.
    pub(crate) async fn claim(
        &self,
        ws_conn_id: &str,
        user_id: &str,
        token_hash: &str,
    ) -> Result<Option<Claimed>> {
        let mut c = self.conn().await?;
        let got: Option<(u64, String, String)> = CLAIM
            .key(keys::ws_conn(ws_conn_id))
            .arg(user_id)
            .arg(token_hash)
            .arg(token_hash)
            .arg(&self.gateway_id)
            .arg(clock::now_ms())
            .invoke_async(&mut c)
            .await?;
        let Some((epoch, subs, previous)) = got else {
            return Ok(None);
        };
        // The gateway that held it before ('' from the script when none is recorded).
        let previous = Some(previous).filter(|p| !p.is_empty());
        let mut pipe = redis::pipe();
        pipe.zrem(keys::DETACHED, ws_conn_id)
            .ignore()
            .sadd(keys::gateway_conns(&self.gateway_id), ws_conn_id)
            .ignore();
        if let Some(previous) = previous.filter(|p| *p != self.gateway_id) {
            pipe.srem(keys::gateway_conns(&previous), ws_conn_id)
                .ignore();
        }
        let listed = match pipe.query_async::<()>(&mut c).await {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(cause = %e, "claimed a session but could not list it");
                false
            }
        };
        Ok(Some(Claimed {
            epoch,
            listed,
            subscriptions: Subscriptions::from_json(&subs),
        }))
    }

    /// The connection ended but its session may be resumed until `deadline_ms`: it keeps its
    /// subscriber-set entries, and its watch entries live at least that long, so its indicators
    /// (and their history) go on being computed. Does nothing if the session was resumed
    /// elsewhere meanwhile.
    pub(crate) async fn detach(
        &self,
        ws_conn_id: &str,
        epoch: u64,
        deadline_ms: i64,
    ) -> Result<()> {
        let mut c = self.conn().await?;
        let detached = self
            .detach_with(
                &mut c,
                ws_conn_id,
                &self.gateway_id,
                Some(epoch),
                deadline_ms,
            )
            .await?;
        self.unlist_unless_held_here(&mut c, ws_conn_id, detached)
            .await
    }

    /// Removes the session from this gateway's list, unless a newer connection here holds it.
    async fn unlist_unless_held_here(
        &self,
        c: &mut Conn,
        ws_conn_id: &str,
        released: bool,
    ) -> Result<()> {
        if !released {
            let holder: Option<String> = c.hget(keys::ws_conn(ws_conn_id), "gateway_id").await?;
            if holder.as_deref() == Some(self.gateway_id.as_str()) {
                return Ok(());
            }
        }
        let () = c
            .srem(keys::gateway_conns(&self.gateway_id), ws_conn_id)
            .await?;
        Ok(())
    }

    /// Detaches `ws_conn_id` if `holder` (and `epoch`, when given) still holds it; true if so.
    pub(super) async fn detach_with(
        &self,
        c: &mut Conn,
        ws_conn_id: &str,
        holder: &str,
        epoch: Option<u64>,
        deadline_ms: i64,
    ) -> Result<bool> {
        // Queued first: whatever fails after, the sweeper finds it at its deadline.
        let () = c.zadd(keys::DETACHED, ws_conn_id, deadline_ms).await?;
        let subs: Option<String> = DETACH
            .key(keys::ws_conn(ws_conn_id))
            .arg(holder)
            .arg(epoch.map(|e| e.to_string()).unwrap_or_default())
            .arg(deadline_ms)
            .invoke_async(c)
            .await?;
        let Some(subs) = subs else {
            return Ok(false);
        };
        let subs = Subscriptions::from_json(&subs);
        let mut pipe = redis::pipe();
        let mut symbols = BTreeSet::new();
        for (pair, id) in subs.entries() {
            pipe.cmd("ZADD")
                .arg(keys::watch_index(pair.symbol()))
                .arg("GT")
                .arg(deadline_ms)
                .arg(keys::watch_member(pair.timeframe, id))
                .ignore();
            symbols.insert(pair.symbol());
        }
        let ttl = (deadline_ms - clock::now_ms()).max(1);
        for symbol in symbols {
            for key in [keys::watch_index(symbol), keys::watch_version(symbol)] {
                pipe.cmd("PEXPIRE").arg(key).arg(ttl).arg("GT").ignore();
            }
        }
        let () = pipe.query_async(c).await?;
        Ok(true)
    }

    /// Removes the sessions whose resume window closed (at most `limit` per call). Safe to run
    /// on every gateway at once: each removal is decided on the session's own record, and
    /// repeating one removes nothing more. Returns how many were removed.
    pub(crate) async fn expire_detached(&self, limit: isize) -> Result<usize> {
        let mut c = self.conn().await?;
        let now = clock::now_ms();
        let due: Vec<String> = c
            .zrangebyscore_limit(keys::DETACHED, "-inf", now, 0, limit)
            .await?;
        let mut removed = 0;
        for id in due {
            let verdict: Vec<String> = EXPIRE
                .key(keys::ws_conn(&id))
                .arg(now)
                .invoke_async(&mut c)
                .await?;
            let mut pipe = redis::pipe();
            match verdict.first().map(String::as_str) {
                Some("expire") => {
                    let subs = Subscriptions::from_json(verdict.get(1).map_or("{}", |s| s));
                    srem_all(&mut pipe, &id, &subs);
                    pipe.del(keys::ws_conn(&id)).ignore();
                    removed += 1;
                }
                Some("wait") => {
                    // Queued early (or re-detached): wait for its own deadline.
                    let deadline: i64 = verdict.get(1).and_then(|d| d.parse().ok()).unwrap_or(now);
                    let () = c.zadd(keys::DETACHED, &id, deadline).await?;
                    continue;
                }
                Some("attached") => {
                    // Held by a connection again: not due. It may detach meanwhile (its DETACH
                    // queues it before marking it), so look once more after removing it.
                    let () = c.zrem(keys::DETACHED, &id).await?;
                    let (state, deadline): (Option<String>, Option<i64>) = redis::pipe()
                        .hget(keys::ws_conn(&id), "state")
                        .hget(keys::ws_conn(&id), "resume_deadline")
                        .query_async(&mut c)
                        .await?;
                    if state.as_deref() != Some("attached") {
                        let () = c.zadd(keys::DETACHED, &id, deadline.unwrap_or(now)).await?;
                    }
                    continue;
                }
                _ => {}
            }
            pipe.zrem(keys::DETACHED, &id).ignore();
            let () = pipe.query_async(&mut c).await?;
        }
        Ok(removed)
    }

    /// Removes every trace of a session its client ended, if this connection still holds it.
    pub(crate) async fn end_session(
        &self,
        ws_conn_id: &str,
        epoch: u64,
        subs: &Subscriptions,
    ) -> Result<()> {
        let mut c = self.conn().await?;
        // Queued first, due now: if what follows fails, the sweeper finishes it.
        let () = c.zadd(keys::DETACHED, ws_conn_id, clock::now_ms()).await?;
        let recorded: Option<String> = END
            .key(keys::ws_conn(ws_conn_id))
            .arg(&self.gateway_id)
            .arg(epoch)
            .invoke_async(&mut c)
            .await?;
        let ended = recorded.is_some();
        if let Some(recorded) = recorded {
            // What the session holds and what its record says (they differ only after a
            // subscribe whose second step failed): every set entry goes.
            let all = subs.clone().union(Subscriptions::from_json(&recorded));
            let mut pipe = redis::pipe();
            srem_all(&mut pipe, ws_conn_id, &all);
            pipe.del(keys::ws_conn(ws_conn_id)).ignore();
            pipe.zrem(keys::DETACHED, ws_conn_id).ignore();
            let () = pipe.query_async(&mut c).await?;
        }
        self.unlist_unless_held_here(&mut c, ws_conn_id, ended)
            .await
    }
}
