"""Analysis commands of the command line (gaps, changes, explain, …), each a thin view over an analytics function."""

from __future__ import annotations

ANALYSIS_COMMANDS: dict[str, dict] = {}


def run(args) -> int:  # filled in by the analyses
    raise SystemExit(f"unknown command {args.command}")
