"""The scoring engine reproduces every published national-portal score for Phú Thọ (Q3 and year 2026)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from conftest import FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.definition import load_definition
from analytics.ingest.portal import parse_portal_file
from analytics.scoring import (
    REPRODUCTION_TOLERANCE_POINTS,
    ScoringError,
    group_points,
    payment_parts_points,
    portal_reproduction,
    round_points,
    rounded_points_array,
    score_frame,
    subindicator_points,
)

PORTAL = FIXTURES / "portal-phutho"
PORTAL_FILES = sorted(p.relative_to(PORTAL).as_posix() for p in PORTAL.glob("*/*.json"))
DEFINITION = load_definition()
SUB = DEFINITION.subindicator
PROVINCE_ID = "019d2be3-6a88-732b-8b17-b68020c8553a"
SO_CONG_THUONG_ID = "019d2be3-6a88-732b-8b17-c2db58b51fef"  # H44.07
THANH_TRA_ID = "019dbaea-ba8c-7590-b600-ebfd02309c8c"  # H44.23

# Published rows compared per file: (sub-indicator rows, group rows). Sub-indicator rows are every
# metric of every unit and the province row (metric files) or the one tree pseudo-metric per row
# (dvc-progress, payment); provide-online-tree publishes no sub-indicator scores at all.
EXPECTED_COMPARED = {
    "dossier-digitized/quarter-all.json": (1148, 164),
    "dossier-digitized/quarter-formality.json": (984, 164),  # CITIZEN_DATA_CONNECTED_FORMALITY absent
    "dossier-digitized/year-all.json": (1148, 164),
    "dvc-progress-tree/quarter-all.json": (164, 164),
    "dvc-progress-tree/quarter-formality.json": (164, 164),
    "dvc-progress-tree/year-all.json": (164, 164),
    "formality-online-payment-tree/quarter-all.json": (164, 164),
    "formality-online-payment-tree/quarter-formality.json": (164, 164),
    "formality-online-payment-tree/year-all.json": (164, 164),
    "handling-satisfaction/quarter-all.json": (820, 164),
    "handling-satisfaction/year-all.json": (820, 164),
    "provide-online-tree/quarter-all.json": (0, 164),
    "provide-online-tree/quarter-formality.json": (0, 164),
    "provide-online-tree/year-all.json": (0, 164),
    "transparency/quarter-all.json": (656, 164),
    "transparency/quarter-formality.json": (656, 164),
    "transparency/year-all.json": (656, 164),
}
# The only published scores that cannot be recomputed: provide-online-tree children carry just
# totalScore/totalMaxScore/ratio, no counts, so their group totals (163 units per file) are taken as published.
NOT_REPRODUCIBLE_FILES = {"provide-online-tree/quarter-all.json", "provide-online-tree/quarter-formality.json",
                          "provide-online-tree/year-all.json"}


@pytest.fixture(scope="module")
def parsed_files():
    return {name: parse_portal_file(PORTAL / name) for name in PORTAL_FILES}


@pytest.fixture(scope="module")
def reproduction(parsed_files):
    metrics = pd.concat([p.keyed_metrics().assign(file=name) for name, p in parsed_files.items()], ignore_index=True)
    groups = pd.concat([p.keyed_groups().assign(file=name) for name, p in parsed_files.items()], ignore_index=True)
    out = portal_reproduction(metrics, groups)
    # attach the file name back through the file keys, which identify a file uniquely
    keys = ["portal_group", "period", "scope"]
    files = groups[keys + ["file"]].drop_duplicates()
    assert not files.duplicated(keys).any()
    return out.merge(files, on=keys, how="left", validate="many_to_one")


def test_all_seventeen_files_are_compared(reproduction):
    assert sorted(reproduction["file"].unique()) == sorted(EXPECTED_COMPARED) == PORTAL_FILES
    assert len(PORTAL_FILES) == 17


@pytest.mark.parametrize("name", PORTAL_FILES)
def test_every_published_score_is_reproduced(reproduction, name):
    rows = reproduction[reproduction["file"] == name]
    subs, groups = rows[rows["level"] == "subindicator"], rows[rows["level"] == "group"]
    assert (len(subs), len(groups)) == EXPECTED_COMPARED[name]
    reproducible = rows[rows["reproducible"]]
    assert reproducible["matches"].all(), reproducible[~reproducible["matches"]].head().to_string()
    assert reproducible["abs_diff_points"].max() <= 1e-9  # exact, well inside the 0.01 tolerance
    assert REPRODUCTION_TOLERANCE_POINTS == 0.01
    exceptions = rows[~rows["reproducible"]]
    if name in NOT_REPRODUCIBLE_FILES:
        # exactly the 163 units (children), never the province row, and only at group level
        assert len(exceptions) == 163
        assert set(exceptions["level"]) == {"group"} and not exceptions["is_province_row"].any()
        assert exceptions["reason"].str.contains("publishes only this unit's group total").all()
        assert exceptions["recomputed_points"].isna().all()
        assert len(reproducible) == 1 and reproducible["is_province_row"].all()
    else:
        assert exceptions.empty
        assert len(reproducible) == sum(EXPECTED_COMPARED[name])


@pytest.mark.parametrize(("name", "province_points"), [
    ("dossier-digitized/quarter-all.json", 8.75),
    ("dossier-digitized/year-all.json", 9.59),
    ("dossier-digitized/quarter-formality.json", 9.2),
    ("transparency/quarter-all.json", 7.96),
    ("transparency/quarter-formality.json", 6.0),
    ("handling-satisfaction/quarter-all.json", 12.25),
    ("handling-satisfaction/year-all.json", 11.43),
    ("provide-online-tree/quarter-all.json", 8.41),
    ("provide-online-tree/year-all.json", 8.56),
    ("provide-online-tree/quarter-formality.json", 11.46),
    ("dvc-progress-tree/quarter-all.json", 17.35),
    ("dvc-progress-tree/year-all.json", 17.68),
    ("dvc-progress-tree/quarter-formality.json", 19.5),
    ("formality-online-payment-tree/quarter-all.json", 6.67),
    ("formality-online-payment-tree/year-all.json", 6.67),
    ("formality-online-payment-tree/quarter-formality.json", 6.75),
])
def test_province_group_totals_are_recomputed(reproduction, name, province_points):
    row = reproduction[(reproduction["file"] == name) & (reproduction["level"] == "group")
                       & (reproduction["portal_unit_id"] == PROVINCE_ID)].iloc[0]
    assert row["published_points"] == province_points
    assert row["recomputed_points"] == province_points


@pytest.mark.parametrize(("name", "unit_id", "published"), [
    ("transparency/quarter-formality.json", THANH_TRA_ID, 0.0),     # every sub-indicator null → total 0
    ("dossier-digitized/quarter-all.json", THANH_TRA_ID, 2.0),      # no dossiers: only the certified-copy 2
    ("dvc-progress-tree/quarter-all.json", THANH_TRA_ID, 0.0),      # 0 received → 0
    ("formality-online-payment-tree/quarter-formality.json", SO_CONG_THUONG_ID, 2.0),  # 0/0 filings, 12/13 procedures
])
def test_awkward_units_are_recomputed(reproduction, name, unit_id, published):
    row = reproduction[(reproduction["file"] == name) & (reproduction["level"] == "group")
                       & (reproduction["portal_unit_id"] == unit_id)].iloc[0]
    assert (row["published_points"], row["recomputed_points"]) == (published, published)


def test_total_rows_compared_across_files(reproduction):
    assert len(reproduction) == sum(s + g for s, g in EXPECTED_COMPARED.values()) == 10_660
    assert int((~reproduction["reproducible"]).sum()) == 489
    assert reproduction.loc[reproduction["reproducible"], "abs_diff_points"].max() == 0.0


# --- rounding ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    (1.125, 1.13),      # exact binary tie goes up: 6·3/16 published 1.13 (dossier-digitized quarter)
    (5.625, 5.63),      # 6·405/432 published 5.63 (quarter-formality)
    (6 * 0.9325, 5.59),  # 5.5949999… in binary: published 5.59 (payment, 1437/1541 in the year)
    (5.655, 5.66),      # 5.65500000000000024… in binary
    (0.29, 0.29), (2.0, 2.0), (0.0, 0.0), (1.954, 1.95), (1.955, 1.96),
])
def test_points_round_half_up_on_the_binary_value(value, expected):
    assert round_points(value) == expected
    assert rounded_points_array(np.array([value]))[0] == expected


def test_round_points_keeps_unknown():
    assert round_points(None) is None
    assert round_points(float("nan")) is None
    assert np.isnan(rounded_points_array(np.array([np.nan]))[0])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=100, allow_nan=False), min_size=1, max_size=50))
def test_vectorised_rounding_equals_scalar(values):
    assert rounded_points_array(np.array(values)).tolist() == [round_points(v) for v in values]


# --- single sub-indicators -----------------------------------------------------------------------

@pytest.mark.parametrize(("code", "numerator", "denominator", "expected"), [
    ("PUBLIC_CONTENT_FULL", 87, 89, 1.96),
    ("PUBLISH_ON_TIME", 0, 54, 0.0),
    ("PUBLISH_ON_TIME", 0, 0, None),                 # 0/0 published as null (formality slice)
    ("DOSSIER_SYNC", 0, 0, None),                    # Thanh tra tỉnh
    ("DVC_PROGRESS_ON_TIME", 603, 847, 14.24),
    ("DVC_PROGRESS_ON_TIME", 0, 0, 0.0),             # no filings received scores 0
    ("DOSSIER_RECEIVING_SATISFACTION", 402886, 464494, 5.78),  # capped at 90 %
    ("DOSSIER_RECEIVING_SATISFACTION", 0, 0, 0.0),
    ("PETITION_PROCESSING_ON_TIME", 300, 499, 3.61),
    ("PETITION_PROCESSING_ON_TIME", 0, 0, 6.0),      # no petitions: full marks
    ("PETITION_HANDLING_SATISFACTION", 0, 0, 6.0),
    ("PETITION_CLASSIFICATION_TTHC", 373, 499, None),  # informational
    ("ORIGINAL_RESULT_AVAILABLE", 3, 16, 1.13),
    ("ORIGINAL_RESULT_AVAILABLE", 0, 0, None),
    ("REUSED_DIGITIZED_DATA", 64382, 464494, 0.35),
    ("SYNCED_WITH_DVCQG_PERSONAL_STORAGE", 0, 464494, 0.0),
    ("CITIZEN_DATA_CONNECTED_FORMALITY", 342, 1300, 0.53),
    ("ELECTRONIC_CERTIFIED_COPY", None, None, 2.0),  # null counts: not applicable → full
    ("ONLINE_PROCEDURES", 52, 89, 1.46),
    ("ONLINE_SERVICES_USED", 449, 1884, 0.95),
    ("ONLINE_FILING_SHARE", 435258, 440558, 6.0),
])
def test_subindicator_points(code, numerator, denominator, expected):
    assert subindicator_points(SUB(code), numerator, denominator) == expected


def test_missing_numerator_is_unknown_not_zero():
    assert subindicator_points(SUB("ORIGINAL_RESULT_AVAILABLE"), None, 100) is None
    assert subindicator_points(SUB("PETITION_PROCESSING_ON_TIME"), None, 4) is None


def test_negative_counts_are_refused():
    with pytest.raises(ScoringError, match="negative"):
        subindicator_points(SUB("DVC_PROGRESS_ON_TIME"), -1, 10)
    with pytest.raises(ScoringError, match="negative"):
        score_frame(pd.DataFrame({"code": ["DVC_PROGRESS_ON_TIME"], "numerator": [1], "denominator": [-3]}))


PAYMENT_EXTRA_FIELDS = ("totalDossierOnlineFormalityPaymentSuccess", "totalFeeDossierFormalityDistinct",
                        "totalFeeDossierFormality", "totalFeeFormality")


def _payment_extra(fs, fd, ff, tf):
    return dict(zip(PAYMENT_EXTRA_FIELDS, (fs, fd, ff, tf)))


@pytest.mark.parametrize(("counts", "parts", "total"), [
    ((233203, 268066, 115, 311, 66, 311), (5.22, 0.92, 0.53), 6.67),   # province, Q3
    ((1437, 1541, 18, 40, 8, 40), (5.59, 1.13, 0.5), 7.22),            # UBND xã Chân Mộng, year: p 93.25 → 5.59
    ((3082, 3816, 17, 37, 10, 37), (4.85, 1.15, 0.68), 6.68),          # rounded parts: unrounded sum gives 6.67
    ((0, 0, 12, 13, 0, 13), (0.0, 2.0, 0.0), 2.0),                     # Sở Công Thương, formality: 12/13 capped
    ((0, 0, 2, 3, 0, 3), (0.0, 1.67, 0.0), 1.67),
    ((0, 0, 12, 31, 11, 31), (0.0, 0.97, 0.89), 1.86),                 # summed unrounded would be 1.85
    ((110, 110, 12, 13, 0, 13), (6.0, 2.0, 0.0), 8.0),
])
def test_payment_points_from_its_three_parts(counts, parts, total):
    sub = SUB("ONLINE_PAYMENT_TOTAL")
    n, d, *extra = counts
    assert payment_parts_points(sub, n, d, **_payment_extra(*extra)) == parts
    assert subindicator_points(sub, n, d, **_payment_extra(*extra)) == total


def test_payment_without_procedure_counts_is_unknown():
    sub = SUB("ONLINE_PAYMENT_TOTAL")
    assert subindicator_points(sub, 233203, 268066) is None
    assert payment_parts_points(sub, 233203, 268066) == (5.22, None, None)


def test_payment_parameters_come_from_the_definition():
    sub = SUB("ONLINE_PAYMENT_TOTAL")
    assert [(p.max_points, p.full_at) for p in sub.parts] == [(6, 1.0), (2, 0.8), (2, 0.8)]
    assert sum(p.max_points for p in sub.parts) == sub.max_points == 10
    assert "492" in sub.fitted


# --- groups --------------------------------------------------------------------------------------

def test_group_points_from_a_mapping():
    counts = {"ORIGINAL_RESULT_AVAILABLE": (334358, 464494), "SO_HOA_GIAY_TO_GIAI_QUYET": (83994, 464494),
              "REUSED_DIGITIZED_DATA": (64382, 464494), "SYNCED_WITH_DVCQG_PERSONAL_STORAGE": (0, 464494),
              "CITIZEN_DATA_CONNECTED_DOSSIER": (192191, 464494), "CITIZEN_DATA_CONNECTED_FORMALITY": (342, 1300),
              "ELECTRONIC_CERTIFIED_COPY": (None, None)}
    assert group_points("v2025", "digitization", counts) == 8.75


def test_group_points_counts_null_by_rule_as_zero_like_the_portal():
    # Thanh tra tỉnh, transparency formality slice: every sub-indicator 0/0 → null; published total 0
    counts = {c: (0, 0) for c in ("PUBLISH_ON_TIME", "PUBLIC_UPDATE_ON_TIME", "PUBLIC_CONTENT_FULL", "DOSSIER_SYNC")}
    assert group_points("v2025", "transparency", counts) == 0.0


def test_group_points_unknown_when_nothing_or_a_count_is_missing():
    assert group_points("v2025", "transparency", {}) is None
    assert group_points("v2025", "satisfaction", {"PETITION_CLASSIFICATION_TTHC": (1, 2)}) is None
    assert group_points("v2025", "timeliness", {"DVC_PROGRESS_ON_TIME": (None, 10)}) is None
    assert group_points("v2025", "online_payment", {"ONLINE_PAYMENT_TOTAL": (5, 10)}) is None
    assert group_points("v2025", "online_payment",
                        {"ONLINE_PAYMENT_TOTAL": (233203, 268066, _payment_extra(115, 311, 66, 311))}) == 6.67


def test_group_points_from_a_frame_with_extra_json():
    frame = pd.DataFrame({"code": ["ONLINE_PAYMENT_TOTAL"], "numerator": [233203], "denominator": [268066],
                          "extra_json": [json.dumps(_payment_extra(115, 311, 66, 311))]})
    assert group_points("v2025", "online_payment", frame) == 6.67


def test_group_points_refuses_unknown_codes_and_duplicates():
    with pytest.raises(KeyError):
        group_points("v2025", "transparency", {"NOT_A_CODE": (1, 2)})
    frame = pd.DataFrame({"code": ["DOSSIER_SYNC", "DOSSIER_SYNC"], "numerator": [1, 1], "denominator": [1, 1]})
    with pytest.raises(ScoringError, match="duplicated"):
        group_points("v2025", "transparency", frame)


# --- vectorised scoring --------------------------------------------------------------------------

def test_score_frame_equals_scalar_scoring_on_every_fixture_row(parsed_files):
    metrics = pd.concat([p.metrics for p in parsed_files.values()], ignore_index=True)
    vector = score_frame(metrics)
    assert vector.dtype == "Float64" and len(vector) == len(metrics) == 8_370
    for row, points in zip(metrics.to_dict("records"), vector):
        code = row["code"]
        if code == "PROVIDE_ONLINE_TOTAL":
            assert points is pd.NA
            continue
        sub = SUB(code)
        extra = json.loads(row["extra_json"]) if isinstance(row["extra_json"], str) else {}
        scalar = subindicator_points(sub, row["numerator"], row["denominator"], **extra)
        assert (points is pd.NA and scalar is None) or points == scalar, (code, row["json_path"])


def test_score_frame_scores_thousands_of_rows_with_extra_columns():
    rng = np.random.default_rng(766)
    n = 20_000
    denominators = rng.integers(1, 5_000, n)
    frame = pd.DataFrame({
        "code": rng.choice(["DVC_PROGRESS_ON_TIME", "REUSED_DIGITIZED_DATA", "PETITION_HANDLING_SATISFACTION",
                            "ONLINE_PAYMENT_TOTAL"], n),
        "numerator": (denominators * rng.random(n)).astype(int), "denominator": denominators,
        "totalDossierOnlineFormalityPaymentSuccess": 3, "totalFeeDossierFormalityDistinct": 10,
        "totalFeeDossierFormality": 5, "totalFeeFormality": 10,
    })
    points = score_frame(frame)
    assert points.notna().all() and points.between(0, 20).all()
    sample = frame.sample(300, random_state=1)
    for index, row in sample.iterrows():
        extra = {f: row[f] for f in PAYMENT_EXTRA_FIELDS}
        assert points[index] == subindicator_points(SUB(row["code"]), row["numerator"], row["denominator"], **extra)


def test_score_frame_rejects_unknown_codes():
    with pytest.raises(ScoringError, match="NOT_A_CODE"):
        score_frame(pd.DataFrame({"code": ["NOT_A_CODE"], "numerator": [1], "denominator": [2]}))


# --- properties of every rule --------------------------------------------------------------------

SCORED = [s for s in DEFINITION.version("v2025").subindicators if s.rule in ("linear", "capped")]


@st.composite
def counts(draw):
    denominator = draw(st.integers(min_value=1, max_value=10**7))
    numerator = draw(st.integers(min_value=0, max_value=denominator))
    return numerator, denominator


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(SCORED), counts())
def test_points_stay_between_zero_and_max(sub, nd):
    points = subindicator_points(sub, *nd)
    assert 0 <= points <= sub.max_points


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(SCORED), counts(), st.integers(min_value=0, max_value=10**6))
def test_points_never_fall_as_the_numerator_rises(sub, nd, more):
    numerator, denominator = nd
    higher = min(denominator, numerator + more)
    assert subindicator_points(sub, higher, denominator) >= subindicator_points(sub, numerator, denominator)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(SCORED), st.sampled_from([0, None]))
def test_zero_denominator_follows_the_rule(sub, denominator):
    expected = {"zero": 0.0, "full": sub.max_points, "null": None}[sub.zero_denominator]
    assert subindicator_points(sub, 0 if denominator == 0 else None, denominator) == expected


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(SCORED), counts())
def test_full_rate_earns_full_points(sub, nd):
    _, denominator = nd
    assert subindicator_points(sub, denominator, denominator) == sub.max_points


@settings(max_examples=300, deadline=None)
@given(counts(), counts(), counts(), st.integers(min_value=0, max_value=10**5))
def test_payment_points_bounded_and_monotonic(dossiers, procedures, fee_procedures, more):
    sub = SUB("ONLINE_PAYMENT_TOTAL")
    extra = _payment_extra(*procedures, *fee_procedures)
    points = subindicator_points(sub, *dossiers, **extra)
    assert 0 <= points <= sub.max_points
    higher = min(dossiers[1], dossiers[0] + more)
    assert subindicator_points(sub, higher, dossiers[1], **extra) >= points
    assert subindicator_points(sub, 0, 0, **extra) <= points  # no fee filings: the dossier part scores 0


@settings(max_examples=100, deadline=None)
@given(st.sampled_from([s for s in DEFINITION.version("v2025").subindicators if s.rule == "informational"]), counts())
def test_informational_sub_indicators_never_score(sub, nd):
    assert subindicator_points(sub, *nd) is None
