"""The demo data tells a true story: Sở Công Thương's illustrative counts give its published scores.

The published figures (VB 1237/VP-HCC for 2024Q1, VB 1937/VP-HCC for 2024Q2) are recomputed by the scoring
engine from the illustrative portal sub-indicator counts, and those counts are the per-procedure portal sums
that the Pareto, department shortfall and mix-versus-rate split read.
"""

from __future__ import annotations

import json

import pytest

from analytics.analyses.explain import (component_breakdown, inputs_points, mix_rate_split, procedure_filings,
                                        shortfall_pareto, subindicator_breakdown, subindicator_inputs, unit_catalog,
                                        unit_totals)
from analytics.definition import load_definition
from analytics.demo import generator as dd

SCT = "so cong thuong"
PUBLISHED = {
    ("2024Q1", "digitization"): 0.11, ("2024Q1", "online_services"): 10.49,
    ("2024Q2", "transparency"): 18.0, ("2024Q2", "timeliness"): 19.8, ("2024Q2", "digitization"): 0.22,
    ("2024Q2", "online_services"): 7.46, ("2024Q2", "satisfaction"): 18.0,
}
TOLERANCE = 0.01


@pytest.fixture(scope="module")
def components(demo):
    out = {}
    for period in ("2024Q1", "2024Q2"):
        df = component_breakdown(demo, period, SCT)
        for row in df.to_dict("records"):
            out[(period, row["component"])] = row
    return out


@pytest.mark.parametrize("key", sorted(PUBLISHED))
def test_recomputed_points_equal_the_published_ones(components, key):
    row = components[key]
    assert row["points"] == pytest.approx(PUBLISHED[key], abs=1e-9)  # the published score, as loaded
    assert row["recomputed_complete"]
    assert row["source"] == "portal"
    assert abs(row["points_recomputed"] - PUBLISHED[key]) <= TOLERANCE


def test_2024q2_recomputed_total_is_63_48(components, demo):
    total = sum(components[("2024Q2", c)]["points_recomputed"] for c in load_definition().common_groups)
    assert abs(total - 63.48) <= TOLERANCE
    published = demo.execute("SELECT score_points, reported_grade FROM mart_scores WHERE period = '2024Q2' "
                             "AND unit_id = ? AND component = 'total'", [SCT]).fetchone()
    assert published == (63.48, "Trung bình")


def test_unpublished_2024q1_components_stay_unpublished(components):
    for component in ("transparency", "timeliness", "satisfaction"):
        row = components[("2024Q1", component)]
        assert row["points"] != row["points"]  # NaN: unknown, not zero, and not filled from illustrative counts


def test_online_services_change_from_counts_is_minus_3_03(components):
    change = (components[("2024Q2", "online_services")]["points_recomputed"]
              - components[("2024Q1", "online_services")]["points_recomputed"])
    assert abs(change - (-3.03)) <= TOLERANCE


FILING_DERIVED = ("DOSSIER_SYNC", "DVC_PROGRESS_ON_TIME", "ONLINE_FILING_SHARE", "ONLINE_PAYMENT_TOTAL",
                  "ORIGINAL_RESULT_AVAILABLE", "SO_HOA_GIAY_TO_GIAI_QUYET", "REUSED_DIGITIZED_DATA",
                  "PETITION_PROCESSING_ON_TIME", "PETITION_HANDLING_SATISFACTION")


@pytest.mark.parametrize("period", ["2024Q1", "2024Q2"])
def test_portal_counts_are_the_per_procedure_portal_sums(demo, period):
    portal = subindicator_breakdown(demo, period, SCT).set_index("code")
    assert set(portal["source"]) == {"portal"}
    procs = procedure_filings(demo, period=period, unit_id=SCT, count_source="portal")
    catalog = unit_catalog(demo)
    totals = unit_totals(procs, catalog.loc[SCT])
    for code in FILING_DERIVED + ("ONLINE_PROCEDURES", "ONLINE_SERVICES_USED"):
        sub = load_definition().subindicator(code)
        numerator, denominator, extra = subindicator_inputs(sub, totals)
        assert (portal.loc[code, "numerator"], portal.loc[code, "denominator"]) == (numerator, denominator), code
        if sub.rule != "payment":  # the filing route takes the payment's part 3 as 0, as the responses publish it
            assert portal.loc[code, "points_recomputed"] == inputs_points(sub, numerator, denominator, extra), code
    assert portal.loc["ONLINE_FILING_SHARE", "numerator"] == procs["received_online"].sum()
    assert portal.loc["SO_HOA_GIAY_TO_GIAI_QUYET", "numerator"] == procs["digitized_components"].sum()
    # the payment's procedure part: fee procedures with an online payment, as the per-procedure counts show them
    extra = subindicator_inputs(load_definition().subindicator("ONLINE_PAYMENT_TOTAL"), totals)[2]
    assert extra["totalDossierOnlineFormalityPaymentSuccess"] == ((procs["online_payments"] > 0) & procs["has_fee"]).sum()
    assert inputs_points(load_definition().subindicator("ONLINE_PAYMENT_TOTAL"), *subindicator_inputs(
        load_definition().subindicator("ONLINE_PAYMENT_TOTAL"), totals)) == portal.loc["ONLINE_PAYMENT_TOTAL",
                                                                                       "points_recomputed"]


def test_2024q2_online_filing_share_is_2944_of_8080(demo):
    row = subindicator_breakdown(demo, "2024Q2", SCT).set_index("code").loc["ONLINE_FILING_SHARE"]
    assert (row["numerator"], row["denominator"], row["rate_pct"], row["points_recomputed"]) == (2944, 8080, 36.44, 4.37)
    assert 0.5 * row["denominator"] - row["numerator"] == 1096  # filings more for the full 6 points at 50 %


def test_the_fall_of_the_online_filing_share_is_mix_from_promotion_notices(demo):
    split = mix_rate_split(demo, "2024Q2", SCT, "ONLINE_FILING_SHARE", "2024Q1")
    total = split[split["level"] == "total"].iloc[0]
    assert (total["points_previous"], total["points"], total["points_change"]) == (6.0, 4.37, -1.63)
    assert total["mix_effect_points"] <= -1.6 and abs(total["rate_effect_points"]) <= 0.05
    procedures = split[split["level"] == "procedure"]
    biggest = procedures.iloc[procedures["mix_effect_pp"].abs().argmax()]
    assert biggest["procedure_name"] in dd.PROMOTION_NOTICES
    promo = procedures[procedures["procedure_name"].isin(dd.PROMOTION_NOTICES)]
    assert promo["weight_pct"].sum() > 1.5 * promo["weight_previous_pct"].sum()  # their volume share rose
    assert promo["rate_effect_pp"].abs().sum() < 0.5  # at the same online share in both quarters


def test_the_rest_of_the_fall_is_online_payment_by_rate(demo):
    split = mix_rate_split(demo, "2024Q2", SCT, "ONLINE_PAYMENT_TOTAL", "2024Q1")
    total = split[split["level"] == "total"].iloc[0]
    assert total["points_change"] == -0.8  # the filing part (6 of 10); the procedure part falls 0,82 → 0,22
    assert abs(total["rate_effect_points"]) > 10 * abs(total["mix_effect_points"])
    pay = subindicator_breakdown(demo, None, SCT, "online_services").set_index(["period", "code"])
    assert pay.loc[("2024Q1", "ONLINE_PAYMENT_TOTAL"), "points_recomputed"] == 1.86
    assert pay.loc[("2024Q2", "ONLINE_PAYMENT_TOTAL"), "points_recomputed"] == 0.46


def test_promotion_notices_hold_most_of_the_2024q2_digitization_shortfall(demo):
    pareto = shortfall_pareto(demo, "2024Q2", SCT, "SO_HOA_GIAY_TO_GIAI_QUYET")
    promo = pareto[pareto["procedure_name"].isin(dd.PROMOTION_NOTICES)]
    assert set(pareto.head(2)["procedure_name"]) == set(dd.PROMOTION_NOTICES)
    assert promo["share_pct"].sum() > 75


def test_the_online_filings_short_of_full_points_all_sit_in_the_promotion_notices(demo):
    pareto = shortfall_pareto(demo, "2024Q2", SCT, "ONLINE_FILING_SHARE")
    # 1.096 more online filings reach the 50 % at which the share is full; the first promotion notice alone
    # misses more than that, so it holds the whole shortfall
    assert list(pareto["procedure_name"]) == [dd.PROMOTION_NOTICES[0]] and list(pareto["shortfall_filings"]) == [1096]
    assert pareto["missing_filings"].iloc[0] > 1096


def test_seed_facts_still_hold(demo):
    q3 = procedure_filings(demo, period="2023Q3", unit_id=SCT, count_source="own")
    assert (q3["received_total"].sum(), q3["received_online"].sum()) == (9436, 9436)
    q1_portal = procedure_filings(demo, period="2024Q1", unit_id=SCT, count_source="portal")
    q1_own = procedure_filings(demo, period="2024Q1", unit_id=SCT, count_source="own")
    assert q1_portal["overdue_filings"].sum() == 83
    assert q1_own["overdue_filings"].sum() == 0
    overdue = q1_portal[q1_portal["overdue_filings"] > 0]
    assert set(overdue["procedure_name"]) == set(dd.MISCONFIGURED_DEADLINES)


def test_the_generated_portal_files_are_marked_illustrative(demo):
    folder = dd.RAW_ROOT / "illustrative" / dd.PORTAL_DIR
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "illustrative" and manifest["note"] == dd.ILLUSTRATIVE_NOTE
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.json") if p.name != "manifest.json")
    assert files == sorted(c["file"] for c in manifest["captures"])
    assert all(c["illustrative"] for c in manifest["captures"])
    for name in files:
        document = json.loads((folder / name).read_text(encoding="utf-8"))
        assert document["data"]["source"] == dd.ILLUSTRATIVE_NOTE, name
    rows = demo.execute("SELECT count(*), bool_and(illustrative) FROM portal_metrics WHERE unit_id = ?", [SCT]).fetchone()
    assert rows[0] > 0 and rows[1]
    # the illustrative responses publish no score: nothing of theirs reaches the published-looking scores
    assert demo.execute("SELECT count(*) FROM index_scores WHERE unit_id = ? AND index_version = 'v2025'",
                        [SCT]).fetchone()[0] == 0
