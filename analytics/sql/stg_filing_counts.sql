-- stg_filing_counts
-- grain: one row per (period, unit, procedure, count source)
-- sources: filing_counts (own one-stop records 'own', national-portal counts 'portal'), procedure_catalog
-- rules:
--   * names are matched folded, as analytics.definition.fold folds them: Unicode NFC, lower case, diacritics
--     stripped, đ → d, runs of white space → one space;
--   * a missing procedure_code is taken from the unit's catalogue entry with the same folded name, only when
--     exactly one entry has that name (the one-stop "báo cáo tổng hợp" xlsx carries names only); a missing
--     department (and name) from the entry with the same code, else the same folded name;
--   * where several loaded files count the same (period, unit, procedure, source), published beats illustrative,
--     then the latest ingest wins (as stg_index_scores does);
--   * derived counts (the placeholder below) are declared once, in definition.yaml's derived_counts (received_new,
--     on_time_filings, overdue_filings: each the sum of its parts, NULL when a part is unknown); analytics.db
--     writes them in when it creates the view.
-- materialised: in a database file this query's rows are kept in the table pre_filing_counts, recomputed at
-- ingest for the (period, unit) pairs a load touches, and the view reads that table (analytics.db).
WITH name_keys AS (
    -- folded once per distinct name, not once per row
    SELECT
        procedure_name,
        fold_text(procedure_name)
            AS name_key
    FROM (SELECT DISTINCT procedure_name FROM {{filing_counts}})
),

filings AS (
    SELECT
        f.*,
        k.name_key
    FROM {{filing_counts}} AS f
    LEFT JOIN name_keys AS k
        ON k.procedure_name IS NOT DISTINCT FROM f.procedure_name
),

catalog AS (
    SELECT
        c.unit_id,
        c.procedure_code,
        c.procedure_name,
        c.department,
        fold_text(c.procedure_name)
            AS name_key
    FROM procedure_catalog AS c
),

catalog_by_name AS (
    SELECT
        unit_id,
        name_key,
        min(procedure_code) AS procedure_code,
        min(department) AS department,
        count(*) AS entries
    FROM catalog
    GROUP BY unit_id, name_key
),

catalog_by_code AS (
    SELECT
        unit_id,
        procedure_code,
        min(procedure_name) AS procedure_name,
        min(department) AS department
    FROM catalog
    WHERE procedure_code IS NOT NULL
    GROUP BY unit_id, procedure_code
),

filled AS (
    SELECT
        f.* EXCLUDE (procedure_code, procedure_name, department),
        coalesce(f.procedure_code, n.procedure_code) AS procedure_code,
        coalesce(f.procedure_name, k.procedure_name) AS procedure_name,
        coalesce(f.department, k.department, n.department) AS department,
        CASE
            WHEN f.procedure_code IS NOT NULL THEN 'file'
            WHEN n.procedure_code IS NOT NULL THEN 'catalog'
        END AS procedure_code_source
    FROM filings AS f
    LEFT JOIN catalog_by_name AS n
        ON n.unit_id = f.unit_id AND n.name_key = f.name_key AND n.entries = 1
    LEFT JOIN catalog_by_code AS k
        ON k.unit_id = f.unit_id AND k.procedure_code = f.procedure_code
),

best AS (
    -- the preferred row of each (period, unit, source, procedure): published first, then the latest ingest,
    -- then the first row (an aggregate and a join: no sort of every row)
    SELECT
        period,
        unit_id,
        count_source,
        coalesce(procedure_code, name_key) AS procedure_key,
        min((illustrative, -ingest_id, row_number)) AS preference
    FROM filled
    GROUP BY ALL
),

preferred AS (
    SELECT f.*
    FROM filled AS f
    INNER JOIN best AS b
        ON b.period = f.period AND b.unit_id = f.unit_id AND b.count_source = f.count_source
        AND b.procedure_key IS NOT DISTINCT FROM coalesce(f.procedure_code, f.name_key)
        AND b.preference IS NOT DISTINCT FROM (f.illustrative, -f.ingest_id, f.row_number)
    QUALIFY row_number() OVER (
        PARTITION BY f.period, f.unit_id, f.count_source, coalesce(f.procedure_code, f.name_key)
    ) = 1
)

SELECT
    period,
    unit_id,
    count_source,
    procedure_code,
    procedure_name,
    name_key,
    department,
    procedure_code_source,
    received_total,
    received_online,
    received_in_person,
    received_postal,
    carried_over,
    resolved_total,
    resolved_early,
    resolved_on_time,
    resolved_late,
    pending_total,
    pending_within_time,
    pending_overdue,
    digitized_components,
    electronic_results,
    reused_data,
    fee_filings,
    online_payments,
    synced_filings,
    feedback_total,
    feedback_on_time,
    feedback_satisfied,
    {{derived_counts}},
    illustrative,
    source_file,
    sheet,
    row_number,
    ingest_id
FROM preferred
