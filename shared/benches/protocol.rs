//! What a 64 KB client message costs the gateway: `protocol::parse` (what an allowed message
//! costs, and what a rate-limited one cost before: the whole message was parsed to echo its
//! `id`) and `protocol::request_id` (what a rate-limited one costs now: only the id is read).
//! Three 64 KB shapes: a subscribe with thousands of ids, a long string, deep nesting.
//! Run: `cargo bench -p shared --bench protocol`.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

const SIZE: usize = 64 * 1024;

fn shapes() -> Vec<(&'static str, String)> {
    let mut ids = String::from(
        r#"{"action":"subscribe","symbol":"NIFTY50","timeframe":"5min","indicators":["#,
    );
    while ids.len() < SIZE - 40 {
        ids.push_str(r#""RSI_14","#);
    }
    ids.push_str(r#""SMA_20"],"id":7}"#);
    let mut text = String::from(r#"{"action":"ping","pad":""#);
    text.push_str(&"x".repeat(SIZE - 40));
    text.push_str(r#"","id":7}"#);
    // serde_json stops at 128 levels: deep enough to be refused, wide enough to fill 64 KB.
    let mut deep = String::from(r#"{"action":"ping","id":7,"pad":"#);
    deep.push_str(&"[".repeat(100));
    while deep.len() < SIZE - 200 {
        deep.push_str("1,");
    }
    deep.push('1');
    deep.push_str(&"]".repeat(100));
    deep.push('}');
    vec![("ids", ids), ("string", text), ("nested", deep)]
}

fn bench(c: &mut Criterion) {
    for (name, msg) in shapes() {
        c.bench_function(&format!("msg_64k/{name}/parse"), |b| {
            b.iter(|| black_box(shared::protocol::parse(black_box(&msg))));
        });
        c.bench_function(&format!("msg_64k/{name}/request_id"), |b| {
            b.iter(|| black_box(shared::protocol::request_id(black_box(&msg))));
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
