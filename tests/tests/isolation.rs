//! The seed's manual plans and automated isolation test, over real sockets, a real Redis, a real
//! computer and gateway, with live ticks flowing.

use integration::*;
use serde_json::json;
use std::collections::BTreeSet;
use std::time::Duration;

/// Redis, a computer and a gateway, with live ticks for `symbols`.
async fn cluster(symbols: &[&str]) -> (Stack, Ticks) {
    // A short resume window, so that sessions of dropped connections go quickly.
    let s = Stack::with_computer(&[], &["--resume-window-secs", "3", "--liveness-secs", "1"]).await;
    let ticks = Ticks::start(&s.redis, symbols, Duration::from_millis(50));
    (s, ticks)
}

fn ids_seen(c: &Client) -> BTreeSet<String> {
    c.updates()
        .map(|u| u["indicator_id"].as_str().unwrap().to_owned())
        .collect()
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(std::string::ToString::to_string).collect()
}

// Plan 1: one tab with RSI and SMA gets both, and nothing after unsubscribe.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_tab_gets_both_then_nothing_after_unsubscribe() {
    let (cl, _ticks) = cluster(&["NIFTY50"]).await;
    let mut tab = Client::connect(&cl.gw, &token("a@x.com", "s1"))
        .await
        .unwrap();
    let reply = tab
        .request(subscribe(
            "NIFTY50",
            "5min",
            json!([{"name": "RSI", "params": {"length": 14}}, {"name": "SMA", "params": {"length": 20}}]),
        ))
        .await
        .unwrap();
    assert_eq!(reply["type"], "success", "{reply}");
    assert_eq!(reply["message"], "Subscribed to 2 indicators");
    assert_eq!(reply["data"]["indicators"], json!(["RSI_14", "SMA_20"]));
    let iv = &reply["data"]["initial_values"];
    assert!(
        iv.get("RSI_14").is_some() && iv.get("SMA_20").is_some(),
        "{reply}"
    );

    let both = tab.next_where(|_| false, Duration::from_secs(3)).await;
    assert!(both.is_none());
    assert_eq!(ids_seen(&tab), set(&["RSI_14", "SMA_20"]));
    for u in tab.updates() {
        assert_eq!(
            (u["symbol"].as_str(), u["timeframe"].as_str()),
            (Some("NIFTY50"), Some("5min"))
        );
        assert!(
            u["seq"].as_u64().is_some() && u["final"].is_boolean() && u["timestamp"].is_string()
        );
    }

    let reply = tab.request(json!({"action": "unsubscribe"})).await.unwrap();
    assert_eq!(reply["type"], "success", "{reply}");
    assert_eq!(reply["data"]["indicators"].as_array().unwrap().len(), 2);
    let after = tab.received.len();
    tab.drain_for(Duration::from_secs(2)).await;
    let late: Vec<_> = tab.received[after..]
        .iter()
        .filter(|m| m["type"] == "indicator_update")
        .collect();
    assert!(late.is_empty(), "updates after unsubscribe: {late:?}");
    tab.close().await;
}

// Plan 2: one user, two tabs (RSI in one, SMA in the other): each gets only its own, and tab 2
// keeps streaming after tab 1 closes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_tabs_of_one_user_are_isolated() {
    let (cl, _ticks) = cluster(&["NIFTY50"]).await;
    let mut t1 = Client::connect(&cl.gw, &token("a@x.com", "tab1"))
        .await
        .unwrap();
    let mut t2 = Client::connect(&cl.gw, &token("a@x.com", "tab2"))
        .await
        .unwrap();
    t1.subscribe_ok("NIFTY50", "5min", json!(["RSI_14"])).await;
    t2.subscribe_ok("NIFTY50", "5min", json!(["SMA_20"])).await;
    t1.drain_for(Duration::from_secs(2)).await;
    t2.drain_for(Duration::from_millis(100)).await;
    assert_eq!(ids_seen(&t1), set(&["RSI_14"]));
    assert_eq!(ids_seen(&t2), set(&["SMA_20"]));

    t1.close().await;
    let before = t2.updates().count();
    t2.drain_for(Duration::from_secs(2)).await;
    assert!(
        t2.updates().count() > before + 5,
        "tab 2 stopped streaming after tab 1 closed"
    );
    assert_eq!(ids_seen(&t2), set(&["SMA_20"]));
    t2.close().await;
}

// Plan 3 and the seed's automated test: two users (RSI vs SMA) see only their own, both ways,
// also when they watch the same pair and one of them watches several pairs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_users_see_only_their_own() {
    let (cl, _ticks) = cluster(&["NIFTY50", "BANKNIFTY"]).await;
    let mut alice = Client::connect(&cl.gw, &token("alice@x.com", "s"))
        .await
        .unwrap();
    let mut bob = Client::connect(&cl.gw, &token("bob@x.com", "s"))
        .await
        .unwrap();
    alice
        .subscribe_ok("NIFTY50", "1min", json!(["RSI_14"]))
        .await;
    alice
        .subscribe_ok("BANKNIFTY", "1min", json!(["EMA_10"]))
        .await;
    bob.subscribe_ok("NIFTY50", "1min", json!(["SMA_20"])).await;
    alice.drain_for(Duration::from_secs(2)).await;
    bob.drain_for(Duration::from_millis(100)).await;
    assert_eq!(ids_seen(&alice), set(&["RSI_14", "EMA_10"]));
    assert_eq!(ids_seen(&bob), set(&["SMA_20"]));
    assert!(
        alice
            .updates()
            .all(|u| (u["indicator_id"] == "RSI_14") == (u["symbol"] == "NIFTY50"))
    );
    assert!(bob.updates().all(|u| u["symbol"] == "NIFTY50"));
    alice.close().await;
    bob.close().await;
}

// After every client leaves, no subscriber set or session hash remains in Redis: at once for
// the clients that closed, after the resume window for those that vanished.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_keys_left_after_everyone_leaves() {
    let (cl, _ticks) = cluster(&["NIFTY50"]).await;
    let mut clients = Vec::new();
    for i in 0..4 {
        let mut c = cl.client(&format!("u{i}@x.com")).await;
        c.subscribe_ok("NIFTY50", "1min", json!(["RSI_14", "MACD_12_26_9"]))
            .await;
        c.subscribe_ok("NIFTY50", "1h", json!(["BBANDS_20_2.0"]))
            .await;
        clients.push(c);
    }
    assert_eq!(cl.redis.keys("ws_conn:*").await.unwrap().len(), 4);
    assert_eq!(
        cl.redis
            .keys("indicator_subscribers:*")
            .await
            .unwrap()
            .len(),
        3
    );
    let members: Vec<String> = {
        let mut c = cl.redis.conn().await.unwrap();
        redis::cmd("SMEMBERS")
            .arg("indicator_subscribers:NIFTY50:1min:RSI_14")
            .query_async(&mut c)
            .await
            .unwrap()
    };
    assert_eq!(members.len(), 4);
    // Two leave politely, two vanish without a close frame.
    let mut it = clients.into_iter();
    it.next().unwrap().close().await;
    it.next().unwrap().close().await;
    drop(it);
    let redis = &cl.redis;
    let left = eventually(Duration::from_secs(2), || async {
        redis.keys("ws_conn:*").await.unwrap().len() == 2
    })
    .await;
    assert!(left, "the closed sessions are removed at once");
    // The gateway may see the vanished clients' EOF after the closed ones' goodbyes.
    let states = || async {
        let mut states = Vec::new();
        for k in redis.keys("ws_conn:*").await.unwrap() {
            states.push(redis.session_state(k.trim_start_matches("ws_conn:")).await);
        }
        states
    };
    let detached = eventually(Duration::from_secs(2), || async {
        states().await == [Some("detached".to_owned()), Some("detached".to_owned())]
    })
    .await;
    assert!(
        detached,
        "a vanished client's session waits for a resume: {:?}",
        states().await
    );
    let gone = eventually(Duration::from_secs(10), || async {
        redis.session_keys().await.is_empty()
    })
    .await;
    assert!(gone, "left: {:?}", redis.session_keys().await);
}

// The gateway listens to a pair's channel only while a local connection watches it (and lets
// go shortly after the last one leaves).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn channel_subscribed_only_while_watched() {
    let s = Stack::start(&["--unsubscribe-delay-ms", "200"]).await;
    let channels = || async {
        let mut c = s.redis.conn().await.unwrap();
        let v: Vec<String> = redis::cmd("PUBSUB")
            .arg("CHANNELS")
            .arg("indicator_updates:*")
            .query_async(&mut c)
            .await
            .unwrap();
        v
    };
    assert!(channels().await.is_empty());
    let mut a = s.client("a@x.com").await;
    let mut b = s.client("b@x.com").await;
    a.subscribe_ok("NIFTY50", "5min", json!(["RSI_14"])).await;
    b.subscribe_ok("NIFTY50", "5min", json!(["SMA_20"])).await;
    assert_eq!(channels().await, vec!["indicator_updates:NIFTY50:5min"]);
    a.request(json!({"action": "unsubscribe"})).await.unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        channels().await,
        vec!["indicator_updates:NIFTY50:5min"],
        "b still watches"
    );
    b.close().await;
    assert!(
        eventually(Duration::from_secs(5), || async {
            channels().await.is_empty()
        })
        .await
    );
}
