"""Pure rules behind the hostile-input handling: name normalisation, count limits, formula neutralisation,
the CSV encoding rule and column letters."""

import pytest

from analytics.formatting import clean_terminal
from analytics.ingest.guard import column_index, column_letters
from analytics.ingest.sheets import decode_text
from analytics.parsing import NumberError, NumberTooLarge, neutralise_formula, nfc, parse_count, parse_number, unit_key


@pytest.mark.parametrize("raw, expected", [
    ("Sở Công\u200b Thương", "Sở Công Thương"),
    ("Sở Công Thương\u00ad", "Sở Công Thương"),
    ("\ufeffSở\u200d Công\u2060 Thương", "Sở Công Thương"),
    ("So\u031b\u0309 Co\u0302ng  Thu\u031bo\u031bng", "Sở Công Thương"),  # NFD, double space
    ("Sở\u00a0Công\tThương\n", "Sở Công Thương"),
])
def test_names_are_normalised_before_matching(raw, expected):
    assert nfc(raw) == expected
    assert unit_key(raw) == unit_key(expected) == "so cong thuong"


@pytest.mark.parametrize("raw, expected", [
    ("9.436", 9436), (12.0, 12), ("1.000.000.000.000", 10**12), (None, None),
])
def test_counts_within_the_limit(raw, expected):
    assert parse_count(raw) == expected


@pytest.mark.parametrize("raw", [10**20, "100000000000000000000", 1e13, "1.000.000.000.001"])
def test_counts_beyond_10_to_the_12_are_refused_as_too_large(raw):
    with pytest.raises(NumberTooLarge):
        parse_count(raw)


@pytest.mark.parametrize("raw", [float("inf"), float("-inf"), "1e999"])
def test_non_finite_numbers_are_not_numbers(raw):
    with pytest.raises(NumberError):
        parse_number(raw)


@pytest.mark.parametrize("raw, expected", [
    ("=1+2", "'=1+2"), ("+SUM(A1)", "'+SUM(A1)"), ("-2+3", "'-2+3"), ("@cmd", "'@cmd"), ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"), ("  =1", "'  =1"), ("＝1", "'＝1"), ("Sở Công Thương", "Sở Công Thương"), (63.48, 63.48),
    ("", ""),
])
def test_formula_text_is_neutralised(raw, expected):
    assert neutralise_formula(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("Tên đơn vị;Sở Công Thương".encode("utf-8-sig"), "Tên đơn vị;Sở Công Thương"),
    ("Tên đơn vị;Sở Công Thương".encode("utf-16"), "Tên đơn vị;Sở Công Thương"),
    ("Tên đơn vị".encode("utf-8"), "Tên đơn vị"),
    (b"T\xean \xf0\xf5n vi\xf2", "Tên đơn vị"),  # Windows-1258: precomposed ê, đ, ơ, then combining tone marks
    (b"STT;Ten", "STT;Ten"),  # short ASCII: UTF-8, never UTF-16
])
def test_csv_encoding_rule(raw, expected):
    assert nfc(decode_text(raw)) == expected


@pytest.mark.parametrize("letters, index", [("A", 0), ("Z", 25), ("AA", 26), ("XFD", 16383)])
def test_column_letters(letters, index):
    assert column_index(letters) == index and column_letters(index) == letters


def test_terminal_text_loses_control_characters_only():
    assert clean_terminal("Sở \x1b[31mCông\x07 Thương\x9b\n") == "Sở [31mCông Thương\n"


@pytest.mark.parametrize("xml, expected", [
    (b'<c r="H5"><f>SUM(C5:G5)</f><v></v></c>', ("formula", "=SUM(C5:G5)")),  # openpyxl: never computed
    (b'<c r="H5"><f>1+2</f></c>', ("formula", "=1+2")),  # no cached value at all
    (b'<c r="H5"><f>1+3</f><v/></c>', ("formula", "=1+3")),
    (b'<c r="H5" t="str"><f>IF(1,"",1)</f><v></v></c>', None),  # computed: the empty string
    (b'<c r="H5"><f>1+1</f><v>2</v></c>', None),
    (b'<c r="H5"><f t="shared" si="0"/><v>7</v></c>', None),
    (b'<c r="H5" t="e"><f>1/0</f><v>#DIV/0!</v></c>', ("error", "#DIV/0!")),
    (b'<c r="H5" t="e"><v>#REF!</v></c>', ("error", "#REF!")),
    (b'<x:c r="H5"><x:f>A1</x:f><x:v></x:v></x:c>', ("formula", "=A1")),  # prefixed namespace
])
def test_cells_the_reader_would_read_as_blank(xml, expected):
    from analytics.ingest.guard import _scan_sheet

    prefix = b'<x:worksheet xmlns:x="main">' if b"<x:" in xml else b"<worksheet>"
    cells = _scan_sheet(prefix + b'<sheetData><row r="5">' + xml + b"</row></sheetData>").bad_cells
    if expected is None:
        assert cells == {}
    else:
        (((row, col), cell),) = cells.items()
        assert (row, col, cell.ref, cell.kind, str(cell)) == (4, 7, "H5", *expected)
