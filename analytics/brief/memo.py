"""The department's quarterly memo (công văn) as a Word file, in the layout of Decree 30/2020/NĐ-CP.

What Sở Công Thương writes after each publication (its VB /SCT-VP of July 2024): the results line by line
("- Số hóa hồ sơ: 0,22/22"), what changed since the previous quarter, where the points are lost, the
brief's findings and the tasks given to named offices with their deadlines. Every figure comes from the
analyses (``component_gaps``, ``score_changes``, ``meeting_brief``, ``task_followup``); nothing is
recomputed here. Illustrative figures say so on their line, and the memo opens with a note when it has any.

The letterhead, the addressees, the recipients, the signer's title and the department's own wording of
the components come from a template file people can edit (``data/raw/templates/mau-cong-van.csv``). The
number ("Số: …/SCT-VP"), the signer's name and the signature are left for the clerk and the signer. Text
from the data (task texts, names, documents) that a spreadsheet would evaluate is neutralised.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from analytics.definition import load_definition
from analytics.formatting import decree_date, fmt_count, fmt_date, fmt_number, fmt_pct, fmt_points
from analytics.labels import labelled
from analytics.i18n import tr
from analytics.parsing import fold, neutralise_formula, nfc
from analytics.periods import period_label, quarter_dates
from analytics.settings import TEMPLATES_DIR

TEMPLATE_FILE = TEMPLATES_DIR / "mau-cong-van.csv"
TEMPLATE_HEADER = ("Mục", "Nội dung", "Hướng dẫn")
# How the department writes the components in its memos (VB /SCT-VP, July 2024); the template can change it.
DEPARTMENT_WORDING = {"transparency": "Công khai minh bạch", "timeliness": "Tiến độ giải quyết đúng hạn"}
DIGITIZATION_CODE = "SO_HOA_GIAY_TO_GIAI_QUYET"  # QĐ 766: filings with digitized components
COVERED_BY_THE_BODY = {"grade", "largest_gaps", "biggest_change"}  # findings the results/change/gap paragraphs state

# Decree 30/2020/NĐ-CP, Appendix I: A4, margins top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm;
# Times New Roman (Unicode, TCVN 6909:2001); body 13–14 pt.
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
BODY_PT = 14


def template_rows() -> list[tuple[str, str, str]]:
    """The shipped template: (item, content, how to fill it in), one row per item; several rows for lists."""
    d = load_definition()
    rows = [
        ("Cơ quan chủ quản", "UBND TỈNH ĐỒNG NAI", "Dòng trên cùng bên trái, chữ in hoa"),
        ("Cơ quan ban hành", "", "Để trống: tên đơn vị viết in hoa (SỞ CÔNG THƯƠNG)"),
        ("Ký hiệu", "SCT-VP", "Phần sau “Số: …/”; số văn bản do văn thư ghi"),
        ("Địa danh", "Đồng Nai", "Trước “, ngày … tháng … năm …”"),
        ("Trích yếu", "V/v khẩn trương khắc phục điểm số Bộ Chỉ số phục vụ người dân, doanh nghiệp", "Bắt đầu bằng “V/v”"),
        ("Kính gửi", "Các phòng, đơn vị thuộc Sở", "Mỗi nơi nhận một dòng"),
        ("Câu kết", "Trên đây là chỉ đạo về việc khắc phục điểm số Bộ chỉ số phục vụ người dân, doanh nghiệp, đề nghị các "
                    "phòng, đơn vị nghiêm túc triển khai thực hiện./.", "Đoạn cuối của nội dung"),
        ("Nơi nhận", "Như trên", "Mỗi nơi nhận một dòng; dòng cuối là nơi lưu"),
        ("Nơi nhận", "BGĐ Sở", ""),
        ("Nơi nhận", "Lưu: VT, VP", ""),
        ("Quyền hạn ký", "", "Ví dụ “KT. GIÁM ĐỐC”; để trống khi người đứng đầu ký"),
        ("Chức vụ người ký", "GIÁM ĐỐC", "Họ tên và chữ ký do người ký điền"),
    ]
    for g in d.five_groups.groups:
        rows.append((f"Thành phần {g.label_vi}", DEPARTMENT_WORDING.get(g.key, g.label_vi),
                     "Cách đơn vị ghi tên thành phần trong công văn" if g.key == d.common_groups[0] else ""))
    return rows


@dataclass(frozen=True)
class Letterhead:
    """What the template sets: who issues, to whom, who receives a copy, who signs, and the wording."""

    parent_body: str
    issuing_body: str | None
    code: str
    place: str
    subject: str
    addressees: tuple[str, ...]
    closing: str
    recipients: tuple[str, ...]
    signer_authority: str
    signer_title: str
    component_labels: dict = field(default_factory=dict)


class TemplateError(ValueError):
    """A memo template that cannot be read."""


def read_template(path: str | Path | None = None) -> Letterhead:
    """The letterhead of a template CSV (the shipped one by default; built-in rows when it is missing)."""
    path = Path(path) if path else TEMPLATE_FILE
    if path.exists():
        try:
            with open(path, encoding="utf-8-sig", newline="") as fh:
                sample = fh.read()
            first = sample.splitlines()[0] if sample else ""
            delimiter = max((",", ";", "\t"), key=first.count)
            rows = list(csv.reader(io.StringIO(sample), delimiter=delimiter))[1:]
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise TemplateError(str(exc)) from exc
    else:
        rows = [list(r) for r in template_rows()]
    items: dict[str, list[str]] = {}
    for r in rows:
        if not r or not r[0].strip():
            continue
        items.setdefault(fold(r[0]), []).append(nfc(r[1]) if len(r) > 1 and r[1].strip() else "")

    def one(name, default=""):
        values = [v for v in items.get(fold(name), []) if v]
        return values[0] if values else default

    def many(name):
        return tuple(v for v in items.get(fold(name), []) if v)

    d = load_definition()
    labels = {g.key: one(f"Thành phần {g.label_vi}", g.label_vi) for g in d.five_groups.groups}
    return Letterhead(parent_body=one("Cơ quan chủ quản"), issuing_body=one("Cơ quan ban hành") or None,
                      code=one("Ký hiệu"), place=one("Địa danh"), subject=one("Trích yếu"),
                      addressees=many("Kính gửi"), closing=one("Câu kết"), recipients=many("Nơi nhận"),
                      signer_authority=one("Quyền hạn ký"), signer_title=one("Chức vụ người ký"),
                      component_labels=labels)


@dataclass(frozen=True)
class MemoTask:
    """A task as the memo states it (loaded, proposed from the findings, or edited by the user)."""

    department: str
    text: str
    due_date: date | None = None
    due_text: str | None = None
    metric_label: str | None = None
    value_text: str | None = None
    period: str | None = None
    proposed: bool = False
    illustrative: bool = False


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the body: ``kind`` is 'text' (indented, justified), 'line' (a results line) or 'note'."""

    text: str
    kind: str = "text"
    illustrative: bool = False


@dataclass
class Memo:
    """Everything the Word file shows, as text."""

    unit: str
    unit_id: str
    period: str
    issued: date
    lang: str
    letterhead: Letterhead
    issuing_body: str
    number_line: str
    place_date: str
    body: list[Paragraph]
    tasks: list[MemoTask]
    illustrative: bool

    def texts(self) -> list[str]:
        """Every line of the memo in reading order (for a quick look and for tests)."""
        lh = self.letterhead
        head = [lh.parent_body, self.issuing_body, self.number_line, lh.subject, tr("memo.country", self.lang),
                tr("memo.motto", self.lang), self.place_date]
        return head + [p.text for p in self.body] + [lh.signer_title]


def _safe(text) -> str:
    """Data text as it goes into the memo: NFC, single-spaced, never a formula."""
    return neutralise_formula(nfc(text)) if isinstance(text, str) else ""


def _mark(text: str, illustrative: bool, lang: str) -> str:
    return text + (tr("memo.illustrative_mark", lang) if illustrative else "")


def _document_cited(scores: pd.DataFrame) -> str | None:
    """The document that published the period's total (without the note of where it was quoted)."""
    rows = scores[(scores["component"] == "total") & scores["source"].notna() & ~scores["illustrative"].astype(bool)]
    if rows.empty:
        return None
    text = str(rows["source"].iloc[0])
    text = re.sub(r"\s*\((?:trích|trich)[^)]*\)\s*$", "", text)
    return "Văn bản số " + text[3:] if text.startswith("VB ") else text


def memo_content(con, period: str, unit_id: str, *, issued: date | None = None, lang: str = "vi",
                 letterhead: Letterhead | None = None, tasks: list[MemoTask] | None = None,
                 propose: bool = False) -> Memo:
    """The memo for one unit and period: letterhead, results, change, gaps, findings, tasks (``tasks`` None: the
    loaded tasks of that period, plus the proposed ones when ``propose``)."""
    from analytics.analyses.changes import score_changes
    from analytics.analyses.gaps import component_gaps
    from analytics.analyses.scores import unit_scores
    from analytics.brief.findings import meeting_brief
    from analytics.units import unit_name

    d = load_definition()
    lh = letterhead or read_template()
    issued = issued or date.today()
    unit = unit_name(con, unit_id)
    plabel = period_label(period, lang)
    scores = labelled(unit_scores(con, period=period, unit_id=unit_id), lang)
    gaps = labelled(component_gaps(con, period, unit_id), lang)
    changes = labelled(score_changes(con, period, unit_id), lang)
    findings = meeting_brief(con, period, unit_id, lang)
    label = lambda key: lh.component_labels.get(key) or d.common_label(key, lang)  # noqa: E731
    if lang == "en":
        label = lambda key: d.common_label(key, lang)  # noqa: E731
    body: list[Paragraph] = []
    document = _document_cited(scores)
    safe_unit = _safe(unit)
    body.append(Paragraph(tr("memo.intro_doc", lang, unit=safe_unit, document=_safe(document), period=_lower_period(plabel, lang))
                          if document else tr("memo.intro", lang, unit=safe_unit, period=_lower_period(plabel, lang))))
    by_key = {r["component"]: r for r in gaps.to_dict("records")}
    for key in d.common_groups:
        r = by_key.get(key)
        if r is None:
            continue
        if pd.isna(r["score_points"]):
            body.append(Paragraph(tr("memo.line_unknown", lang, label=label(key)), "line"))
            continue
        text = tr("memo.line", lang, label=label(key), score=fmt_points(r["score_points"], lang),
                  max=fmt_number(r["max_points"], 0, lang))
        body.append(Paragraph(_mark(text, bool(r["illustrative"]), lang), "line", bool(r["illustrative"])))
    total = by_key.get("total")
    if total is not None and pd.notna(total["score_points"]):
        ill = bool(total["illustrative"])
        body.append(Paragraph(_mark(tr("memo.line_total", lang, score=fmt_points(total["score_points"], lang),
                                       max=fmt_number(total["max_points"], 0, lang)), ill, lang), "line", ill))
        grade = d.grade_for(float(total["score_points"]))
        body.append(Paragraph(_mark(tr("memo.line_grade", lang, grade=grade.label(lang)), ill, lang), "line", ill))
    elif total is not None:
        body.append(Paragraph(tr("memo.line_unknown", lang, label=tr("tile.total", lang)), "line"))
    grade_finding = next((f for f in findings if f.key == "grade"), None)
    if grade_finding and grade_finding.figures.get("points_to_next_grade") is not None:
        nxt = d.grade_by_label(grade_finding.figures["next_grade"])
        body.append(Paragraph(_mark(tr("memo.next_grade", lang, points=fmt_points(grade_finding.figures["points_to_next_grade"], lang),
                                       grade=grade_finding.figures["next_grade"],
                                       min=fmt_number(nxt.min_points if nxt else None, 0, lang)),
                                    grade_finding.illustrative, lang), illustrative=grade_finding.illustrative))
    change = _change_paragraph(changes, label, lang)
    if change:
        body.append(change)
    gap = _gap_paragraph(gaps, label, lang)
    if gap:
        body.append(gap)
    rest = [f for f in findings if f.key not in COVERED_BY_THE_BODY]
    if rest:
        body.append(Paragraph(tr("memo.findings", lang)))
        body += [Paragraph("- " + _safe(f.text), "line", f.illustrative) for f in rest]
    if tasks is None:
        tasks = loaded_tasks(con, period, unit_id, lang) + (proposed_tasks(con, period, unit_id, lang) if propose else [])
    # a component a task should move is named the way the rest of the memo names it
    wording = {d.common_label(k, lang): label(k) for k in d.common_groups}
    tasks = [MemoTask(**{**t.__dict__, "metric_label": wording.get(t.metric_label, t.metric_label)}) for t in tasks]
    body.append(Paragraph(tr("memo.tasks_intro", lang, unit=safe_unit)))
    body += _task_paragraphs(tasks, lang)
    if lh.closing:
        body.append(Paragraph(_safe(lh.closing)))
    illustrative = any(p.illustrative for p in body) or any(t.illustrative for t in tasks)
    if illustrative:
        body.insert(0, Paragraph(tr("memo.illustrative_note", lang), "note", True))
    issuing = (lh.issuing_body or unit).upper()
    return Memo(unit=unit, unit_id=unit_id, period=period, issued=issued, lang=lang, letterhead=lh,
                issuing_body=_safe(issuing), number_line=tr("memo.number", lang, code=_safe(lh.code)),
                place_date=decree_date(issued, _safe(lh.place), lang), body=body, tasks=list(tasks),
                illustrative=illustrative)


def _lower_period(label: str, lang: str) -> str:
    """"Quý II/2024" as it sits inside a Vietnamese sentence: "quý II/2024"."""
    return label[:1].lower() + label[1:] if lang != "en" else label


def _change_paragraph(changes: pd.DataFrame, label, lang: str) -> Paragraph | None:
    """What changed since the previous period, from ``score_changes`` (components, then the total)."""
    if changes.empty:
        return None
    d = load_definition()
    order = {k: i for i, k in enumerate([*d.common_groups, "total"])}
    changes = changes.assign(_o=changes["component"].map(order)).sort_values("_o")
    items, missing, ill = [], [], False
    for r in changes.to_dict("records"):
        name = label(r["component"]) if r["component"] != "total" else tr("tile.total", lang).lower()
        delta = r["change_vs_previous_points"]
        if pd.isna(delta):
            if pd.notna(r["score_points"]):
                missing.append(name)
            continue
        delta = float(delta)
        ill = ill or bool(r["change_vs_previous_illustrative"])
        if delta == 0:
            items.append(tr("memo.change_same", lang, label=name, after=fmt_points(r["score_points"], lang)))
        else:
            items.append(tr("memo.change_item", lang, label=name, direction=tr("memo.up" if delta > 0 else "memo.down", lang),
                            points=fmt_points(abs(delta), lang), before=fmt_points(r["previous_points"], lang),
                            after=fmt_points(r["score_points"], lang)))
    previous = changes["previous_period"].dropna()
    if not previous.size or not (items or missing):
        return None
    prev = period_label(previous.iloc[0], lang)
    if missing:
        items.append(tr("memo.change_missing", lang, period=prev, items=", ".join(missing)))
    return Paragraph(_mark(tr("memo.change", lang, period=prev, items="; ".join(items)), ill, lang), illustrative=ill)


def _gap_paragraph(gaps: pd.DataFrame, label, lang: str) -> Paragraph | None:
    """The components holding most of the lost points (until they hold 80 % of them, at most three)."""
    parts = gaps[(gaps["component"] != "total") & gaps["gap_to_max_points"].gt(0)].sort_values(
        "gap_to_max_points", ascending=False)
    if parts.empty:
        return None
    chosen, share = [], 0.0
    for r in parts.head(3).to_dict("records"):
        chosen.append(r)
        share = round(share + float(r["share_of_lost_points_pct"] or 0), 2)
        if share >= 80:
            break
    ill = any(bool(r["illustrative"]) for r in chosen)
    items = ", ".join(tr("memo.gap_item", lang, label=label(r["component"]), score=fmt_points(r["score_points"], lang),
                         max=fmt_number(r["max_points"], 0, lang), gap=fmt_points(r["gap_to_max_points"], lang))
                      for r in chosen)
    return Paragraph(_mark(tr("memo.gaps", lang, items=items, share=fmt_pct(share, lang)), ill, lang), illustrative=ill)


def _value_text(value, unit: str | None, lang: str) -> str | None:
    if value is None or pd.isna(value):
        return None
    if unit == "points":
        return f"{fmt_points(value, lang)} {tr('common.points', lang)}"
    if unit == "pct":
        return fmt_pct(value, lang)
    return fmt_count(value, lang)


def loaded_tasks(con, period: str, unit_id: str, lang: str = "vi") -> list[MemoTask]:
    """The tasks loaded for the unit and period, each with its metric's value when given (``task_followup``)."""
    from analytics.analyses.tasks import task_followup

    df = labelled(task_followup(con, period, unit_id, through=period), lang)
    return [MemoTask(department=r["department"], text=r["task_text"], due_date=r["due_date"],
                     due_text=r["due_text"] if isinstance(r["due_text"], str) else None,
                     metric_label=r["metric_label"],
                     value_text=_value_text(r["value_at_assignment"], r["value_unit"], lang), period=r["period"],
                     illustrative=bool(r["illustrative"]))
            for r in df.to_dict("records")]


def proposed_tasks(con, period: str, unit_id: str, lang: str = "vi", *, max_departments: int = 3,
                   procedures_each: int = 3) -> list[MemoTask]:
    """Tasks the findings suggest: the offices holding the digitization shortfall (``department_shortfall``), each
    asked to digitize its top procedures (``shortfall_pareto``), due at the end of the next quarter."""
    from analytics.analyses.explain import department_shortfall, shortfall_pareto
    from analytics.analyses.gaps import component_gaps
    from analytics.brief.findings import _filings_illustrative

    for source in ("portal", "own"):
        try:
            offices = labelled(department_shortfall(con, period, unit_id, DIGITIZATION_CODE, count_source=source), lang)
            procs = labelled(shortfall_pareto(con, period, unit_id, DIGITIZATION_CODE, count_source=source), lang)
        except (KeyError, ValueError, LookupError):
            return []
        if len(offices):
            break
    else:
        return []
    gaps = labelled(component_gaps(con, period, unit_id), lang)
    digit = gaps[gaps["component"] == "digitization"]
    value = _value_text(digit["score_points"].iloc[0], "points", lang) if len(digit) else None
    illustrative = _filings_illustrative(con, period, unit_id)
    due = _end_of_next_quarter(period)
    src = tr(f"source.{source}", lang)
    out = []
    for office in offices[offices["in_first_80_pct"]].head(max_departments).to_dict("records"):
        mine = procs[procs["department"] == office["department"]].head(procedures_each)
        if mine.empty:
            continue
        items = ", ".join(tr("memo.propose_item", lang, name=_safe(r["procedure_name"]),
                             count=fmt_count(r["shortfall_filings"], lang)) for r in mine.to_dict("records"))
        share = round(100.0 * float(mine["shortfall_filings"].sum()) / float(office["shortfall_filings"]), 2)
        out.append(MemoTask(department=office["department"],
                            text=tr("memo.propose_digitization", lang, items=items, share=fmt_pct(share, lang), source=src),
                            due_date=due, metric_label=load_definition().common_label("digitization", lang),
                            value_text=value, period=period, proposed=True, illustrative=illustrative))
    return out


def _end_of_next_quarter(period: str) -> date | None:
    if len(period) != 6 or period[4] != "Q":
        return None
    year, q = int(period[:4]), int(period[5])
    nxt = f"{year + 1}Q1" if q == 4 else f"{year}Q{q + 1}"
    return date.fromisoformat(quarter_dates(nxt)[1])


def _task_paragraphs(tasks: list[MemoTask], lang: str) -> list[Paragraph]:
    """Tasks grouped by office, numbered as the department numbers them ("1. Giao Thanh tra Sở:")."""
    if not tasks:
        return [Paragraph(tr("memo.no_tasks", lang))]
    groups: dict[str, list[MemoTask]] = {}
    for t in tasks:
        groups.setdefault(_safe(t.department) or "—", []).append(t)
    out = []
    for n, (office, items) in enumerate(groups.items(), 1):
        out.append(Paragraph(tr("memo.task_group", lang, n=str(n), department=office)))
        for t in items:
            prefix = tr("memo.proposed", lang) if t.proposed else ""
            out.append(Paragraph(_mark("- " + prefix + _safe(t.text).rstrip(".;") + ".", t.illustrative, lang), "line",
                                 t.illustrative))
            extra = []
            if t.metric_label and t.value_text and t.period:
                extra.append(tr("memo.task_metric", lang, label=_safe(t.metric_label), period=period_label(t.period, lang),
                                value=t.value_text))
            elif t.metric_label:
                extra.append(tr("memo.task_metric_only", lang, label=_safe(t.metric_label)))
            if t.due_date or t.due_text:
                due = fmt_date(t.due_date) if t.due_date else _safe(t.due_text)
                if t.due_text and t.due_date and fold(t.due_text) != fold(fmt_date(t.due_date)):
                    due = f"{_safe(t.due_text)} ({fmt_date(t.due_date)})"
                extra.append(tr("memo.task_due", lang, due=due))
            if extra:
                out.append(Paragraph(" ".join(extra)))
    return out



# --- the Word file ---------------------------------------------------------------------------------------

def memo_docx(memo: Memo) -> bytes:
    """The memo as a .docx: A4, the decree's margins, Times New Roman, the two header blocks side by side, the
    body justified with a first-line indent, "Nơi nhận:" and the signature block side by side."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Mm, Pt, RGBColor

    lang, lh = memo.lang, memo.letterhead
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance = section.footer_distance = Mm(10)
    width_mm = 210 - MARGINS_MM["left"] - MARGINS_MM["right"]
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(BODY_PT)
    _fonts(normal.element, "Times New Roman")
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    doc.core_properties.title = lh.subject
    doc.core_properties.author = memo.issuing_body
    doc.core_properties.comments = ""

    def para(container, text="", *, size=BODY_PT, bold=False, italic=False, align=None, indent_mm=None,
             before=0, after=0, red=False):
        p = container.add_paragraph()
        if text:
            run = p.add_run(text)
            run.font.size, run.font.bold, run.font.italic = Pt(size), bold, italic
            if red:
                run.font.color.rgb = RGBColor(0xB0, 0x00, 0x00)
        else:
            p.paragraph_format.line_spacing = Pt(size)
        f = p.paragraph_format
        f.space_before, f.space_after = Pt(before), Pt(after)
        if align is not None:
            p.alignment = align
        if indent_mm is not None:
            f.first_line_indent = Mm(indent_mm)
        return p

    center, justify = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY
    # the header: issuing body (left) and national motto (right), then number and subject / place and date
    left_mm, right_mm = 68, width_mm - 68
    head = doc.add_table(rows=2, cols=2)
    head.autofit = False
    _widths(head, [left_mm, right_mm])
    c = head.cell(0, 0)
    c.paragraphs[0].text = ""
    _first(c, lh.parent_body.upper(), size=13, align=center)
    para(c, memo.issuing_body, size=13, bold=True, align=center)
    _rule(para(c, size=2, align=center), left_mm, 0.4)
    c = head.cell(0, 1)
    _first(c, tr("memo.country", lang), size=12, bold=True, align=center)
    para(c, tr("memo.motto", lang), size=13, bold=True, align=center)
    _rule(para(c, size=2, align=center), right_mm, 0.62)
    c = head.cell(1, 0)
    _first(c, memo.number_line, size=13, align=center, before=4)
    para(c, _safe(lh.subject), size=12, align=center, before=2)
    c = head.cell(1, 1)
    _first(c, memo.place_date, size=14, italic=True, align=center, before=4)
    para(doc, "", size=10)
    # Kính gửi
    to = tr("memo.to", lang)
    if len(lh.addressees) <= 1:
        addressee = _safe(lh.addressees[0]).rstrip(".") + "." if lh.addressees else ""
        para(doc, f"{to} {addressee}", align=center, before=6, after=6)
    else:
        para(doc, to, align=center, before=6)
        for i, a in enumerate(lh.addressees):
            p = para(doc, "- " + _safe(a).rstrip(".;") + (";" if i < len(lh.addressees) - 1 else "."))
            p.paragraph_format.left_indent = Mm(60)
        para(doc, "", size=6)
    # the body
    for p in memo.body:
        if p.kind == "note":
            para(doc, p.text, size=12, italic=True, align=justify, after=6, red=True)
            continue
        q = para(doc, p.text, align=justify, indent_mm=12.7, before=0, after=6)
        q.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        if p.illustrative:
            for run in q.runs:
                run.font.color.rgb = RGBColor(0x7A, 0x4B, 0x00)
    # Nơi nhận (left) and the signature block (right)
    para(doc, "", size=8)
    foot = doc.add_table(rows=1, cols=2)
    foot.autofit = False
    _widths(foot, [80, width_mm - 80])
    c = foot.cell(0, 0)
    _first(c, tr("memo.recipients", lang), size=12, bold=True, italic=True)
    for i, r in enumerate(lh.recipients):
        para(c, "- " + _safe(r).rstrip(".;") + (";" if i < len(lh.recipients) - 1 else "."), size=11)
    c = foot.cell(0, 1)
    first = True
    for line in (lh.signer_authority, lh.signer_title):
        if line:
            (_first if first else para)(c, _safe(line).upper(), size=14, bold=True, align=center)
            first = False
    for _ in range(4):
        para(c, "", size=14)
    para(c, tr("memo.signer_name", lang), size=14, bold=True, align=center)
    # page numbers from the second page, centred in the top margin (Decree 30/2020, Appendix I, 10)
    section.different_first_page_header_footer = True
    header_p = section.header.paragraphs[0]
    header_p.alignment = center
    _page_field(header_p)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _fonts(element, name: str) -> None:
    """Set the font for every script (Latin, East Asian, complex), so Word never substitutes one."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _widths(table, widths_mm) -> None:
    from docx.shared import Mm

    for row in table.rows:
        for cell, w in zip(row.cells, widths_mm):
            cell.width = Mm(w)
    for col, w in zip(table.columns, widths_mm):
        col.width = Mm(w)


def _first(cell, text, **kwargs):
    """Write into a cell's first (empty) paragraph."""
    from docx.shared import Pt

    p = cell.paragraphs[0]
    run = p.add_run(text)
    run.font.size = Pt(kwargs.get("size", BODY_PT))
    run.font.bold = kwargs.get("bold", False)
    run.font.italic = kwargs.get("italic", False)
    if kwargs.get("align") is not None:
        p.alignment = kwargs["align"]
    p.paragraph_format.space_before = Pt(kwargs.get("before", 0))
    return p


def _rule(paragraph, column_mm: float, share: float) -> None:
    """The short solid line under the issuing body and the motto: a bottom border ``share`` of the column wide."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    side = (column_mm * (1 - share)) / 2
    paragraph.paragraph_format.left_indent = Mm(side)
    paragraph.paragraph_format.right_indent = Mm(side)
    ppr = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(k), v)
    border.append(bottom)
    ppr.append(border)


def _page_field(paragraph) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    field_ = OxmlElement("w:fldSimple")
    field_.set(qn("w:instr"), "PAGE")
    paragraph._p.append(field_)


def memo_file_name(unit_id: str, period: str) -> str:
    """``cong-van-so-cong-thuong-2024Q2.docx``."""
    return f"cong-van-{re.sub(r'[^A-Za-z0-9]+', '-', fold(unit_id)).strip('-')}-{period}.docx"


def docx_texts(data: bytes) -> list[str]:
    """Every paragraph's text of a .docx, tables included, in reading order (to read a memo back)."""
    from docx import Document

    doc = Document(io.BytesIO(data))
    out = []
    for block in doc.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out.append("".join(t.text or "" for t in block.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            for tc in block.iter():
                if tc.tag.endswith("}tc"):
                    for p in tc.iter():
                        if p.tag.endswith("}p"):
                            out.append("".join(t.text or "" for t in p.iter() if t.tag.endswith("}t")))
    return out


def tasks_frame(tasks: list[MemoTask]) -> pd.DataFrame:
    """Tasks as the table a person edits before export (one row per task)."""
    cols = ["department", "text", "due_date", "due_text", "metric_label", "value_text", "period", "proposed", "illustrative"]
    return pd.DataFrame([{c: getattr(t, c) for c in cols} for t in tasks], columns=cols)


def tasks_from_frame(df: pd.DataFrame) -> list[MemoTask]:
    """The edited table back as tasks (rows without an office or a text are dropped)."""
    out = []
    for r in df.to_dict("records"):
        office, text = r.get("department"), r.get("text")
        if not isinstance(office, str) or not office.strip() or not isinstance(text, str) or not text.strip():
            continue
        due = r.get("due_date")
        due = None if due is None or (not isinstance(due, date) and pd.isna(due)) else \
            (due.date() if isinstance(due, pd.Timestamp) else due)
        opt = lambda k: r.get(k) if isinstance(r.get(k), str) and r.get(k).strip() else None  # noqa: E731
        out.append(MemoTask(department=office.strip(), text=text.strip(), due_date=due, due_text=opt("due_text"),
                            metric_label=opt("metric_label"), value_text=opt("value_text"), period=opt("period"),
                            proposed=bool(r.get("proposed")) if pd.notna(r.get("proposed")) else False,
                            illustrative=bool(r.get("illustrative")) if pd.notna(r.get("illustrative")) else False))
    return out


def memo_tasks(con, period: str, unit_id: str, lang: str = "vi") -> pd.DataFrame:
    """The loaded tasks of the period followed by the proposed ones, as the editable table."""
    return tasks_frame(loaded_tasks(con, period, unit_id, lang) + proposed_tasks(con, period, unit_id, lang))


def memo_bytes(con, period: str, unit_id: str, issued: str, lang: str = "vi", tasks_json: str | None = None) -> bytes:
    """The .docx for a date of issue (ISO) and tasks given as the editable table's JSON (None: loaded tasks)."""
    tasks = None
    if tasks_json is not None:
        frame = pd.read_json(io.StringIO(tasks_json), orient="records", convert_dates=False, dtype=False)
        if "due_date" in frame:
            frame["due_date"] = [date.fromisoformat(str(v)[:10]) if isinstance(v, str) and v else None
                                 for v in frame["due_date"]]
        tasks = tasks_from_frame(frame)
    return memo_docx(memo_content(con, period, unit_id, issued=date.fromisoformat(issued), lang=lang, tasks=tasks))
