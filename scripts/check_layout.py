#!/usr/bin/env python3
"""Checks the code layout the team agreed on (issue 8), from the `use crate::...` lines:

- no import cycle between the modules of any crate (each crate's modules form a DAG);
- no source file over 500 lines in `src/` (unit tests in a `tests.rs` of their own are not
  counted; a `#[cfg(test)]` block at the end of a file is: split the file instead).

Unit tests (after `#[cfg(test)]`, or in `tests.rs`) may use any module.

Exits 1 with what is wrong. Run by `make lint`; `check_layout.py DIR` checks another checkout.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent)
CRATES = ["shared", "gateway", "computer"]
MAX_LINES = 500
USE = re.compile(r"\b(?:crate|super)::([a-z_][a-z0-9_]*)")


def module_of(crate_src: pathlib.Path, path: pathlib.Path) -> str:
    """The top-level module a file belongs to (`store/watch.rs` -> `store`)."""
    rel = path.relative_to(crate_src)
    first = rel.parts[0]
    return first[:-3] if first.endswith(".rs") else first


def graph(crate: str) -> dict:
    src = ROOT / crate / "src"
    edges: dict = {}
    for path in src.rglob("*.rs"):
        module = module_of(src, path)
        if module in ("lib", "main"):
            continue
        deps = edges.setdefault(module, set())
        nested = len(path.relative_to(src).parts) > 1
        if path.name == "tests.rs":
            continue
        for line in path.read_text().splitlines():
            stripped = line.strip()
            if stripped.startswith("#[cfg(test)]"):
                break  # unit tests may use anything
            if stripped.startswith("//"):
                continue
            for target in USE.findall(stripped):
                # `super::x` inside store/ names a sibling of store's own files, not a module.
                if "super::" in stripped and nested:
                    continue
                is_module = (src / f"{target}.rs").exists() or (src / target).is_dir()
                if target != module and is_module:
                    deps.add(target)
    return edges


def cycle(edges: dict):
    state: dict = {}
    stack: list = []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def main() -> int:
    problems = []
    for crate in CRATES:
        found = cycle(graph(crate))
        if found:
            problems.append(f"{crate}: import cycle {' -> '.join(found)}")
        for path in sorted((ROOT / crate / "src").rglob("*.rs")):
            if path.name == "tests.rs":
                continue
            n = len(path.read_text().splitlines())
            if n > MAX_LINES:
                problems.append(f"{path.relative_to(ROOT)}: {n} lines (at most {MAX_LINES})")
    for p in problems:
        print(p, file=sys.stderr)
    if not problems:
        print(f"layout: no import cycle in {', '.join(CRATES)}; no source file over {MAX_LINES} lines")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
