"""What every page shares: the language, the unit and period pickers (kept in the URL), and the no-data guard.

The selection lives in ``st.session_state`` while the app is open and is kept in the query string
(``?unit=…&period=…&lang=…``), so a copied link opens the same view. A new session reads the query string
first. The page menu is drawn here: each link carries the query string, so a page switch lands on a URL that
already holds the selection and nothing is written back (one history entry per switch: Back works once).
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from analytics.dashboard import data
from analytics.dashboard.text import t
from analytics.i18n import LANGUAGE_NAMES, LANGUAGES
from analytics.periods import period_label
from analytics.units import UnitError, match_unit

HOME_UNIT = "Sở Công Thương"  # the department this product is for: the default unit


def language() -> str:
    """The chosen language: the sidebar switch, else ?lang= on a new session, else Vietnamese."""
    if "lang" not in st.session_state:
        q = st.query_params.get("lang")
        st.session_state["lang"] = q if q in LANGUAGES else "vi"
    return st.session_state["lang"]


def _read_url_once() -> None:
    if st.session_state.get("_url_read"):
        return
    st.session_state["_url_read"] = True
    for key in ("unit", "period"):
        value = st.query_params.get(key)
        if value:
            st.session_state[f"sel_{key}"] = value
            st.session_state[f"_asked_{key}"] = value  # checked once the pickers know what exists


def sidebar(pages: dict | None = None) -> None:
    """Draw the sidebar: the page menu (``pages``: section → ``st.Page`` list), language switch, unit and period
    pickers, data date; sync the URL."""
    _read_url_once()
    lang = language()
    from analytics.dashboard.widgets import browser_texts

    browser_texts(lang)  # Streamlit's own English widget texts, in Vietnamese
    menu = st.sidebar.container()  # filled once the pickers have settled this run's selection
    with st.sidebar:
        st.radio(t("side.language"), LANGUAGES, key="lang", horizontal=True, format_func=LANGUAGE_NAMES.get)
        ready = data.state() == "ok"
        if ready:
            with st.spinner(t("common.loading")):
                _pickers(lang)
            when = data.latest_load_label()
            if when:
                st.caption(t("side.data_date", date=when))
            st.caption(t("side.illustrative_note"))
    params = {"lang": lang}
    if ready:
        params.update(unit=st.session_state.get("sel_unit"), period=st.session_state.get("sel_period"))
    params = {k: v for k, v in params.items() if v}
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)
    if pages and get_script_run_ctx() is not None:  # not when a worker process re-imports app.py bare
        with menu:
            _menu(pages, params)


def _menu(pages: dict, params: dict) -> None:
    """The page links by section, each carrying the selection's query string."""
    for section, items in pages.items():
        st.caption(section)
        for p in items:
            st.page_link(p, label=p.title, icon=p.icon, query_params=params, width="stretch")


def _pickers(lang: str) -> None:
    units = data.units(lang)
    ids = units["unit_id"].tolist()
    names = dict(zip(units["unit_id"], units["unit"]))
    if st.session_state.get("sel_unit") not in ids:
        try:
            st.session_state["sel_unit"] = match_unit(units, HOME_UNIT)
        except UnitError:
            st.session_state["sel_unit"] = ids[0]
    from analytics.dashboard import unit_picker

    unit_picker.render(units, lang)  # search without diacritics; province → level → unit
    from analytics.brief.tiles import default_period, unit_periods

    periods = unit_periods(data.unit_periods(), st.session_state["sel_unit"])
    if st.session_state.get("sel_period") not in periods:
        # a bare link opens the latest period with published figures, not an invented one
        st.session_state["sel_period"] = default_period(data.unit_periods(), st.session_state["sel_unit"])
    _check_link(names, periods, lang)
    st.selectbox(t("side.period"), periods, key="sel_period", format_func=lambda p: period_label(p, lang))


def _check_link(names: dict, periods: list[str], lang: str) -> None:
    """A shared link naming a unit or period that does not exist says so, and what is shown instead (once)."""
    asked_unit, asked_period = st.session_state.pop("_asked_unit", None), st.session_state.pop("_asked_period", None)
    notes = []
    if asked_unit and asked_unit not in names:
        notes.append(t("link.bad_unit", asked=asked_unit, shown=names.get(st.session_state["sel_unit"], "")))
    if asked_period and asked_period not in periods:
        shown = st.session_state.get("sel_period")
        notes.append(t("link.bad_period", asked=asked_period, shown=period_label(shown, lang) if shown else "—"))
    if notes:
        st.session_state["_link_notes"] = notes


def link_notice() -> None:
    """Show, on the page, what a bad shared link asked for and what is shown instead."""
    from analytics.dashboard.widgets import safe_text

    for note in st.session_state.pop("_link_notes", []):
        st.warning(safe_text(note), icon=":material/link_off:")


def selection() -> tuple[str, str, str, str]:
    """(unit_id, unit name, period, language) chosen in the sidebar."""
    lang = language()
    unit_id = st.session_state.get("sel_unit")
    units = data.units(lang)
    names = dict(zip(units["unit_id"], units["unit"]))
    return unit_id, names.get(unit_id, unit_id or ""), st.session_state.get("sel_period"), lang


def require_data() -> bool:
    """True when there is data to show; otherwise draw the "load data" message (and the page stops)."""
    s = data.state()
    if s == "ok":
        return True
    from analytics.dashboard.widgets import safe_text

    st.title(t("nodb.title"))
    path = data.database_path()
    key = {"missing": "nodb.missing", "empty": "nodb.empty"}.get(s, "nodb.unreadable")
    st.warning(safe_text(t(key, path=path)), icon=":material/database:")
    st.markdown(t("nodb.how"))
    st.code(f"make demo-db\n# {t('nodb.how_files')}\npython -m analytics ingest data/raw/ --db {path}", language="bash")
    st.caption(t("nodb.upload"))
    return False


def page_header(key: str, **params) -> None:
    """The page title (names from the data are shown as text, not Markdown)."""
    from analytics.dashboard.widgets import safe_text

    st.title(t(key, **{k: safe_text(v) for k, v in params.items()}))
    link_notice()
