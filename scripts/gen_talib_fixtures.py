#!/usr/bin/env python3
"""Generate the TA-Lib golden fixture `tests/fixtures/talib_core.json`.

The Rust indicators in `shared/src/indicators/` must equal TA-Lib C 0.8.1 value for value;
`shared/tests/golden.rs` replays these candles and compares every output.

Run from the repository root (deterministic: re-running gives a byte-identical file):

    pip install ta-lib==0.8.2 numpy      # the wheel bundles TA-Lib C 0.8.1
    python3 scripts/gen_talib_fixtures.py

Series: 1-minute candles from `1762257600000` (2025-11-04 12:00 UTC), a random walk around
23450 in whole cents (numpy `default_rng(seed)`); open = previous close, high/low enclose
open and close, volume a multiple of 4 in [4, 4000] so that replaying a candle as four
ticks (open, high, low, close, each volume/4) reproduces it exactly. `flat_*` series add
runs of identical closes and one-bar spikes (zero-width bands, TA-Lib's variance re-anchor
and zero-variance floor, RSI's flat start).

`--extra PATH` writes a larger, uncommitted fixture instead: more parameters (swapped MACD
periods, signal 1, period 2, std 1.5, ...), long series and price-level jumps. Check the
Rust code against it with

    python3 scripts/gen_talib_fixtures.py --extra /tmp/talib_extra.json
    TALIB_EXTRA_FIXTURE=/tmp/talib_extra.json cargo test -p shared --test golden

Floats are written with Python's `repr` (json's default), so they round-trip exactly;
NaN (TA-Lib's warm-up) is written as null.
"""

import json
import os
import sys

import numpy as np
import talib

START_MS = 1762257600000
TIMEFRAME_MS = 60_000
START_CENTS = 2_345_000  # 23450.00

# (TA-Lib function, parameters), in the fixture's order.
INDICATORS = [
    ("SMA", (10,)),
    ("SMA", (20,)),
    ("EMA", (10,)),
    ("EMA", (20,)),
    ("RSI", (14,)),
    ("RSI", (2,)),
    ("MACD", (12, 26, 9)),
    ("MACD", (5, 13, 4)),
    ("BBANDS", (5, 2.0)),
    ("BBANDS", (20, 2.0)),
    ("BBANDS", (10, 1.0)),
]

# (name prefix, seed, length, flat): seeds 1-3 at lengths 60 and 300, one 1000-candle walk
# (all nine seed/length pairs would not fit the ~1.5 MB budget), and a walk with flat runs.
SERIES = [
    ("walk", 1, 60, False),
    ("walk", 2, 60, False),
    ("walk", 3, 60, False),
    ("walk", 1, 300, False),
    ("walk", 2, 300, False),
    ("walk", 3, 300, False),
    ("walk", 1, 1000, False),
    ("flat", 4, 300, True),
]

EXTRA_INDICATORS = INDICATORS + [
    ("SMA", (2,)),
    ("SMA", (50,)),
    ("EMA", (2,)),
    ("EMA", (50,)),
    ("RSI", (3,)),
    ("RSI", (30,)),
    ("MACD", (26, 12, 9)),
    ("MACD", (3, 3, 1)),
    ("MACD", (2, 30, 1)),
    ("MACD", (4, 9, 2)),
    ("BBANDS", (2, 2.0)),
    ("BBANDS", (3, 1.5)),
    ("BBANDS", (50, 2.0)),
    ("BBANDS", (7, 0.5)),
]

EXTRA_SERIES = [
    ("walk", 10, 3000, False),
    ("walk", 11, 3000, False),
    ("flat", 12, 3000, True),
    ("jumps", 13, 3000, False),
]


def make_candles(seed: int, n: int, flat: bool, jumps: bool = False) -> list[list]:
    """Candles as [time_ms, open, high, low, close, volume], prices in whole cents."""
    rng = np.random.default_rng(seed)
    candles = []
    close_c = START_CENTS
    flat_left = 30 if flat else 0  # a flat start: RSI's 0/0 case
    spike_back = 0
    for i in range(n):
        open_c = close_c
        if flat:
            # Moving stretches, runs of 5..40 identical closes, and inside a run one-bar
            # spikes that return to the run's level (when the spike leaves a window the
            # rest is flat: TA-Lib's variance re-anchors on the outgoing value).
            if flat_left == 0 and rng.random() < 0.05:
                flat_left = int(rng.integers(5, 41))
            if spike_back:
                step, spike_back = spike_back, 0
            elif flat_left > 0:
                flat_left -= 1
                step = 0
                if i >= 30 and rng.random() < 0.04:
                    step = int(rng.integers(1, 2000)) * (1 if rng.random() < 0.5 else -1)
                    spike_back = -step
            else:
                step = int(round(rng.normal(0.0, 500.0)))
        else:
            step = int(round(rng.normal(0.0, 500.0)))  # sigma 5.00 per minute
        if jumps and rng.random() < 0.01:
            # Price-level regime changes (x100 or /100) stress the variance re-anchor.
            step = open_c * 99 if open_c < 10_000_000 else open_c // 100 - open_c
        close_c = max(open_c + step, 100)
        high_c = max(open_c, close_c) + int(abs(round(rng.normal(0.0, 300.0))))
        low_c = min(open_c, close_c) - int(abs(round(rng.normal(0.0, 300.0))))
        low_c = max(low_c, 1)
        volume = 4 * int(rng.integers(1, 1001))
        assert low_c <= min(open_c, close_c) <= max(open_c, close_c) <= high_c
        candles.append(
            [
                START_MS + i * TIMEFRAME_MS,
                open_c / 100,
                high_c / 100,
                low_c / 100,
                close_c / 100,
                float(volume),
            ]
        )
    return candles


def column(values) -> list:
    return [None if np.isnan(v) else float(v) for v in values]


def compute(name: str, params: tuple, close: np.ndarray) -> tuple[str, dict]:
    if name in ("SMA", "EMA", "RSI"):
        (n,) = params
        key = f"{name}_{n}"
        out = getattr(talib, name)(close, timeperiod=n)
        return key, {key: column(out)}
    if name == "MACD":
        fast, slow, signal = params
        sfx = f"{fast}_{slow}_{signal}"
        macd, macdsignal, macdhist = talib.MACD(
            close, fastperiod=fast, slowperiod=slow, signalperiod=signal
        )
        return f"MACD_{sfx}", {
            f"MACD_{sfx}": column(macd),
            f"MACDh_{sfx}": column(macdhist),
            f"MACDs_{sfx}": column(macdsignal),
        }
    if name == "BBANDS":
        n, std = params
        sfx = f"{n}_{std}"
        upper, middle, lower = talib.BBANDS(
            close, timeperiod=n, nbdevup=std, nbdevdn=std, matype=talib.MA_Type.SMA
        )
        # pandas-ta: bandwidth = 100 * (upper - lower) / mid, percent = (close - lower) /
        # (upper - lower); a zero divisor gives NaN here (pandas-ta would give inf/NaN).
        with np.errstate(divide="ignore", invalid="ignore"):
            width = upper - lower
            bbb = 100 * width / middle
            bbp = (close - lower) / width
        bbb[middle == 0] = np.nan
        bbp[width == 0] = np.nan
        return f"BBANDS_{sfx}", {
            f"BBL_{sfx}": column(lower),
            f"BBM_{sfx}": column(middle),
            f"BBU_{sfx}": column(upper),
            f"BBB_{sfx}": column(bbb),
            f"BBP_{sfx}": column(bbp),
        }
    raise ValueError(name)


def main() -> None:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out_path = os.path.join(root, "tests", "fixtures", "talib_core.json")
    series_spec, indicators_spec = SERIES, INDICATORS
    if len(sys.argv) == 3 and sys.argv[1] == "--extra":
        out_path = sys.argv[2]
        series_spec, indicators_spec = EXTRA_SERIES, EXTRA_INDICATORS
    elif len(sys.argv) != 1:
        sys.exit(f"usage: {sys.argv[0]} [--extra PATH]")
    ta_version = talib.__ta_version__
    if isinstance(ta_version, bytes):
        ta_version = ta_version.decode()
    if not ta_version.startswith("0.8.1"):
        sys.exit(f"expected TA-Lib C 0.8.1 (pip install ta-lib==0.8.2), got {ta_version}")

    series = []
    for prefix, seed, n, flat in series_spec:
        candles = make_candles(seed, n, flat, jumps=prefix == "jumps")
        close = np.array([c[4] for c in candles], dtype=np.float64)
        indicators = {}
        for name, params in indicators_spec:
            key, cols = compute(name, params, close)
            indicators[key] = cols
        series.append(
            {"name": f"{prefix}_seed{seed}_n{n}", "candles": candles, "indicators": indicators}
        )

    doc = {
        "generator": "scripts/gen_talib_fixtures.py",
        "talib": ta_version.split(" ")[0],
        "talib_python": talib.__version__,
        "timeframe_ms": TIMEFRAME_MS,
        "series": series,
    }
    # One JSON document; a line per series, candle list and indicator column keeps diffs sane.
    compact = {"separators": (",", ":"), "allow_nan": False}
    lines = ["{"]
    for k in ("generator", "talib", "talib_python", "timeframe_ms"):
        lines.append(f"{json.dumps(k)}:{json.dumps(doc[k], **compact)},")
    lines.append('"series":[')
    for si, s in enumerate(series):
        lines.append("{" + f'"name":{json.dumps(s["name"])},')
        lines.append(f'"candles":{json.dumps(s["candles"], **compact)},')
        lines.append('"indicators":{')
        keys = list(s["indicators"])
        for ki, key in enumerate(keys):
            cols = s["indicators"][key]
            lines.append(f"{json.dumps(key)}:{{")
            names = list(cols)
            for ci, col in enumerate(names):
                sep = "," if ci + 1 < len(names) else ""
                lines.append(f"{json.dumps(col)}:{json.dumps(cols[col], **compact)}{sep}")
            lines.append("}" + ("," if ki + 1 < len(keys) else ""))
        lines.append("}}" + ("," if si + 1 < len(series) else ""))
    lines.append("]}")
    text = "\n".join(lines) + "\n"
    assert json.loads(text) == doc  # the hand-laid-out document is exactly `doc`
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    with open(out_path, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {out_path}: {len(series)} series, {len(text)} bytes, TA-Lib {ta_version}")


if __name__ == "__main__":
    main()
