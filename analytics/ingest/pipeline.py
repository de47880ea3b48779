"""Loading files into the database: detect the kind, parse, validate, resolve units, write in one transaction.

One file is one transaction: a file that fails leaves the database as it was. The same file twice
changes nothing (matched by SHA-256). A corrected file for the same source and period replaces
what the earlier version loaded, and the ingest log says which ingest it replaced.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pandas as pd

from analytics import db as dbmod
from analytics.parsing import fold
from analytics.ingest.common import KINDS, Options, Parsed
from analytics.ingest.sheets import EXCEL_SUFFIXES, find_table, read_sheets
from analytics.i18n import MESSAGES, msg
from analytics.ingest.errors import IngestError
from analytics.parsing import unit_key
from analytics.periods import period_sort_key

TABLE_COLUMNS: dict[str, list[str]] = {}
LEVELS_FROM_PORTAL = {"PROVINCIAL_DEPARTMENT": "department", "COMMUNE_PEOPLE_COMMITTEE": "commune", "PROVINCE": "province",
                      "COMMUNE": "commune"}


@dataclass
class FileResult:
    """What happened to one file."""

    file: str
    status: str  # loaded | unchanged | failed
    kind: str | None = None
    periods: list[str] = field(default_factory=list)
    rows_loaded: int = 0
    rejects: list[dict] = field(default_factory=list)
    replaced: list[tuple[int, str]] = field(default_factory=list)
    new_units: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: IngestError | None = None
    ingest_id: int | None = None
    seconds: float = 0.0


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def detect_kind(path: Path, sheets) -> str | None:
    """The kind of a tabular file from its headers: the layout whose columns it names best."""
    from analytics.definition import load_definition

    candidates = {
        "index": ("index_table", {"unit"}),
        "filings": ("filings", {"received_total"}),
        "crosswalk": ("crosswalk", {"alias", "unit"}),
        "targets": ("targets", {"metric", "target_value"}),
        "catalog": ("catalog", {"procedure_name", "published_time"}),
        "tasks": ("tasks", {"task_text", "department"}),
        "dossiers": ("dossiers", {"dossier_code", "received_at"}),
    }
    best, best_score = None, 0
    components = set(load_definition().common_groups)
    for kind, (layout, required) in candidates.items():
        table = find_table(sheets, layout, required)
        if table is None:
            continue
        score = len(table.columns)
        if kind == "index" and len(components & set(table.columns)) < 2:
            continue
        if kind == "filings" and not ({"procedure_name", "unit", "procedure_code"} & set(table.columns)):
            continue
        if score > best_score:
            best, best_score = kind, score
    return best


def parse_file(path: Path, options: Options, display: str | None = None) -> Parsed:
    """Read and validate one file without touching the database (raises IngestError when nothing can load)."""
    display = display or path.name
    if not path.exists():
        raise IngestError("file_missing", file=display)
    if path.stat().st_size == 0:
        raise IngestError("unreadable", file=display, detail="0 bytes")
    if path.suffix.lower() not in EXCEL_SUFFIXES:  # a workbook is checked by its unpacked size (guard.check_zip)
        from analytics.ingest.guard import check_file_size

        check_file_size(path, display)
    kind = options.kind
    if kind and kind not in KINDS:
        raise IngestError("unknown_kind", file=display)
    if path.suffix.lower() == ".json" or kind == "portal":
        from analytics.ingest.portal import PortalFormatError, looks_like_portal, parse_portal_file

        if kind and kind != "portal":
            raise IngestError("wrong_kind", file=display, expected=_kind_label(kind, options.lang), detail="JSON")
        try:
            if not looks_like_portal(path):
                raise IngestError("wrong_kind", file=display, expected=_kind_label("portal", options.lang),
                                  detail="không có cấu trúc {code, data: {evaluation | parent, children}}")
            parsed = parse_portal_file(path, options.period)
        except PortalFormatError as exc:
            if exc.key:
                raise IngestError(exc.key, file=display, json_path=exc.where, **exc.params) from exc
            raise IngestError("portal_format", file=display, detail=str(exc), json_path=exc.where) from exc
        return portal_to_parsed(parsed, path, options, display)
    from analytics.ingest import bulk

    if bulk.eligible(path, options):  # a large filing export: read, checked and written by DuckDB
        return bulk.parse_bulk_filings(path, options, display)
    if kind == "dossiers" or (kind is None and path.suffix.lower() in {".parquet", ".csv", ".txt", ".tsv"}):
        from analytics.ingest.dossiers import parse_dossiers, sniff_dossiers

        if kind == "dossiers" or sniff_dossiers(path):
            return parse_dossiers(path, options, display)
    sheets = read_sheets(path, display, include_hidden=options.include_hidden)
    if not any(s.has_data() for s in sheets if not s.hidden):
        hidden = [s.name for s in sheets if s.hidden and s.has_data()]
        if hidden:
            raise IngestError("only_hidden_data", file=display, sheets=", ".join(f"“{n}”" for n in hidden))
        raise IngestError("empty_sheet", file=display, sheet=sheets[0].name if sheets else None)
    parsed = _parse_table(path, sheets, options, display, kind)
    parsed.notes += hidden_notes(sheets, parsed.sheet, options.lang)
    return parsed


def hidden_notes(sheets, used_sheet: str | None, lang: str | None) -> list[str]:
    """Summary lines naming hidden sheets and hidden rows that hold data which was left out."""
    notes = []
    for s in sheets:
        if s.hidden and s.has_data():
            notes.append(msg("hidden_sheet_skipped", lang, sheet=s.name))
        elif s.hidden_rows and s.name == used_sheet:
            rows = ", ".join(map(str, s.hidden_rows[:20])) + (" …" if len(s.hidden_rows) > 20 else "")
            key = "hidden_rows_loaded" if not s.hidden and s.rows and any(s.rows[r - 1] for r in s.hidden_rows) \
                else "hidden_rows_skipped"
            notes.append(msg(key, lang, sheet=s.name, rows=rows, n=len(s.hidden_rows)))
    return notes


def _parse_table(path: Path, sheets, options: Options, display: str, kind: str | None) -> Parsed:
    detected = detect_kind(path, sheets)
    if kind is None:
        kind = detected
        if kind is None:
            raise IngestError("unknown_kind", file=display)
    elif detected is not None and detected != kind and kind != "index":
        raise IngestError("wrong_kind", file=display, expected=_kind_label(kind, options.lang),
                          detail=_kind_label(detected, options.lang))
    from analytics.ingest import filings, index_table, simple, tasks

    if kind in ("index", "filings"):
        from analytics.ingest.validation import preload

        preload()  # validated after its data block is read: the validator's import runs meanwhile

    if kind == "dossiers":
        from analytics.ingest.dossiers import parse_dossiers

        return parse_dossiers(path, options, display, sheets)

    parser = {"index": index_table.parse_index_table, "filings": filings.parse_filings,
              "crosswalk": simple.parse_crosswalk, "targets": simple.parse_targets, "catalog": simple.parse_catalog,
              "tasks": tasks.parse_tasks}[kind]
    if kind == "index" and detected not in (None, "index"):
        raise IngestError("wrong_kind", file=display, expected=_kind_label("index", options.lang),
                          detail=_kind_label(detected, options.lang))
    return parser(path, sheets, options, display)


def _kind_label(kind: str, lang: str | None) -> str:
    vi = {"index": "bảng kết quả Bộ chỉ số", "portal": "dữ liệu đánh giá của Cổng DVCQG", "filings": "số liệu hồ sơ",
          "crosswalk": "danh mục đơn vị", "targets": "bảng chỉ tiêu", "catalog": "danh mục TTHC",
          "dossiers": "danh sách hồ sơ"}
    en = {"index": "an index result table", "portal": "national-portal evaluation data", "filings": "filing counts",
          "crosswalk": "a unit crosswalk", "targets": "a targets table", "catalog": "a procedure catalogue",
          "dossiers": "a dossier list"}
    return (en if (lang or "").startswith("en") else vi).get(kind, kind)


def portal_to_parsed(p, path: Path, options: Options, display: str) -> Parsed:
    """The portal parser's frames in the shape of the database tables."""
    from analytics.ingest.common import default_origin

    metrics = p.metrics.copy()
    groups = p.groups.copy()
    for frame in (metrics, groups):
        frame["period"] = p.period
        frame["period_type"] = p.period_type
        frame["scope"] = p.scope
        frame["formality_code"] = p.formality_code
        frame["portal_group"] = p.portal_group
        frame["illustrative"] = False if options.illustrative is None else options.illustrative
        frame["source_file"] = display
    origin = options.origin or default_origin(path, "portal")
    return Parsed(kind="portal", file=display, sheet=None, periods=[p.period], origin=origin,
                  frames={"portal_metrics": metrics, "portal_groups": groups}, notes=list(p.notes),
                  illustrative=bool(options.illustrative), source_document=options.source_document)


class UnitResolver:
    """Maps the names and codes a file uses to unit ids, through the crosswalk; never by fuzzy matching.

    A crosswalk alias may hold only for a span of periods ("Sở Kế hoạch và Đầu tư" is itself until
    2024Q4 and part of "Sở Tài chính" from 2025Q1): the alias whose span contains the row's period wins.
    """

    def __init__(self, con):
        self.con = con
        self.by_key: dict[str, str] = {}
        self.by_portal_id: dict[str, str] = {}
        self.spans: dict[str, list[tuple[str, str | None, str | None]]] = {}
        for unit_id, name, portal_id, portal_code in con.execute(
                "SELECT unit_id, display_name, portal_unit_id, portal_code FROM units").fetchall():
            self.by_key[unit_key(name)] = unit_id
            self.by_key[unit_id] = unit_id
            if portal_id:
                self.by_portal_id[portal_id] = unit_id
            if portal_code:
                self.by_key[unit_key(portal_code)] = unit_id
        for alias_key, unit_id, valid_from, valid_to in con.execute(
                "SELECT alias_key, unit_id, valid_from, valid_to FROM unit_aliases ORDER BY ingest_id").fetchall():
            self.spans.setdefault(alias_key, []).append((unit_id, valid_from, valid_to))
        self.new_units: list[dict] = []

    def _alias(self, key: str, period: str | None) -> str | None:
        """The unit an alias stands for in a period (an unbounded alias when no span matches)."""
        spans = self.spans.get(key)
        if not spans:
            return None
        if period is None:
            current = [u for u, _, to in spans if to is None]
            return current[-1] if current else spans[-1][0]
        order = period_sort_key(period)
        inside = [u for u, frm, to in spans
                  if (frm is None or period_sort_key(frm) <= order) and (to is None or order <= period_sort_key(to))]
        return inside[-1] if inside else None

    def resolve(self, name: str, level: str | None = None, province: str | None = None, portal_unit_id: str | None = None,
                portal_code: str | None = None, period: str | None = None) -> str:
        if portal_unit_id and portal_unit_id in self.by_portal_id:
            return self.by_portal_id[portal_unit_id]
        for candidate in (portal_code, name):
            if not candidate:
                continue
            key = unit_key(candidate)
            unit_id = self._alias(key, period) or self.by_key.get(key)
            if unit_id:
                if portal_unit_id:
                    self.by_portal_id[portal_unit_id] = unit_id
                    self.con.execute("UPDATE units SET portal_unit_id = coalesce(portal_unit_id, ?), "
                                     "portal_code = coalesce(portal_code, ?) WHERE unit_id = ?",
                                     [portal_unit_id, portal_code, unit_id])
                return unit_id
        unit_id = f"portal:{portal_code}" if portal_code else unit_key(name)
        if unit_id in self.by_key.values() and unit_key(name) not in self.by_key:
            unit_id = f"{unit_id}#{len(self.new_units)}"
        self.by_key[unit_key(name)] = unit_id
        self.by_key[unit_id] = unit_id
        if portal_code:
            self.by_key[unit_key(portal_code)] = unit_id
        if portal_unit_id:
            self.by_portal_id[portal_unit_id] = unit_id
        self.new_units.append({"unit_id": unit_id, "display_name": name, "unit_level": level, "province": province,
                               "portal_code": portal_code, "portal_unit_id": portal_unit_id})
        return unit_id


def _insert(con, table: str, df: pd.DataFrame) -> int:
    """Bulk-insert a DataFrame's columns that the table has (by name); returns the row count."""
    if df is None or df.empty:
        return 0
    store = dbmod.part_store(con)
    if store is not None and table in store.TABLES:  # a new Parquet part, listed in fact_parts
        con.register("_incoming", df)
        try:
            return store.append(con, "SELECT * FROM _incoming", int(df["ingest_id"].iloc[0]), table)
        finally:
            con.unregister("_incoming")
    cols = [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position", [table]).fetchall()]
    use = [c for c in cols if c in df.columns]
    frame = df[use]
    con.register("_incoming", frame)
    try:
        con.execute(f'INSERT INTO "{table}" ({", ".join(use)}) SELECT {", ".join(use)} FROM _incoming')
    finally:
        con.unregister("_incoming")
    return len(frame)


DATA_TABLES = {"index": ["index_scores"], "portal": ["portal_metrics", "portal_groups", "index_scores"],
               "filings": ["filing_counts"], "crosswalk": ["unit_aliases"], "targets": ["targets"],
               "catalog": ["procedure_catalog"], "tasks": ["tasks"], "dossiers": ["filing_counts", "dossier_files"]}


def _province_of(parsed: Parsed) -> str | None:
    frames = parsed.frames.get("portal_groups")
    if frames is not None and len(frames):
        prov = frames[frames["is_province_row"]]["unit_name"]
        if len(prov):
            name = str(prov.iloc[0])
            i = fold(name).find("tinh ")
            return name[i + 5:].strip() if i >= 0 else name
    return None


def write_parsed(con, parsed: Parsed, *, path: Path, sha: str, size: int, started: float) -> FileResult:
    """Write one parsed file inside the caller's transaction; returns what was loaded and replaced."""
    result = FileResult(parsed.file, "loaded", parsed.kind, parsed.periods, rejects=parsed.rejects, notes=list(parsed.notes))
    ingest_id = con.execute("SELECT coalesce(max(ingest_id), 0) + 1 FROM ingest_log").fetchone()[0]
    result.ingest_id = ingest_id
    resolver = UnitResolver(con)
    # replacement: earlier ingests of the same source (kind + origin) lose their rows for these periods
    previous = con.execute(
        "SELECT ingest_id, file_name FROM ingest_log WHERE kind = ? AND origin = ? AND status = 'loaded' ORDER BY ingest_id",
        [parsed.kind, parsed.origin]).fetchall()
    store = dbmod.part_store(con)
    if parsed.kind == "catalog" and store is not None:  # the materialised filing rows of these units follow it
        store.touch_units(r[0] for r in con.execute(
            "SELECT DISTINCT unit_id FROM procedure_catalog WHERE ingest_id IN (SELECT unnest(?::INTEGER[]))",
            [[old_id for old_id, _ in previous]]).fetchall())
    for old_id, old_file in previous:
        removed = 0
        for table in DATA_TABLES[parsed.kind]:
            if store is not None and table in store.TABLES:
                removed += store.remove(con, old_id, parsed.periods or None, table)
                continue
            if parsed.periods and table not in ("unit_aliases", "targets", "procedure_catalog", "tasks"):
                n = con.execute(f'SELECT count(*) FROM "{table}" WHERE ingest_id = ? AND period IN (SELECT unnest(?))',
                                [old_id, parsed.periods]).fetchone()[0]
                con.execute(f'DELETE FROM "{table}" WHERE ingest_id = ? AND period IN (SELECT unnest(?))', [old_id, parsed.periods])
            else:
                n = con.execute(f'SELECT count(*) FROM "{table}" WHERE ingest_id = ?', [old_id]).fetchone()[0]
                con.execute(f'DELETE FROM "{table}" WHERE ingest_id = ?', [old_id])
            removed += n
        if removed:
            result.replaced.append((old_id, old_file))
            left = sum(store.count(con, old_id, table=t) if store is not None and t in store.TABLES else
                       con.execute(f'SELECT count(*) FROM "{t}" WHERE ingest_id = ?', [old_id]).fetchone()[0]
                       for t in DATA_TABLES[parsed.kind])
            if not left:  # wholly replaced: its rejects no longer describe anything loaded
                con.execute("UPDATE ingest_log SET status = 'superseded' WHERE ingest_id = ?", [old_id])
                con.execute("DELETE FROM rejects WHERE ingest_id = ?", [old_id])
    rows = 0
    main_frame = next(iter(parsed.frames.values())) if parsed.frames else None
    if parsed.kind == "dossiers":
        from analytics.ingest.dossiers import write_dossiers

        rows = write_dossiers(con, parsed, ingest_id, resolver) if parsed.staged_rows else 0
    elif parsed.bulk_sql is not None:
        from analytics.ingest.bulk import write_bulk_filings

        rows = write_bulk_filings(con, parsed, ingest_id, resolver) if parsed.staged_rows else 0
    elif main_frame.empty:
        pass  # every row rejected: the rejects and the log still record the attempt
    elif parsed.kind == "index":
        long = parsed.frames["index_scores"].copy()
        long["unit_id"] = [resolver.resolve(n, lvl, period=p)
                           for n, lvl, p in zip(long["unit_name"], long["unit_level"], long["period"])]
        long["ingest_id"] = ingest_id
        long = _drop_duplicate_units(long, parsed, result)
        rows = _insert(con, "index_scores", long) // max(1, long["component"].nunique())
    elif parsed.kind == "portal":
        province = _province_of(parsed)
        metrics, groups = parsed.frames["portal_metrics"].copy(), parsed.frames["portal_groups"].copy()
        ids = {}
        for frame in (groups, metrics):
            for rec in frame[["portal_unit_id", "portal_code", "unit_name", "unit_type", "portal_level"]].drop_duplicates(
                    "portal_unit_id").itertuples(index=False):
                if rec.portal_unit_id in ids:
                    continue
                level = LEVELS_FROM_PORTAL.get(rec.unit_type or "") or LEVELS_FROM_PORTAL.get(rec.portal_level or "")
                if level == "province" or (rec.portal_level == "PROVINCE" and rec.unit_type is None):
                    level = "department"
                ids[rec.portal_unit_id] = (rec, level)
        prov_ids = set(groups.loc[groups["is_province_row"], "portal_unit_id"]) | set(metrics.loc[metrics["is_province_row"], "portal_unit_id"])
        resolved = {}
        for pid, (rec, level) in ids.items():
            lvl = "province" if pid in prov_ids else level
            code = rec.portal_code if isinstance(rec.portal_code, str) else None
            resolved[pid] = resolver.resolve(rec.unit_name, lvl, province, pid, code, period=parsed.periods[0])
        for frame in (metrics, groups):
            frame["unit_id"] = frame["portal_unit_id"].map(resolved)
            frame["ingest_id"] = ingest_id
        rows = _insert(con, "portal_metrics", metrics)
        _insert(con, "portal_groups", groups)
        if parsed.frames["portal_groups"]["scope"].iloc[0] == "all" if len(groups) else False:
            # a group the response publishes no score for (illustrative counts) is no score
            scores = groups[groups["score_points"].notna()].rename(
                columns={"group_key": "component", "json_path": "column_name"})
            scores["index_version"] = "v2025"
            scores["source_document"] = parsed.source_document or "Cổng Dịch vụ công quốc gia"
            scores["sheet"] = None
            _insert(con, "index_scores", scores)
    elif parsed.kind == "filings":
        df = parsed.frames["filing_counts"].copy()
        pairs = {pair: resolver.resolve(pair[0], period=pair[1])
                 for pair in df[["unit_name", "period"]].drop_duplicates().itertuples(index=False, name=None)}
        df["unit_id"] = [pairs[pair] for pair in zip(df["unit_name"], df["period"])]
        df["ingest_id"] = ingest_id
        rows = _insert(con, "filing_counts", df)
    elif parsed.kind == "crosswalk":
        df = parsed.frames["unit_aliases"].copy()
        # the canonical unit of each alias exists (or is created) first, then the alias points at it
        df["unit_id"] = [resolver.resolve(n, lvl, period=to if isinstance(to, str) else frm if isinstance(frm, str) else None)
                         for n, lvl, frm, to in zip(df["unit_name"], df["unit_level"], df["valid_from"], df["valid_to"])]
        for code, unit_id in zip(df["portal_code"], df["unit_id"]):
            if isinstance(code, str):
                con.execute("UPDATE units SET portal_code = coalesce(portal_code, ?) WHERE unit_id = ?", [code, unit_id])
        df["ingest_id"] = ingest_id
        rows = _insert(con, "unit_aliases", df)
    elif parsed.kind == "targets":
        df = parsed.frames["targets"].copy()
        df["unit_id"] = [None if not isinstance(n, str) else resolver.resolve(n) for n in df["unit_name"]]
        df["source_file"] = parsed.file
        df["ingest_id"] = ingest_id
        rows = _insert(con, "targets", df)
    elif parsed.kind == "catalog":
        df = parsed.frames["procedure_catalog"].copy()
        if df["unit_name"].isna().any():
            guess = _unit_in_filename(con, path)
            if guess is None:
                raise IngestError("missing_columns", file=parsed.file, sheet=parsed.sheet, columns="“Đơn vị”",
                                  hint_params={"example": "Đơn vị"})
            df["unit_name"] = df["unit_name"].fillna(guess)
        df["unit_id"] = [resolver.resolve(n) for n in df["unit_name"]]
        df["source_file"] = parsed.file
        df["ingest_id"] = ingest_id
        rows = _insert(con, "procedure_catalog", df)
        if store is not None:
            store.touch_units(set(df["unit_id"]))
    elif parsed.kind == "tasks":
        from analytics.ingest.tasks import write_tasks

        rows = write_tasks(con, parsed, resolver, ingest_id, _insert)
    if resolver.new_units:
        units = pd.DataFrame(resolver.new_units)
        units["ingest_id"] = ingest_id
        _insert(con, "units", units)
        result.new_units = [u["display_name"] for u in resolver.new_units]
    if parsed.rejects:
        rej = pd.DataFrame(parsed.rejects)
        rej["ingest_id"] = ingest_id
        _insert(con, "rejects", rej)
    result.rows_loaded = rows
    result.seconds = time.perf_counter() - started
    log = pd.DataFrame([{
        "ingest_id": ingest_id, "file_name": parsed.file, "file_path": str(path), "sha256": sha, "size_bytes": size,
        "kind": parsed.kind, "origin": parsed.origin, "periods": ",".join(parsed.periods), "sheet": parsed.sheet,
        "rows_loaded": rows, "rows_rejected": len(parsed.rejects), "status": "loaded",
        "replaces": ",".join(str(i) for i, _ in result.replaced) or None, "illustrative": parsed.illustrative,
        "source_document": parsed.source_document, "started_at": datetime.now(timezone.utc).replace(tzinfo=None),
        "duration_ms": result.seconds * 1000, "message": "\n".join(result.notes) or None,
    }])
    _insert(con, "ingest_log", log)
    return result


def _drop_duplicate_units(long: pd.DataFrame, parsed: Parsed, result: FileResult) -> pd.DataFrame:
    """Rows that the crosswalk maps onto a unit already in the file: the later one is rejected, not merged."""
    dup = long.duplicated(["period", "unit_id", "component"], keep="first")
    if not dup.any():
        return long
    first = long[~dup].set_index(["period", "unit_id"])["row_number"].to_dict()
    for rec in long[dup & (long["component"] == "total")].to_dict("records"):
        other = first.get((rec["period"], rec["unit_id"]))
        result.rejects.append({"file_name": parsed.file, "sheet": parsed.sheet, "row_number": int(rec["row_number"]),
                               "column_name": None, "value": rec["unit_name"],
                               "reason": msg("duplicate_row", None, other=other), "raw_json": None})
    return long[~dup]


def _unit_in_filename(con, path: Path) -> str | None:
    """The one known unit whose name appears in a file name ("danh-muc-tthc-so-cong-thuong.csv")."""
    stem = fold(path.stem).replace("-", " ").replace("_", " ")
    hits = [name for (name,) in con.execute("SELECT display_name FROM units").fetchall() if unit_key(name) in stem]
    return max(hits, key=len) if hits else None


def already_loaded(con, sha: str, kind: str | None = None) -> int | None:
    """The ingest that loaded this exact file (same SHA-256, and the same kind when one is asked for)."""
    row = con.execute("SELECT max(ingest_id) FROM ingest_log WHERE sha256 = ? AND status = 'loaded' "
                      "AND (? IS NULL OR kind = ?)", [sha, kind, kind]).fetchone()
    return row[0] if row else None


def ingest(paths: list[Path], options: Options, db=None, progress=None) -> list[FileResult]:
    """Load files into the database, each in its own transaction; returns one result per file."""
    results: list[FileResult] = []
    existed = dbmod.db_path(db).exists()
    with dbmod.writer(db) as con:
        for i, path in enumerate(paths, 1):
            started = time.perf_counter()
            display = path.name
            try:
                if not path.exists():
                    raise IngestError("file_missing", file=display)
                sha, size = sha256_of(path), path.stat().st_size
                old = already_loaded(con, sha, options.kind)
                if old is not None:
                    results.append(FileResult(display, "unchanged", ingest_id=old))
                    continue
                parsed = parse_file(path, options, display)
                con.execute("BEGIN TRANSACTION")
                try:
                    result = write_parsed(con, parsed, path=path, sha=sha, size=size, started=started)
                    con.execute("COMMIT")
                except BaseException:
                    try:
                        con.execute("ROLLBACK")
                    except duckdb.Error:
                        pass  # a failed COMMIT (disk full) has ended the transaction already; the copy is discarded
                    if parsed.kind == "dossiers":
                        from analytics.ingest.dossiers import discard_staged

                        discard_staged(parsed)
                    raise
                finally:
                    if parsed.bulk_sql is not None:
                        from analytics.ingest.bulk import discard

                        discard(parsed)
                results.append(result)
            except IngestError as exc:
                results.append(FileResult(display, "failed", error=exc, seconds=time.perf_counter() - started))
            except (duckdb.ConversionException, duckdb.OutOfRangeException) as exc:
                # a value no check caught that does not fit its column: this file fails, the others load
                error = IngestError("value_does_not_fit", file=display, detail=str(exc).splitlines()[0][:200])
                results.append(FileResult(display, "failed", error=error, seconds=time.perf_counter() - started))
            if progress:
                progress(i, len(paths), results[-1])
        if not existed and not any(r.status == "loaded" for r in results):
            raise dbmod.Discard()  # a failed first load creates no database
        store = dbmod.part_store(con)
        if any(r.status == "loaded" for r in results):  # what the pages and the CLI read without recomputing it
            from analytics.analyses.precompute import write_frames, write_stored_scores

            # one transaction: the stored rows of the pairs a load changed are deleted and inserted together
            con.execute("BEGIN TRANSACTION")
            try:
                if store is not None:
                    store.refresh(con)  # the filing counts the stored results are computed from, current first
                write_frames(con)
                write_stored_scores(con)
                con.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(duckdb.Error):
                    con.execute("ROLLBACK")
                raise
        if store is not None:
            store.results_current = True
    return results


def write_error(exc: BaseException, db=None, lang: str | None = None) -> str | None:
    """The message for a database that cannot be written (disk full, read-only folder), None for other errors."""
    import errno

    import duckdb

    where = dbmod.db_path(db)
    text = str(exc)
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC or "No space left" in text or "disk is full" in text:
        key = "disk_full"
    elif isinstance(exc, PermissionError) or isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES,
                                                                                        errno.EPERM) \
            or "Read-only file system" in text or "Permission denied" in text:
        key = "read_only"
    elif isinstance(exc, (OSError, duckdb.IOException)):
        key = "write_failed"
    else:
        return None
    return (msg(key, lang, db=where, detail=text.splitlines()[0][:200] if text else type(exc).__name__) + ". "
            + msg("fix", lang, hint=msg(f"{key}_hint", lang) if f"{key}_hint" != "write_failed_hint"
                  else msg("read_only_hint", lang)))


def validate(paths: list[Path], options: Options) -> list[FileResult]:
    """Parse and validate files without touching any database."""
    results = []
    for path in paths:
        started = time.perf_counter()
        try:
            parsed = parse_file(path, options, path.name)
            if parsed.kind == "dossiers":
                from analytics.ingest.dossiers import discard_staged

                discard_staged(parsed)
            if parsed.bulk_sql is not None:
                from analytics.ingest.bulk import discard

                discard(parsed)
            results.append(FileResult(path.name, "valid", parsed.kind, parsed.periods, parsed.rows, parsed.rejects,
                                      notes=parsed.notes, seconds=time.perf_counter() - started))
        except IngestError as exc:
            results.append(FileResult(path.name, "failed", error=exc, seconds=time.perf_counter() - started))
    return results


def describe(result: FileResult, lang: str | None = None, *, labels: bool = False) -> list[str]:
    """Human lines about one file's result (for the CLI and the dashboard). With ``labels`` (the dashboard) the
    kind and periods are named ("Bảng kết quả Bộ chỉ số", "Quý III/2025"), counts and rejected values written
    the language's way (9.436; 73,38); without, the keys a script greps ("index", "2025Q3")."""
    from analytics.formatting import fmt_count, fmt_raw
    from analytics.periods import PeriodError, period_label

    def period_text(p: str) -> str:
        try:
            return period_label(p, lang) if labels else p
        except PeriodError:
            return p

    lines = []
    if result.status == "failed":
        lines.append(msg("failed", lang, file=result.file, reason=result.error.render(lang)))
        return lines
    if result.status == "unchanged":
        return [msg("unchanged", lang, file=result.file, ingest_id=result.ingest_id)]
    key = "valid" if result.status == "valid" else "loaded"
    kind = msg(f"kind.{result.kind}", lang) if labels and f"kind.{result.kind}" in MESSAGES else result.kind
    lines.append(msg(key, lang, file=result.file, rows=fmt_count(result.rows_loaded, lang) if labels else result.rows_loaded,
                     kind=kind, period=", ".join(period_text(p) for p in result.periods) or "—"))
    for old_id, old_file in result.replaced:
        lines.append("  " + msg("replaced", lang, file=result.file, old=old_id, old_file=old_file))
    for note in result.notes:
        lines.append("  " + note)
    if result.new_units:
        names = ", ".join(result.new_units[:12]) + (f" (+{len(result.new_units) - 12})" if len(result.new_units) > 12 else "")
        lines.append("  " + msg("new_units", lang, names=names))
    if result.rejects:
        lines.append("  " + msg("rejected_rows", lang, n=len(result.rejects)))
        for r in result.rejects:
            value = r["value"] if r["value"] is not None else ""
            if labels:
                value = fmt_raw(r["value"], lang, r.get("column_name"))
            lines.append(f"    - {reject_place(r, lang)}: {r['reason']} [{value}]")
    return lines


def reject_place(r: dict, lang: str | None = None) -> str:
    """Where a rejected row is: file, sheet, row, column."""
    en = (lang or "").startswith("en")
    parts = [r["file_name"]]
    if r.get("sheet"):
        parts.append(("sheet “{}”" if en else "trang “{}”").format(r["sheet"]))
    if r.get("row_number"):
        parts.append(("row {}" if en else "dòng {}").format(r["row_number"]))
    if r.get("column_name"):
        parts.append(("column “{}”" if en else "cột “{}”").format(r["column_name"]))
    return ", ".join(parts)


def exit_code(results: list[FileResult]) -> int:
    """0 everything loaded; 1 loaded with rejected rows; 2 nothing loaded."""
    if not results or all(r.status == "failed" for r in results):
        return 2
    if any(r.status == "failed" for r in results) or any(r.rejects for r in results):
        return 1
    return 0


def result_json(r: FileResult, lang=None) -> dict:
    return {"file": r.file, "status": r.status, "kind": r.kind, "periods": r.periods, "rows_loaded": r.rows_loaded,
            "rejects": r.rejects, "replaced": [i for i, _ in r.replaced], "new_units": r.new_units, "notes": r.notes,
            "error": r.error.render(lang) if r.error else None}

