"""Unit identity at the edge: the text a person types (CLI ``--unit``, a notebook, the dashboard's picker)
becomes a ``unit_id`` here, once. Every analysis takes ``unit_id`` and filters with ``=`` in SQL.

The rule, in order: the text is a unit id; the text names a unit (case, diacritics, spacing and look-alike
characters ignored; a crosswalk alias counts); the text is part of exactly one unit's name. Two units
matching equally well is an error that lists them, never "the first match".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analytics.parsing import fold, unit_key

if TYPE_CHECKING:  # pandas is imported where a DataFrame is made: a read that needs none starts faster
    import pandas as pd

UNITS_SQL = """
SELECT u.unit_id, u.display_name AS unit, u.unit_level, u.province
FROM units AS u
ORDER BY u.province NULLS LAST, u.unit_level, u.display_name
"""

ALIASES_SQL = "SELECT DISTINCT alias_key, unit_id FROM unit_aliases"


class UnitError(LookupError):
    """A unit text that names no unit, or several."""

    def __init__(self, text: str, candidates: list[tuple[str, str]]):
        self.text = text
        self.candidates = candidates  # (unit_id, display name)
        if candidates:
            names = "; ".join(f"{name} ({uid})" for uid, name in candidates[:12])
            more = f" … (+{len(candidates) - 12})" if len(candidates) > 12 else ""
            super().__init__(f"“{text}” matches {len(candidates)} units: {names}{more}. Give one of the ids or the full name.")
        else:
            super().__init__(f"no unit matches “{text}”")

    def render(self, lang: str = "vi") -> str:
        """The message in the chosen language."""
        from analytics.i18n import tr

        if not self.candidates:
            return tr("unit_not_found", lang, text=self.text)
        names = "; ".join(f"{name} ({uid})" for uid, name in self.candidates[:12])
        if len(self.candidates) > 12:
            names += f" … (+{len(self.candidates) - 12})"
        return tr("unit_ambiguous", lang, text=self.text, n=len(self.candidates), names=names)


def unit_catalog(con) -> pd.DataFrame:
    """Every known unit: unit_id, unit (display name), unit_level, province."""
    return con.execute(UNITS_SQL).df()  # a DataFrame (pandas is imported by DuckDB's .df())


def _clean(text: str) -> str:
    from analytics.parsing import nfc

    return nfc(text)


def resolve_unit(con, text: str | None) -> str | None:
    """The ``unit_id`` a text names (None for None or blank: every unit). Raises ``UnitError``."""
    if text is None or not str(text).strip():
        return None
    text = _clean(str(text))
    rows = con.execute(UNITS_SQL).fetchall()  # plain rows: resolving a unit needs no DataFrame
    units = {"unit_id": [r[0] for r in rows], "unit": [r[1] for r in rows]}
    return match_unit(units, text, _aliases(con))


def _aliases(con) -> dict[str, set[str]]:
    try:
        rows = con.execute(ALIASES_SQL).fetchall()
    except Exception:  # a database without the crosswalk table
        return {}
    out: dict[str, set[str]] = {}
    for key, uid in rows:
        out.setdefault(key, set()).add(uid)
    return out


def _matches(units, text: str, aliases: dict[str, set[str]] | None) -> tuple[list[str], list[str]]:
    """(units the text names, units whose name contains it) — the two tiers of the module's rule."""
    ids = set(units["unit_id"])
    names = dict(zip(units["unit_id"], units["unit"]))
    needle, key = fold(text), unit_key(text)
    exact = [uid for uid, name in names.items() if fold(name) == needle or unit_key(name) == key]
    exact += [uid for uid in (aliases or {}).get(key, ()) if uid in ids and uid not in exact]
    partial = [uid for uid, name in names.items() if needle and (needle in fold(name) or key in unit_key(name))]
    return exact, partial


def match_unit(units, text: str, aliases: dict[str, set[str]] | None = None) -> str:
    """The one unit_id of ``units`` (a DataFrame or a dict of lists with unit_id, unit) that ``text`` names, by the
    module's rule."""
    if text in set(units["unit_id"]):
        return text
    names = dict(zip(units["unit_id"], units["unit"]))
    exact, partial = _matches(units, text, aliases)
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        raise UnitError(text, sorted(((u, names[u]) for u in exact), key=lambda p: p[1]))
    if len(partial) == 1:
        return partial[0]
    raise UnitError(text, sorted(((u, names[u]) for u in partial), key=lambda p: p[1]))


def find_units(units: pd.DataFrame, text: str, aliases: dict[str, set[str]] | None = None) -> list[str]:
    """Every unit_id a search text may mean, by the same rule as ``match_unit`` (case, diacritics and spacing
    ignored: "so tu phap" finds Đồng Nai's "Sở Tư pháp" and "Sở Tư pháp - Tỉnh Phú Thọ"): the units it names
    first, then those whose name contains it, in the order of ``units``. Blank text finds nothing."""
    text = _clean(str(text or ""))
    if not text:
        return []
    exact, partial = _matches(units, text, aliases)
    found = ([text] if text in set(units["unit_id"]) else []) + exact + partial  # a unit id is also a name here
    return list(dict.fromkeys(found))


def display_name(con, unit_id: str) -> str | None:
    """The display name of a unit id, None when the database has no such unit. Readers read every unit's name once
    per version of the database file (``db.reader_snapshot``)."""
    from analytics.db import reader_snapshot

    snap = reader_snapshot(con)
    if snap is None:
        rows = con.execute("SELECT display_name FROM units WHERE unit_id = ?", [unit_id]).fetchall()
        return rows[0][0] if rows else None
    if "unit_names" not in snap:
        snap["unit_names"] = dict(con.execute("SELECT unit_id, display_name FROM units").fetchall())
    return snap["unit_names"].get(unit_id)


def unit_name(con, unit_id: str) -> str:
    """The display name of a unit id (the id itself when unknown)."""
    name = display_name(con, unit_id)
    return unit_id if name is None else name
