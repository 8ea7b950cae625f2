#!/usr/bin/env python3
"""Our per-call cost beside TA-Lib's on this machine, for the whole catalogue, as one table.

    cargo bench -p shared --bench indicators     # writes $CARGO_TARGET_DIR/criterion/<ID>/...
    python3 scripts/bench_table.py               # measures TA-Lib now, prints one Markdown table
    python3 scripts/bench_table.py --quick RSI CDLDOJI   # a smoke run: a few names, short timings

The rows are the catalogue's (`computer catalogue --json`: default id, and the TA-Lib
function each row equals, `talib_function`: most are the row's own name, PSAR is SAR, rows
TA-Lib lacks have none). Every TA-Lib function is called generically, with its default params
and default inputs (`talib.abstract.Function(NAME)`, `talib.stream.NAME`); MAVP (which needs a
periods series) is left out.

Columns:
  update / peek ns   - ours: criterion's mean time per iteration over a bank of 10,000 states
                       (in cache) divided by the bank size: ns per call; `1M` the same on
                       1,000,000 states where the bench measured it (`BIG` in the bench);
  batch ns/elem      - TA-Lib: one call over 1,000,000 candles / 1,000,000 (best of 3);
  stream us          - TA-Lib: one `talib.stream.<FN>` call (the last value only) on a
                       500-candle window, Python call overhead included (best of 3);
  batch / update     - how many of our updates one TA-Lib batch element costs;
  stream / update    - how many of our updates one TA-Lib stream call costs.
"""

import argparse
import json
import os
import subprocess
import sys
import timeit

import numpy as np
import talib
from talib import abstract, stream

WINDOW = 500
FIELDS = ["open", "high", "low", "close", "volume"]
EXCLUDED = {"MAVP"}


def catalogue(root: str, path: str | None):
    if path:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    out = subprocess.run(
        ["cargo", "run", "-q", "-p", "computer", "--", "catalogue", "--json"],
        cwd=root, check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out)


def series(n: int):
    rng = np.random.default_rng(7)
    c = 23450 * np.cumprod(1 + rng.normal(0, 0.001, n))
    o = np.concatenate([[c[0]], c[:-1]])
    h = np.maximum(o, c) * 1.0005
    l = np.minimum(o, c) * 0.9995
    v = rng.uniform(100, 1100, n)
    return {"open": o, "high": h, "low": l, "close": c, "volume": v}


def stream_args(name: str, arrays):
    """Positional inputs of `talib.stream.NAME` from the function's default input names."""
    args = []
    for value in abstract.Function(name).info["input_names"].values():
        for field in value if isinstance(value, (list, tuple)) else [value]:
            args.append(arrays[field])
    return args


def ours(criterion: str, ident: str, op: str, bank: int):
    path = os.path.join(criterion, ident, op, str(bank), "new", "estimates.json")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)["mean"]["point_estimate"] / bank
    except FileNotFoundError:
        return None


def fmt(x, digits=2):
    return "" if x is None else f"{x:.{digits}f}"


def ratio(a, b, digits=1):
    return f"{a / b:.{digits}f}x" if a is not None and b else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="catalogue names or default ids (default: all)")
    parser.add_argument("--quick", action="store_true", help="100,000 candles, few repetitions")
    parser.add_argument("--catalogue", help="`computer catalogue --json` output, if saved")
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(root, "target"))
    criterion = os.path.join(target, "criterion")
    n, reps = (100_000, 200) if args.quick else (1_000_000, 2_000)

    rows = catalogue(root, args.catalogue)
    if args.names:
        wanted = {x.upper() for x in args.names}
        rows = [r for r in rows if r["name"].upper() in wanted or r["id"].upper() in wanted]
    functions = set(talib.get_functions())
    big = series(n)
    win = {k: a[-WINDOW:].copy() for k, a in big.items()}

    version = talib.__ta_version__
    version = (version.decode() if isinstance(version, bytes) else version).split()[0]
    print(f"TA-Lib {version} (python ta-lib {talib.__version__}), numpy {np.__version__}, "
          f"{n:,} candles per batch call\n")
    print("| indicator | TA-Lib fn | update ns | peek ns | update ns (1M) | TA-Lib batch ns/elem "
          "| TA-Lib stream us | batch / update | stream / update |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    covered = set()
    mismatched = []
    for row in rows:
        ident, fn = row["id"], row.get("talib_function")
        update = ours(criterion, ident, "update", 10_000)
        peek = ours(criterion, ident, "peek", 10_000)
        update_1m = ours(criterion, ident, "update", 1_000_000)
        batch = stream_us = None
        if fn in functions and fn not in EXCLUDED:
            covered.add(fn)
            f = abstract.Function(fn)
            theirs = stream_args(fn, {k: k for k in big})
            if [x for x in FIELDS if x in theirs] != row["inputs"]:
                mismatched.append(f"{row['name']} reads {row['inputs']}, TA-Lib {fn} {theirs}")
            batch = min(timeit.repeat(lambda: f(big), number=1, repeat=3)) / n * 1e9
            call = getattr(stream, fn, None)
            if call is not None:
                positional = stream_args(fn, win)
                stream_us = min(timeit.repeat(lambda: call(*positional), number=reps, repeat=3)) / reps * 1e6
        print(f"| `{ident}` | {fn or 'none'} | {fmt(update)} | {fmt(peek)} | {fmt(update_1m)} "
              f"| {fmt(batch)} | {fmt(stream_us, 3)} | {ratio(batch, update, 2)} "
              f"| {ratio(stream_us * 1e3 if stream_us else None, update, 0)} |")
    for line in mismatched:
        print(f"\nwarning: {line}")
    if not args.names:
        missing = sorted(functions - covered - EXCLUDED)
        print(f"\nTA-Lib functions no catalogue row equals: {', '.join(missing) or 'none'}; "
              f"left out: {', '.join(sorted(EXCLUDED))}.")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
