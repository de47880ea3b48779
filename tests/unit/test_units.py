"""Text becomes a unit id once, by one rule; two units matching is an error that names both."""

import duckdb
import pytest

from analytics.db import apply_schema
from analytics.units import UnitError, find_units, match_unit, resolve_unit, unit_catalog


@pytest.fixture
def con():
    con = duckdb.connect(":memory:")
    apply_schema(con)
    con.executemany("INSERT INTO units (unit_id, display_name, unit_level, province) VALUES (?, ?, ?, ?)", [
        ("so cong thuong", "Sở Công Thương", "department", None),
        ("portal:H44.07", "Sở Công Thương - Tỉnh Phú Thọ", "department", "Phú Thọ"),
        ("so tu phap", "Sở Tư pháp", "department", None),
        ("portal:H44.19", "Sở Tư pháp - Tỉnh Phú Thọ", "department", "Phú Thọ"),
        ("ubnd tp bien hoa", "UBND TP. Biên Hòa", "district", None),
    ])
    con.execute("INSERT INTO unit_aliases (alias_key, alias, unit_id) VALUES ('so cong thuong dong nai', "
                "'Sở Công Thương Đồng Nai', 'so cong thuong')")
    return con


@pytest.mark.parametrize("text, expected", [
    ("so cong thuong", "so cong thuong"),            # an id
    ("SỞ CÔNG THƯƠNG", "so cong thuong"),            # a full name wins over names that merely contain it
    ("Sở  Công   Thương", "so cong thuong"),          # spacing
    ("sở công thương đồng nai", "so cong thuong"),   # a crosswalk alias
    ("portal:H44.07", "portal:H44.07"),
    ("phu tho - so cong", None),                      # not a part of any name
    ("Thương - Tỉnh Phú", "portal:H44.07"),          # part of exactly one name
    ("thành phố biên hòa", "ubnd tp bien hoa"),      # "TP." and "thành phố" are one spelling
    ("bien hoa", "ubnd tp bien hoa"),
])
def test_text_names_one_unit(con, text, expected):
    if expected is None:
        with pytest.raises(UnitError) as err:
            resolve_unit(con, text)
        assert err.value.candidates == []
    else:
        assert resolve_unit(con, text) == expected


def test_two_units_matching_is_an_error_listing_both(con):
    with pytest.raises(UnitError) as err:
        resolve_unit(con, "tư pháp")
    assert err.value.candidates == [("so tu phap", "Sở Tư pháp"), ("portal:H44.19", "Sở Tư pháp - Tỉnh Phú Thọ")]
    text = err.value.render("vi")
    assert "khớp với 2 đơn vị" in text and "Sở Tư pháp (so tu phap)" in text and "(portal:H44.19)" in text
    assert "matches 2 units" in err.value.render("en")


def test_blank_means_every_unit(con):
    assert resolve_unit(con, None) is None and resolve_unit(con, "  ") is None


def test_match_unit_works_on_a_picker_frame():
    import pandas as pd

    units = pd.DataFrame({"unit_id": ["a", "b"], "unit": ["Sở Công Thương", "Sở Công Thương - Tỉnh Phú Thọ"]})
    assert match_unit(units, "Sở Công Thương") == "a"


def test_the_cli_refuses_an_ambiguous_unit_with_the_candidates(run_cli, demo_db):
    code, out, err = run_cli("scores", "--db", demo_db, "--unit", "tư pháp", "--period", "2024Q2")
    assert code == 2 and out == ""
    assert "Sở Tư pháp (so tu phap)" in err and "Sở Tư pháp - Tỉnh Phú Thọ (portal:H44.19)" in err


@pytest.mark.parametrize("text, expected", [
    # a unit id is also a name: Đồng Nai's "so tu phap" first, then Phú Thọ's whose name contains it
    ("so tu phap", ["so tu phap", "portal:H44.19"]),
    ("SỞ TƯ PHÁP", ["so tu phap", "portal:H44.19"]),
    ("cong thuong", ["so cong thuong", "portal:H44.07"]),
    ("sở công thương đồng nai", ["so cong thuong"]),  # an alias
    ("tp bien hoa", ["ubnd tp bien hoa"]),
    ("khong co", []),
    ("   ", []),
])
def test_a_search_finds_every_unit_the_text_may_mean(con, text, expected):
    units = unit_catalog(con).sort_values("unit_id", key=lambda s: s.map({"so cong thuong": 0, "portal:H44.07": 1,
                                                                           "so tu phap": 2, "portal:H44.19": 3}))
    aliases = {"so cong thuong dong nai": {"so cong thuong"}}
    assert find_units(units, text, aliases) == expected
