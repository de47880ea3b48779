"""Published or illustrative: the one rule for a figure computed from several inputs.

A figure resting on one illustrative input is illustrative — a change whose earlier side is invented, a gap to
an illustrative target, a rank among illustrative peers, a finding, an export row. Every analysis that
combines inputs marks its result with ``derived_illustrative``; nothing else decides it.
"""

from __future__ import annotations

import pandas as pd


def derived_illustrative(*flags, exists: pd.Series | None = None) -> pd.Series | bool:
    """True where any input flag is true (and, with ``exists``, only where the derived figure exists).

    Flags may be Series (aligned) or scalars; missing flags count as not illustrative.
    """
    series = [f for f in flags if isinstance(f, pd.Series)]
    if not series:
        out = any(bool(f) for f in flags if f is not None and not (isinstance(f, float) and f != f))
        return out if exists is None else (exists & out)
    index = series[0].index
    out = pd.Series(False, index=index)
    for f in flags:
        if isinstance(f, pd.Series):
            out = out | f.astype("boolean").fillna(False).astype(bool)
        elif f is not None and not (isinstance(f, float) and f != f) and bool(f):
            out = pd.Series(True, index=index)
    if exists is not None:
        out = out & exists.astype(bool)
    return out.astype(bool)
