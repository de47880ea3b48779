"""Dữ liệu (Data): upload a file through the same pipeline as the CLI (checked first, loaded on confirmation),
the ingest log, the rejected rows, data freshness per source, and what is illustrative.

An uploaded file is kept under ``data/raw/uploads/<sha256>/<file name>`` (``ANALYTICS_UPLOADS`` elsewhere):
named by its content, never overwritten; the raw data folder is otherwise never written.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd
import streamlit as st

from analytics.analyses.inventory import (freshness, illustrative_files, illustrative_rows, ingest_log, loaded_file,
                                          rejects)
from analytics.dashboard import data, frame
from analytics.dashboard.text import t
from analytics.i18n import translate
from analytics.dashboard.widgets import Col, present, safe_text, section, table
from analytics.formatting import BLANK, fmt_count, fmt_raw

ACCEPTED = ("xlsx", "xls", "xlsm", "ods", "csv", "json", "parquet")  # checked here, not in the browser (English)
KINDS = ["index", "portal", "filings", "crosswalk", "targets", "catalog", "tasks"]
LOG_COLS = [Col("ingest_id", "col.ingest_id", "int"), Col("file_name", "col.file"), Col("kind", "col.kind", "kind"),
            Col("periods", "col.period", "period"), Col("rows_loaded", "col.rows", "count"),
            Col("rows_rejected", "col.rejected_rows", "count"), Col("status", "col.status", "status"),
            Col("illustrative", "col.illustrative", "flag"), Col("sha256", "col.sha256", "hash"),
            Col("started_at", "col.loaded_at", "datetime"), Col("source_document", "col.document")]
REJECT_COLS = [Col("file_name", "col.file"), Col("sheet", "col.sheet"), Col("row_number", "col.row", "int"),
               Col("column_name", "col.column"), Col("value_shown", "col.value"), Col("reason", "col.reason")]
FRESH_COLS = [Col("kind", "col.kind", "kind"), Col("files", "col.files", "count"),
              Col("latest_period", "col.latest_period", "period"), Col("last_loaded", "col.last_load", "datetime"),
              Col("illustrative_text", "col.illustrative_share")]
ILL_COLS = [Col("file_name", "col.file"), Col("kind", "col.kind", "kind"), Col("periods", "col.period", "period"),
            Col("rows_loaded", "col.rows", "count"), Col("sha256", "col.sha256", "hash")]
# the parsed rows shown before loading: the columns a person recognises, with their headers
PREVIEW_COLUMNS = {
    "period": "col.period", "unit_name": "col.unit", "unit_level": "col.level", "component": "col.component",
    "score_points": "col.score", "max_points": "col.max", "reported_grade": "col.grade",
    "procedure_code": "col.procedure_code", "procedure_name": "col.procedure", "department": "col.department",
    "received_total": "prev.received_total", "received_online": "prev.received_online",
    "resolved_total": "prev.resolved_total", "resolved_late": "prev.resolved_late", "metric": "col.metric",
    "metric_label": "col.metric", "comparator": "col.comparator_target", "target_value": "col.target",
    "alias": "prev.alias", "code": "col.code", "label": "col.subindicator", "numerator": "col.numerator",
    "denominator": "col.denominator", "published_time": "col.published_time", "configured_time": "col.configured_time",
    "source_document": "col.document",
}


def render() -> None:
    frame.page_header("dt.title")
    ready = data.state() == "ok"
    _upload(ready)
    if not ready:
        frame.require_data()
        return
    lang = frame.language()
    with section(t("dt.freshness"), t("dt.freshness_caption")):
        fresh = data.call(freshness).merge(data.call(illustrative_rows), on="kind", how="left")
        fresh["illustrative_text"] = [_illustrative_text(r, lang) for r in fresh.to_dict("records")]
        table(fresh, FRESH_COLS, lang, key="freshness", title=t("dt.freshness"))
    with section(t("dt.illustrative_title"), t("dt.illustrative_caption")):
        files = data.call(illustrative_files)
        if files.empty:
            st.caption(t("dt.illustrative_none"))
        else:
            table(files, ILL_COLS, lang, key="illustrative-files", title=t("dt.illustrative_title"), height=260)
    with section(t("dt.log"), t("dt.log_caption")):
        table(data.call(ingest_log), LOG_COLS, lang, key="ingest-log", title=t("dt.log"), height=320)
    with section(t("dt.rejects")):
        rej = data.call(rejects)
        if rej.empty:
            st.caption(t("dt.no_rejects"))
        else:
            table(_reject_values(rej, lang), REJECT_COLS, lang, key="rejects", title=t("dt.rejects"), height=320)


def _reject_values(rej: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Rejected rows with their value as a reader writes it (25; 73,38), not as the program stored it (25.0)."""
    out = rej.copy()
    columns = out["column_name"] if "column_name" in out else [None] * len(out)
    out["value_shown"] = [fmt_raw(v if present(v) else None, lang, c if present(c) else None)
                          for v, c in zip(out["value"], columns)]
    return out


def _safe_name(name: str) -> str:
    """The uploaded file's own name, reduced to a plain file name (no folders, no odd characters)."""
    base = Path(name.replace("\\", "/")).name
    base = re.sub(r"[^\w.\- ()]+", "_", base, flags=re.UNICODE).strip(" .") or "tep-tai-len"
    return base[:150]


def _upload(ready: bool) -> None:
    from analytics.ingest.common import Options
    from analytics.periods import PeriodError, parse_period, validate_period_key

    lang = frame.language()
    st.subheader(t("dt.upload"))
    st.caption(t("dt.upload_caption"))
    for line_kind, text in st.session_state.pop("dt_done", []):
        show = st.success if line_kind == "ok" else st.warning if line_kind == "warn" else st.info
        show("  \n".join(safe_text(line) for line in text.splitlines()))
    limit = data.upload_limit_mb()
    # a new key after each load empties the uploader
    # no type= and the size checked below: the browser's own refusals are in English (see widgets.browser_texts)
    uploaded = st.file_uploader(t("dt.file", mb=limit), max_upload_size=limit,
                                key=f"dt_file_{st.session_state.get('dt_loads', 0)}")
    c1, c2 = st.columns(2)
    kind = c1.selectbox(t("dt.kind"), [None, *KINDS], key="dt_kind",
                        format_func=lambda k: t("dt.kind_auto") if k is None else t(f"kind.{k}"))
    period_text = c2.text_input(t("dt.period"), key="dt_period")
    c3, c4 = st.columns(2)
    document = c3.text_input(t("dt.source_document"), key="dt_document")
    illustrative = c4.checkbox(t("dt.illustrative"), key="dt_illustrative")
    if uploaded is None:
        return
    content = uploaded.getvalue()
    name = _safe_name(uploaded.name)
    if Path(name).suffix.lower().lstrip(".") not in ACCEPTED:
        st.error(t("dt.bad_type", name=name, accepted=", ".join(f".{e}" for e in ACCEPTED)), icon=":material/block:")
        return
    if len(content) > limit * 1024 * 1024:
        st.error(t("dt.too_big", name=name, mb=limit))
        return
    period = None
    if period_text.strip():
        try:
            period = validate_period_key(parse_period(period_text) or period_text)
        except PeriodError:
            period = period_text.strip()  # the pipeline explains what is wrong with it
    sha = hashlib.sha256(content).hexdigest()
    earlier = data.call(loaded_file, sha)
    if earlier is not None:  # the same bytes were loaded before: loading them again would change nothing
        st.info(t("dt.duplicate", name=name, ingest_id=int(earlier["ingest_id"]), file=earlier["file_name"],
                  when=pd.Timestamp(earlier["started_at"]).strftime("%d/%m/%Y %H:%M")), icon=":material/content_copy:")
        return
    options = Options(period=period, kind=kind, illustrative=True if illustrative else None,
                      source_document=document.strip() or None, lang=lang)
    from analytics.ingest.uploads import stage

    staged = stage(content, sha, name)  # a folder only the app's user can read, never world-readable /tmp
    preview = _preview(staged, options)
    st.subheader(t("dt.preview"))
    if isinstance(preview, str):  # the pipeline's own message: where, what, how to fix
        st.error(safe_text(preview), icon=":material/block:")
        st.caption(t("dt.failed"))
        return
    rows, rejects, p_kind, periods, notes, sample, n_illustrative = preview
    rejected_rows = len({(r.get("sheet"), r.get("row_number")) for r in rejects})  # a row can break several rules
    summary = t("dt.preview_ok", rows=fmt_count(rows, lang), kind=t(f"kind.{p_kind}"),
                period=", ".join(_period_labels(periods, lang)) or "—", rejected=fmt_count(rejected_rows, lang))
    (st.warning if rejects else st.success)(summary)
    _provenance_line(rows, n_illustrative, options)
    for note in notes:
        st.caption(safe_text(note))
    if sample is not None and len(sample):
        with st.expander(t("dt.preview_rows"), expanded=not rejects):
            st.dataframe(sample, hide_index=True, width="stretch", placeholder=BLANK)
    if rejects:
        st.markdown(f"**{t('dt.rejected')}**")
        table(_reject_values(pd.DataFrame(rejects), lang), REJECT_COLS, lang, key=f"upload-rejects-{sha[:12]}",
              title=t("dt.rejected"))
    if rows == 0:
        st.error(t("dt.nothing_to_load"))
        return
    st.caption(t("dt.cli"))
    st.code(_cli(name, options), language="bash")
    label = t("dt.confirm_with_rejects", rows=fmt_count(rows, lang), rejected=fmt_count(rejected_rows, lang)) \
        if rejects else t("dt.confirm")
    if st.button(label, type="primary", key="dt_confirm", icon=":material/upload:"):
        _load(staged, content, sha, name, options, lang)


def _provenance_line(rows: int, n_illustrative: int, options) -> None:
    """Whether the rows will count as published or illustrative, and why."""
    if options.illustrative:
        st.warning(t("dt.will_be_illustrative", n=rows, why=t("dt.why_ticked")), icon=":material/science:")
    elif n_illustrative >= rows and rows:
        st.warning(t("dt.will_be_illustrative", n=rows, why=t("dt.why_file")), icon=":material/science:")
    elif n_illustrative:
        st.warning(t("dt.will_be_mixed", published=rows - n_illustrative, illustrative=n_illustrative),
                   icon=":material/science:")
    else:
        st.info(t("dt.will_be_published", n=rows), icon=":material/verified:")


def _period_labels(periods: list[str], lang: str) -> list[str]:
    from analytics.periods import PeriodError, period_label

    out = []
    for p in periods:
        try:
            out.append(period_label(p, lang))
        except PeriodError:
            out.append(p)
    return out


def _preview(path: Path, options):
    """(rows, rejects, kind, periods, notes, sample) of a file as the pipeline reads it, or its error message."""
    from analytics.ingest.errors import IngestError
    from analytics.ingest.uploads import parse_isolated

    key = ("dt_preview", str(path), repr(options))
    cached = st.session_state.get("_dt_preview")
    if cached and cached[0] == key:
        return cached[1]
    try:
        with st.spinner(t("common.loading")):
            parsed = parse_isolated(path, options, path.name)  # a reader that aborts cannot take the server down
        if parsed.kind == "dossiers":  # previewed, not loaded: drop the staged rows now
            from analytics.ingest.dossiers import discard_staged

            discard_staged(parsed)
        main = next(iter(parsed.frames.values())) if parsed.frames else None
        sample = None
        if main is not None and len(main):
            cols = [c for c in PREVIEW_COLUMNS if c in main.columns]
            sample = _sample(main[cols].head(200), options.lang or "vi")
        flags = main["illustrative"] if main is not None and "illustrative" in main.columns else None
        n_illustrative = int(flags.fillna(False).astype(bool).sum()) if flags is not None else \
            (parsed.rows if parsed.illustrative else 0)
        result = (parsed.rows, parsed.rejects, parsed.kind, parsed.periods, parsed.notes, sample, n_illustrative)
    except IngestError as exc:
        result = exc.render(options.lang)
    st.session_state["_dt_preview"] = (key, result)
    return result


def _sample(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The parsed rows as the other tables show them: 19,5 (not 19.5), Quý III/2025, labels instead of keys."""
    from analytics.dashboard.widgets import level_label
    from analytics.formatting import fmt_number
    from analytics.labels import component_label, metric_label

    def cell(column: str, v) -> str:
        if not present(v):
            return ""
        if column == "period":
            return ", ".join(_period_labels([str(v)], lang))
        if column == "component":
            return component_label(v, lang) or ""
        if column == "metric":
            return metric_label(v, lang) or ""
        if column == "unit_level":
            return level_label(v)
        if isinstance(v, bool):
            return translate("common.yes" if v else "common.no", lang)
        if isinstance(v, (int, float)) or pd.api.types.is_number(v):
            return fmt_number(v, 4, lang)
        return str(v)

    shown: dict[str, list[str]] = {}
    for c in rows.columns:  # two columns under one header (metric, metric_label): the first is kept
        shown.setdefault(translate(PREVIEW_COLUMNS[c], lang), [cell(c, v) for v in rows[c]])
    return pd.DataFrame(shown)


def _cli(name: str, options) -> str:
    parts = ["python -m analytics ingest", f'"data/raw/uploads/…/{name}"', f"--db {data.database_path()}"]
    if options.kind:
        parts.append(f"--kind {options.kind}")
    if options.period:
        parts.append(f"--period {options.period}")
    if options.illustrative:
        parts.append("--illustrative")
    if options.source_document:
        parts.append(f'--source-document "{options.source_document}"')
    return " ".join(parts)


def _store(content: bytes, sha: str, name: str) -> Path:
    """The raw file kept by its content hash; an existing copy is never overwritten."""
    target = data.uploads_dir() / sha / name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{name}.part")
        tmp.write_bytes(content)
        tmp.replace(target)
    return target


def _load(staged: Path, content: bytes, sha: str, name: str, options, lang: str) -> None:
    import duckdb

    from analytics.db import WriterBusy
    from analytics.ingest.pipeline import describe, ingest, write_error

    stored = _store(content, sha, name)
    try:
        with st.spinner(t("common.loading")):
            results = ingest([stored], options, db=data.database_path())
    except WriterBusy:
        st.error(t("dt.busy"))
        return
    except (OSError, duckdb.Error) as exc:
        text = write_error(exc, data.database_path(), lang)
        if text is None:
            raise
        st.error(safe_text(text))
        return
    lines = []
    for r in results:
        text = "\n".join(describe(r, lang, labels=True))
        lines.append(("ok" if r.status == "loaded" and not r.rejects else "warn" if r.status != "unchanged" else "info", text))
    if any(r.status == "loaded" for r in results):
        lines.append(("ok", t("dt.done")))
    lines.append(("info", t("dt.stored", path=str(stored))))
    data.clear_after_ingest()
    st.session_state.pop("_dt_preview", None)
    st.session_state["dt_done"] = lines
    st.session_state["dt_loads"] = st.session_state.get("dt_loads", 0) + 1
    st.rerun()



def _illustrative_text(row: dict, lang: str) -> str:
    """How much of a kind of data is illustrative: by rows where its table flags rows, else by files (dossier lists,
    tasks and unit lists are flagged per file)."""
    n, total = row.get("illustrative_rows"), row.get("rows")
    if n is None or pd.isna(n):
        n, total = row.get("illustrative_files") or 0, row.get("files")
        if n and n != total:
            return t("dt.part_illustrative_files", n=fmt_count(n, lang), total=fmt_count(total, lang))
    if not n:
        return ""
    return t("dt.all_illustrative") if n == total else t("dt.part_illustrative", n=fmt_count(n, lang),
                                                         total=fmt_count(total, lang))


render()

