//! The hub's delivery rules, on real outboxes.
use super::*;
use shared::symbol::Symbol;
use shared::timeframe::Timeframe;
use shared::update::IndicatorValue;

fn conn(hub: &Hub, name: &str, cap: usize) -> (ConnId, Arc<Outbox>, CancellationToken) {
    let outbox = Arc::new(Outbox::new(cap, cap, std::time::Duration::from_secs(5)));
    let kick = CancellationToken::new();
    let id: ConnId = name.into();
    hub.add_conn(
        id.clone(),
        ConnHandle {
            outbox: outbox.clone(),
            kick: kick.clone(),
            taken_over: CancellationToken::new(),
            record: Arc::new(SessionRecord {
                user_id: "u".into(),
                session_id: "s".into(),
                connected_at: 0,
                token_hash: String::new(),
                epoch: 0,
            }),
        },
    );
    (id, outbox, kick)
}

fn batch(ids: &[&str], is_final: bool) -> UpdateBatch {
    UpdateBatch {
        symbol: "X".into(),
        timeframe: Timeframe::M1,
        seq: 7,
        prev_seq: 6,
        candle_time: 0,
        computed_at_us: 0,
        is_final,
        values: ids
            .iter()
            .map(|id| IndicatorValue {
                id: id.to_string(),
                outputs: vec![Some(1.5)],
            })
            .collect(),
    }
}

async fn drain(o: &Outbox) -> Vec<Utf8Bytes> {
    let mut out = Vec::new();
    if o.waiting() > 0 {
        o.take(&mut out).await;
    }
    out
}

// Shows each connection gets only the indicators it watches, and the same bytes are shared.
#[tokio::test]
async fn delivers_only_what_is_watched() {
    let hub = Hub::default();
    let m = Metrics::default();
    let pair = Pair::new(Symbol::parse("X").unwrap(), Timeframe::M1);
    let (a, oa, _) = conn(&hub, "a", 8);
    let (b, ob, _) = conn(&hub, "b", 8);
    assert!(hub.subscribe(&a, &pair, &[Spec::from_id("RSI_14").unwrap()]));
    assert!(!hub.subscribe(
        &b,
        &pair,
        &[
            Spec::from_id("SMA_20").unwrap(),
            Spec::from_id("RSI_14").unwrap()
        ]
    ));
    hub.dispatch(&batch(&["RSI_14", "SMA_20"], true), &m);
    let got_a = drain(&oa).await;
    let got_b = drain(&ob).await;
    assert_eq!(got_a.len(), 1);
    assert!(got_a[0].as_str().contains("\"indicator_id\":\"RSI_14\""));
    assert_eq!(got_b.len(), 2);
    let b_rsi = got_b.iter().find(|f| f.as_str().contains("RSI")).unwrap();
    assert_eq!(got_a[0].as_str().as_ptr(), b_rsi.as_str().as_ptr());
    assert!(!hub.unsubscribe(&a, &pair, &["RSI_14".into()]));
    assert!(hub.unsubscribe(&b, &pair, &["RSI_14".into(), "SMA_20".into()]));
    assert!(!hub.has_watchers(&pair));
}

// Shows a slow connection's live values conflate, and a queue full of finals kicks that
// connection without touching the others.
#[tokio::test]
async fn slow_connection_conflates_then_is_kicked() {
    let hub = Hub::default();
    let m = Metrics::default();
    let pair = Pair::new(Symbol::parse("X").unwrap(), Timeframe::M1);
    let (slow, slow_box, kick) = conn(&hub, "slow", 2);
    let (fast, fast_box, fast_kick) = conn(&hub, "fast", 8);
    let rsi = [Spec::from_id("RSI_14").unwrap()];
    hub.subscribe(&slow, &pair, &rsi);
    hub.subscribe(&fast, &pair, &rsi);
    for _ in 0..5 {
        hub.dispatch(&batch(&["RSI_14"], false), &m);
    }
    assert_eq!(slow_box.waiting(), 1, "live values conflate");
    assert!(!kick.is_cancelled());
    hub.dispatch(&batch(&["RSI_14"], true), &m);
    hub.dispatch(&batch(&["RSI_14"], true), &m);
    assert!(kick.is_cancelled() && !fast_kick.is_cancelled());
    assert_eq!(drain(&fast_box).await.len(), 3);
}
