#!/usr/bin/env python3
"""TA-Lib's cost on this machine, side by side with our criterion figures.

    cargo bench -p shared --bench indicators     # writes target/criterion/<ID>/{update,peek}/<bank>/
    python3 scripts/bench_table.py               # measures TA-Lib now, prints one Markdown table

TA-Lib columns (ta-lib 0.8.2 = TA-Lib C 0.8.1, numpy arrays):
  batch ns/elem  - one call over 1,000,000 candles, divided by 1,000,000 (best of 5);
  stream ns      - one `talib.stream.<FN>` call (the last value only) on a 500-candle window,
                   Python call overhead included, which is the price a Python user pays.
Ours: criterion's mean time per iteration divided by the bank size (ns per update/peek call),
for banks of 10,000 states (in cache) and 1,000,000 (far outside it).
"""

import json
import os
import sys
import timeit

import numpy as np
import talib
from talib import stream

N = 1_000_000
WINDOW = 500

# id -> (batch call, stream call); each gets (o, h, l, c, v) numpy arrays.
CASES = {
    "SMA_20": (lambda o, h, l, c, v: talib.SMA(c, 20), lambda o, h, l, c, v: stream.SMA(c, 20)),
    "EMA_20": (lambda o, h, l, c, v: talib.EMA(c, 20), lambda o, h, l, c, v: stream.EMA(c, 20)),
    "RSI_14": (lambda o, h, l, c, v: talib.RSI(c, 14), lambda o, h, l, c, v: stream.RSI(c, 14)),
    "MACD_12_26_9": (
        lambda o, h, l, c, v: talib.MACD(c, 12, 26, 9),
        lambda o, h, l, c, v: stream.MACD(c, 12, 26, 9),
    ),
    "BBANDS_20_2.0": (
        lambda o, h, l, c, v: talib.BBANDS(c, 20, 2.0, 2.0),
        lambda o, h, l, c, v: stream.BBANDS(c, 20, 2.0, 2.0),
    ),
    "ATR_14": (lambda o, h, l, c, v: talib.ATR(h, l, c, 14), lambda o, h, l, c, v: stream.ATR(h, l, c, 14)),
    "STOCH_14_3_3": (
        lambda o, h, l, c, v: talib.STOCH(h, l, c, 14, 3, 0, 3, 0),
        lambda o, h, l, c, v: stream.STOCH(h, l, c, 14, 3, 0, 3, 0),
    ),
    "ADX_14": (lambda o, h, l, c, v: talib.ADX(h, l, c, 14), lambda o, h, l, c, v: stream.ADX(h, l, c, 14)),
    "CCI_14": (lambda o, h, l, c, v: talib.CCI(h, l, c, 14), lambda o, h, l, c, v: stream.CCI(h, l, c, 14)),
}


def series(n: int):
    rng = np.random.default_rng(7)
    c = 23450 * np.cumprod(1 + rng.normal(0, 0.001, n))
    o = np.concatenate([[c[0]], c[:-1]])
    h = np.maximum(o, c) * 1.0005
    l = np.minimum(o, c) * 0.9995
    v = rng.uniform(100, 1100, n)
    return o, h, l, c, v


def ours(root: str, ident: str, op: str, bank: int):
    path = os.path.join(root, "target", "criterion", ident, op, str(bank), "new", "estimates.json")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)["mean"]["point_estimate"] / bank
    except FileNotFoundError:
        return None


def fmt(x):
    return "" if x is None else f"{x:.2f}"


def main() -> None:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ids = sys.argv[1:] or list(CASES)
    big = series(N)
    win = tuple(a[-WINDOW:].copy() for a in big)
    print(f"TA-Lib {talib.__ta_version__.split()[0] if isinstance(talib.__ta_version__, str) else talib.__ta_version__.decode().split()[0]}"
          f" (python ta-lib {talib.__version__}), numpy {np.__version__}\n")
    print("| indicator | TA-Lib batch ns/elem | TA-Lib stream ns | update ns (10k) | peek ns (10k) "
          "| update ns (1M) | peek ns (1M) | update vs batch | update vs stream |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for ident in ids:
        if ident not in CASES:
            continue
        batch_fn, stream_fn = CASES[ident]
        batch = min(timeit.repeat(lambda: batch_fn(*big), number=1, repeat=5)) / N * 1e9
        reps = 20_000
        stream_ns = min(timeit.repeat(lambda: stream_fn(*win), number=reps, repeat=3)) / reps * 1e9
        u10, p10 = ours(root, ident, "update", 10_000), ours(root, ident, "peek", 10_000)
        u1m, p1m = ours(root, ident, "update", 1_000_000), ours(root, ident, "peek", 1_000_000)
        vs_batch = f"{batch / u10:.1f}x" if u10 else ""
        vs_stream = f"{stream_ns / u10:.0f}x" if u10 else ""
        print(f"| {ident} | {batch:.2f} | {stream_ns:.0f} | {fmt(u10)} | {fmt(p10)} | {fmt(u1m)} | {fmt(p1m)} "
              f"| {vs_batch} | {vs_stream} |")


if __name__ == "__main__":
    main()
