"""What-if: the fewest extra filings for a gain (checked against the engine), the simulator, and the demo's levers."""

from __future__ import annotations

import pytest

from analytics.labels import labelled

from analytics.units import resolve_unit
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.definition import load_definition
from analytics.analyses.explain import subindicator_counts
from analytics.scoring import subindicator_points
from analytics.analyses.whatif import (
    _smallest_extra,
    apply_change,
    points_at_stake,
    simulate,
    what_would_it_take,
    what_would_it_take_all,
)
from test_explain import UNIT, catalog, filing, insert, memory_db, small_unit

SUB = load_definition().subindicator
PUBLISHED_2024Q2 = {"transparency": 18.0, "timeliness": 19.8, "digitization": 0.22, "online_services": 7.46,
                    "satisfaction": 18.0, "total": 63.48}  # VB 1937/VP-HCC 09/7/2024


def publish(con, period: str, scores: dict[str, float]) -> None:
    """Published five-group scores (and total) of Sở Công Thương for a period."""
    maxima = {"transparency": 18, "timeliness": 20, "digitization": 22, "online_services": 22, "satisfaction": 18,
              "total": 100}
    for component, points in scores.items():
        insert(con, "index_scores", period=period, unit_id=UNIT, component=component, score_points=points,
               max_points=maxima[component], index_version="v2022", illustrative=False)


def thousand_filings() -> object:
    """One procedure, 1,000 filings received in person and resolved, none digitized; 2024Q2 published as 63.48."""
    con = memory_db()
    catalog(con, "1.000001", "Thủ tục A")
    filing(con, "2024Q2", "portal", "1.000001", in_person=1000, early=1000, synced=1000)
    publish(con, "2024Q2", PUBLISHED_2024Q2)
    return con


# --- what would it take ---------------------------------------------------------------------------------

def test_fewest_filings_for_one_point_follow_the_portal_rounding():
    df = what_would_it_take(thousand_filings(), "2024Q2", UNIT, "digitization", gain_points=1)
    got = {r.code: (r.extra_filings, r.new_points, r.gain_points, r.reachable) for r in df.itertuples()}
    # 4·249/1000 = 0.996 → 1.00 (rounded as the portal rounds), 4·248/1000 = 0.992 → 0.99
    assert got["SO_HOA_GIAY_TO_GIAI_QUYET"] == (249, 1.0, 1.0, True)
    # 6·166/1000 = 0.996 → 1.00; 6·165/1000 = 0.99
    assert got["ORIGINAL_RESULT_AVAILABLE"] == (166, 1.0, 1.0, True)
    # capped at 80 %: 2·(399/1000)/0.8 = 0.9975 → 1.00, while 398 gives 0.995 whose binary value rounds down
    assert got["REUSED_DIGITIZED_DATA"] == (399, 1.0, 1.0, True)
    assert list(df["code"]) == ["ORIGINAL_RESULT_AVAILABLE", "SO_HOA_GIAY_TO_GIAI_QUYET", "REUSED_DIGITIZED_DATA"]
    assert set(df["extra_of"]) == {"filings"} and set(df["target_gain_points"]) == {1.0}


def test_next_grade_target_comes_from_the_published_total_and_says_when_it_is_out_of_reach():
    df = labelled(what_would_it_take(thousand_filings(), "2024Q2", "so cong thuong", "digitization", to_next_grade=True))
    assert set(df["target_gain_points"]) == {6.52} and set(df["target_grade"]) == {"Khá"}  # 63.48 → 70
    got = {r.code: (r.extra_filings, r.gain_points, r.reachable) for r in df.itertuples()}
    assert got["ORIGINAL_RESULT_AVAILABLE"] == (1000, 6.0, False)  # the whole headroom gives 6 < 6.52
    assert got["SO_HOA_GIAY_TO_GIAI_QUYET"] == (1000, 4.0, False)
    assert df["note"].str.contains("tối đa").all()


def test_what_would_it_take_refuses_unclear_targets():
    con = thousand_filings()
    with pytest.raises(ValueError, match="either"):
        what_would_it_take(con, "2024Q2", "so cong thuong", "digitization")
    with pytest.raises(ValueError, match="either"):
        what_would_it_take(con, "2024Q2", "so cong thuong", "digitization", gain_points=1, to_next_grade=True)
    unpublished = small_unit()
    with pytest.raises(ValueError, match="not published"):
        what_would_it_take(unpublished, "2024Q2", "so cong thuong", "digitization", to_next_grade=True)
    with pytest.raises(ValueError, match="no unit"):
        what_would_it_take(con, "2024Q2", "Sở Tư pháp", "digitization", gain_points=1)


LEVERS = ["SO_HOA_GIAY_TO_GIAI_QUYET", "REUSED_DIGITIZED_DATA", "ONLINE_FILING_SHARE", "DVC_PROGRESS_ON_TIME",
          "ORIGINAL_RESULT_AVAILABLE", "PETITION_HANDLING_SATISFACTION"]


@st.composite
def lever_case(draw):
    sub = SUB(draw(st.sampled_from(LEVERS)))
    denominator = draw(st.integers(min_value=1, max_value=20_000))
    numerator = draw(st.integers(min_value=0, max_value=denominator))
    target = draw(st.integers(min_value=1, max_value=int(sub.max_points * 100))) / 100
    return sub, numerator, denominator, target


@settings(max_examples=300, deadline=None)
@given(lever_case())
def test_smallest_extra_is_enough_and_one_fewer_is_not(case):
    sub, numerator, denominator, target = case
    base = subindicator_points(sub, numerator, denominator)
    k, new_points, reachable = _smallest_extra(sub, numerator, denominator, {}, target, denominator - numerator)
    assert new_points == subindicator_points(sub, numerator + k, denominator)
    if reachable:
        assert new_points - base >= target - 1e-9
        assert k >= 1
        assert subindicator_points(sub, numerator + k - 1, denominator) - base < target - 1e-9
    else:
        assert k == denominator - numerator
        assert subindicator_points(sub, denominator, denominator) - base < target - 1e-9


# --- the simulator ----------------------------------------------------------------------------------------

def test_apply_change_moves_filings_between_parts_of_the_same_whole():
    row = {"received_online": 0, "received_in_person": 3, "received_postal": 2, "resolved_early": 1,
           "resolved_on_time": 1, "resolved_late": 2, "pending_within_time": 0, "pending_overdue": 2,
           "received_total": 5, "digitized_components": 1, "procedure_name": "A"}
    assert apply_change(row, "online", 4) == 4
    assert (row["received_online"], row["received_in_person"], row["received_postal"], row["received_new"]) == (4, 0, 1, 5)
    assert apply_change(row, "online", -10) == -4  # undone to in person only
    assert (row["received_online"], row["received_in_person"], row["received_postal"]) == (0, 4, 1)
    assert apply_change(row, "on_time", 3) == 3  # late first, then pending overdue
    assert (row["resolved_on_time"], row["resolved_late"], row["pending_within_time"], row["pending_overdue"]) == (3, 0, 1, 1)
    assert (row["on_time_filings"], row["overdue_filings"]) == (5, 1)
    assert apply_change(row, "digitized", 100) == 4  # never more than received
    assert apply_change(row, "digitized", -100) == -5  # never below 0
    row["reused_data"] = None
    with pytest.raises(ValueError, match="unknown"):
        apply_change(row, "reused", 1)


def test_simulate_moves_the_published_scores_by_the_recomputed_change():
    con = small_unit()
    con.execute("DELETE FROM index_scores")
    publish(con, "2024Q2", PUBLISHED_2024Q2)
    df = labelled(simulate(con, "2024Q2", UNIT, {"1.000001": {"digitized": 100, "on_time": 10},
                                                 "Thủ tục B": {"paid_online": 2}}))
    changes = df[df["level"] == "change"]
    assert list(zip(changes["procedure_code"], changes["action"], changes["requested_count"], changes["applied_count"])) == [
        ("1.000001", "digitized", 100, 36), ("1.000001", "on_time", 10, 4), ("1.000002", "paid_online", 2, 2)]
    subs = df[df["level"] == "subindicator"].set_index("code")
    assert tuple(subs.loc["SO_HOA_GIAY_TO_GIAI_QUYET", ["numerator_before", "numerator_after", "points_before",
                                                       "points_after", "change_points"]]) == (5, 41, 0.4, 3.28, 2.88)
    assert tuple(subs.loc["DVC_PROGRESS_ON_TIME", ["numerator_after", "points_after", "change_points"]]) == (50, 20.0, 1.6)
    # payment part 1: 6/10 → 3.60 (was 2.40)
    assert tuple(subs.loc["ONLINE_PAYMENT_TOTAL", ["points_before", "points_after"]]) == (3.65, 4.85)
    components = df[df["level"] == "component"].set_index("component")
    assert tuple(components.loc["digitization", ["points_before", "points_after", "change_points"]]) == (0.22, 3.1, 2.88)
    assert tuple(components.loc["timeliness", ["points_before", "points_after", "change_points"]]) == (19.8, 20.0, 0.2)
    assert tuple(components.loc["online_services", ["points_before", "points_after"]]) == (7.46, 8.66)
    total = df[df["level"] == "total"].iloc[0]
    # 63.48 + 2.88 + 0.2 (timeliness kept within its 20) + 1.2
    assert (total.points_before, total.points_after, total.change_points) == (63.48, 67.76, 4.28)
    assert (total.grade_before, total.grade_after) == ("Trung bình", "Trung bình")
    with pytest.raises(ValueError, match="no procedure"):
        simulate(con, "2024Q2", UNIT, {"9.999999": {"digitized": 1}})
    with pytest.raises(ValueError, match="unknown change"):
        simulate(con, "2024Q2", UNIT, {"1.000001": {"teleported": 1}})


# --- the demo database ----------------------------------------------------------------------------------

def test_demo_points_at_stake_in_digitization(demo):
    df = points_at_stake(demo, "2024Q2", "so cong thuong", "digitization")
    assert list(df["code"].head(3)) == ["ORIGINAL_RESULT_AVAILABLE", "SYNCED_WITH_DVCQG_PERSONAL_STORAGE",
                                        "SO_HOA_GIAY_TO_GIAI_QUYET"]
    assert list(df["points_at_stake"].head(3)) == [5.85, 4.0, 3.94]
    assert (df["max_points"] - df["points_recomputed"]).round(2).head(3).tolist() == [5.85, 4.0, 3.94]
    assert round(df["points_recomputed"].sum(), 2) == 0.22  # the published score


@pytest.mark.parametrize("component,gain", [("digitization", 1), ("digitization", 0.5), ("online_services", 1),
                                            ("online_services", 2.5), ("online_services", 0.5), ("timeliness", 0.2)])
def test_demo_extra_filings_reach_the_gain_and_one_fewer_does_not(demo, component, gain):
    df = what_would_it_take(demo, "2024Q2", "so cong thuong", component, gain_points=gain)
    _, counts = subindicator_counts(demo, "2024Q2", UNIT)
    assert df["reachable"].any()
    for r in df.itertuples():
        numerator, denominator, extra = counts[r.code]
        sub = SUB(r.code)
        base = subindicator_points(sub, numerator, denominator, **extra)
        after = subindicator_points(sub, numerator + r.extra_filings, denominator, **extra)
        assert after == r.new_points
        if r.reachable:
            assert after - base >= gain - 1e-9
            before = subindicator_points(sub, numerator + r.extra_filings - 1, denominator, **extra)
            assert before - base < gain - 1e-9
        else:
            assert after - base < gain - 1e-9 and r.new_numerator == denominator


def test_demo_transparency_at_its_maximum_has_nothing_to_gain(demo):
    df = what_would_it_take(demo, "2024Q2", "so cong thuong", "transparency", gain_points=1)
    assert df["code"].tolist() == ["DOSSIER_SYNC"]  # the only one a department can move: already full
    assert not df["reachable"].any() and df["gain_points"].tolist() == [0.0]


def test_demo_digitization_levers_for_one_point(demo):
    df = what_would_it_take(demo, "2024Q2", "so cong thuong", "digitization", gain_points=1)
    assert list(zip(df["code"], df["extra_filings"], df["new_rate_pct"])) == [
        ("CITIZEN_DATA_CONNECTED_FORMALITY", 64, 50.39), ("ORIGINAL_RESULT_AVAILABLE", 1300, 19.09),
        ("SO_HOA_GIAY_TO_GIAI_QUYET", 2030, 26.38), ("SYNCED_WITH_DVCQG_PERSONAL_STORAGE", 2040, 24.88),
        ("REUSED_DIGITIZED_DATA", 3256, 40.2), ("CITIZEN_DATA_CONNECTED_DOSSIER", 4080, 49.76)]


def test_demo_no_single_online_lever_reaches_the_next_grade(demo):
    df = what_would_it_take(demo, "2024Q2", "so cong thuong", "online_services", to_next_grade=True)
    assert set(df["target_gain_points"]) == {6.52} and not df["reachable"].any()
    assert dict(zip(df["code"], df["gain_points"])) == {
        "ONLINE_PROCEDURES": 0.0, "ONLINE_SERVICES_USED": 3.37, "ONLINE_PAYMENT_TOTAL": 5.76, "ONLINE_FILING_SHARE": 1.63}


def test_demo_simulated_promotion_notices_filed_online(demo):
    df = labelled(simulate(demo, "2024Q2", "so cong thuong", {"Thông báo hoạt động khuyến mại": {"online": 2000}}))
    share = df[df["code"] == "ONLINE_FILING_SHARE"].iloc[0]
    assert (share.numerator_before, share.numerator_after, share.denominator) == (2944, 4944, 8080)
    assert (share.points_before, share.points_after) == (4.37, 6.0)  # capped: full from 50 %
    online = df[(df["level"] == "component") & (df["component"] == "online_services")].iloc[0]
    assert (online.points_before, online.points_after) == (7.46, 9.09)
    total = df[df["level"] == "total"].iloc[0]
    assert (total.points_before, total.points_after, total.grade_after) == (63.48, 65.11, "Trung bình")


def test_demo_digitizing_everything_lifts_the_grade(demo):
    codes = [r[0] for r in demo.execute(
        "SELECT procedure_code FROM stg_filing_counts WHERE period = '2024Q2' AND count_source = 'portal'").fetchall()]
    everything = {code: {"digitized": 10**6, "electronic_result": 10**6, "reused": 10**6} for code in codes}
    df = labelled(simulate(demo, "2024Q2", "so cong thuong", everything))
    digitization = df[(df["level"] == "component") & (df["component"] == "digitization")].iloc[0]
    assert (digitization.points_recomputed_before, digitization.points_recomputed_after) == (0.22, 12.0)
    assert digitization.points_after == pytest.approx(0.22 + 11.78)
    total = df[df["level"] == "total"].iloc[0]
    assert (total.points_after, total.grade_after) == (75.26, "Khá")
    applied = df[df["level"] == "change"]
    assert int(applied.loc[applied["action"] == "digitized", "applied_count"].sum()) == 8199 - 133


def test_demo_whatif_for_every_period_leaves_out_unknown_targets(demo):
    one = what_would_it_take_all(demo, "2024Q2", "so cong thuong", "digitization")  # default gain: 1 point
    assert one.drop(columns="target_gain_points").equals(
        what_would_it_take(demo, "2024Q2", "so cong thuong", "digitization", gain_points=1).drop(columns="target_gain_points"))
    assert set(one["target_gain_points"]) == {1.0}
    # Phú Thọ's department has portal counts in 2026Q3; Đồng Nai's has none then
    phu_tho = resolve_unit(demo, "Sở Công Thương - Tỉnh Phú Thọ")
    assert set(what_would_it_take_all(demo, "2026Q3", phu_tho, "timeliness", to_next_grade=True)["unit_id"]) == {
        "portal:H44.07"}
    assert what_would_it_take_all(demo, "2026Q3", UNIT, "timeliness", to_next_grade=True).empty
    every = what_would_it_take_all(demo, None, resolve_unit(demo, "Sở Công Thương"), "timeliness", to_next_grade=True)
    assert set(every["unit_id"]) == {UNIT}
    periods = set(every.loc[every["unit_id"] == UNIT, "period"])
    assert "2024Q1" not in periods  # its total was not published: the next grade is unknown
    assert periods == {"2023Q1", "2023Q2", "2023Q3", "2023Q4", "2024Q2", "2024Q3", "2024Q4", "2025Q1", "2025Q2"}
    assert set(every.loc[every["period"] == "2024Q2", "target_gain_points"]) == {6.52}
