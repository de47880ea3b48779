"""The portal parser reads real Phú Thọ responses into tidy frames, with the period and slice from the manifest."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from conftest import FIXTURES

from analytics.ingest.portal import (
    GROUP_COLUMNS,
    METRIC_COLUMNS,
    PortalFormatError,
    PortalParsed,
    looks_like_portal,
    parse_portal_file,
)
from analytics.scoring import SCORE_NOT_PUBLISHED

PORTAL = FIXTURES / "portal-phutho"
PROVINCE_ID = "019d2be3-6a88-732b-8b17-b68020c8553a"
SO_GIAO_DUC_ID = "019d2be3-6a88-732b-8b17-c5ff38a85634"  # H44.08
SO_CONG_THUONG_ID = "019d2be3-6a88-732b-8b17-c2db58b51fef"  # H44.07


def parse(name: str, **kwargs) -> PortalParsed:
    return parse_portal_file(PORTAL / name, **kwargs)


# --- period, slice and group ---------------------------------------------------------------------

@pytest.mark.parametrize(("name", "period", "period_type", "scope", "formality_code", "portal_group"), [
    ("transparency/quarter-all.json", "2026Q3", "quarter", "all", None, "transparency"),
    ("transparency/year-all.json", "2026", "year", "all", None, "transparency"),
    ("transparency/quarter-formality.json", "2026Q3", "quarter", "formality", "2.000815", "transparency"),
    # fromDate/toDate payloads covering a whole quarter / year
    ("handling-satisfaction/quarter-all.json", "2026Q3", "quarter", "all", None, "handling-satisfaction"),
    ("handling-satisfaction/year-all.json", "2026", "year", "all", None, "handling-satisfaction"),
    # this group's payload spells the filter formalityID
    ("dossier-digitized/quarter-formality.json", "2026Q3", "quarter", "formality", "2.000815", "dossier-digitized"),
    ("dvc-progress-tree/year-all.json", "2026", "year", "all", None, "dvc-progress-tree"),
    ("provide-online-tree/quarter-formality.json", "2026Q3", "quarter", "formality", "2.000815", "provide-online-tree"),
    ("formality-online-payment-tree/quarter-all.json", "2026Q3", "quarter", "all", None,
     "formality-online-payment-tree"),
])
def test_period_and_slice_from_the_manifest(name, period, period_type, scope, formality_code, portal_group):
    parsed = parse(name)
    assert (parsed.period, parsed.period_type, parsed.scope, parsed.formality_code, parsed.portal_group) == (
        period, period_type, scope, formality_code, portal_group)
    assert f"period {period} from manifest.m0.json, capture {name}" in parsed.notes


def test_period_argument_that_agrees_is_accepted_in_any_spelling():
    assert parse("transparency/quarter-all.json", period="2026Q3").period == "2026Q3"
    assert parse("transparency/quarter-all.json", period="Quý III/2026").period == "2026Q3"


def test_period_argument_that_disagrees_with_the_manifest_is_refused():
    with pytest.raises(PortalFormatError) as err:
        parse("transparency/quarter-all.json", period="2026Q2")
    message = str(err.value)
    assert "2026Q2" in message and "2026Q3" in message and "quarter-all.json" in message
    assert err.value.path.endswith("transparency/quarter-all.json")


def test_invalid_period_argument_is_refused():
    with pytest.raises(PortalFormatError, match="not a period key"):
        parse("transparency/quarter-all.json", period="sometime")


def test_without_a_manifest_the_period_must_be_passed(tmp_path):
    copy = tmp_path / "quarter-formality.json"
    shutil.copy(PORTAL / "dvc-progress-tree" / "quarter-formality.json", copy)
    with pytest.raises(PortalFormatError, match="--period") as err:
        parse_portal_file(copy)
    assert err.value.path == str(copy)
    parsed = parse_portal_file(copy, period="2026Q3")
    assert (parsed.period, parsed.period_type, parsed.scope, parsed.formality_code) == (
        "2026Q3", "quarter", "formality", None)
    assert any("no manifest records this file" in n for n in parsed.notes)


def _capture(file: str, payload: dict) -> dict:
    return {"file": file, "url": "https://dichvucong.gov.vn/api/v1/reporting/evaluation/dvc-progress-tree",
            "payload": payload}


def test_month_period_and_a_changed_file_are_noticed(tmp_path):
    folder = tmp_path / "dvc-progress-tree"
    folder.mkdir()
    text = (PORTAL / "dvc-progress-tree" / "quarter-all.json").read_text(encoding="utf-8")
    (folder / "month-all.json").write_text(text, encoding="utf-8")
    manifest = {"captures": [_capture("dvc-progress-tree/month-all.json",
                                      {"timeType": "month", "year": 2026, "month": 8}) | {"sha256": "0" * 64}]}
    (tmp_path / "manifest.m0.json").write_text(json.dumps(manifest), encoding="utf-8")
    parsed = parse_portal_file(folder / "month-all.json")
    assert (parsed.period, parsed.period_type) == ("2026M08", "month")
    assert any("sha256 mismatch" in n for n in parsed.notes)


def test_date_range_that_is_not_a_whole_period_needs_the_argument(tmp_path):
    shutil.copy(PORTAL / "handling-satisfaction" / "quarter-all.json", tmp_path / "range.json")
    manifest = {"captures": [_capture("range.json", {"fromDate": "2026-07-01", "toDate": "2026-08-15"})]}
    (tmp_path / "manifest.m0.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(PortalFormatError, match="--period"):
        parse_portal_file(tmp_path / "range.json")
    assert parse_portal_file(tmp_path / "range.json", period="2026Q3").period == "2026Q3"


# --- metric files --------------------------------------------------------------------------------

def test_metric_file_frames_have_the_documented_columns_and_types():
    parsed = parse("dossier-digitized/quarter-all.json")
    assert list(parsed.metrics.columns) == METRIC_COLUMNS
    assert list(parsed.groups.columns) == GROUP_COLUMNS
    assert str(parsed.metrics["numerator"].dtype) == "Int64" and str(parsed.metrics["denominator"].dtype) == "Int64"
    assert str(parsed.metrics["score_points"].dtype) == "Float64"
    assert parsed.metrics["is_province_row"].dtype == bool
    assert (len(parsed.metrics), len(parsed.groups)) == (164 * 7, 164)
    assert parsed.groups["row_number"].tolist() == list(range(164))


def test_province_digitization_row():
    parsed = parse("dossier-digitized/quarter-all.json")
    province = parsed.groups[parsed.groups["is_province_row"]].iloc[0]
    assert (province["portal_unit_id"], province["portal_code"], province["score_points"], province["max_points"]) == (
        PROVINCE_ID, "H44", 8.75, 22.0)
    assert (province["json_path"], province["row_number"]) == ("data.overview", 0)
    rows = parsed.metrics[parsed.metrics["is_province_row"]].set_index("code")
    counts = rows.loc["ORIGINAL_RESULT_AVAILABLE", ["numerator", "denominator", "ratio_pct", "score_points"]]
    assert counts.tolist() == [334358, 464494, 71.98, 4.32]
    assert rows.loc["ORIGINAL_RESULT_AVAILABLE", "json_path"] == "data.overview.metrics[0]"
    assert rows.loc["ORIGINAL_RESULT_AVAILABLE", "group_key"] == "digitization"
    # published with null counts and full points
    certified = rows.loc["ELECTRONIC_CERTIFIED_COPY"]
    assert pd.isna(certified["numerator"]) and pd.isna(certified["denominator"]) and certified["score_points"] == 2.0


def test_unit_rows_keep_position_and_codes():
    parsed = parse("dossier-digitized/quarter-all.json")
    unit = parsed.metrics[(parsed.metrics["portal_unit_id"] == SO_GIAO_DUC_ID)
                          & (parsed.metrics["code"] == "SO_HOA_GIAY_TO_GIAI_QUYET")].iloc[0]
    assert (unit["portal_code"], unit["unit_type"], unit["portal_level"]) == (
        "H44.08", "PROVINCIAL_DEPARTMENT", "PROVINCE")
    assert (unit["numerator"], unit["denominator"], unit["score_points"], unit["max_points"]) == (466, 847, 2.2, 4.0)
    assert (unit["json_path"], unit["row_number"]) == ("data.evaluation[3].metrics[1]", 4)


def test_transparency_and_satisfaction_rows_have_no_portal_code():
    for name in ("transparency/quarter-all.json", "handling-satisfaction/quarter-all.json"):
        parsed = parse(name)
        assert parsed.metrics["portal_code"].isna().all() and parsed.groups["portal_code"].isna().all()
        assert parsed.metrics["portal_unit_id"].notna().all()


def test_transparency_data_quality_status_and_formality_nulls():
    quarter = parse("transparency/quarter-all.json").metrics
    sync = quarter[quarter["code"] == "DOSSIER_SYNC"]
    assert (sync["data_quality_status"] == "TEMP_NATIONAL_REPORT_DENOMINATOR").sum() == 163
    assert (sync["data_quality_status"] == "NO_NATIONAL_REPORT_DATA").sum() == 1
    assert "Mẫu số BCQG/GRIS" in json.loads(sync.iloc[0]["extra_json"])["dataQualityMessage"]
    formality = parse("transparency/quarter-formality.json").metrics
    publish = formality[formality["code"] == "PUBLISH_ON_TIME"]
    assert (publish["numerator"] == 0).all() and (publish["denominator"] == 0).all()
    assert publish["score_points"].isna().all()


def test_formality_digitization_slice_drops_a_sub_indicator():
    parsed = parse("dossier-digitized/quarter-formality.json")
    assert "CITIZEN_DATA_CONNECTED_FORMALITY" not in set(parsed.metrics["code"])
    assert len(parsed.metrics) == 164 * 6
    province = parsed.groups[parsed.groups["is_province_row"]].iloc[0]
    assert (province["score_points"], province["max_points"]) == (9.2, 20.0)
    assert any("differs from the definition's 22.0" in n for n in parsed.notes)


def test_satisfaction_informational_rows_have_no_score():
    parsed = parse("handling-satisfaction/quarter-all.json")
    informational = parsed.metrics[parsed.metrics["code"].str.startswith("PETITION_CLASSIFICATION")]
    assert len(informational) == 2 * 164
    assert informational["score_points"].isna().all() and (informational["max_points"] == 0).all()
    nv = parsed.groups[parsed.groups["unit_name"] == "Sở Nội vụ - Tỉnh Phú Thọ"].iloc[0]
    assert nv["score_points"] == 2.46


# --- tree files ----------------------------------------------------------------------------------

def test_dvc_progress_tree_rows():
    parsed = parse("dvc-progress-tree/quarter-all.json")
    assert len(parsed.metrics) == len(parsed.groups) == 164
    assert set(parsed.metrics["code"]) == {"DVC_PROGRESS_ON_TIME"}
    row = parsed.metrics[parsed.metrics["portal_unit_id"] == SO_GIAO_DUC_ID].iloc[0]
    assert (row["numerator"], row["denominator"], row["ratio_pct"], row["score_points"], row["max_points"]) == (
        603, 847, 71.19, 14.24, 20.0)
    assert pd.isna(row["unit_type"]) and row["portal_level"] == "PROVINCE" and row["group_key"] == "timeliness"
    assert json.loads(row["extra_json"]) == {"totalOverdue": 244, "avgProcessingDays": 2.09}
    assert (row["json_path"], row["row_number"]) == ("data.children[3]", 4)
    province = parsed.metrics[parsed.metrics["is_province_row"]].iloc[0]
    assert (province["numerator"], province["denominator"], province["score_points"]) == (403016, 464494, 17.35)
    assert set(parsed.metrics["portal_level"].dropna()) == {"PROVINCE", "COMMUNE"}


def test_payment_tree_rows_keep_the_procedure_counts():
    parsed = parse("formality-online-payment-tree/quarter-all.json")
    province = parsed.metrics[parsed.metrics["is_province_row"]].iloc[0]
    assert (province["code"], province["group_key"], province["numerator"], province["denominator"]) == (
        "ONLINE_PAYMENT_TOTAL", "online_payment", 233203, 268066)
    assert province["score_points"] == 6.67 and pd.isna(province["ratio_pct"])
    assert json.loads(province["extra_json"]) == {
        "totalDossierOnlineFormalityPaymentSuccess": 115, "totalFeeDossierFormalityDistinct": 311,
        "totalFeeDossierFormality": 66, "totalFeeFormality": 311, "ratio": 66.7}
    assert any("score/max·100, not a rate" in n for n in parsed.notes)


def test_payment_formality_slice_scores_procedures_without_fee_filings():
    parsed = parse("formality-online-payment-tree/quarter-formality.json")
    row = parsed.metrics[parsed.metrics["portal_unit_id"] == SO_CONG_THUONG_ID].iloc[0]
    assert (row["numerator"], row["denominator"], row["score_points"]) == (0, 0, 2.0)


def test_provide_online_tree_derives_the_province_sub_indicators():
    parsed = parse("provide-online-tree/quarter-all.json")
    province = parsed.metrics[parsed.metrics["is_province_row"]].set_index("code")
    assert list(province.index) == ["ONLINE_PROCEDURES", "ONLINE_SERVICES_USED", "ONLINE_FILING_SHARE"]
    assert province[["numerator", "denominator"]].astype(int).values.tolist() == [
        [52, 89], [449, 1884], [435258, 440558]]
    assert province["score_points"].isna().all()
    assert (province["data_quality_status"] == SCORE_NOT_PUBLISHED).all()
    assert province["max_points"].tolist() == [2.0, 4.0, 6.0]
    units = parsed.metrics[~parsed.metrics["is_province_row"]]
    assert len(units) == 163 and set(units["code"]) == {"PROVIDE_ONLINE_TOTAL"}
    assert units["numerator"].isna().all() and units["score_points"].notna().all()
    assert (units["max_points"] == 12).all() and (units["label"] == "Dịch vụ công trực tuyến").all()
    education = units[units["portal_unit_id"] == SO_GIAO_DUC_ID].iloc[0]
    assert education["score_points"] == 6.57
    group = parsed.groups[parsed.groups["is_province_row"]].iloc[0]
    assert (group["score_points"], group["max_points"], group["group_key"]) == (8.41, 12.0, "online_services")


def test_keyed_frames_carry_the_file_keys():
    parsed = parse("provide-online-tree/quarter-formality.json")
    keyed = parsed.keyed_metrics()
    assert list(keyed.columns[:5]) == ["portal_group", "period", "period_type", "scope", "formality_code"]
    assert set(keyed["formality_code"]) == {"2.000815"} and set(keyed["scope"]) == {"formality"}
    assert list(parsed.keyed_groups().columns[5:]) == GROUP_COLUMNS


def test_every_fixture_file_parses_with_163_units_and_one_province_row():
    names = sorted(p.relative_to(PORTAL).as_posix() for p in PORTAL.glob("*/*.json"))
    assert len(names) == 17
    unit_ids = None
    for name in names:
        groups = parse(name).groups
        assert (int(groups["is_province_row"].sum()), int((~groups["is_province_row"]).sum())) == (1, 163), name
        ids = set(groups["portal_unit_id"])
        unit_ids = unit_ids or ids
        assert ids == unit_ids, name


# --- files that are not portal responses ---------------------------------------------------------

def test_looks_like_portal(tmp_path):
    assert looks_like_portal(PORTAL / "transparency" / "quarter-all.json")
    assert looks_like_portal(PORTAL / "provide-online-tree" / "year-all.json")
    assert not looks_like_portal(PORTAL / "manifest.m0.json")
    assert not looks_like_portal(PORTAL / "metrics_long.csv")
    assert not looks_like_portal(tmp_path / "missing.json")


@pytest.mark.parametrize(("content", "where", "fragment"), [
    ("not json at all", None, "not valid JSON"),
    ("[1, 2, 3]", None, "a JSON list"),
    ('{"rows": []}', None, "keys ['rows']"),
    ('{"code": "OK", "data": {"items": []}}', "data", "data with keys ['items']"),
    ('{"code": "OK", "data": "none"}', "data", "data of type str"),
])
def test_a_file_that_is_not_a_portal_response_is_refused(tmp_path, content, where, fragment):
    path = tmp_path / "export.json"
    path.write_text(content, encoding="utf-8")
    assert not looks_like_portal(path)
    with pytest.raises(PortalFormatError) as err:
        parse_portal_file(path, period="2026Q3")
    message = str(err.value)
    assert str(path) in message and fragment in message
    assert '"evaluation"' in message and '"parent" and "children"' in message
    assert (err.value.path, err.value.where, err.value.json_path) == (str(path), where, where)
    assert isinstance(err.value, ValueError)


def test_a_unit_without_an_id_is_located(tmp_path):
    document = json.loads((PORTAL / "transparency" / "quarter-all.json").read_text(encoding="utf-8"))
    del document["data"]["evaluation"][2]["departmentId"]
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(PortalFormatError) as err:
        parse_portal_file(path, period="2026Q3")
    assert err.value.where == "data.evaluation[2]"
    assert "data.evaluation[2] has no departmentId" in str(err.value)


def test_a_count_that_is_not_a_count_is_located(tmp_path):
    document = json.loads((PORTAL / "dossier-digitized" / "quarter-all.json").read_text(encoding="utf-8"))
    document["data"]["evaluation"][0]["metrics"][1]["numerator"] = "12"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(PortalFormatError, match=r"data\.evaluation\[0\]\.metrics\[1\]\.numerator") as err:
        parse_portal_file(path, period="2026Q3")
    assert err.value.where == "data.evaluation[0].metrics[1]"
