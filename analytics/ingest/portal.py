"""Parser for saved responses of the national public-service portal's QĐ 766 evaluation API.

The portal (dichvucong.gov.vn, ``/api/v1/reporting/evaluation/<group>``) publishes each group of the
index in one of two JSON layouts: metric files (``data.overview`` + ``data.evaluation[].metrics[]``)
and tree files (``data.parent`` + ``data.children[]``). This module turns one saved response into two
tidy frames keyed by the index definition's codes: ``metrics`` (unit × sub-indicator, with counts) and
``groups`` (unit × group total), plus the period and procedure slice, read from the capture manifest
saved beside the file. It is pure: it reads the file (and its manifest) and writes nothing.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from analytics.definition import Group, load_definition
from analytics.i18n import Count
from analytics.parsing import MAX_COUNT
from analytics.periods import PeriodError, period_kind, validate_period_key
from analytics.scoring import SCORE_NOT_PUBLISHED

MANIFEST_GLOB = "manifest*.json"
METRIC_COLUMNS = [
    "portal_unit_id", "portal_code", "unit_name", "unit_type", "portal_level", "is_province_row",
    "group_key", "code", "label", "numerator", "denominator", "ratio_pct", "score_points", "max_points",
    "data_quality_status", "extra_json", "json_path", "row_number",
]
GROUP_COLUMNS = [
    "portal_unit_id", "portal_code", "unit_name", "unit_type", "portal_level", "is_province_row",
    "group_key", "score_points", "max_points", "json_path", "row_number",
]
IDENTITY_FIELDS = {"departmentId", "departmentName", "departmentCode", "departmentType", "departmentLevel", "level",
                   "agencyLevel", "stt"}
SCORE_FIELDS = {"totalScore", "totalMaxScore", "score", "maxScore", "scoreDelta"}

# Portal JSON fields holding each tree sub-indicator's counts: code → (numerator field(s), denominator field).
# A tuple of numerator fields is summed (full-process + partial online procedures).
TREE_COUNTS: dict[str, dict[str, tuple[tuple[str, ...], str]]] = {
    "dvc-progress-tree": {"DVC_PROGRESS_ON_TIME": (("totalOnTime",), "totalReceived")},
    "formality-online-payment-tree": {
        "ONLINE_PAYMENT_TOTAL": (("totalDossierOnlinePaymentSuccess",), "totalDossierFinancialObligation")},
    "provide-online-tree": {
        "ONLINE_PROCEDURES": (("partialCount", "fullCount"), "authorityCount"),
        "ONLINE_SERVICES_USED": (("onlineDossierCount",), "onlineServiceTotal"),
        "ONLINE_FILING_SHARE": (("channelOnlineSum",), "channelTotalSum"),
    },
}
# A field only that tree's province row carries, telling the three tree layouts apart.
TREE_SIGNATURES = {"totalOnTime": "dvc-progress-tree",
                   "totalDossierOnlinePaymentSuccess": "formality-online-payment-tree",
                   "authorityCount": "provide-online-tree"}
# Trees whose published `ratio` is the numerator/denominator rate in percent (elsewhere it is score/max·100).
TREES_WITH_RATE_RATIO = {"dvc-progress-tree"}


class PortalFormatError(ValueError):
    """A file that is not a national-portal evaluation response, or whose period cannot be settled."""

    def __init__(self, message: str, path: str | Path | None = None, where: str | None = None, *,
                 key: str | None = None, **params):
        super().__init__(message)
        self.path = None if path is None else str(path)
        self.where = where
        self.key, self.params = key, params  # a message key of analytics.i18n, for a message in either language

    @property
    def json_path(self) -> str | None:
        """Where in the JSON document the problem is (same as ``where``)."""
        return self.where


@dataclass(frozen=True, eq=False)
class PortalParsed:
    """One parsed portal response: its period and slice, unit × sub-indicator rows and unit × group rows."""

    period: str
    period_type: str
    scope: str
    formality_code: str | None
    portal_group: str
    metrics: pd.DataFrame
    groups: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    path: str | None = None

    def file_keys(self) -> dict:
        """The columns that tell this file's rows apart from other files' rows once concatenated."""
        return {"portal_group": self.portal_group, "period": self.period, "period_type": self.period_type,
                "scope": self.scope, "formality_code": self.formality_code}

    def keyed_metrics(self) -> pd.DataFrame:
        """``metrics`` with the file keys as leading columns (for concatenating several files)."""
        return _with_keys(self.metrics, self.file_keys())

    def keyed_groups(self) -> pd.DataFrame:
        """``groups`` with the file keys as leading columns (for concatenating several files)."""
        return _with_keys(self.groups, self.file_keys())


def _with_keys(frame: pd.DataFrame, keys: dict) -> pd.DataFrame:
    """A copy of a frame with constant key columns in front."""
    out = frame.copy()
    for i, (name, value) in enumerate(keys.items()):
        dtype = "object" if value is None else "str"
        out.insert(i, name, pd.Series([value] * len(out), index=out.index, dtype=dtype))
    return out


# --- envelope ------------------------------------------------------------------------------------

def _layout(document) -> str | None:
    """'metric' or 'tree' for a portal response envelope, None for anything else."""
    if not isinstance(document, dict) or "code" not in document or not isinstance(document.get("data"), dict):
        return None
    data = document["data"]
    if isinstance(data.get("evaluation"), list):
        return "metric"
    if isinstance(data.get("parent"), dict) and isinstance(data.get("children"), list):
        return "tree"
    return None


def looks_like_portal(path: str | Path) -> bool:
    """Whether a file is a JSON national-portal evaluation response (envelope with evaluation or parent/children)."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            if fh.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")[:1] != b"{":
                return False
        return _layout(json.loads(path.read_text(encoding="utf-8-sig"))) is not None
    except RecursionError:
        return True  # a JSON object nested too deeply: parse_portal_file says so
    except (OSError, UnicodeDecodeError, ValueError):
        return False


def _load_document(path: Path) -> tuple[dict, str]:
    """The parsed JSON document and its layout; PortalFormatError when it is not a portal response."""
    expected = ('a national-portal evaluation response: a JSON object {"code": ..., "data": {...}} whose data has '
                '"evaluation" (metric layout) or "parent" and "children" (tree layout)')
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise PortalFormatError(f"{path}: not a text file; expected {expected}.", path, None) from None
    except json.JSONDecodeError as exc:
        raise PortalFormatError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}); expected {expected}.",
                                path, None) from None
    except RecursionError:
        raise PortalFormatError(f"{path}: the JSON nests too deeply to be a portal response; expected {expected}.",
                                path, None, key="json_too_deep") from None
    layout = _layout(document)
    if layout is None:
        if not isinstance(document, dict):
            found = f"a JSON {type(document).__name__}"
            where = None
        elif "data" not in document or "code" not in document:
            found = f"an object with keys {sorted(document)[:8]}"
            where = None
        elif not isinstance(document["data"], dict):
            found = f"data of type {type(document['data']).__name__}"
            where = "data"
        else:
            found = f"data with keys {sorted(document['data'])[:8]}"
            where = "data"
        raise PortalFormatError(f"{path}: found {found}; expected {expected}.", path, where)
    if document.get("code") != "OK":
        # the portal answers errors in the same envelope ({"code": "UNAUTHORIZED", "data": {...}}): not data
        raise PortalFormatError(f"{path}: the portal answered code {document.get('code')!r} "
                                f"({str(document.get('message') or '')[:120]}), not \"OK\": an error response, not data.",
                                path, "code", key="portal_not_ok", code=str(document.get("code"))[:40],
                                answer=str(document.get("message") or "—")[:120])
    return document, layout


# --- period and slice from the manifest ----------------------------------------------------------

def _manifest_capture(path: Path) -> tuple[Path, dict, dict] | None:
    """(manifest path, manifest, capture) recording this file, from a manifest in its folder or the parent folder."""
    posix = path.resolve().as_posix()
    for folder in (path.resolve().parent, path.resolve().parent.parent):
        for manifest_path in sorted(folder.glob(MANIFEST_GLOB)):
            try:
                manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            except (OSError, ValueError, RecursionError):
                continue
            captures = manifest.get("captures") if isinstance(manifest, dict) else None
            matches = [c for c in captures or [] if isinstance(c, dict) and isinstance(c.get("file"), str)
                       and (posix.endswith("/" + c["file"].lstrip("/")) or posix == c["file"])]
            if matches:
                return manifest_path, manifest, max(matches, key=lambda c: len(c["file"]))
    return None


def _date_range_period(from_date: str, to_date: str) -> str | None:
    """The period key a whole month, quarter or year date range covers, None for any other range."""
    start, end = date.fromisoformat(str(from_date)[:10]), date.fromisoformat(str(to_date)[:10])
    if start.day != 1 or start.year != end.year or (end + timedelta(days=1)).day != 1:
        return None
    months = end.month - start.month + 1
    if months == 12 and start.month == 1:
        return f"{start.year}"
    if months == 3 and start.month % 3 == 1:
        return f"{start.year}Q{(start.month - 1) // 3 + 1}"
    if months == 1:
        return f"{start.year}M{start.month:02d}"
    return None


def _payload_period(payload: dict) -> str | None:
    """The period key a capture's request payload asks for (timeType/year/quarter/month or fromDate/toDate)."""
    time_type = payload.get("timeType")
    year = payload.get("year")
    if time_type == "quarter" and year and payload.get("quarter"):
        return f"{int(year)}Q{int(payload['quarter'])}"
    if time_type == "year" and year:
        return f"{int(year)}"
    if time_type == "month" and year and payload.get("month"):
        return f"{int(year)}M{int(payload['month']):02d}"
    if payload.get("fromDate") and payload.get("toDate"):
        return _date_range_period(payload["fromDate"], payload["toDate"])
    return None


def _formality_filter(payload: dict) -> str | None:
    """The procedure (formality) id a payload filters on; the portal spells it formalityId or formalityID."""
    for key, value in payload.items():
        if key.lower() == "formalityid" and value:
            return str(value)
    return None


@dataclass(frozen=True)
class _Slice:
    period: str
    scope: str
    formality_code: str | None
    manifest_group: str | None
    notes: tuple[str, ...]


def _file_slice(path: Path, period: str | None) -> _Slice:
    """Period, scope and procedure of a file, from the period argument and the capture manifest."""
    notes: list[str] = []
    if period is not None:
        try:
            period = validate_period_key(period)
        except PeriodError:
            message = f"{path}: the period argument {period!r} is not a period key such as 2026Q3 or 2026."
            raise PortalFormatError(message, path, None) from None
    found = _manifest_capture(path)
    manifest_period = scope = formality_code = manifest_group = None
    if found is not None:
        manifest_path, manifest, capture = found
        payload = capture.get("payload") or {}
        manifest_period = _payload_period(payload)
        where = f"{manifest_path.name}, capture {capture['file']}"
        formality_id = _formality_filter(payload)
        scope = "formality" if formality_id else "all"
        if formality_id:
            known = manifest.get("formality") or {}
            formality_code = known.get("code") if known.get("id") == formality_id else None
            if formality_code is None:
                notes.append(f"procedure filter {formality_id} has no code in {manifest_path.name}")
        manifest_group = str(capture.get("url", "")).rstrip("/").rsplit("/", 1)[-1] or None
        if period is not None and manifest_period is not None and period != manifest_period:
            raise PortalFormatError(f"{path}: the period argument {period} disagrees with the manifest "
                                    f"({where} asks for {manifest_period}).", path, None)
        if manifest_period is not None:
            notes.append(f"period {manifest_period} from {where}")
        elif period is not None:
            notes.append(f"period {period} from the argument; {where} names no whole month, quarter or year")
        expected = capture.get("sha256")
        if expected and hashlib.sha256(path.read_bytes()).hexdigest() != expected:
            notes.append(f"the file differs from the capture recorded in {manifest_path.name} (sha256 mismatch)")
    if scope is None:
        scope = "formality" if "formality" in path.stem.lower() else "all"
        notes.append(f"no manifest records this file; scope {scope!r} guessed from the file name")
    key = manifest_period or period
    if key is None:
        raise PortalFormatError(
            f"{path}: cannot tell which period this portal response covers (no manifest capture names one); "
            "pass --period, e.g. --period 2026Q3 or --period 2026.", path, None)
    return _Slice(key, scope, formality_code, manifest_group, tuple(notes))


# --- rows ----------------------------------------------------------------------------------------

def _require_unit(row, where: str, path: Path) -> dict:
    """A unit row, checked to be an object with a departmentId."""
    if not isinstance(row, dict):
        raise PortalFormatError(f"{path}: {where} is a JSON {type(row).__name__}, expected a unit object.", path, where)
    if not isinstance(row.get("departmentId"), str) or not row["departmentId"]:
        raise PortalFormatError(f"{path}: {where} has no departmentId.", path, where)
    return row


def _count_value(value, name: str, where: str, path: Path) -> int | None:
    """A published count as int (None for null); PortalFormatError for anything else."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or value != int(value) or value < 0:
        raise PortalFormatError(f"{path}: {where}.{name} = {value!r} is not a non-negative whole count.", path, where)
    if value > MAX_COUNT:
        raise PortalFormatError(f"{path}: {where}.{name} = {value!r} is beyond any plausible count (10^12).", path, where,
                                key="portal_count_too_large", field=name, value=str(value))
    return int(value)


def _number_value(value, name: str, where: str, path: Path) -> float | None:
    """A published score, maximum or ratio as float (None for null); PortalFormatError for anything else."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise PortalFormatError(f"{path}: {where}.{name} = {value!r} is not a number.", path, where)
    return float(value)


def _unit_columns(row: dict, is_province: bool, row_number: int, tree: bool) -> dict:
    """The unit-describing columns of one unit row (tree files have a level, no departmentType)."""
    return {
        "portal_unit_id": row["departmentId"],
        "portal_code": row.get("departmentCode"),
        "unit_name": row.get("departmentName"),
        "unit_type": None if tree else row.get("departmentType"),
        "portal_level": row.get("level") if tree else row.get("departmentLevel"),
        "is_province_row": is_province,
        "row_number": row_number,
    }


def _unit_rows(data: dict, layout: str, path: Path) -> list[tuple[dict, str, bool, int]]:
    """(row, json path, is province row, row number) for the province row (row number 0) and each unit (1…n)."""
    province_key, units_key = ("overview", "evaluation") if layout == "metric" else ("parent", "children")
    rows = []
    seen: dict[str, str] = {}
    province = data.get(province_key)
    if province is not None:
        rows.append((_require_unit(province, f"data.{province_key}", path), f"data.{province_key}", True, 0))
    for i, unit in enumerate(data[units_key]):
        where = f"data.{units_key}[{i}]"
        unit = _require_unit(unit, where, path)
        if unit["departmentId"] in seen:
            raise PortalFormatError(f"{path}: {where} repeats unit {unit['departmentId']} "
                                    f"({unit.get('departmentName')}) already given at {seen[unit['departmentId']]}.",
                                    path, where, key="portal_duplicate_unit", unit=unit["departmentId"],
                                    name=str(unit.get("departmentName")), first=seen[unit["departmentId"]])
        seen[unit["departmentId"]] = where
        rows.append((unit, where, False, i + 1))
    return rows


def _check_values(metrics: pd.DataFrame, path: Path) -> None:
    """Refuse a response publishing a rate outside 0–100 % or a numerator above its denominator."""
    ratio = metrics["ratio_pct"]
    off = metrics[ratio.notna() & ((ratio < 0) | (ratio > 100))]
    if len(off):
        row = off.iloc[0]
        raise PortalFormatError(f"{path}: {row['json_path']} ({row['code']}) publishes a ratio of "
                                f"{row['ratio_pct']} %, outside 0–100 %.", path, row["json_path"],
                                key="portal_ratio_range", code=row["code"], ratio=float(row["ratio_pct"]))
    over = metrics[metrics["numerator"].notna() & metrics["denominator"].notna()
                   & (metrics["numerator"] > metrics["denominator"])]
    if len(over):
        row = over.iloc[0]
        raise PortalFormatError(f"{path}: {row['json_path']} ({row['code']}) has numerator {row['numerator']} above "
                                f"its denominator {row['denominator']}.", path, row["json_path"],
                                key="portal_numerator_above", code=row["code"], numerator=Count(row["numerator"]),
                                denominator=Count(row["denominator"]))


def _metric_file_group(data: dict, path: Path) -> Group:
    """The definition group whose sub-indicator codes a metric file carries."""
    version = load_definition().version("v2025")
    group_of_code = {s.code: g for g in version.groups for s in g.subindicators}
    rows = ([data["overview"]] if isinstance(data.get("overview"), dict) else []) + list(data["evaluation"])
    for row in rows:
        for metric in (row.get("metrics") or []) if isinstance(row, dict) else []:
            if isinstance(metric, dict) and metric.get("code") in group_of_code:
                return group_of_code[metric["code"]]
    raise PortalFormatError(f"{path}: no metric code of the index definition found in data.evaluation[].metrics[].",
                            path, "data.evaluation")


def _tree_group(data: dict, path: Path) -> tuple[str, Group]:
    """(portal group name, definition group) of a tree file, told apart by the province row's fields."""
    for signature, portal_group in TREE_SIGNATURES.items():
        if signature in data["parent"] or any(isinstance(c, dict) and signature in c for c in data["children"][:5]):
            for group in load_definition().version("v2025").groups:
                if group.portal_group == portal_group:
                    return portal_group, group
    raise PortalFormatError(
        f"{path}: a tree response, but data.parent has none of {sorted(TREE_SIGNATURES)} to tell which group it is.",
        path, "data.parent")


def _metric_file_frames(data: dict, group: Group, path: Path) -> tuple[list[dict], list[dict], list[str]]:
    """Metric and group rows of a metric-layout file."""
    subs = {s.code: s for s in group.subindicators}
    metrics, groups, notes = [], [], []
    unknown: set[str] = set()
    for row, where, is_province, row_number in _unit_rows(data, "metric", path):
        unit = _unit_columns(row, is_province, row_number, tree=False)
        if not isinstance(row.get("metrics"), list):
            raise PortalFormatError(f"{path}: {where} has no metrics list.", path, where)
        for j, metric in enumerate(row["metrics"]):
            mwhere = f"{where}.metrics[{j}]"
            if not isinstance(metric, dict) or not isinstance(metric.get("code"), str):
                raise PortalFormatError(f"{path}: {mwhere} is not a metric object with a code.", path, mwhere)
            sub = subs.get(metric["code"])
            if sub is None:
                unknown.add(metric["code"])
            max_points = _number_value(metric.get("maxScore"), "maxScore", mwhere, path)
            extra = {k: metric[k] for k in ("dataQualityMessage",) if metric.get(k) is not None}
            metrics.append({
                **unit, "group_key": group.key, "code": metric["code"],
                "label": metric.get("name") or (sub.label_vi if sub else None),
                "numerator": _count_value(metric.get("numerator"), "numerator", mwhere, path),
                "denominator": _count_value(metric.get("denominator"), "denominator", mwhere, path),
                "ratio_pct": _number_value(metric.get("ratio"), "ratio", mwhere, path),
                "score_points": _number_value(metric.get("score"), "score", mwhere, path),
                "max_points": max_points if max_points is not None else (sub.max_points if sub else None),
                "data_quality_status": metric.get("dataQualityStatus"),
                "extra_json": json.dumps(extra, ensure_ascii=False) if extra else None,
                "json_path": mwhere,
            })
        groups.append({**unit, "group_key": group.key,
                       "score_points": _number_value(row.get("totalScore"), "totalScore", where, path),
                       "max_points": _number_value(row.get("totalMaxScore"), "totalMaxScore", where, path),
                       "json_path": where})
    if unknown:
        notes.append(f"metric codes not in the index definition (kept as published): {sorted(unknown)}")
    return metrics, groups, notes


def _tree_extra(row: dict, used: set[str]) -> str | None:
    """JSON text of a tree row's other fields (counts, averages, a ratio that is not a rate)."""
    extra = {k: v for k, v in row.items() if k not in IDENTITY_FIELDS | SCORE_FIELDS | used}
    return json.dumps(extra, ensure_ascii=False) if extra else None


def _tree_score(row: dict, where: str, path: Path) -> tuple[float | None, float | None]:
    """(score, max) of a tree row: totalScore/totalMaxScore, or score/maxScore in dvc-progress-tree children."""
    score_key = "totalScore" if "totalScore" in row else "score"
    max_key = "totalMaxScore" if "totalMaxScore" in row else "maxScore"
    return (_number_value(row.get(score_key), score_key, where, path),
            _number_value(row.get(max_key), max_key, where, path))


def _tree_file_frames(data: dict, portal_group: str, group: Group,
                      path: Path) -> tuple[list[dict], list[dict], list[str]]:
    """Metric and group rows of a tree-layout file."""
    subs = {s.code: s for s in group.subindicators}
    counts = TREE_COUNTS[portal_group]
    total_code = next((s.portal_total_code for s in group.subindicators if s.portal_total_code), None)
    rate_ratio = portal_group in TREES_WITH_RATE_RATIO
    metrics, groups, notes = [], [], []
    for row, where, is_province, row_number in _unit_rows(data, "tree", path):
        unit = _unit_columns(row, is_province, row_number, tree=True)
        score, max_points = _tree_score(row, where, path)
        groups.append({**unit, "group_key": group.key, "score_points": score, "max_points": max_points,
                       "json_path": where})
        has_counts = all(den in row and all(n in row for n in nums) for nums, den in counts.values())
        if total_code is not None and not has_counts:
            # The portal publishes only this unit's group total: one group-level row, no counts.
            metrics.append({**unit, "group_key": group.key, "code": total_code, "label": group.label_vi,
                            "numerator": None, "denominator": None, "ratio_pct": None, "score_points": score,
                            "max_points": max_points, "data_quality_status": None,
                            "extra_json": _tree_extra(row, set()), "json_path": where})
            continue
        single = len(counts) == 1
        for code, (numerator_fields, denominator_field) in counts.items():
            sub = subs[code]
            parts = [_count_value(row.get(f), f, where, path) for f in numerator_fields]
            numerator = None if any(p is None for p in parts) else sum(parts)
            used = set(numerator_fields) | {denominator_field} | ({"ratio"} if rate_ratio else set())
            metrics.append({
                **unit, "group_key": group.key, "code": code, "label": sub.label_vi,
                "numerator": numerator,
                "denominator": _count_value(row.get(denominator_field), denominator_field, where, path),
                "ratio_pct": _number_value(row.get("ratio"), "ratio", where, path) if rate_ratio else None,
                "score_points": score if single else None,
                "max_points": max_points if single else sub.max_points,
                "data_quality_status": None if single else SCORE_NOT_PUBLISHED,
                "extra_json": _tree_extra(row, used if single else set(numerator_fields) | {denominator_field}),
                "json_path": where,
            })
    if total_code is not None:
        notes.append(f"{portal_group}: units publish only the group total (rows coded {total_code}, no counts); "
                     f"the province row's sub-indicator rows are derived from its counts and carry no published "
                     f"score (data_quality_status {SCORE_NOT_PUBLISHED})")
    if not rate_ratio:
        notes.append(f"{portal_group}: the published ratio is score/max·100, not a rate; "
                     "kept in extra_json, ratio_pct left null")
    return metrics, groups, notes


def _metrics_frame(rows: list[dict]) -> pd.DataFrame:
    """The metrics rows as a typed frame (nullable Int64 counts, Float64 points)."""
    frame = pd.DataFrame(rows, columns=METRIC_COLUMNS)
    for column in ("numerator", "denominator", "row_number"):
        frame[column] = frame[column].astype("Int64")
    for column in ("ratio_pct", "score_points", "max_points"):
        frame[column] = frame[column].astype("Float64")
    frame["is_province_row"] = frame["is_province_row"].astype(bool)
    return frame


def _groups_frame(rows: list[dict]) -> pd.DataFrame:
    """The group rows as a typed frame."""
    frame = pd.DataFrame(rows, columns=GROUP_COLUMNS)
    frame["row_number"] = frame["row_number"].astype("Int64")
    for column in ("score_points", "max_points"):
        frame[column] = frame[column].astype("Float64")
    frame["is_province_row"] = frame["is_province_row"].astype(bool)
    return frame


def _consistency_notes(data: dict, layout: str, group: Group, groups: pd.DataFrame) -> list[str]:
    """Notes on incomplete pages and group maxima that differ from the definition."""
    notes = []
    pagination = data.get("pagination") if layout == "metric" else None
    if isinstance(pagination, dict):
        total, listed = pagination.get("total"), len(data["evaluation"])
        if (pagination.get("totalPages") or 1) > 1 or (total is not None and total != listed):
            notes.append(f"incomplete page: {listed} units listed of {total} (page {pagination.get('currentPage')} "
                         f"of {pagination.get('totalPages')})")
    maxima = sorted(set(groups["max_points"].dropna().astype(float)))
    if maxima and maxima != [group.max_points]:
        notes.append(f"group maximum as published {maxima} differs from the definition's {group.max_points} "
                     "(the portal drops sub-indicators that do not apply to a slice)")
    units, provinces = int((~groups["is_province_row"]).sum()), int(groups["is_province_row"].sum())
    notes.append(f"{units} units and {provinces} province row")
    return notes


def parse_portal_file(path: str | Path, period: str | None = None) -> PortalParsed:
    """The parsed content of one saved portal evaluation response; PortalFormatError when it is not one."""
    path = Path(path)
    document, layout = _load_document(path)
    data = document["data"]
    file_slice = _file_slice(path, period)
    if layout == "metric":
        group = _metric_file_group(data, path)
        portal_group = group.portal_group
        metric_rows, group_rows, notes = _metric_file_frames(data, group, path)
    else:
        portal_group, group = _tree_group(data, path)
        metric_rows, group_rows, notes = _tree_file_frames(data, portal_group, group, path)
    groups = _groups_frame(group_rows)
    metrics = _metrics_frame(metric_rows)
    _check_values(metrics, path)
    all_notes = list(file_slice.notes)
    if file_slice.manifest_group and file_slice.manifest_group != portal_group:
        all_notes.append(f"the manifest's URL names group {file_slice.manifest_group!r}, "
                         f"the content is {portal_group!r}")
    all_notes += notes + _consistency_notes(data, layout, group, groups)
    return PortalParsed(
        period=file_slice.period, period_type=period_kind(file_slice.period), scope=file_slice.scope,
        formality_code=file_slice.formality_code, portal_group=portal_group,
        metrics=metrics, groups=groups, notes=all_notes, path=str(path),
    )
