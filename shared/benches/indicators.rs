//! `update` and `peek` cost per indicator over a bank of states, like a computer holding many
//! (symbol, timeframe, indicator) states: each iteration advances every state of the bank by
//! one candle, so time / bank size is the cost of one call. Banks of 10,000 states (in cache)
//! and 1,000,000 (far outside it). `make bench` runs this and the TA-Lib side and prints both.
//!
//! It also measures warming one state from 1,000 candles (`warm/1000`).
//!
//! `BENCH_IDS=RSI_14,ATR_14 cargo bench -p shared --bench indicators` limits the indicators;
//! `BENCH_BANKS=10000` the bank sizes; `BENCH_WARM=0` skips the warm-up figures.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use shared::catalogue::{Spec, State};
use shared::indicators::Candle;
use std::hint::black_box;
use std::time::Duration;

fn candles(n: usize) -> Vec<Candle> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut price = 23_450.0;
    (0..n)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let r = (x >> 11) as f64 / (1u64 << 53) as f64;
            let open = price;
            price *= 1.0 + (r - 0.5) * 0.002;
            let (hi, lo) = (open.max(price) * 1.0005, open.min(price) * 0.9995);
            Candle {
                time: i as i64 * 60_000,
                open,
                high: hi,
                low: lo,
                close: price,
                volume: 100.0 + r * 1000.0,
            }
        })
        .collect()
}

fn env_list(name: &str) -> Option<Vec<String>> {
    std::env::var(name)
        .ok()
        .map(|v| v.split(',').map(|s| s.trim().to_owned()).collect())
}

fn bench(c: &mut Criterion) {
    // Every catalogue indicator with its default params unless BENCH_IDS narrows it down.
    let ids = env_list("BENCH_IDS").unwrap_or_else(|| {
        shared::catalogue::CATALOGUE
            .iter()
            .map(|d| Spec::from_id(d.name).expect("defaults are valid").id())
            .collect()
    });
    let banks: Vec<usize> = env_list("BENCH_BANKS")
        .map(|v| v.iter().filter_map(|s| s.parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 1_000_000]);
    let warm = candles(300);
    let stream = candles(4096);
    for id in &ids {
        let spec = Spec::from_id(id).expect("a catalogue id");
        let mut group = c.benchmark_group(spec.id());
        for &bank in &banks {
            // Every state past its warm-up, each on a slightly different series.
            let mut states: Vec<State> = (0..bank).map(|k| spec.warm(&warm[k % 50..]).0).collect();
            group.throughput(Throughput::Elements(bank as u64));
            group.warm_up_time(Duration::from_secs(1));
            if bank >= 100_000 {
                group
                    .sample_size(10)
                    .measurement_time(Duration::from_secs(2));
            } else {
                group
                    .sample_size(20)
                    .measurement_time(Duration::from_secs(1));
            }
            let mut t = 0usize;
            group.bench_function(BenchmarkId::new("update", bank), |b| {
                b.iter(|| {
                    let candle = &stream[t % stream.len()];
                    t += 1;
                    for s in states.iter_mut() {
                        black_box(s.update(black_box(candle)));
                    }
                });
            });
            group.bench_function(BenchmarkId::new("peek", bank), |b| {
                b.iter(|| {
                    let candle = &stream[t % stream.len()];
                    t += 1;
                    for s in states.iter() {
                        black_box(s.peek(black_box(candle)));
                    }
                });
            });
        }
        // Warm-up cost: `Spec::warm` over 1,000 closed candles (what a computer or a gateway
        // does when an indicator becomes watched), per whole warm-up.
        if std::env::var("BENCH_WARM").map_or(true, |v| v != "0") {
            group.throughput(Throughput::Elements(1));
            group
                .sample_size(20)
                .measurement_time(Duration::from_secs(1));
            let history = candles(1000);
            group.bench_function(BenchmarkId::new("warm", 1000), |b| {
                b.iter(|| spec.warm(black_box(&history)));
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
