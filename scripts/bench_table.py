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

# Our default id -> TA-Lib function and its arguments; each call gets (o, h, l, c, v) arrays.
# Indicators TA-Lib lacks (RMA, HMA, SUPERTREND, DONCHIAN, CMF, VWAP) have no TA-Lib column.
CASES = {
    "SMA_10": ("SMA", "c", (10,)),
    "EMA_10": ("EMA", "c", (10,)),
    "WMA_10": ("WMA", "c", (10,)),
    "DEMA_10": ("DEMA", "c", (10,)),
    "TEMA_10": ("TEMA", "c", (10,)),
    "TRIMA_10": ("TRIMA", "c", (10,)),
    "KAMA_10_2_30": ("KAMA", "c", (10,)),
    "BBANDS_5_2.0": ("BBANDS", "c", (5, 2.0, 2.0)),
    "PSAR_0.02_0.2": ("SAR", "hl", (0.02, 0.2)),
    "RSI_14": ("RSI", "c", (14,)),
    "MACD_12_26_9": ("MACD", "c", (12, 26, 9)),
    "STOCH_14_3_3": ("STOCH", "hlc", (14, 3, 0, 3, 0)),
    "STOCHRSI_14_14_3_3": ("STOCHRSI", "c", (14, 14, 3, 0)),
    "WILLR_14": ("WILLR", "hlc", (14,)),
    "CCI_14_0.015": ("CCI", "hlc", (14,)),
    "MFI_14": ("MFI", "hlcv", (14,)),
    "ROC_10": ("ROC", "c", (10,)),
    "MOM_10": ("MOM", "c", (10,)),
    "ADX_14": ("ADX", "hlc", (14,)),
    "AROON_14": ("AROON", "hl", (14,)),
    "ULTOSC_7_14_28": ("ULTOSC", "hlc", (7, 14, 28)),
    "ATR_14": ("ATR", "hlc", (14,)),
    "NATR_14": ("NATR", "hlc", (14,)),
    "STDDEV_30": ("STDDEV", "c", (30, 1.0)),
    "TRANGE_1": ("TRANGE", "hlc", ()),
    "OBV": ("OBV", "cv", ()),
    "AD": ("AD", "hlcv", ()),
    "ADOSC_3_10": ("ADOSC", "hlcv", (3, 10)),
}
OURS_ONLY = ["RMA_10", "HMA_10", "SUPERTREND_7_3.0", "DONCHIAN_20_20", "CMF_20", "VWAP_D"]


def call(module, case, arrays):
    name, inputs, params = case
    o, h, l, c, v = arrays
    pick = {"o": o, "h": h, "l": l, "c": c, "v": v}
    args = [pick[k] for k in inputs]
    return getattr(module, name)(*args, *params)


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
    ids = sys.argv[1:] or list(CASES) + OURS_ONLY
    big = series(N)
    win = tuple(a[-WINDOW:].copy() for a in big)
    print(f"TA-Lib {talib.__ta_version__.split()[0] if isinstance(talib.__ta_version__, str) else talib.__ta_version__.decode().split()[0]}"
          f" (python ta-lib {talib.__version__}), numpy {np.__version__}\n")
    print("| indicator | TA-Lib batch ns/elem | TA-Lib stream ns | update ns (10k) | peek ns (10k) "
          "| update ns (1M) | peek ns (1M) | batch / update | stream / update | 1M / 10k |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for ident in ids:
        u10, p10 = ours(root, ident, "update", 10_000), ours(root, ident, "peek", 10_000)
        u1m, p1m = ours(root, ident, "update", 1_000_000), ours(root, ident, "peek", 1_000_000)
        if ident in CASES:
            case = CASES[ident]
            batch = min(timeit.repeat(lambda: call(talib, case, big), number=1, repeat=5)) / N * 1e9
            reps = 20_000
            stream_ns = min(timeit.repeat(lambda: call(stream, case, win), number=reps, repeat=3)) / reps * 1e9
            vs_batch = f"{batch / u10:.2f}x" if u10 else ""
            vs_stream = f"{stream_ns / u10:.0f}x" if u10 else ""
            talib_cols = f"{batch:.2f} | {stream_ns:.0f}"
        else:
            talib_cols, vs_batch, vs_stream = "n/a | n/a", "", ""
        ratio = f"{u1m / u10:.1f}x" if u10 and u1m else ""
        print(f"| {ident} | {talib_cols} | {fmt(u10)} | {fmt(p10)} | {fmt(u1m)} | {fmt(p1m)} "
              f"| {vs_batch} | {vs_stream} | {ratio} |")


if __name__ == "__main__":
    main()
