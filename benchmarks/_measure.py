"""Measuring helpers for the benchmark scripts: whole-process wall time and peak memory of a command.

``run_whole_process(cmd)`` runs a command in a child process and returns (seconds, peak resident MB) of that child
alone (``os.wait4``'s resource usage, so earlier children do not count); ``measure(cmd, runs)`` repeats it;
``summary`` gives the median and the range; ``table`` prints rows of figures beside a baseline.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def env() -> dict:
    """The environment of a measured child: this worktree's ``analytics`` first on the path."""
    out = dict(os.environ)
    out["PYTHONPATH"] = str(ROOT) + (os.pathsep + out["PYTHONPATH"] if out.get("PYTHONPATH") else "")
    return out


def run_whole_process(cmd: list[str], *, check: bool = True, cwd: Path | None = None) -> tuple[float, float]:
    """(wall seconds, peak resident MB) of one run of ``cmd`` in a child process (its output discarded)."""
    start = time.perf_counter()
    proc = subprocess.Popen([str(c) for c in cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env(),
                            cwd=cwd or ROOT)
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stderr.close()
    if check and proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(map(str, cmd))} exited {proc.returncode}: {stderr.decode()[-800:]}")
    return seconds, usage.ru_maxrss / 1024  # Linux reports kilobytes


def measure(cmd: list[str], runs: int, before=None) -> list[tuple[float, float]]:
    """``runs`` runs of a command; ``before()`` is called before each (a fresh database)."""
    out = []
    for _ in range(runs):
        if before:
            before()
        out.append(run_whole_process(cmd))
    return out


def summary(samples: list[tuple[float, float]]) -> dict:
    seconds = [s for s, _ in samples]
    memory = [m for _, m in samples]
    return {"median_s": statistics.median(seconds), "min_s": min(seconds), "max_s": max(seconds),
            "peak_mb": max(memory), "runs": len(samples)}


def table(rows: list[tuple[str, str, dict, dict | None]]) -> str:
    """Rows (file, what, summary, baseline summary or None) as a text table with the ratio to the baseline."""
    lines = [f"{'file':<26}{'what':<40}{'median s':>9}{'min–max s':>15}{'peak MB':>9}{'ratio':>8}"]
    for name, what, s, base in rows:
        ratio = f"{s['median_s'] / base['median_s']:.2f}×" if base else "1.00×"
        span = f"{s['min_s']:.2f}–{s['max_s']:.2f}"
        lines.append(f"{name:<26}{what:<40}{s['median_s']:>9.2f}{span:>15}{s['peak_mb']:>9.0f}{ratio:>8}")
    return "\n".join(lines)
