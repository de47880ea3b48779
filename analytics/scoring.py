"""Points the QĐ 766 index awards for counts, computed exactly as the national portal publishes them.

The rules themselves (linear, capped, payment, informational), their maxima, caps, zero-denominator
behaviour and fitted parameters live in ``definition.yaml``; this module only evaluates them, one
sub-indicator at a time (``subindicator_points``), per group (``group_points``), or vectorised over
thousands of rows (``score_frame``), and checks them against published portal responses
(``portal_reproduction``).

Rounding is the portal's: half-up to 2 decimals on the exact binary value of the computed float
(1.125 → 1.13, while 6 × 0.9325 = 5.59499999… → 5.59). None means "unknown or not applicable" and is
never turned into 0 here, except where the portal itself counts a null sub-indicator as 0 in a group total.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from analytics.definition import ScorePart, SubIndicator, load_definition

POINTS_QUANTUM = Decimal("0.01")
REPRODUCTION_TOLERANCE_POINTS = 0.01
SCORE_NOT_PUBLISHED = "SCORE_NOT_PUBLISHED"
"""data_quality_status of rows whose counts the portal publishes without a score (provide-online parent)."""

_NEAR_TIE = 1e-6  # in hundredths: closer than this to ...5, decide with exact decimal arithmetic


class ScoringError(ValueError):
    """Counts that no rule can score (negative counts, duplicated codes, unknown codes)."""


# --- rounding -------------------------------------------------------------------------------------

def round_points(value: float | None) -> float | None:
    """The value rounded half-up to 2 decimals on its exact binary value, as the portal rounds points."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(Decimal(float(value)).quantize(POINTS_QUANTUM, rounding=ROUND_HALF_UP))


def rounded_points_array(values: np.ndarray) -> np.ndarray:
    """An array rounded exactly like ``round_points`` (NaN stays NaN), fast for thousands of values."""
    x = np.asarray(values, dtype="float64")
    hundredths = x * 100.0
    floor = np.floor(hundredths)
    fraction = hundredths - floor
    out = (floor + (fraction >= 0.5)) / 100.0
    for i in np.flatnonzero(np.abs(fraction - 0.5) < _NEAR_TIE):
        out[i] = round_points(float(x[i]))
    return out


# --- one sub-indicator ----------------------------------------------------------------------------

def _is_missing(value) -> bool:
    """Whether a count is absent (None, pandas NA or NaN)."""
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _count(value, name: str, code: str) -> float | None:
    """A count as float (None when missing); raises ScoringError for a negative count."""
    if _is_missing(value):
        return None
    number = float(value)
    if number < 0:
        raise ScoringError(f"{code}: {name} is negative ({value})")
    return number


def zero_denominator_points(rule: str, max_points: float) -> float | None:
    """Points a zero or null denominator earns under a zero_denominator rule (zero | full | null)."""
    return {"zero": 0.0, "full": float(max_points), "null": None}[rule]


def rate_points(max_points: float, full_at: float, numerator: float, denominator: float) -> float:
    """Unrounded points for a rate: max·(n/d)/full_at, capped at max (linear rules have full_at 1)."""
    return min(max_points, max_points * numerator / (denominator * full_at))


def rounded_rate_pct(numerator: float, denominator: float) -> float:
    """The rate as a percentage rounded half-up to 2 decimals, as the portal publishes a ratio."""
    return round_points(100.0 * numerator / denominator)


def payment_part_points(part: ScorePart, numerator, denominator) -> float | None:
    """Rounded points of one payment part: scored from the 2-decimal percentage, as the portal does."""
    code = f"part {part.numerator_field}/{part.denominator_field}"
    n, d = _count(numerator, "numerator", code), _count(denominator, "denominator", code)
    if d is None or d == 0:
        return zero_denominator_points(part.zero_denominator, part.max_points)
    if n is None:
        return None
    pct = rounded_rate_pct(n, d)
    return round_points(min(part.max_points, part.max_points * pct / (100.0 * part.full_at)))


MAIN_COUNTS = ("numerator", "denominator")


def _part_counts(part: ScorePart, numerator, denominator, extra: Mapping) -> tuple | None:
    """(numerator, denominator) of a payment part; None when an extra count it needs is missing."""
    values = []
    for name in (part.numerator_field, part.denominator_field):
        if name in MAIN_COUNTS:
            values.append(numerator if name == "numerator" else denominator)
        elif _is_missing(extra.get(name)):
            return None
        else:
            values.append(extra[name])
    return tuple(values)


def payment_parts_points(sub: SubIndicator, numerator, denominator, **extra) -> tuple[float | None, ...]:
    """Rounded points of each part of a payment sub-indicator (None for a part whose counts are missing)."""
    points = []
    for part in sub.parts:
        counts = _part_counts(part, numerator, denominator, extra)
        points.append(None if counts is None else payment_part_points(part, *counts))
    return tuple(points)


def _missing_numerator(numerator, denominator) -> bool:
    """Whether a positive denominator comes without its numerator (points unknown)."""
    return _is_missing(numerator) and not _is_missing(denominator) and float(denominator) > 0


def counts_known(sub: SubIndicator, numerator, denominator, **extra) -> bool:
    """Whether the counts suffice to score the sub-indicator (a null by rule is known; a missing count is not)."""
    if sub.rule == "informational":
        return True
    if sub.rule == "payment":
        part_counts = [_part_counts(p, numerator, denominator, extra) for p in sub.parts]
        return all(c is not None and not _missing_numerator(*c) for c in part_counts)
    return not _missing_numerator(numerator, denominator)


def subindicator_points(sub: SubIndicator, numerator, denominator, **extra) -> float | None:
    """Points one sub-indicator earns for its counts, rounded as the portal rounds; None when unknown or not applicable.

    ``extra`` carries the further counts a payment rule needs, keyed by the part field names in the
    definition (e.g. ``totalFeeFormality``); without them a payment total is unknown (None).
    """
    if sub.rule == "informational":
        return None
    if sub.rule == "payment":
        parts = payment_parts_points(sub, numerator, denominator, **extra)
        return None if any(p is None for p in parts) else round(sum(parts), 2)
    n, d = _count(numerator, "numerator", sub.code), _count(denominator, "denominator", sub.code)
    if d is None or d == 0:
        return zero_denominator_points(sub.zero_denominator, sub.max_points)
    if n is None:
        return None
    return round_points(rate_points(sub.max_points, sub.full_at, n, d))


# --- groups ---------------------------------------------------------------------------------------

def _extra_from_row(row: Mapping, sub: SubIndicator) -> dict:
    """The extra counts a payment rule needs, from explicit columns or else the row's extra_json."""
    names = {n for p in sub.parts for n in (p.numerator_field, p.denominator_field)} - set(MAIN_COUNTS)
    if not names:
        return {}
    text = row.get("extra_json")
    from_json = json.loads(text) if isinstance(text, str) and text else {}
    extra = {}
    for name in names:
        value = row.get(name)
        extra[name] = from_json.get(name) if _is_missing(value) else value
    return extra


def _counts_items(counts) -> list[tuple[str, object, object, dict]]:
    """(code, numerator, denominator, extra) for a mapping or a DataFrame of counts."""
    d = load_definition()
    items = []
    if isinstance(counts, pd.DataFrame):
        if counts["code"].duplicated().any():
            raise ScoringError(f"duplicated codes: {sorted(counts.loc[counts['code'].duplicated(), 'code'])}")
        for row in counts.to_dict("records"):
            try:
                sub = d.subindicator(row["code"])
            except KeyError:
                sub = None
            extra = _extra_from_row(row, sub) if sub is not None else {}
            items.append((row["code"], row.get("numerator"), row.get("denominator"), extra))
        return items
    for code, value in counts.items():
        value = tuple(value)
        extra = dict(value[2]) if len(value) > 2 and value[2] else {}
        items.append((code, value[0], value[1], extra))
    return items


def group_points(version_key: str, group_key: str, counts) -> float | None:
    """A group's points: the sum of its sub-indicators' rounded points (a null by rule counts 0, as published).

    ``counts`` maps code → (numerator, denominator[, extra mapping]) or is a DataFrame with columns
    code, numerator, denominator (+ extra count columns or extra_json). Sub-indicators absent from
    ``counts`` are not evaluated (the portal drops some in a procedure slice). None when no scored
    sub-indicator of the group is present, or when one present has missing counts.
    """
    group = load_definition().version(version_key).group(group_key)
    by_code = {s.code: s for s in group.subindicators}
    total_codes = {s.portal_total_code for s in group.subindicators if s.portal_total_code}
    points, present = [], 0
    for code, numerator, denominator, extra in _counts_items(counts):
        sub = by_code.get(code)
        if sub is None:
            if code in total_codes:
                continue
            load_definition().subindicator(code)  # unknown to every version → KeyError
            continue
        if sub.rule == "informational":
            continue
        present += 1
        if not counts_known(sub, numerator, denominator, **extra):
            return None
        points.append(subindicator_points(sub, numerator, denominator, **extra))
    if present == 0:
        return None
    return round(sum(p for p in points if p is not None), 2)


# --- vectorised -----------------------------------------------------------------------------------

def _float_array(series: pd.Series) -> np.ndarray:
    """A count column as float64 with NaN for missing; ScoringError for a negative count."""
    values = pd.to_numeric(series, errors="coerce").astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    if (values < 0).any():
        raise ScoringError(f"negative counts in column {series.name!r}")
    return values


def _rate_points_array(sub: SubIndicator, numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Rounded points of a linear or capped rule for arrays of counts (NaN = None)."""
    out = np.full(len(numerator), np.nan)
    zero = np.isnan(denominator) | (denominator == 0)
    known = ~zero & ~np.isnan(numerator)
    raw = np.minimum(sub.max_points, sub.max_points * numerator[known] / (denominator[known] * sub.full_at))
    out[known] = rounded_points_array(raw)
    rule_value = zero_denominator_points(sub.zero_denominator, sub.max_points)
    out[zero] = np.nan if rule_value is None else rule_value
    return out


def _payment_part_array(part: ScorePart, numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Rounded points of one payment part for arrays of counts (NaN = None)."""
    out = np.full(len(numerator), np.nan)
    zero = np.isnan(denominator) | (denominator == 0)
    known = ~zero & ~np.isnan(numerator)
    pct = rounded_points_array(100.0 * numerator[known] / denominator[known])
    out[known] = rounded_points_array(np.minimum(part.max_points, part.max_points * pct / (100.0 * part.full_at)))
    rule_value = zero_denominator_points(part.zero_denominator, part.max_points)
    out[zero] = np.nan if rule_value is None else rule_value
    return out


def _extra_column(rows: pd.DataFrame, name: str) -> np.ndarray:
    """An extra count for each row: its own column when present, else the key in extra_json."""
    values = np.full(len(rows), np.nan)
    if name in rows.columns:
        values = _float_array(rows[name])
    if "extra_json" in rows.columns:
        missing = np.isnan(values)
        for i in np.flatnonzero(missing):
            text = rows["extra_json"].iloc[i]
            if isinstance(text, str) and text:
                found = json.loads(text).get(name)
                values[i] = np.nan if found is None else float(found)
    if (values < 0).any():
        raise ScoringError(f"negative counts in {name!r}")
    return values


def _payment_points_array(sub: SubIndicator, rows: pd.DataFrame) -> np.ndarray:
    """Rounded payment points (sum of rounded parts) for rows; NaN where any part's counts are missing."""
    total = np.zeros(len(rows))
    for part in sub.parts:
        n, d = (_float_array(rows[name]) if name in MAIN_COUNTS else _extra_column(rows, name)
                for name in (part.numerator_field, part.denominator_field))
        part_points = _payment_part_array(part, n, d)
        for name, values in ((part.numerator_field, n), (part.denominator_field, d)):
            if name not in MAIN_COUNTS:
                part_points[np.isnan(values)] = np.nan  # a missing extra count: the part is unknown
        total = total + part_points  # NaN propagates: the total is unknown
    return np.round(total, 2)


def score_frame(df: pd.DataFrame) -> pd.Series:
    """Points for every row of a frame of counts (columns code, numerator, denominator [+ extra counts or extra_json]).

    Returns a nullable Float64 Series ``score_points`` aligned with ``df``; <NA> where the points are
    unknown or not applicable (informational, null-by-rule, missing counts, portal group-total codes).
    """
    d = load_definition()
    total_codes = {s.portal_total_code for v in d.versions.values() for s in v.subindicators if s.portal_total_code}
    out = pd.Series(np.nan, index=df.index, dtype="float64", name="score_points")
    for code, rows in df.groupby("code", sort=False, dropna=False):
        if code in total_codes or _is_missing(code):
            continue
        try:
            sub = d.subindicator(code)
        except KeyError:
            raise ScoringError(f"unknown sub-indicator code {code!r}") from None
        if sub.rule == "informational":
            continue
        if sub.rule == "payment":
            values = _payment_points_array(sub, rows)
        else:
            values = _rate_points_array(sub, _float_array(rows["numerator"]), _float_array(rows["denominator"]))
        out.loc[rows.index] = values
    return out.astype("Float64")


# --- reproduction of published portal scores ------------------------------------------------------

FILE_KEYS = ("portal_group", "period", "scope", "formality_code")
UNIT_KEYS = ("portal_unit_id", "unit_id")
DESCRIPTIVE_COLUMNS = ("portal_code", "unit_name", "is_province_row")
REPRODUCTION_COLUMNS = [
    "group_key", "level", "code", "published_points", "recomputed_points", "abs_diff_points", "matches",
    "reproducible", "reason",
]


def _file_keys(frame: pd.DataFrame) -> list[str]:
    """The columns of FILE_KEYS a frame has (they tell concatenated files apart)."""
    return [k for k in FILE_KEYS if k in frame.columns]


def _unit_key(*frames: pd.DataFrame) -> str:
    """The unit column every frame has: the portal's departmentId, else the database's unit_id."""
    for key in UNIT_KEYS:
        if all(key in f.columns for f in frames):
            return key
    raise ScoringError(f"portal frames need one of the unit columns {UNIT_KEYS}")


def _descriptive(frame: pd.DataFrame) -> list[str]:
    """The unit-describing columns a frame has, carried into the reproduction report."""
    return [c for c in DESCRIPTIVE_COLUMNS if c in frame.columns]


def _total_codes() -> set[str]:
    """Codes under which the portal publishes only a group total for a unit (e.g. PROVIDE_ONLINE_TOTAL)."""
    d = load_definition()
    return {s.portal_total_code for v in d.versions.values() for s in v.subindicators if s.portal_total_code}


def _comparison(published: pd.Series, recomputed: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(abs difference, matches) of published and recomputed points; both null agree (difference 0)."""
    pub = pd.to_numeric(published, errors="coerce").astype("Float64").astype("float64")
    rec = pd.to_numeric(recomputed, errors="coerce").astype("Float64").astype("float64")
    both_null = pub.isna() & rec.isna()
    diff = (pub - rec).abs().round(6)
    diff[both_null] = 0.0
    matches = diff.le(REPRODUCTION_TOLERANCE_POINTS + 1e-9) & diff.notna()
    return diff, matches


def _subindicator_reproduction(metrics: pd.DataFrame, unit_key: str) -> pd.DataFrame:
    """Published sub-indicator rows with recomputed points (group-total pseudo rows are compared as groups)."""
    published = metrics[~metrics["code"].isin(_total_codes())
                        & metrics["data_quality_status"].ne(SCORE_NOT_PUBLISHED).fillna(True).astype(bool)]
    out = published[_file_keys(metrics) + [unit_key] + _descriptive(metrics) + ["group_key", "code"]].copy()
    out["level"] = "subindicator"
    out["published_points"] = published["score_points"].astype("Float64")
    out["recomputed_points"] = score_frame(published)
    out["reproducible"] = True
    out["reason"] = None
    return out


def _known_counts(frame: pd.DataFrame) -> pd.Series:
    """Whether each row's counts suffice to score it (see ``counts_known``)."""
    d = load_definition()
    known = []
    for row in frame.to_dict("records"):
        sub = d.subindicator(row["code"])
        known.append(counts_known(sub, row.get("numerator"), row.get("denominator"), **_extra_from_row(row, sub)))
    return pd.Series(known, index=frame.index, dtype=bool)


def _recomputed_group_points(metrics: pd.DataFrame, keys: list[str], unit_key: str) -> pd.DataFrame:
    """Group points recomputed per (file keys, unit, group) from the rows with counts, as ``group_points`` does."""
    d = load_definition()
    scored_codes = {s.code for v in d.versions.values() for s in v.subindicators if s.rule != "informational"}
    rows = metrics[metrics["code"].isin(scored_codes)].copy()
    rows["points"] = score_frame(rows).astype("float64").fillna(0.0)
    rows["unknown"] = ~_known_counts(rows)
    by = keys + [unit_key, "group_key"]
    out = (rows.groupby(by, sort=False, dropna=False)
           .agg(points=("points", "sum"), unknown=("unknown", "any")).reset_index())
    out["recomputed_points"] = out["points"].round(2).astype("Float64")
    out.loc[out["unknown"], "recomputed_points"] = pd.NA
    return out[by + ["recomputed_points"]]


def _group_reproduction(metrics: pd.DataFrame, groups: pd.DataFrame, unit_key: str) -> pd.DataFrame:
    """Published group totals with points recomputed from the same unit's sub-indicator counts."""
    keys = _file_keys(groups)
    by = keys + [unit_key, "group_key"]
    recomputed = _recomputed_group_points(metrics, keys, unit_key)
    out = groups[by + _descriptive(groups)].merge(
        recomputed, on=by, how="left", indicator=True, validate="one_to_one")
    out.index = groups.index
    out["level"] = "group"
    out["code"] = None
    out["published_points"] = groups["score_points"].astype("Float64")
    out["reproducible"] = out.pop("_merge").eq("both")
    label = groups["portal_group"] if "portal_group" in groups.columns else groups["group_key"]
    out["reason"] = None
    out.loc[~out["reproducible"], "reason"] = (
        label[~out["reproducible"]]
        + ": the portal publishes only this unit's group total, with no counts to recompute it from")
    return out


def portal_reproduction(portal_metrics: pd.DataFrame, portal_groups: pd.DataFrame) -> pd.DataFrame:
    """One row per published (file, unit, sub-indicator or group total): published and recomputed points, difference.

    Frames are the parser's ``metrics``/``groups`` (several files concatenated with their
    portal_group/period/scope/formality_code columns, see ``PortalParsed.keyed_metrics``) or the
    database tables (units keyed by unit_id). Columns: the file keys present, the unit key, those of
    portal_code/unit_name/is_province_row present, then ``REPRODUCTION_COLUMNS``: level is
    'subindicator' or 'group' (code null); abs_diff_points is 0 when both points are null and NaN
    when only one is; matches means within 0.01 points; reproducible is False, with a reason, when the
    portal publishes no counts to recompute from (provide-online-tree units).
    """
    unit_key = _unit_key(portal_metrics, portal_groups)
    subs = _subindicator_reproduction(portal_metrics, unit_key)
    groups = _group_reproduction(portal_metrics, portal_groups, unit_key)
    out = pd.concat([subs, groups], ignore_index=True)
    out["abs_diff_points"], out["matches"] = _comparison(out["published_points"], out["recomputed_points"])
    return out[_file_keys(out) + [unit_key] + _descriptive(out) + REPRODUCTION_COLUMNS]
