# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Rà soát một quý — a quarter's scores, gaps, changes and grade for one unit and its peers
#
# Everything here comes from the same `analytics` functions the dashboard calls, on the database named by
# `ANALYTICS_DB` (default `data/curated/analytics.duckdb`), opened read-only. Change `UNIT` and `PERIOD` and run all.

# %%
import os

from analytics.brief.findings import meeting_brief
from analytics.analyses.changes import score_changes
from analytics.db import connect_read_only, db_path
from analytics.labels import labelled  # keys in, labels at the edge
from analytics.units import resolve_unit
from analytics.analyses.gaps import component_gaps, grade_outlook
from analytics.analyses.rankings import unit_rankings

UNIT = os.environ.get("NOTEBOOK_UNIT", "Sở Công Thương")
PERIOD = os.environ.get("NOTEBOOK_PERIOD", "2024Q2")
con = connect_read_only(db_path())
UNIT_ID = resolve_unit(con, UNIT)  # the one place the unit's text becomes its id
print(f"database: {db_path()}")

# %% [markdown]
# ## Scores and gaps
# Score, maximum, gap to maximum, the plan target where one exists, and each component's share of the points lost.
# `illustrative` marks values that are not published figures.

# %%
gaps = labelled(component_gaps(con, PERIOD, UNIT_ID))
gaps[["component_label", "score_points", "max_points", "gap_to_max_points", "target_points", "gap_to_target_points",
      "share_of_lost_points_pct", "illustrative"]]

# %%
total = gaps[gaps["component"] == "total"].iloc[0]
print(f"QUARTER_TOTAL={total['score_points']:.2f}")

# %% [markdown]
# ## What the next grade needs

# %%
outlook = labelled(grade_outlook(con, PERIOD, UNIT_ID))
outlook[["total_points", "grade", "next_grade", "points_to_next_grade_points", "component_label", "gap_to_max_points",
         "could_supply"]]

# %% [markdown]
# ## Changes since the previous quarter and the same quarter last year
# A missing side gives no number but a reason: an unpublished score is unknown, not zero.

# %%
changes = labelled(score_changes(con, PERIOD, UNIT_ID))
changes[["component_label", "score_points", "previous_points", "change_vs_previous_points", "change_vs_previous_reason",
         "last_year_points", "change_vs_last_year_points"]]

# %%
online = changes[changes["component"] == "online_services"].iloc[0]
print(f"ONLINE_CHANGE={online['change_vs_previous_points']:.2f}")

# %% [markdown]
# ## Peers: the unit's rank among units of the same level

# %%
level = gaps["unit_level"].iloc[0]
ranks = labelled(unit_rankings(con, PERIOD, level))
ranks[["unit", "score_points", "rank", "units_ranked", "peer_median_points", "peer_best_points", "illustrative"]]

# %% [markdown]
# ## The brief for the meeting

# %%
for finding in meeting_brief(con, PERIOD, UNIT_ID):
    print("•", finding.text)
