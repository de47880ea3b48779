"""Labels at the edge: the analyses return keys and numbers; ``labelled(frame, lang)`` adds the text a person reads.

One function, called where text is shown (the command line's table, CSV and JSON output, the dashboard, the
brief, the notebooks), so an analysis result is computed and cached once per data version, whatever the
language. Each label column comes from its key column by one rule:

| key column(s) | label column | from |
|---|---|---|
| ``component`` | ``component_label`` | the index definition (five groups, "Tổng điểm") |
| ``period`` | ``period_label`` | ``periods.period_label`` ("Quý II/2024") |
| ``metric`` | ``metric_label`` | the definition's metrics (a label the targets file gave is kept) |
| ``measure`` | ``measure_label`` | i18n ``measure.*`` |
| ``code`` (+ ``group``) | ``label`` | the sub-indicator, else its group (a portal group total) |
| ``*grade*_key`` | the same name without ``_key`` | the definition's grades (``grade_key`` → ``grade``, ``grade_after_key`` → ``grade_after`` …) |
| ``*_reason_key`` + ``*_reason_period`` + ``*_reason_what`` | ``*_reason`` | i18n ``reason.*`` |
| ``mismatch`` | ``mismatch_label`` | i18n ``mismatch.*`` |
| ``cause`` | ``cause_label`` | i18n ``cause.*`` |
| ``*note_keys`` | ``*note`` | i18n ``note.*`` (a key, or a dict with its key and parameters; ``version``/``rules`` are version keys), joined with "; " |
| ``department`` (null) | ``department`` | i18n ``label.unknown_department`` |
| ``level`` 'total' (no procedure) | ``procedure_name`` | i18n ``label.total_row`` |
| ``published_time`` + ``published_time_unit`` (and configured) | ``published_deadline`` … | i18n ``time_unit.*`` |
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analytics.definition import load_definition

if TYPE_CHECKING:  # pandas is imported where a DataFrame is made: a read that needs none starts faster
    import pandas as pd
from analytics.i18n import tr
from analytics.periods import PeriodError, period_label

SCORING_VERSION = "v2025"  # the version whose sub-indicators explain the counts (analyses.explain)


def _missing(v) -> bool:
    if v is None:
        return True
    if isinstance(v, (str, bool, int)):
        return False
    if isinstance(v, float):
        return v != v
    import pandas as pd

    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def component_label(key, lang: str = "vi") -> str | None:
    """A five-group component's label, or "Tổng điểm" for 'total'."""
    if _missing(key):
        return None
    try:
        return load_definition().common_label(key, lang)
    except KeyError:
        return str(key)


def grade_label(key, lang: str = "vi") -> str | None:
    """A grade's label from its key (or from a label, in any language)."""
    if _missing(key):
        return None
    d = load_definition()
    g = next((g for g in d.grades if g.key == key), None) or d.grade_by_label(str(key))
    return g.label(lang) if g else str(key)


def metric_label(key, lang: str = "vi") -> str | None:
    """A filing metric's label, else a component's (targets set on a score), else a sub-indicator's (tasks)."""
    if _missing(key):
        return None
    d = load_definition()
    if key in d.metrics:
        return d.metrics[key].label(lang)
    if key == "total" or key in d.common_groups:
        return component_label(key, lang)
    return subindicator_label(key, None, lang)


def subindicator_label(code, group=None, lang: str = "vi") -> str | None:
    """A sub-indicator's label (v2025 first, then any version), else its group's (a portal group total)."""
    if _missing(code):
        return None
    d = load_definition()
    versions = [d.version(SCORING_VERSION), *[v for v in d.versions.values() if v.key != SCORING_VERSION]]
    for v in versions:
        for s in v.subindicators:
            if s.code == code or s.portal_total_code == code:
                return s.label(lang) if s.code == code else v.group(s.group).label(lang)
    if not _missing(group):
        for v in versions:
            try:
                return v.group(group).label(lang)
            except KeyError:
                continue
    return str(code)


def _period(p, lang: str) -> str | None:
    if _missing(p):
        return None
    try:
        return period_label(str(p), lang)
    except PeriodError:
        return str(p)


def what_label(what, lang: str = "vi") -> str:
    """What a change compares: "tổng điểm", "điểm Số hóa hồ sơ", or a metric's label in lower case."""
    if what == "total":
        return tr("what.total", lang)
    d = load_definition()
    if what in d.metrics:
        return d.metrics[what].label(lang).lower()
    return tr("what.component", lang, label=component_label(what, lang))


def reason_text(key, period, what, lang: str = "vi") -> str | None:
    """Why a change is null ("Quý I/2024 chưa công bố tổng điểm")."""
    if _missing(key):
        return None
    return tr(f"reason.{key}", lang, period=_period(period, lang), what=what_label(what, lang))


def deadline_text(value, unit, lang: str = "vi") -> str | None:
    """"15 ngày làm việc" / "15 working days"; "1 working day"."""
    if _missing(value):
        return None
    number = int(value) if float(value).is_integer() else value
    text = tr(f"time_unit.{unit}", lang) if f"time_unit.{unit}" in _catalogue() else str(unit)
    if lang == "en" and number == 1:
        text = text.removesuffix("s")
    return f"{number} {text}"


VERSION_PARAMS = ("version", "rules")  # note parameters that hold an index version key


def version_label(key, lang: str = "vi") -> str:
    """An index version's label ("Bộ chỉ số QĐ 766 (5 nhóm, …)"), the key itself when unknown."""
    d = load_definition()
    if key in d.versions:
        v = d.versions[key]
        return v.label_en if lang == "en" else v.label_vi
    return str(key)


def note_text(keys, lang: str = "vi") -> str | None:
    """Notes joined with "; ": each a key of i18n ``note.*``, or a dict with its ``key`` and parameters."""
    if not isinstance(keys, (list, tuple)) or not keys:
        return None
    parts = []
    for k in keys:
        if isinstance(k, dict):
            params = {n: (version_label(v, lang) if n in VERSION_PARAMS else v) for n, v in k.items() if n != "key"}
            parts.append(tr(f"note.{k['key']}", lang, **params))
        else:
            parts.append(tr(f"note.{k}", lang))
    return "; ".join(parts)


def _catalogue():
    from analytics.i18n import TEXT

    return TEXT


def _map_rows(rows, fn) -> list:
    """fn over tuples of column values, computed once per distinct tuple (a missing value counts as None)."""
    cache: dict = {}
    out = []
    for row in rows:
        key = tuple(None if _missing(v) else v for v in row)
        if key not in cache:
            cache[key] = fn(*key)
        out.append(cache[key])
    return out


def _map(values: "pd.Series", fn) -> list:
    """fn over a column, computed once per distinct value (labels repeat across thousands of rows)."""
    cache: dict = {}
    out = []
    for v in values:
        key = None if _missing(v) else v
        if key not in cache:
            cache[key] = fn(key)
        out.append(cache[key])
    return out


def labelled(df: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """A copy of an analysis result with its label columns added from its key columns (see the module's table)."""
    import pandas as pd

    if df is None:
        return df
    out = df.copy()
    cols = set(out.columns)
    if "component" in cols:
        out["component_label"] = _map(out["component"], lambda c: component_label(c, lang))
    if "period" in cols:
        out["period_label"] = _map(out["period"], lambda p: _period(p, lang))
    if "metric" in cols:
        given = out["metric_label"] if "metric_label" in cols else pd.Series([None] * len(out), index=out.index)
        out["metric_label"] = [g if isinstance(g, str) and g else metric_label(m, lang)
                               for g, m in zip(given, out["metric"])]
    if "measure" in cols:
        out["measure_label"] = [None if _missing(m) else tr(f"measure.{m}", lang) for m in out["measure"]]
    if "code" in cols:  # a sub-indicator's label; on a component or total row without a code, the component's
        groups = out["group"] if "group" in cols else [None] * len(out)
        comps = out["component"] if "component" in cols else [None] * len(out)
        out["label"] = [subindicator_label(c, g, lang) if not _missing(c) else component_label(k, lang)
                        for c, g, k in zip(out["code"], groups, comps)]
    for c in [c for c in out.columns if c.endswith("_key") and "grade" in c]:
        out[c.removesuffix("_key")] = _map(out[c], lambda k: grade_label(k, lang))
    for c in [c for c in out.columns if c.endswith("_reason_key")]:
        stem = c.removesuffix("_key")
        periods = out[f"{stem}_period"] if f"{stem}_period" in out.columns else [None] * len(out)
        whats = out[f"{stem}_what"] if f"{stem}_what" in out.columns else [None] * len(out)
        out[stem] = _map_rows(zip(out[c], periods, whats), lambda k, p, w: reason_text(k, p, w, lang))
    if "cause" in cols:
        out["cause_label"] = [None if _missing(c) else tr(f"cause.{c}", lang) for c in out["cause"]]
    if "mismatch" in cols:
        out["mismatch_label"] = [None if _missing(m) else tr(f"mismatch.{m}", lang) for m in out["mismatch"]]
    for c in [c for c in out.columns if c.endswith("note_keys")]:  # note_keys → note, unexplained_note_keys → …
        out[c.removesuffix("_keys")] = [note_text(k, lang) for k in out[c]]
    if "department" in cols:
        out["department"] = out["department"].where(out["department"].notna(), tr("label.unknown_department", lang))
    if "level" in cols and "procedure_name" in cols:  # the total row of a per-procedure split
        total = (out["level"] == "total") & out["procedure_name"].isna()
        out.loc[total, "procedure_name"] = tr("label.total_row", lang)
    for side in ("published", "configured"):
        if f"{side}_time" in cols and f"{side}_time_unit" in cols:
            out[f"{side}_deadline"] = [deadline_text(v, u, lang) for v, u in
                                       zip(out[f"{side}_time"], out[f"{side}_time_unit"])]
    return out
