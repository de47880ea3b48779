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
# # Vì sao điểm số hóa thấp? — the inspectorate's walk from a component to procedures
#
# Component → sub-indicators → procedures and departments → what changed → what each fix would recover.
# Per-procedure counts of Sở Công Thương in the demo data are **illustrative**; the scoring rules are the
# national portal's (reproduced exactly on Phú Thọ's published data, see `python -m analytics portal-check`).

# %%
import os

from analytics.analyses.audit import deadline_mismatches
from analytics.db import connect_read_only, db_path
from analytics.labels import labelled  # keys in, labels at the edge
from analytics.units import resolve_unit
from analytics.analyses.explain import department_shortfall, mix_rate_split, shortfall_pareto, subindicator_breakdown
from analytics.analyses.reconcile import own_vs_portal, reconciliation_summary
from analytics.analyses.whatif import points_at_stake, simulate, what_would_it_take

UNIT = os.environ.get("NOTEBOOK_UNIT", "Sở Công Thương")
PERIOD = os.environ.get("NOTEBOOK_PERIOD", "2024Q2")
COMPONENT = "digitization"
con = connect_read_only(db_path())
UNIT_ID = resolve_unit(con, UNIT)  # the one place the unit's text becomes its id

# %% [markdown]
# ## 1. Sub-indicators: where the points are lost
# `points` is published (null where only the group total is published), `points_recomputed` comes from the
# filing counts through the scoring engine, `points_at_stake` is what remains to win.

# %%
subs = labelled(subindicator_breakdown(con, PERIOD, UNIT_ID, COMPONENT))
subs[["code", "label", "numerator", "denominator", "rate_pct", "points", "points_recomputed", "max_points",
      "points_at_stake", "source", "illustrative"]]

# %%
points_at_stake(con, PERIOD, UNIT_ID, COMPONENT)

# %% [markdown]
# ## 2. Procedures: a Pareto of the filings without digitized components

# %%
pareto = shortfall_pareto(con, PERIOD, UNIT_ID, "SO_HOA_GIAY_TO_GIAI_QUYET")
vital_few = pareto[pareto["in_first_80_pct"]]
print(f"{len(vital_few)} of {len(pareto)} procedures hold {vital_few['share_pct'].sum():.1f} % of the undigitized filings")
print(f"TOP_PROCEDURE={pareto.iloc[0]['procedure_name']}")
pareto.head(10)[["rank", "procedure_name", "department", "denominator", "numerator", "shortfall_filings", "share_pct",
                 "cumulative_pct"]]

# %%
department_shortfall(con, PERIOD, UNIT_ID, "SO_HOA_GIAY_TO_GIAI_QUYET")

# %% [markdown]
# ## 3. Did the rate move because the mix of filings shifted, or because rates inside procedures changed?

# %%
split = mix_rate_split(con, PERIOD, UNIT_ID, "SO_HOA_GIAY_TO_GIAI_QUYET")
split.tail(1)

# %% [markdown]
# ## 4. Own records against the portal (online filings, overdue filings)

# %%
reconciliation_summary(con, PERIOD, UNIT_ID)

# %%
own_vs_portal(con, PERIOD, UNIT_ID).head(10)

# %% [markdown]
# ## 5. Deadlines configured differently from the published ones (false "overdue" filings)

# %%
deadline_mismatches(con, UNIT_ID, PERIOD)

# %% [markdown]
# ## 6. What would it take — and what if the top procedure digitized 500 more filings?

# %%
what_would_it_take(con, PERIOD, UNIT_ID, COMPONENT, gain_points=2)

# %%
top = pareto.iloc[0]["procedure_name"]
result = simulate(con, PERIOD, UNIT_ID, {top: {"digitized": 500}})
result
