"""Building blocks of the pages: score tiles, the illustrative badge, charts with their table and downloads.

Tables on screen carry translated headers and Vietnamese-formatted numbers (text, never HTML); their
downloads carry the numbers themselves, the same headers and an "Illustrative" column.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from typing import Callable

import pandas as pd
import streamlit as st

from analytics import settings
from analytics.definition import load_definition
from analytics.dashboard.text import current_language, t
from analytics.i18n import translate
from analytics.formatting import BLANK, fmt_count, fmt_number, fmt_pct, fmt_points, fmt_pp
from analytics.periods import PeriodError, period_label


def illustrative_badge() -> None:
    """The orange "Minh họa" badge."""
    st.badge(t("common.illustrative"), icon=":material/science:", color="orange")


def safe_text(text) -> str:
    """Text from the data shown as Markdown without being interpreted: formatting characters, brackets (links,
    colour directives), HTML angle brackets and a leading list or heading mark are escaped."""
    s = re.sub(r"([\\`*_\[\]<>|~$])", r"\\\1", str(text))
    s = re.sub(r"^(\s*)(\d+)\.", r"\1\2\\.", s)
    return re.sub(r"^(\s*)([-+#])", r"\1\\\2", s)


# Streamlit's own widget texts are written in its browser code, in English ("Upload", "200MB per file",
# "No results", "Error: …"). In Vietnamese they are hidden and ours shown in their place (CSS only: the widget
# still works the same). The selectors are those of Streamlit 1.67's frontend.
_BROWSER_CSS = """
[data-testid="stFileUploaderDropzoneInstructions"] > * {{ display: none !important; }}
[data-testid="stFileUploaderDropzoneInstructions"]::after {{ content: "{instructions}"; font-size: 0.875rem;
  opacity: 0.75; }}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"],
[data-testid="stFileUploaderDropzone"] button span:not([data-testid="stIconMaterial"]) {{ display: none !important; }}
[data-testid="stFileUploaderDropzone"] button::after {{ content: "{button}"; font-size: 0.875rem; }}
[data-testid="stFileUploaderDropzone"] > div:not([data-testid]):not(:has(button)) {{ font-size: 0 !important; }}
[data-testid="stFileUploaderDropzone"] > div:not([data-testid]):not(:has(button))::after {{ content: "{drop}";
  font-size: 1rem; }}
[data-testid="stFileChip"] [role="alert"] {{ font-size: 0 !important; }}
[data-testid="stFileChip"] [role="alert"]::after {{ content: "{chip_error}"; font-size: 0.875rem; }}
[role="listbox"] [role="option"][style*="contents"] > * {{ font-size: 0 !important; }}
[role="listbox"] [role="option"][style*="contents"] > *::after {{ content: "{no_results}"; font-size: 0.875rem; }}
"""


def _css_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


# Streamlit's accessible labels, tooltips and status texts (aria-label, title, placeholder, Plotly's data-title,
# a file's size, the date box's calendar) are written by its browser code in English; CSS cannot reach them. A
# small script replaces each with its Vietnamese text (TEXT's "browser.ui.*": English side → Vietnamese side),
# now and whenever Streamlit adds or changes one (a MutationObserver on the page); in English it puts back the
# originals and stops. It lives in a container that takes no room (display: none), so the layout is unchanged.
BROWSER_KEY = "browser_texts"
_UI_ATTRS = ("aria-label", "title", "placeholder", "data-title", "aria-valuetext", "aria-description", "alt",
             "aria-roledescription")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _js_escape(text: str) -> str:
    return re.sub(r"[.*+?^${}()|\[\]\\/]", r"\\\g<0>", text)


def ui_texts() -> dict:
    """Streamlit's English texts and their Vietnamese ones: exact texts, and patterns (a JavaScript regular
    expression over the whole text, its named parts kept or translated in turn)."""
    from analytics.i18n import TEXT

    names = lambda keys: "|".join(_js_escape(TEXT[f"browser.ui.{k}"][1]) for k in keys)  # noqa: E731
    classes = {"n": r"\d+", "day": r"\d{1,2}", "year": r"\d{4}", "num": r"\d+(?:\.\d+)?",
               "size": r"\d+(?:\.\d+)?(?:B|KB|MB|GB)", "month": names(_MONTHS), "weekday": names(_WEEKDAYS)}
    exact, patterns = {}, []
    for key, (vi, en) in TEXT.items():
        if not key.startswith("browser.ui.") or (vi == en and "{" not in en):
            continue
        if "{" not in en:
            exact[en] = vi
            continue
        source = "".join(f"(?<{m[1:-1]}>{classes.get(m[1:-1], '.+?')})" if re.fullmatch(r"\{\w+\}", m)
                         else _js_escape(m) for m in re.split(r"(\{\w+\})", en) if m)
        patterns.append([f"^{source}$", vi])
    return {"attrs": list(_UI_ATTRS), "exact": exact, "patterns": patterns}


_BROWSER_JS = r"""
(() => {
  const data = __DATA__;
  const S = window.__analyticsTexts || (window.__analyticsTexts = {done: [], observer: null});
  const restore = () => {
    for (const [node, attr, orig, vi] of S.done) {
      if (attr === null) { if (node.nodeValue === vi) node.nodeValue = orig; }
      else if (node.getAttribute && node.getAttribute(attr) === vi) node.setAttribute(attr, orig);
    }
    S.done = [];
    if (S.observer) { S.observer.disconnect(); S.observer = null; }
  };
  if (data.lang === "en") { restore(); return; }
  const exact = new Map(Object.entries(data.exact));
  const patterns = data.patterns.map(([source, vi]) => [new RegExp(source), vi]);
  const tr = (text) => {
    const hit = exact.get(text);
    if (hit !== undefined) return hit;
    for (const [re, vi] of patterns) {
      const m = re.exec(text);
      if (m) return vi.replace(/\{(\w+)\}/g, (_, g) => {
        const v = m.groups[g];
        return g === "num" ? v.replace(".", ",") : (tr(v) ?? v);
      });
    }
    return null;
  };
  const SKIP = "svg, code, pre, textarea, script, style, [contenteditable]";
  const attrOf = (e, a) => {
    const v = e.getAttribute(a);
    if (!v || !/[A-Za-z]/.test(v)) return;
    const vi = tr(v.trim());
    if (vi !== null && vi !== v) { S.done.push([e, a, v, vi]); e.setAttribute(a, vi); }
  };
  const textOf = (n) => {
    const v = n.nodeValue;
    if (!v || v.length > 120 || !/[A-Za-z]/.test(v)) return;
    const p = n.parentElement;
    if (!p || p.closest(SKIP)) return;
    const vi = tr(v.trim());
    if (vi === null) return;
    const out = v.replace(v.trim(), vi);
    if (out !== v) { S.done.push([n, null, v, out]); n.nodeValue = out; }
  };
  const selector = data.attrs.map((a) => `[${a}]`).join(",");
  const visit = (root) => {
    if (root.nodeType === 3) { textOf(root); return; }
    if (root.nodeType !== 1) return;
    for (const a of data.attrs) if (root.hasAttribute(a)) attrOf(root, a);
    for (const e of root.querySelectorAll(selector)) for (const a of data.attrs) if (e.hasAttribute(a)) attrOf(e, a);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) textOf(n);
  };
  if (S.observer) S.observer.disconnect();
  if (S.done.length > 2000) S.done = S.done.filter(([node]) => node.isConnected);
  visit(document.body);
  S.observer = new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "attributes") attrOf(r.target, r.attributeName);
      else if (r.type === "characterData") textOf(r.target);
      else r.addedNodes.forEach(visit);
    }
  });
  S.observer.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true,
                                     attributeFilter: data.attrs});
})();
"""


def browser_texts(lang: str) -> None:
    """Replace Streamlit's built-in English widget texts with Vietnamese ones: the visible ones (uploader, empty
    search) by CSS, the accessible labels, tooltips and status texts by a script (``ui_texts``)."""
    import json

    hide = (f".st-key-{BROWSER_KEY}, [data-testid=\"stLayoutWrapper\"]:has(> .st-key-{BROWSER_KEY}), "
            f"[data-testid=\"stElementContainer\"]:has(> .st-key-{BROWSER_KEY}) {{ display: none !important; }}")
    data = {"lang": lang, **(ui_texts() if lang != "en" else {})}
    # no "<" in the script: the page's HTML cleaner drops a script whose text holds "<" before a letter or "/"
    script = _BROWSER_JS.replace("__DATA__", json.dumps(data, ensure_ascii=False).replace("<", "\\u003c"))
    if lang == "en":
        st.html(f"<style>{hide}</style>")
    else:
        limit = settings.upload_limit_mb()
        texts = {name: _css_text(translate(f"browser.{name}", lang, mb=limit))
                 for name in ("instructions", "button", "drop", "chip_error", "no_results")}
        st.html(f"<style>{hide}\n{_BROWSER_CSS.format(**texts)}</style>")
    with st.container(key=BROWSER_KEY):
        st.html(f"<script>{script}</script>", unsafe_allow_javascript=True)


def read_whole_number(text, lang: str = "vi") -> int | None:
    """A whole number as a person types it: "2.360", "2360", "2 360" (and "2,360" in English) → 2360; None
    when the text is not a whole number ("abc", "2,5", blank)."""
    from analytics.parsing import NumberError, parse_count

    text = str(text or "").strip()
    if lang == "en":
        text = text.replace(",", "")
    try:
        return parse_count(text)
    except (NumberError, ValueError):
        return None


def _tidy_number(key: str, lang: str) -> None:
    """Once typed, a valid number is written back the reader's way (2360 → 2.360)."""
    n = read_whole_number(st.session_state.get(key), lang)
    if n is not None:
        st.session_state[key] = fmt_count(n, lang)


def whole_number(container, label: str, *, low: int, high: int, value: int, key: str) -> int:
    """A whole number typed in a box and read here, shown with thousands grouped (2.360, not Streamlit's
    number box's 2360): text that is not a whole number keeps the last good value, a number outside
    low…high is brought to the nearer end; a note in the person's language says so."""
    lang = current_language()
    last, shown_in = f"_{key}_last", f"_{key}_lang"
    if key not in st.session_state:
        st.session_state[key] = fmt_count(int(value), lang)
    elif st.session_state.get(shown_in) != lang and last in st.session_state:  # the language changed: 2.360 ↔ 2,360
        st.session_state[key] = fmt_count(st.session_state[last], lang)
    st.session_state[shown_in] = lang
    container.text_input(label, key=key, on_change=_tidy_number, args=(key, lang))
    n = read_whole_number(st.session_state[key], lang)
    if n is None:
        n = int(st.session_state.get(last, value))
        container.caption(t("common.not_whole_number", text=str(st.session_state[key]), used=fmt_count(n, lang)))
    st.session_state[last] = n
    if low <= n <= high:
        return n
    used = min(max(n, low), high)
    container.caption(t("common.out_of_range", low=fmt_count(low, lang), high=fmt_count(high, lang),
                        used=fmt_count(used, lang)))
    return used


def present(v) -> bool:
    """True for a real value (not None, NaN or NA)."""
    if v is None:
        return False
    try:
        return not bool(pd.isna(v))
    except (TypeError, ValueError):
        return True


@contextlib.contextmanager
def section(title: str | None = None, caption: str | None = None):
    """A titled part of a page whose analysis may be missing or fail without breaking the page."""
    if title:
        st.subheader(title)
    if caption:
        st.caption(caption)
    try:
        yield
    except Exception as exc:  # one failing analysis must not take the page down
        if settings.dashboard_debug():
            raise
        st.warning(t("common.failed", error=type(exc).__name__), icon=":material/error:")
        with st.expander("…"):
            st.text(str(exc)[:2000])


def level_label(level) -> str:
    """A unit level (department, district, commune, province) as shown."""
    from analytics.i18n import TEXT

    return t(f"level.{level}") if f"level.{level}" in TEXT else (str(level) if present(level) else t("level.other"))


def pick_component(key: str, scores: pd.DataFrame, unit_id: str, period: str, lang: str, label: str) -> str:
    """A component picker whose first default is the component losing the most points."""
    from analytics.definition import load_definition

    d = load_definition()
    options = list(d.common_groups)
    if st.session_state.get(key) not in options:
        s = scores[(scores["unit_id"] == unit_id) & (scores["period"] == period) & (scores["component"] != "total")]
        s = s.dropna(subset=["gap_to_max"])
        st.session_state[key] = s.sort_values("gap_to_max", ascending=False)["component"].iloc[0] if len(s) else options[0]
    return st.radio(label, options, key=key, horizontal=True, format_func=lambda c: d.common_label(c, lang))


# --- tiles ------------------------------------------------------------------------------------------------

def _delta(value, lang: str, unit: str = "points"):
    """(delta text, arrow, colour) for a change; the minus sign is the typographic one (−3,03)."""
    if value is None or pd.isna(value):
        return None, "off", "off"
    v = float(value)
    text = fmt_number(v, 2, lang, signed=True)
    key = {"points": "tile.delta_points", "pp": "tile.delta_pp", "count": "tile.count_delta"}[unit]
    label = translate(key, lang, value=text)
    if round(v, 2) == 0:
        return label, "off", "gray"
    return label, ("up" if v > 0 else "down"), ("green" if v > 0 else "red")


def score_tile(row: dict, lang: str) -> None:
    """One component (or the total): score / max, change versus the previous period and last year, gap, target."""
    with st.container(border=True):
        score, mx = row["score_points"], row["max_points"]
        known = score is not None and not pd.isna(score)
        value = translate("tile.value", lang, score=fmt_points(score, lang), max=fmt_points(mx, lang)) if known \
            else t("tile.unknown")
        delta, arrow, color = _delta(row.get("change_vs_previous_points"), lang)
        prev = row.get("previous_period")
        st.metric(
            row["component_label"], value, delta=delta, delta_arrow=arrow, delta_color=color,
            delta_description=translate("tile.vs_prev", lang, period=period_label(prev, lang)) if delta and prev else None,
            help=t("common.source", source=row.get("source") or "—"),
        )
        if row.get("illustrative"):
            illustrative_badge()
        elif delta and bool(row.get("change_vs_previous_illustrative")):  # a published score, an invented earlier side
            st.caption(safe_text(t("tile.change_illustrative")))
        if known and mx:
            st.progress(max(0.0, min(1.0, float(score) / float(mx))))
        lines = []
        if delta is None and present(row.get("change_vs_previous_reason")):
            lines.append(str(row["change_vs_previous_reason"]))
        ly = row.get("change_vs_last_year_points")
        if ly is not None and not pd.isna(ly):
            lines.append(t("tile.last_year", period=period_label(row["last_year_period"], lang),
                           value=_delta(ly, lang)[0]) + _mark(row.get("change_vs_last_year_illustrative")))
        elif present(row.get("change_vs_last_year_reason")):
            lines.append(str(row["change_vs_last_year_reason"]))
        gap = row.get("gap_to_max_points")
        if known and gap is not None and not pd.isna(gap):
            lines.append(t("tile.full") if float(gap) <= 0 else t("tile.gap", gap=fmt_points(gap, lang)))
        tgt = row.get("target_points")
        if tgt is not None and not pd.isna(tgt):
            short = row.get("gap_to_target_points")
            status = t("tile.target_met") if short is None or pd.isna(short) or float(short) <= 0 \
                else t("tile.target_short", gap=fmt_points(short, lang))
            target_text = f"≥ {fmt_points(tgt, lang)}"
            if present(row.get("target_grade")):
                target_text += f" ({row['target_grade']})"
            text = t("tile.target", target=target_text, status=status)
            lines.append(text + _mark(row.get("gap_to_target_illustrative") or row.get("target_illustrative")))
        for line in lines:
            st.caption(safe_text(line))


def _mark(illustrative) -> str:
    """" — Minh họa" after a figure that rests on an illustrative input."""
    return f" — {t('common.illustrative')}" if present(illustrative) and bool(illustrative) else ""


def grade_tile(total: dict, outlook: pd.DataFrame | None, lang: str) -> None:
    """The grade the total earns, and what the next grade needs."""
    with st.container(border=True):
        grade = total.get("grade") or t("tile.unknown")
        st.metric(t("tile.grade"), grade, help=t("common.source", source=total.get("source") or "—"))
        if total.get("illustrative"):
            illustrative_badge()
        if outlook is not None and len(outlook):
            o = outlook.iloc[0]
            if o["next_grade"] is None or pd.isna(o["next_grade"]):
                st.caption(t("tile.top_grade"))
            else:
                st.caption(t("tile.next_grade", points=fmt_points(o["points_to_next_grade_points"], lang),
                             grade=o["next_grade"], min=fmt_points(o["next_grade_min_points"], lang)))
        if present(total.get("source")):
            st.caption(safe_text(t("common.source", source=total["source"])))
        rep = total.get("reported_grade")
        if present(rep) and isinstance(rep, str) and load_definition().grade_mismatch(
                total.get("score_points") if present(total.get("score_points")) else None, rep):
            st.caption(safe_text(t("tile.grade_reported", reported=rep)))


def rate_tile(row: dict, lang: str) -> None:
    """A filing rate (%) or count with its change in percentage points (rates) or filings (counts)."""
    with st.container(border=True):
        is_rate = row["value_unit"] == "pct"
        value = fmt_pct(row["value"], lang) if is_rate else fmt_count(row["value"], lang)
        ch = row.get("change_vs_previous_pp") if is_rate else row.get("change_vs_previous_count")
        delta, arrow, color = _delta(ch, lang, "pp" if is_rate else "count")
        if not is_rate and color in ("green", "red"):  # more overdue filings is worse
            color = "red" if color == "green" else "green"
        prev = row.get("previous_period")
        st.markdown(f"**{safe_text(row['metric_label'])}**")  # a long label wraps here instead of being cut
        st.metric(row["metric_label"], value, delta=delta, delta_arrow=arrow, delta_color=color,
                  label_visibility="collapsed")
        if delta and present(prev):
            text = translate("tile.vs_prev", lang, period=period_label(prev, lang))
            st.caption(text[:1].upper() + text[1:])
        ly = row.get("change_vs_last_year_pp") if is_rate else row.get("change_vs_last_year_count")
        if ly is not None and not pd.isna(ly):
            st.caption(t("tile.last_year", period=period_label(row["last_year_period"], lang),
                         value=fmt_pp(ly, lang) if is_rate else translate("tile.count_delta", lang,
                                                                              value=fmt_number(ly, 0, lang, signed=True)))
                       + _mark(row.get("change_vs_last_year_illustrative")))
        if row.get("illustrative"):
            illustrative_badge()


# --- tables -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Col:
    """A column of a shown table: source column, header key, and how to format it."""

    src: str
    header: str
    kind: str = "text"  # text | code | points | signed | pct | pp | count | period | flag | int | datetime | kind | status | source


def _fmt(v, kind: str, lang: str):
    if kind in ("text", "code"):
        return "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
    if v is None or (not isinstance(v, (str, bool)) and pd.isna(v)):
        return "—" if kind != "flag" else ""
    if kind == "points":
        return fmt_points(v, lang)
    if kind == "signed":
        return fmt_number(v, 2, lang, signed=True)
    if kind == "pct":
        return fmt_pct(v, lang)
    if kind == "pp":
        return fmt_pp(v, lang)
    if kind in ("count", "int"):
        return fmt_count(v, lang)
    if kind == "period":
        try:
            return ", ".join(period_label(p.strip(), lang) for p in str(v).split(",") if p.strip())
        except PeriodError:
            return str(v)
    if kind == "flag":
        return translate("common.illustrative", lang) if bool(v) else ""
    if kind == "bool":
        return translate("common.yes" if bool(v) else "common.no", lang)
    if kind == "hash":
        return str(v)[:16] + "…"
    if kind == "datetime":
        return pd.Timestamp(v).strftime("%d/%m/%Y %H:%M")
    if kind in ("kind", "status", "source"):
        return translate(f"{kind}.{v}", lang) if f"{kind}.{v}" in _keys() else str(v)
    return str(v)


def _keys():
    from analytics.i18n import TEXT

    return TEXT


def _fmt_column(values, kind: str, lang: str) -> list:
    """``_fmt`` over a column, once per distinct value (departments, states and days repeat over thousands of rows;
    the key holds the type, so 1, 1.0 and True are formatted each in its own right)."""
    cache: dict = {}
    out = []
    for v in (values.tolist() if hasattr(values, "tolist") else values):  # a whole column at once, not cell by cell
        try:
            key = (type(v), v)
            text = cache[key]
        except KeyError:
            text = cache[key] = _fmt(v, kind, lang)
        except TypeError:  # an unhashable value (a list)
            text = _fmt(v, kind, lang)
        out.append(text)
    return out


def shown(df: pd.DataFrame, cols: list[Col], lang: str) -> pd.DataFrame:
    """The table as shown: translated headers, every value formatted as text."""
    present_cols = [c for c in cols if c.src in df]
    out = pd.DataFrame({i: _fmt_column(df[c.src], c.kind, lang) for i, c in enumerate(present_cols)},
                       index=range(len(df)))
    out.columns = [translate(c.header, lang) for c in present_cols]  # duplicates kept, so a test can see them
    return out


UNIT_SUFFIX = {"pct": "unit.pct", "pp": "unit.pp", "points": "unit.points", "signed": "unit.points"}


def exported(df: pd.DataFrame, cols: list[Col], lang: str) -> pd.DataFrame:
    """The table as downloaded: translated headers, numbers kept as numbers, labels and flags as text."""
    data, headers = [], []
    for c in cols:
        if c.src not in df:
            continue
        s = df[c.src].reset_index(drop=True)
        if c.kind in ("count", "int"):  # whole numbers stay whole ("37", not "37.0")
            data.append(pd.to_numeric(s, errors="coerce").round().astype("Int64"))
        elif c.kind in ("points", "signed", "pct", "pp"):
            data.append(pd.to_numeric(s, errors="coerce").astype("Float64").round(4))
        elif c.kind == "hash":
            data.append(pd.Series([str(v) if present(v) else "" for v in s], dtype=object))
        else:
            data.append(pd.Series(_fmt_column(s, c.kind, lang), dtype=object))
        unit = UNIT_SUFFIX.get(c.kind)
        header = translate(c.header, lang)
        headers.append(f"{header} ({translate(unit, lang)})" if unit and "(" not in header else header)
    from analytics.brief.export import NUMBER_FORMATS

    out = pd.concat(data, axis=1) if data else pd.DataFrame()
    out.columns = headers
    kinds = [c.kind for c in cols if c.src in df]
    out.attrs["number_formats"] = {h: NUMBER_FORMATS[k] for h, k in zip(headers, kinds) if k in NUMBER_FORMATS}
    return out


def table(df: pd.DataFrame, cols: list[Col], lang: str, *, key: str, title: str = "", height: int | None = None) -> None:
    """A table on screen with CSV and Excel downloads next to it."""
    if df is None or df.empty:
        st.caption(t("common.no_rows"))
        return
    view = shown(df, cols, lang)
    kwargs = {"height": height} if height else {}
    # a code (SO_HOA_GIAY_TO_GIAI_QUYET) is secondary: a narrow column after its label
    narrow = {translate(c.header, lang): st.column_config.TextColumn(width="small") for c in cols
              if c.kind == "code" and c.src in df}
    if narrow:
        kwargs["column_config"] = narrow
    st.dataframe(view, hide_index=True, width="stretch", placeholder=BLANK, **kwargs)
    downloads(lambda: exported(df, cols, lang), key=key, title=title or key, lang=lang)


def first_columns(cols: list[Col], first: dict[str, int]) -> list[Col]:
    """The columns a reader needs first, in the order ``first`` names them (source column → width in pixels)."""
    by_src = {c.src: c for c in cols}
    return [by_src[s] for s in first if s in by_src]


def wide_table(df: pd.DataFrame, cols: list[Col], lang: str, *, key: str, first: dict[str, int], title: str = "",
               height: int | None = None) -> None:
    """A wide table fitted to a 1280 px screen: the columns ``first`` names, at their widths (pixels), shown
    first; every column one click away in an expander; the downloads carry every column."""
    if df is None or df.empty:
        st.caption(t("common.no_rows"))
        return
    lead = first_columns(cols, first)
    view = shown(df, lead, lang)
    config = {translate(c.header, lang): st.column_config.Column(width=first[c.src]) for c in lead}
    kwargs = {"height": height} if height else {}
    st.dataframe(view, hide_index=True, width="content", column_config=config, placeholder=BLANK, **kwargs)
    rest = [c for c in cols if c not in lead and c.src in df]
    if rest:
        with st.expander(t("table.more_columns", n=len(rest))):
            st.dataframe(shown(df, cols, lang), hide_index=True, width="stretch", placeholder=BLANK, **kwargs)
    downloads(lambda: exported(df, cols, lang), key=key, title=title or key, lang=lang)


def downloads(make: Callable[[], pd.DataFrame], *, key: str, title: str, lang: str) -> None:
    """CSV and Excel buttons for a table (cell text starting with = + - @ is neutralised in both); ``make`` gives
    the frame downloaded (``exported``), built when a button is pressed, not on every redraw."""
    from analytics.brief.export import csv_text, table_xlsx

    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", key).strip("-") or "bang"
    row = st.container(horizontal=True)
    row.download_button(t("common.download_csv"), data=lambda: csv_text(make(), lang).encode("utf-8-sig"),
                       file_name=f"{stem}.csv", mime="text/csv", key=f"csv_{key}", on_click="ignore",
                       icon=":material/download:")
    row.download_button(t("common.download_xlsx"), data=lambda: table_xlsx(make(), title, lang),
                       file_name=f"{stem}.xlsx", key=f"xlsx_{key}", on_click="ignore", icon=":material/table_view:",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def chart_and_table(fig, df: pd.DataFrame, cols: list[Col], lang: str, *, key: str, title: str = "",
                    lazy_table: bool = False) -> None:
    """A chart with its table one click away (second tab), downloadable. ``lazy_table``: the table is made only
    once its tab is opened (a rerun), not sent hidden with the chart (the Overview's first screen)."""
    if lazy_table:
        tab_chart, tab_table = st.tabs([t("common.chart"), t("common.table")], key=f"tabs_{key}", on_change="rerun")
    else:
        tab_chart, tab_table = st.tabs([t("common.chart"), t("common.table")])
    if hasattr(fig, "update_xaxes"):  # axis ticks grouped as the tables are (1.000, not 1000)
        fig.update_xaxes(separatethousands=True)
        fig.update_yaxes(separatethousands=True)
    with tab_chart:
        st.plotly_chart(fig, width="stretch", config={"displaylogo": False},
                        key=f"chart_{key}")
    if lazy_table and not tab_table.open:
        return
    with tab_table:
        table(df, cols, lang, key=key, title=title)
