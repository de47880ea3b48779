"""Header aliases accepted on ingestion (``headers.yaml``), per layout, folded for matching.

The index table also accepts each five-group component by its label and aliases in definition.yaml.
"""

from __future__ import annotations

from functools import lru_cache

from analytics.definition import load_definition, safe_load
from analytics.parsing import header_key
from analytics.settings import HEADERS_PATH


@lru_cache(maxsize=1)
def header_aliases() -> dict[str, dict[str, tuple[str, ...]]]:
    """For each layout (index_table, filings, catalog, crosswalk, targets): field → folded aliases.

    The index table also accepts each five-group component by its label and aliases in definition.yaml.
    """
    with open(HEADERS_PATH, encoding="utf-8") as fh:
        raw = safe_load(fh)
    out = {layout: {field: tuple(header_key(a) for a in aliases) for field, aliases in fields.items()}
           for layout, fields in raw.items()}
    comps = {}
    for group in load_definition().five_groups.groups:
        comps[group.key] = tuple({header_key(group.label_vi), header_key(group.label_en), group.key,
                                  *(header_key(a) for a in group.aliases)})
    out["index_table"] = {**comps, **out["index_table"]}
    return out


@lru_cache(maxsize=None)
def _alias_index(layout: str) -> dict[str, str]:
    """Folded alias → field for a layout (the first field listing an alias wins)."""
    index: dict[str, str] = {}
    for field, aliases in header_aliases()[layout].items():
        for alias in aliases:
            index.setdefault(alias, field)
    return index


@lru_cache(maxsize=1 << 16)
def match_header(text, layout: str) -> str | None:
    """The canonical field a header cell names in a layout, or None (header texts repeat: each is folded once)."""
    key = header_key(text)
    if not key:
        return None
    return _alias_index(layout).get(key)


