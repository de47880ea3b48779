"""The sidebar's unit picker: a search box that finds units typed without diacritics ("so tu phap"), and the
units grouped by province, then level (Sở, ban, ngành; UBND cấp huyện; …), then the unit.

Streamlit's own selectbox filters in the browser on the label, diacritics included, so "so tu phap" would find
nothing there: the search runs here, with ``analytics.units.find_units`` (the same rule as ``--unit``). The
chosen unit (``sel_unit``, kept in the URL) decides which province and level the two group pickers show; a
person changing the province or level moves to the unit of the same name there when there is one.
"""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from analytics.dashboard.text import t
from analytics.i18n import TEXT, translate
from analytics.units import find_units

HOME_PROVINCE = "Đồng Nai"  # units loaded without a province are the department's own (the provincial tables)
LEVEL_ORDER = ("department", "district", "commune", "province")
MAX_HITS = 12
_PROVINCE_SUFFIX = re.compile(r"\s+-\s+(?:Tỉnh|Thành phố|TP\.?)\s.*$", re.IGNORECASE)


def grouped(units: pd.DataFrame) -> pd.DataFrame:
    """The units with the province they are grouped under (the home province when the data names none)."""
    out = units.copy()
    out["province_shown"] = out["province"].where(out["province"].notna() & (out["province"] != ""), HOME_PROVINCE)
    out["level_shown"] = out["unit_level"].where(out["unit_level"].notna(), "other")
    return out


def provinces(units: pd.DataFrame) -> list[str]:
    """Provinces in the data, the home province first."""
    found = sorted(set(units["province_shown"]), key=lambda p: (p != HOME_PROVINCE, p))
    return found


def levels(units: pd.DataFrame, province: str) -> list[str]:
    """The unit levels a province has, in the usual order (departments first)."""
    present = set(units.loc[units["province_shown"] == province, "level_shown"])
    return [lv for lv in LEVEL_ORDER if lv in present] + sorted(present - set(LEVEL_ORDER))


def _in_group(units: pd.DataFrame, province: str, level: str) -> pd.DataFrame:
    return units[(units["province_shown"] == province) & (units["level_shown"] == level)]


def _closest(units: pd.DataFrame, province: str, level: str, unit_id: str | None) -> str:
    """The unit of the group named like the current one ("Sở Công Thương" → "Sở Công Thương - Tỉnh Phú Thọ"),
    else the group's first."""
    group = _in_group(units, province, level)
    names = dict(zip(units["unit_id"], units["unit"]))
    if unit_id in names:
        base = _PROVINCE_SUFFIX.sub("", names[unit_id])
        hits = find_units(group, base)
        if hits:
            return hits[0]
    return group["unit_id"].iloc[0]


def _label(row) -> str:
    """A search hit: its name, with its province when the name does not say it."""
    name, province = row["unit"], row["province_shown"]
    return name if province.lower() in name.lower() else f"{name} — {province}"


def level_name(level: str, lang: str) -> str:
    """A level's name in a language (fixed here, not read from the session: AppTest formats options outside it)."""
    return translate(f"level.{level}", lang) if f"level.{level}" in TEXT else translate("level.other", lang)


def render(units: pd.DataFrame, lang: str) -> None:
    """Draw the search box and the three pickers; ``st.session_state["sel_unit"]`` must already be a unit id."""
    ss = st.session_state
    units = grouped(units)
    by_id = units.set_index("unit_id")

    def on_group() -> None:  # province or level changed: keep the level if the province has it, the name if it can
        lv = levels(units, ss["sel_province"])
        if ss.get("sel_level") not in lv:
            ss["sel_level"] = lv[0]
        ss["sel_unit"] = _closest(units, ss["sel_province"], ss["sel_level"], ss.get("sel_unit"))

    def on_hit() -> None:
        if ss.get("unit_hit"):
            ss["sel_unit"] = ss["unit_hit"]
            ss["unit_query"] = ""
            ss["unit_hit"] = None

    current = by_id.loc[ss["sel_unit"]]
    ss["sel_province"], ss["sel_level"] = current["province_shown"], current["level_shown"]

    query = st.text_input(t("side.unit_search"), key="unit_query", placeholder=t("side.unit_search_placeholder"),
                          help=t("side.unit_search_help"))
    if query and query.strip():
        hits = find_units(units, query)
        if not hits:
            st.caption(t("side.unit_no_hits", text=query.strip()))
        else:
            labels = {u: _label(by_id.loc[u]) for u in hits[:MAX_HITS]}
            st.radio(t("side.unit_hits", n=len(hits)), list(labels), index=None, key="unit_hit",
                     format_func=labels.get, on_change=on_hit)
            if len(hits) > MAX_HITS:
                st.caption(t("side.unit_more_hits", n=len(hits) - MAX_HITS))
    st.selectbox(t("side.province"), provinces(units), key="sel_province", on_change=on_group)
    st.selectbox(t("side.level"), levels(units, ss["sel_province"]), key="sel_level",
                 format_func=lambda lv: level_name(lv, lang),
                 on_change=on_group)
    group = _in_group(units, ss["sel_province"], ss["sel_level"])
    names = dict(zip(group["unit_id"], group["unit"]))
    st.selectbox(t("side.unit"), list(names), key="sel_unit", format_func=lambda u: names.get(u, u),
                 help=t("side.unit_help"))
