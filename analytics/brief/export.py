"""Exports for the meeting: a formatted XLSX brief and a one-page PNG/PDF with the main chart; table downloads.

The brief carries the unit, the period, the score tiles as a table, the findings, the files the figures
come from with their SHA-256, and the data date. Illustrative figures say so in every row they appear in.
Cell text that begins with = + - @ is neutralised (``analytics.parsing.neutralise_formula``) so that a
unit or file name can never run as a spreadsheet formula. No streamlit here.
"""

from __future__ import annotations

import html
import io
import textwrap
import warnings
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from analytics.i18n import translate as tr
from analytics.brief.tiles import CELL_ILLUSTRATIVE, row_illustrative
from analytics.formatting import fmt_points
from analytics.parsing import neutralise_formula

HEADER_FILL = "0B5CAD"
ILLUSTRATIVE_FILL = "FCF3CF"


class ExportError(RuntimeError):
    """A chart image could not be made (no Chromium, or Kaleido failed); the message says why."""


@dataclass
class Finding:
    """A finding as exported: its text and whether it rests on illustrative figures."""

    text: str
    illustrative: bool = False


@dataclass
class BriefData:
    """Everything the meeting brief shows for one unit and period."""

    unit: str
    unit_id: str
    period: str
    period_label: str
    lang: str
    tiles: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)
    sources: pd.DataFrame = field(default_factory=pd.DataFrame)
    data_date: datetime | None = None

    @property
    def total(self) -> dict:
        t = self.tiles[self.tiles["component"] == "total"]
        return t.iloc[0].to_dict() if len(t) else {}

    @property
    def any_illustrative(self) -> bool:
        return any(row_illustrative(r) for r in self.tiles.to_dict("records")) or any(f.illustrative for f in self.findings) or \
            (len(self.sources) > 0 and bool(self.sources["illustrative"].fillna(False).any()))


def neutralised(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of a table whose text cells (and headers) cannot be read as formulas."""
    out = df.copy()
    out.columns = [neutralise_formula(str(c)) for c in out.columns]
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(lambda v: neutralise_formula(v) if isinstance(v, str) else v)
    return out


def csv_text(df: pd.DataFrame, lang: str | None = None) -> str:
    """A table as inert CSV: text neutralised, and CRLF line ends so that a field holding a CR or LF is quoted
    (a bare CR inside an unquoted field would start a new row in a spreadsheet, with a formula in it).

    ``lang="vi"``: as Vietnamese Excel reads it — ``;`` between fields and a decimal comma, so 73,38 opens as a
    number; otherwise plain CSV (``,`` and a decimal point, what the command line and scripts expect)."""
    if lang == "vi":
        return neutralised(df).to_csv(index=False, lineterminator="\r\n", sep=";", decimal=",")
    return neutralised(df).to_csv(index=False, lineterminator="\r\n")


def _cell(v):
    """A value as an openpyxl cell value: text neutralised, missing as empty, numpy scalars unwrapped."""
    if v is None:
        return None
    if isinstance(v, str):
        return neutralise_formula(v)
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    return v.item() if hasattr(v, "item") else v


# Excel number formats by the kind of a column (format codes are locale-free: Vietnamese Excel shows 63,48 and 9.436)
NUMBER_FORMATS = {"count": "#,##0", "int": "#,##0", "points": "0.00", "signed": "+0.00;-0.00;0.00",
                  "pct": '0.00" %"', "pp": "+0.00;-0.00;0.00"}


def number_format(series: pd.Series) -> str | None:
    """The format of a numeric column whose kind is not given: whole numbers as counts, others with two decimals."""
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        return None
    return "#,##0" if pd.api.types.is_integer_dtype(series) else "0.00"


def table_xlsx(df: pd.DataFrame, title: str, lang: str = "vi") -> bytes:
    """A one-sheet workbook of a table: title row, bold header (with units), numbers as numbers with their number
    format (``df.attrs["number_formats"]``: header → format, else by dtype), text neutralised."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Bang"
    ws.append([_cell(title)])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([_cell(str(c)) for c in df.columns])
    for c in ws[2]:
        c.font = Font(bold=True, color="FFFFFF")
        c.fill = PatternFill("solid", fgColor=HEADER_FILL)
        c.alignment = Alignment(wrap_text=True, vertical="center")
    given = df.attrs.get("number_formats", {})
    formats = [given.get(str(c)) or number_format(df.iloc[:, i]) for i, c in enumerate(df.columns)]
    for row in df.itertuples(index=False):
        ws.append([_cell(v) for v in row])
        for c, f in zip(ws[ws.max_row], formats):
            if f and isinstance(c.value, (int, float)) and not isinstance(c.value, bool):
                c.number_format = f
    for i, col in enumerate(df.columns, 1):
        width = max([len(str(col))] + [len(str(v)) for v in df[col].head(200)]) + 2
        ws.column_dimensions[get_column_letter(i)].width = min(60, max(10, width))
    ws.freeze_panes = "A3"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- the meeting brief --------------------------------------------------------------------------------------

def brief_data(con, period: str, unit_id: str, lang: str = "vi") -> BriefData:
    """The brief's content computed straight from the database (the dashboard builds it from its caches)."""
    from analytics.analyses.changes import score_changes
    from analytics.analyses import inventory as queries
    from analytics.brief.tiles import overview_tiles
    from analytics.analyses.gaps import component_gaps
    from analytics.periods import period_label
    from analytics.analyses.scores import unit_scores

    scores = unit_scores(con, period=period, unit_id=unit_id)
    unit = scores["unit"].iloc[0] if len(scores) else unit_id
    changes = score_changes(con, period=period, unit_id=unit_id)
    gaps = component_gaps(con, period=period, unit_id=unit_id)
    tiles = overview_tiles(scores, changes, gaps, unit_id, period, lang)
    return BriefData(unit=unit, unit_id=unit_id, period=period, period_label=period_label(period, lang), lang=lang,
                     tiles=tiles, findings=findings_of(con, period, unit_id, lang),
                     sources=queries.source_files(con, unit_id, period), data_date=queries.data_date(con))


def findings_of(con, period: str, unit_id: str, lang: str) -> list[Finding]:
    """The brief's findings (``analytics.brief.findings.meeting_brief``) as exported."""
    from analytics.brief.findings import meeting_brief

    return [Finding(f.text, bool(f.illustrative)) for f in meeting_brief(con, period, unit_id, lang=lang)]


TILE_HEADERS = [("component_label", "col.component"), ("score_points", "col.score"), ("max_points", "col.max"),
                ("gap_to_max_points", "col.gap"), ("change_vs_previous_points", "col.change_prev"),
                ("previous_period", "col.prev_period"), ("change_vs_last_year_points", "col.change_year"),
                ("target_points", "col.target"), ("grade", "col.grade"), ("row_illustrative", "col.illustrative"),
                ("source", "col.source")]


def brief_workbook(b: BriefData) -> bytes:
    """The meeting brief as a formatted XLSX: heading block, scores table, findings, source files and hashes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from analytics.periods import period_label

    lang = b.lang
    wb = Workbook()
    ws = wb.active
    ws.title = tr("xl.sheet_brief", lang)
    thin = Side(style="thin", color="B0B7BF")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_font = Font(bold=True, color="FFFFFF")
    head_fill = PatternFill("solid", fgColor=HEADER_FILL)
    ill_fill = PatternFill("solid", fgColor=ILLUSTRATIVE_FILL)
    ncols = len(TILE_HEADERS)

    ws.append([_cell(tr("xl.title", lang))])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    ws["A1"].font = Font(bold=True, size=14, color=HEADER_FILL)
    ws["A1"].alignment = Alignment(horizontal="center")
    total = b.total
    meta = [
        (tr("xl.unit", lang), b.unit),
        (tr("xl.period", lang), b.period_label),
        (tr("col.score", lang) + " / 100", total.get("score_points")),
        (tr("xl.grade", lang), total.get("grade") or "—"),
        (tr("xl.data_date", lang), b.data_date.strftime("%d/%m/%Y %H:%M") if b.data_date is not None and not pd.isna(b.data_date) else "—"),
        (tr("xl.made", lang), datetime.now().strftime("%d/%m/%Y %H:%M")),
    ]
    ws.append([])
    for k, v in meta:
        ws.append([_cell(k), _cell(v)])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        if isinstance(v, float):
            ws.cell(ws.max_row, 2).number_format = "0.00"
            ws.cell(ws.max_row, 2).alignment = Alignment(horizontal="left")
    if b.any_illustrative:
        ws.append([_cell(tr("xl.illustrative_note", lang))])
        ws.cell(ws.max_row, 1).font = Font(italic=True, color="9A7D0A")
        ws.cell(ws.max_row, 1).fill = ill_fill

    ws.append([])
    ws.append([_cell(tr("xl.scores", lang))])
    ws.cell(ws.max_row, 1).font = Font(bold=True, size=12)
    ws.append([_cell(tr(h, lang)) for _, h in TILE_HEADERS])
    for c in ws[ws.max_row]:
        c.font, c.fill, c.border = head_font, head_fill, border
        c.alignment = Alignment(wrap_text=True, vertical="center")
    for rec in b.tiles.to_dict("records"):
        values = []
        for col, _ in TILE_HEADERS:
            v = row_illustrative(rec) if col == "row_illustrative" else rec.get(col)
            if col == "row_illustrative":
                v = tr("common.illustrative", lang) if v else tr("common.published", lang)
            elif col == "previous_period" and v:
                v = period_label(v, lang)
            values.append(_cell(v))
        ws.append(values)
        for j, c in enumerate(ws[ws.max_row]):
            c.border = border
            if isinstance(c.value, float):
                c.number_format = "+0.00;-0.00;0.00" if TILE_HEADERS[j][0].startswith("change") else "0.00"
            col = TILE_HEADERS[j][0]
            if rec.get(CELL_ILLUSTRATIVE.get(col, "illustrative")) or (col == "row_illustrative" and row_illustrative(rec)):
                c.fill = ill_fill  # the cell rests on an illustrative input
            if rec.get("component") == "total":
                c.font = Font(bold=True)

    ws.append([])
    ws.append([_cell(tr("xl.findings", lang))])
    ws.cell(ws.max_row, 1).font = Font(bold=True, size=12)
    if not b.findings:
        ws.append([_cell(tr("ov.brief_empty", lang))])
    for i, f in enumerate(b.findings, 1):
        text = finding_text(f, lang)
        ws.append([i, _cell(text)])
        ws.merge_cells(start_row=ws.max_row, start_column=2, end_row=ws.max_row, end_column=ncols)
        ws.cell(ws.max_row, 2).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[ws.max_row].height = 15 * max(1, len(text) // 120 + 1)
        if f.illustrative:
            ws.cell(ws.max_row, 2).fill = ill_fill

    ws.append([])
    ws.append([_cell(tr("xl.sources", lang))])
    ws.cell(ws.max_row, 1).font = Font(bold=True, size=12)
    src_headers = ["col.file", "col.kind", "col.sha256", "col.illustrative", "col.document"]
    ws.append([_cell(tr(h, lang)) for h in src_headers])
    for c in ws[ws.max_row][: len(src_headers)]:
        c.font, c.fill, c.border = head_font, head_fill, border
    for rec in b.sources.to_dict("records") if len(b.sources) else []:
        kind = rec.get("kind")
        ws.append([_cell(rec.get("file_name")), _cell(tr(f"kind.{kind}", lang) if kind else None), _cell(rec.get("sha256")),
                   _cell(tr("common.illustrative", lang) if rec.get("illustrative") else tr("common.published", lang)),
                   _cell(rec.get("source_document"))])
        for c in ws[ws.max_row][: len(src_headers)]:
            c.border = border
            if rec.get("illustrative"):
                c.fill = ill_fill

    widths = [34, 10, 9, 11, 14, 13, 14, 11, 13, 13, 50]
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.column_dimensions["C"].width = 20  # the hash column of the sources block shares column C
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def one_pager_figure(b: BriefData):
    """The one-pager as a Plotly figure: heading, total and grade, the components chart, the findings."""
    from analytics.charts import components_vs_max

    lang = b.lang
    parts = b.tiles[b.tiles["component"] != "total"]
    fig = components_vs_max(parts, lang, height=1100)
    fig.update_traces(textfont=dict(size=15), selector=dict(type="bar"))
    fig.update_yaxes(tickfont=dict(size=15))
    total = b.total
    width, height = 1240, 1754
    heading = html.escape(tr("xl.one_pager_title", lang, unit=b.unit, period=b.period_label))
    total_line = tr("xl.one_pager_total", lang, total=fmt_points(total.get("score_points"), lang),
                    grade=total.get("grade") or "—")
    sub = [html.escape(total_line)]
    if b.data_date is not None and not pd.isna(b.data_date):
        sub.append(html.escape(f"{tr('xl.data_date', lang)}: {pd.Timestamp(b.data_date).strftime('%d/%m/%Y')}"))
    if b.any_illustrative:
        sub.append("<i>" + html.escape(tr("xl.illustrative_note", lang)) + "</i>")
    findings = []
    for i, f in enumerate(b.findings[:8], 1):
        findings.append("<br>    ".join(html.escape(line) for line in textwrap.wrap(f"{i}. {finding_text(f, lang)}", 95)))
    sources = []
    for rec in (b.sources.to_dict("records") if len(b.sources) else [])[:8]:
        mark = f" ({tr('common.illustrative', lang)})" if rec.get("illustrative") else ""
        sources.append(html.escape(f"• {rec.get('file_name')} — SHA-256 {str(rec.get('sha256'))[:16]}…{mark}"))
    fig.update_layout(width=width, height=height, margin=dict(l=70, r=70, t=300, b=900),
                      title=dict(text=f"<b>{html.escape(tr('xl.title', lang))}</b><br><span style='font-size:22px'>{heading}</span>",
                                 x=0.5, xanchor="center", y=0.985, font=dict(size=20)),
                      legend=dict(orientation="h", y=-0.1, yanchor="top", x=0, font=dict(size=14)))
    fig.add_annotation(xref="paper", yref="paper", x=0, y=1.16, xanchor="left", yanchor="bottom", align="left",
                       showarrow=False, text="<br>".join(sub), font=dict(size=17))
    fig.add_annotation(xref="paper", yref="paper", x=0, y=1.03, xanchor="left", yanchor="bottom", showarrow=False,
                       text="<b>" + html.escape(tr("ov.components_chart", lang)) + "</b>", font=dict(size=16))
    body = "<br>".join(findings) if findings else html.escape(tr("ov.brief_empty", lang))
    fig.add_annotation(xref="paper", yref="paper", x=0, y=-0.2, xanchor="left", yanchor="top", align="left",
                       showarrow=False, text="<b>" + html.escape(tr("xl.findings", lang)) + "</b><br><br>" + body,
                       font=dict(size=16))
    if sources:
        fig.add_annotation(xref="paper", yref="paper", x=0, y=-0.82, xanchor="left", yanchor="top", align="left",
                           showarrow=False, font=dict(size=12, color="#52606D"),
                           text="<b>" + html.escape(tr("xl.sources", lang)) + "</b><br>" + "<br>".join(sources))
    return fig


def finding_text(f: Finding, lang: str) -> str:
    """A finding's text, marked illustrative when it rests on illustrative figures (once, even if it says so)."""
    mark = tr("common.illustrative", lang)
    if f.illustrative and mark.lower() not in f.text.lower():
        return f"{f.text} ({mark})"
    return f.text


_KALEIDO_STARTED = False


def one_pager(b: BriefData, fmt: str = "png") -> bytes:
    """The one-pager as PNG or PDF bytes (Kaleido, with the system's Chromium); raises ExportError if it cannot."""
    global _KALEIDO_STARTED
    fig = one_pager_figure(b)
    try:
        import kaleido

        if not _KALEIDO_STARTED and hasattr(kaleido, "start_sync_server"):
            try:
                kaleido.start_sync_server(silence_warnings=True)
            except TypeError:
                kaleido.start_sync_server()
            except Exception:
                pass
            _KALEIDO_STARTED = True
        with warnings.catch_warnings():  # plotly warns that kaleido's options are ignored by the running server
            warnings.simplefilter("ignore", UserWarning)
            image = fig.to_image(format=fmt, width=fig.layout.width, height=fig.layout.height, scale=1)
    except Exception as exc:  # no Chromium, Kaleido missing or broken
        raise ExportError(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]) from exc
    if fmt == "pdf":
        return with_pdf_info(image, one_pager_info(b))
    return image


def one_pager_info(b: BriefData) -> dict[str, str]:
    """The one-pager's document properties: a Vietnamese (or English) title, author and subject."""
    lang = b.lang
    subject = tr("pdf.subject", lang, unit=b.unit, period=b.period_label)
    if b.any_illustrative:
        subject += f" ({tr('common.illustrative', lang)})"
    return {"Title": tr("pdf.title", lang, unit=b.unit, period=b.period_label), "Author": b.unit, "Subject": subject,
            "Creator": tr("xl.title", lang)}


def _pdf_text(text: str) -> bytes:
    """A PDF text string: UTF-16BE with its byte-order mark, as hex (any Vietnamese letter survives)."""
    return b"<" + ("\ufeff" + text).encode("utf-16-be").hex().upper().encode("ascii") + b">"


def with_pdf_info(pdf: bytes, info: dict[str, str]) -> bytes:
    """``pdf`` with a new document information dictionary (title, author, subject …), appended as an incremental
    update: the original bytes stay as they are, a new Info object, cross-reference section and trailer follow
    (Chromium writes "Kaleido-fier" as the title otherwise)."""
    import re

    tail = pdf[-2048:]
    trailer = tail[tail.rfind(b"trailer"):]
    size = re.search(rb"/Size\s+(\d+)", trailer)
    root = re.search(rb"/Root\s+(\d+\s+\d+\s+R)", trailer)
    start = re.search(rb"startxref\s+(\d+)", tail[tail.rfind(b"startxref"):])
    if not (size and root and start):  # not a classic cross-reference table: leave the file as it is
        return pdf
    n = int(size.group(1))
    body = pdf if pdf.endswith(b"\n") else pdf + b"\n"
    offset = len(body)
    fields = b"".join(b"/" + k.encode("ascii") + b" " + _pdf_text(v) + b"\n" for k, v in info.items())
    obj = b"%d 0 obj\n<<\n" % n + fields + b">>\nendobj\n"
    xref_at = offset + len(obj)
    xref = b"xref\n%d 1\n%010d 00000 n \n" % (n, offset)
    new_trailer = (b"trailer\n<</Size %d\n/Root " % (n + 1) + root.group(1) + b"\n/Info %d 0 R\n/Prev " % n
                   + start.group(1) + b">>\nstartxref\n%d\n%%%%EOF\n" % xref_at)
    return body + obj + xref + new_trailer
