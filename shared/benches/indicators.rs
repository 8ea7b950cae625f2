//! `update` and `peek` cost per indicator over a bank of states, like a computer holding many
//! (symbol, timeframe, indicator) states: each iteration advances every state of the bank by
//! one candle, so time / bank size is the cost of one call. Every catalogue row at its default
//! params, on a bank of 10,000 states (in cache), with a short measurement (the whole
//! catalogue is sized for about 10 minutes on 2 cores); a representative subset ([`BIG`]) also on
//! 1,000,000 states (far outside the cache) and warming one state from 1,000 candles
//! (`warm/1000`). `make bench` runs this and the TA-Lib side and prints both.
//!
//! `BENCH_IDS=RSI_14,ATR_14 cargo bench -p shared --bench indicators` limits the indicators;
//! `BENCH_BIG=RSI_14,CCI_14_0.015` replaces the subset (`BENCH_BIG=` none);
//! `BENCH_WARM=0` skips the warm-up figures; `BENCH_TIME_MS=700` sets each measurement.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use shared::catalogue::{Spec, State};
use shared::indicators::Candle;
use std::hint::black_box;
use std::time::Duration;

/// Indicators also measured on 1,000,000 states and for a warm-up, by default id: a plain
/// average, an O(n) one, a re-anchoring one, a rolling extreme, a pattern (not the Hilbert
/// loops: warming 1,000,000 of them alone would take minutes).
const BIG: &[&str] = &[
    "SMA_10",
    "EMA_10",
    "RSI_14",
    "MACD_12_26_9",
    "BBANDS_5_2.0",
    "ATR_14",
    "CCI_14_0.015",
    "STOCH_14_3_3",
    "CDLENGULFING",
];

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
    std::env::var(name).ok().map(|v| {
        v.split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    })
}

/// Times `update` then `peek` of every state of `states`, one candle of `stream` per
/// iteration.
fn bank(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    states: &mut [State],
    stream: &[Candle],
) {
    let n = states.len();
    let mut t = 0usize;
    group.bench_function(BenchmarkId::new("update", n), |b| {
        b.iter(|| {
            let candle = &stream[t % stream.len()];
            t += 1;
            for s in states.iter_mut() {
                black_box(s.update(black_box(candle)));
            }
        });
    });
    group.bench_function(BenchmarkId::new("peek", n), |b| {
        b.iter(|| {
            let candle = &stream[t % stream.len()];
            t += 1;
            for s in states.iter() {
                black_box(s.peek(black_box(candle)));
            }
        });
    });
}

fn bench(c: &mut Criterion) {
    // Every catalogue indicator with its default params unless BENCH_IDS narrows it down.
    let ids = env_list("BENCH_IDS").unwrap_or_else(|| {
        shared::catalogue::CATALOGUE
            .iter()
            .map(|d| Spec::from_id(d.name).expect("defaults are valid").id())
            .collect()
    });
    let big =
        env_list("BENCH_BIG").unwrap_or_else(|| BIG.iter().map(|s| (*s).to_owned()).collect());
    let warm_too = std::env::var("BENCH_WARM").map_or(true, |v| v != "0");
    let millis = std::env::var("BENCH_TIME_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(700);
    let warm = candles(300);
    let stream = candles(4096);
    let history = candles(1000);
    for id in &ids {
        let spec = Spec::from_id(id).expect("a catalogue id");
        let mut group = c.benchmark_group(spec.id());
        group
            .sample_size(10)
            .warm_up_time(Duration::from_millis(millis / 2))
            .measurement_time(Duration::from_millis(millis));
        let is_big = big.iter().any(|b| Spec::from_id(b).ok() == Some(spec));
        let banks: &[usize] = if is_big {
            &[10_000, 1_000_000]
        } else {
            &[10_000]
        };
        for &size in banks {
            // Every state past its warm-up, each on a slightly different series.
            let mut states: Vec<State> = (0..size).map(|k| spec.warm(&warm[k % 50..]).0).collect();
            group.throughput(Throughput::Elements(size as u64));
            if size >= 100_000 {
                group.measurement_time(Duration::from_millis(millis * 3));
            }
            bank(&mut group, &mut states, &stream);
        }
        // Warm-up cost: `Spec::warm` over 1,000 closed candles (what a computer or a gateway
        // does when an indicator becomes watched), per whole warm-up.
        if is_big && warm_too {
            group
                .throughput(Throughput::Elements(1))
                .measurement_time(Duration::from_millis(millis));
            group.bench_function(BenchmarkId::new("warm", 1000), |b| {
                b.iter(|| spec.warm(black_box(&history)));
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
