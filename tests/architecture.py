"""The import graph of ``analytics/`` and the rules it must keep (run: ``.venv/bin/python tests/architecture.py``).

Every ``import analytics…`` / ``from analytics… import`` in a module counts, at any depth (a lazy import inside a
function is still an arrow). Printed: the modules at the top of ``analytics/``, the import circles, and the
arrows that point up the floors below.

Floors, from the ground up: ground floor (settings, parsing, periods, formatting, i18n, definition, labels, db, scoring,
units, charts) → ingest, analyses → brief → cli, dashboard → demo. An arrow may point down or stay on its floor;
nothing outside ``dashboard/`` imports streamlit or ``analytics.dashboard``; no product module imports
``analytics.demo``.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "analytics"
GROUND = {"settings", "parsing", "periods", "formatting", "i18n", "definition", "labels", "db", "scoring", "units",
          "charts", "workdays"}
FLOORS = {"ground": 0, "ingest": 1, "analyses": 1, "brief": 2, "cli": 3, "dashboard": 3, "__main__": 4, "demo": 5}


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def wing(module: str) -> str:
    """The wing a module belongs to: 'ground', 'ingest', 'analyses', 'brief', 'cli', 'dashboard', 'demo'."""
    parts = module.split(".")
    if len(parts) == 1:
        return "ground"
    head = parts[1]
    if head in GROUND:
        return "ground"
    return head


def imports_of(path: Path) -> tuple[set[str], set[str]]:
    """(analytics modules imported, third-party top-level packages imported) by one file, at any depth."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own, other = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                (own if a.name.split(".")[0] == "analytics" else other).add(a.name if a.name.startswith("analytics") else a.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] == "analytics":
                for a in node.names:
                    candidate = f"{node.module}.{a.name}"
                    own.add(candidate if (PACKAGE.parent / (candidate.replace(".", "/") + ".py")).exists()
                            or (PACKAGE.parent / candidate.replace(".", "/")).is_dir() else node.module)
            else:
                other.add(node.module.split(".")[0])
    return own, other


def graph() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(module → analytics modules it imports, module → third-party packages it imports) for every module."""
    edges, third = {}, {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = module_name(path)
        own, other = imports_of(path)
        edges[name] = {m for m in own if m != name and m != "analytics"}
        third[name] = other
    return edges, third


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in edges:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def upward(edges: dict[str, set[str]]) -> list[tuple[str, str]]:
    """Arrows from a lower floor to a higher one."""
    bad = []
    for src, dsts in edges.items():
        for dst in dsts:
            if FLOORS.get(wing(src), 0) < FLOORS.get(wing(dst), 0):
                bad.append((src, dst))
    return sorted(bad)


def screen_leaks(edges: dict[str, set[str]], third: dict[str, set[str]]) -> list[tuple[str, str]]:
    """Modules outside dashboard/ that import streamlit or analytics.dashboard; product modules importing demo."""
    bad = []
    for src in edges:
        w = wing(src)
        if w != "dashboard" and w != "demo":
            if "streamlit" in third[src]:
                bad.append((src, "streamlit"))
            bad += [(src, d) for d in edges[src] if wing(d) == "dashboard"]
        if w != "demo":
            bad += [(src, d) for d in edges[src] if wing(d) == "demo"]
    return sorted(set(bad))


def top_level_modules() -> list[str]:
    return sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "__main__"))


def report() -> str:
    edges, third = graph()
    lines = [f"modules at the top of analytics/: {len(top_level_modules())} ({', '.join(top_level_modules())})",
             f"modules in all: {len(edges)}; arrows: {sum(len(v) for v in edges.values())}"]
    cs = circles(edges)
    lines.append(f"import circles: {len(cs)}")
    lines += [f"  {' <-> '.join(c)}" for c in cs]
    up = upward(edges)
    lines.append(f"upward imports: {len(up)}")
    lines += [f"  {a} -> {b}" for a, b in up]
    leaks = screen_leaks(edges, third)
    lines.append(f"streamlit/dashboard/demo imported where it must not be: {len(leaks)}")
    lines += [f"  {a} -> {b}" for a, b in leaks]
    return "\n".join(lines)


if __name__ == "__main__":
    print(report())
