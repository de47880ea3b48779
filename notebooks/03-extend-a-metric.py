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
# # Mở rộng một chỉ số — add a target or a metric and see it flow through
#
# The index definition (`analytics/definition.yaml`) and the targets file (`data/raw/targets/chi-tieu-ke-hoach.csv`)
# are data. This notebook works on **copies** (a temporary database and a temporary definition file), so it
# never changes the project's files: to make a change permanent, edit those two files and run `make run`.

# %%
import os
import shutil
import tempfile
from pathlib import Path

import yaml

from analytics.db import connect_read_only, db_path
from analytics.labels import labelled  # keys in, labels at the edge
from analytics.units import resolve_unit
from analytics.definition import DEFINITION_PATH, load_definition
from analytics.ingest.common import Options
from analytics.ingest.pipeline import describe, ingest
from analytics.analyses.measures import filing_measures
from analytics.analyses.plan_targets import target_status

UNIT = "Sở Công Thương"  # text becomes a unit id once, below (analytics.units.resolve_unit)
work = Path(tempfile.mkdtemp(prefix="extend-"))
db_copy = work / "analytics.duckdb"
shutil.copy(db_path(), db_copy)

# %% [markdown]
# ## 1. Add a plan target
# A target row names a metric key from the definition (or a component key), a comparator, a value and its document.

# %%
target_file = work / "chi-tieu-bo-sung.csv"
target_file.write_text(
    "Năm,Kỳ,Đơn vị,Chỉ số,Nội dung chỉ tiêu,So sánh,Giá trị,Đơn vị tính,Văn bản\n"
    "2024,2024Q2,Sở Công Thương,digitized_rate_pct,Tỷ lệ hồ sơ được số hóa thành phần (Quý II/2024),>=,50,%,"
    "Chỉ tiêu minh họa trong sổ tay phân tích\n",
    encoding="utf-8",
)
(result,) = ingest([target_file], Options(kind="targets"), db=db_copy)
print("\n".join(describe(result)))

# %%
with connect_read_only(db_copy) as con:
    UNIT_ID = resolve_unit(con, UNIT)
    status = labelled(target_status(con, "2024Q2", UNIT_ID))
new = status[status["metric"] == "digitized_rate_pct"]
print(f"NEW_TARGET_ROWS={len(new)}")
new[["metric_label", "comparator", "target_value", "count_source", "measured_value", "met", "margin", "source_document"]]

# %% [markdown]
# ## 2. Add a metric to the definition
# A metric is a numerator and a denominator over filing-count columns. Here: the share of filings received by post
# (BCCI). Point `ANALYTICS_DEFINITION` at the new file and clear the cache; every function that reads the
# definition (measures, targets, changes, the dashboard) now knows the metric.

# %%
definition = yaml.safe_load(DEFINITION_PATH.read_text(encoding="utf-8"))
definition["metrics"]["postal_filing_rate_pct"] = {
    "label_vi": "Tỷ lệ hồ sơ tiếp nhận qua bưu chính công ích",
    "label_en": "Filings received by post",
    "numerator": ["received_postal"],
    "denominator": ["received_online", "received_in_person", "received_postal"],
}
new_definition = work / "definition.yaml"
new_definition.write_text(yaml.safe_dump(definition, allow_unicode=True, sort_keys=False), encoding="utf-8")
os.environ["ANALYTICS_DEFINITION"] = str(new_definition)
load_definition.cache_clear()
assert "postal_filing_rate_pct" in load_definition().metrics

# %%
with connect_read_only(db_copy) as con:
    measures = filing_measures(con, "2024Q2", resolve_unit(con, UNIT))
postal = measures[measures["metric"] == "postal_filing_rate_pct"]
print(f"POSTAL_METRIC_ROWS={len(postal)}")
postal

# %% [markdown]
# Put the definition back (the rest of the session uses the project's file again) and remove the copies.

# %%
del os.environ["ANALYTICS_DEFINITION"]
load_definition.cache_clear()
shutil.rmtree(work)
