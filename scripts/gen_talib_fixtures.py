#!/usr/bin/env python3
"""Generate the TA-Lib golden fixtures `tests/fixtures/talib_<family>.json`.

The Rust indicators in `shared/src/indicators/` must equal TA-Lib C 0.8.1 value for value;
`shared/tests/golden.rs` replays these candles and compares every output.

Run from the repository root (deterministic: re-running gives byte-identical files):

    pip install ta-lib==0.8.2 numpy      # the wheel bundles TA-Lib C 0.8.1
    python3 scripts/gen_talib_fixtures.py                 # every family
    python3 scripts/gen_talib_fixtures.py --family core   # one family

Families are the modules of `scripts/fixtures/` that define `FAMILY` (see its
`__init__.py` for the interface); the series are in `scripts/fixtures/series.py`.

`--extra PATH` (with `--family`, default core) writes a larger, uncommitted fixture instead
from the family's `EXTRA_INDICATORS` / `EXTRA_SERIES`. Check the Rust code against it with

    python3 scripts/gen_talib_fixtures.py --extra /tmp/talib_extra.json
    TALIB_EXTRA_FIXTURE=/tmp/talib_extra.json cargo test -p shared --test golden

`TALIB_EXTRA_FIXTURE` takes a comma-separated list, so one run checks several families:

    python3 scripts/gen_talib_fixtures.py --family volume --extra /tmp/volume_extra.json
    TALIB_EXTRA_FIXTURE=/tmp/talib_extra.json,/tmp/volume_extra.json cargo test -p shared --test golden

Floats are written with Python's `repr` (json's default), so they round-trip exactly;
NaN (TA-Lib's warm-up) is written as null, +inf and -inf (EXP of a huge price, DIV by 0) as
the strings "inf" and "-inf".
"""

import argparse
import importlib
import json
import os
import pkgutil
import sys

import numpy as np
import talib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fixtures  # noqa: E402
from fixtures import series as series_mod  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def families() -> dict:
    """FAMILY name -> module, for every family module in `scripts/fixtures/`."""
    found = {}
    for info in sorted(pkgutil.iter_modules(fixtures.__path__), key=lambda i: i.name):
        if info.name.startswith("_") or info.name == "series":
            continue
        module = importlib.import_module(f"fixtures.{info.name}")
        family = getattr(module, "FAMILY", None)
        if family is None:
            continue
        if family in found:
            sys.exit(f"family {family!r} defined twice")
        found[family] = module
    return found


def cell(v: float):
    """One JSON value: NaN as null, infinities (which JSON cannot hold) as "inf" / "-inf"."""
    if np.isnan(v):
        return None
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    return float(v)


def column(values) -> list:
    """A JSON column of `cell`s."""
    return [cell(v) for v in np.asarray(values, dtype=np.float64)]


def build(module, series_spec, indicators_spec, ta_version: str) -> dict:
    series = []
    for name, candles in series_spec:
        c = series_mod.arrays(candles)
        indicators = {}
        for ind, params in indicators_spec:
            key, cols = module.compute(ind, params, c)
            assert key not in indicators, f"{module.FAMILY}: duplicate id {key}"
            indicators[key] = {}
            for col, values in cols.items():
                values = column(values)
                assert len(values) == len(candles), f"{key}/{col}: length"
                indicators[key][col] = values
        series.append({"name": name, "candles": candles, "indicators": indicators})
    return {
        "generator": "scripts/gen_talib_fixtures.py",
        "talib": ta_version.split(" ")[0],
        "talib_python": talib.__version__,
        "timeframe_ms": series_mod.TIMEFRAME_MS,
        "series": series,
    }


def render(doc: dict) -> str:
    # One JSON document; a line per series, candle list and indicator column keeps diffs sane.
    compact = {"separators": (",", ":"), "allow_nan": False}
    lines = ["{"]
    for k in ("generator", "talib", "talib_python", "timeframe_ms"):
        lines.append(f"{json.dumps(k)}:{json.dumps(doc[k], **compact)},")
    lines.append('"series":[')
    series = doc["series"]
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
    return text


def write(path: str, doc: dict, ta_version: str) -> None:
    text = render(doc)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {path}: {len(doc['series'])} series, {len(text)} bytes, TA-Lib {ta_version}")


def main() -> None:
    fams = families()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--family", choices=sorted(fams), help="only this family")
    parser.add_argument("--extra", metavar="PATH", help="write the family's extra fixture")
    args = parser.parse_args()

    ta_version = talib.__ta_version__
    if isinstance(ta_version, bytes):
        ta_version = ta_version.decode()
    if not ta_version.startswith("0.8.1"):
        sys.exit(f"expected TA-Lib C 0.8.1 (pip install ta-lib==0.8.2), got {ta_version}")

    if args.extra:
        module = fams[args.family or "core"]
        if not hasattr(module, "EXTRA_INDICATORS"):
            sys.exit(f"family {module.FAMILY} has no extra fixture")
        spec = getattr(module, "EXTRA_SERIES", None) or series_mod.family_series()
        write(args.extra, build(module, spec, module.EXTRA_INDICATORS, ta_version), ta_version)
        return

    for family in [args.family] if args.family else sorted(fams):
        module = fams[family]
        spec = getattr(module, "SERIES", None) or series_mod.family_series()
        path = os.path.join(ROOT, "tests", "fixtures", f"talib_{family}.json")
        write(path, build(module, spec, module.INDICATORS, ta_version), ta_version)


if __name__ == "__main__":
    main()
