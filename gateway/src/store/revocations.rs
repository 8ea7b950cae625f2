//! Revocation entries (see [`crate::revocation`]): written by `gateway revoke`, checked at
//! connect, resume and refresh, announced on a stream every gateway reads.

use super::{Result, Store};
use crate::revocation::{Revocation, fields_of, parse_entry};
use redis::Script;
use shared::auth::Identity;
use shared::keys;
use std::collections::HashMap;
use std::sync::LazyLock;

static REVOKE: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("lua/revoke.lua")));

/// Announcements read per poll at most.
const READ_BATCH: usize = 500;

type StreamEntry = (String, HashMap<String, String>);

impl Store {
    /// Records a revocation of `field` made `at`, denying until `expires_at` (epoch seconds),
    /// and purges the ones whose time is over (an empty `field` only purges).
    pub(crate) async fn revoke(&self, field: &str, at: u64, expires_at: u64) -> Result<()> {
        let mut c = self.conn().await?;
        let _purged: i64 = REVOKE
            .key(keys::REVOKED)
            .key(keys::REVOKED_EXPIRY)
            .key(keys::REVOKED_LOG)
            .arg(field)
            .arg(at)
            .arg(expires_at)
            .arg(at)
            .invoke_async(&mut c)
            .await?;
        Ok(())
    }

    /// Every revocation in force: field, revoked_at, expires_at.
    pub(crate) async fn revocations(&self, now: u64) -> Result<Vec<(String, u64, u64)>> {
        let mut c = self.conn().await?;
        let all: Vec<(String, String)> = redis::cmd("HGETALL")
            .arg(keys::REVOKED)
            .query_async(&mut c)
            .await?;
        let mut list: Vec<_> = all
            .into_iter()
            .filter_map(|(f, v)| parse_entry(&v).map(|(at, exp)| (f, at, exp)))
            .filter(|&(_, _, exp)| exp > now)
            .collect();
        list.sort();
        Ok(list)
    }

    /// Whether a revocation in force denies `who`'s token.
    pub(crate) async fn is_revoked(&self, who: &Identity, now: u64) -> Result<bool> {
        let fields = fields_of(who);
        let mut c = self.conn().await?;
        let values: Vec<Option<String>> = redis::cmd("HMGET")
            .arg(keys::REVOKED)
            .arg(&fields)
            .query_async(&mut c)
            .await?;
        Ok(fields.into_iter().zip(values).any(|(field, value)| {
            value
                .as_deref()
                .and_then(parse_entry)
                .is_some_and(|(at, exp)| exp > now && Revocation { field, at }.denies(who))
        }))
    }

    /// The id of the newest announcement ("0-0" when there is none): where to start reading.
    pub(crate) async fn revocation_tail(&self) -> Result<String> {
        let mut c = self.conn().await?;
        let last: Vec<StreamEntry> = redis::cmd("XREVRANGE")
            .arg(keys::REVOKED_LOG)
            .arg("+")
            .arg("-")
            .arg("COUNT")
            .arg(1)
            .query_async(&mut c)
            .await?;
        Ok(last
            .into_iter()
            .next()
            .map_or_else(|| "0-0".to_owned(), |(id, _)| id))
    }

    /// Announcements after `after`, oldest first, with their ids.
    pub(crate) async fn revocations_after(&self, after: &str) -> Result<Vec<(String, Revocation)>> {
        let mut c = self.conn().await?;
        let entries: Vec<StreamEntry> = redis::cmd("XRANGE")
            .arg(keys::REVOKED_LOG)
            .arg(format!("({after}"))
            .arg("+")
            .arg("COUNT")
            .arg(READ_BATCH)
            .query_async(&mut c)
            .await?;
        Ok(entries
            .into_iter()
            .map(|(id, fields)| {
                let revocation = Revocation {
                    field: fields.get("f").cloned().unwrap_or_default(),
                    at: fields.get("at").and_then(|a| a.parse().ok()).unwrap_or(0),
                };
                (id, revocation)
            })
            .collect())
    }
}
