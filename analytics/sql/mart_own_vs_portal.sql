-- mart_own_vs_portal
-- grain: one row per (period, unit, procedure, measure) for every (period, unit) with filing counts
-- sources: stg_filing_counts (own one-stop records vs national-portal counts, codes filled from the catalogue)
-- rules:
--   * measures: filings = received_total; online_filings = received_online (new filings submitted online);
--     overdue_filings = resolved_late + pending_overdue (the portal's "Trả quá hạn" + "Quá hạn");
--   * a procedure is the same on both sides when its code is (else its folded name);
--   * difference_count = portal − own; null when one side has no row (not counted ≠ counted 0);
--   * difference_rank orders the procedures of a (period, unit, measure) by |difference|, largest first
--     (unknown differences last, ties by procedure code or name).
WITH filings AS (
    SELECT
        *,
        coalesce(procedure_code, name_key) AS procedure_key
    FROM stg_filing_counts
),

counts AS (
    SELECT
        period, unit_id, count_source, procedure_key, procedure_code, procedure_name, department,
        received_total AS filings,
        received_online AS online_filings,
        overdue_filings
    FROM filings
),

measures AS (
    SELECT *
    FROM counts
    UNPIVOT INCLUDE NULLS (count_value FOR measure IN (filings, online_filings, overdue_filings))
),

paired AS (
    SELECT
        period,
        unit_id,
        procedure_key,
        measure,
        coalesce(max(procedure_code) FILTER (WHERE count_source = 'portal'), max(procedure_code)) AS procedure_code,
        coalesce(max(procedure_name) FILTER (WHERE count_source = 'portal'), max(procedure_name)) AS procedure_name,
        coalesce(max(department) FILTER (WHERE count_source = 'portal'), max(department)) AS department,
        max(count_value) FILTER (WHERE count_source = 'own') AS own_count,
        max(count_value) FILTER (WHERE count_source = 'portal') AS portal_count
    FROM measures
    GROUP BY period, unit_id, procedure_key, measure
)

SELECT
    period,
    unit_id,
    measure,
    procedure_code,
    procedure_name,
    department,
    own_count,
    portal_count,
    portal_count - own_count AS difference_count,
    abs(portal_count - own_count) AS abs_difference_count,
    row_number() OVER (
        PARTITION BY period, unit_id, measure
        ORDER BY abs(portal_count - own_count) DESC NULLS LAST, procedure_key ASC
    ) AS difference_rank
FROM paired
