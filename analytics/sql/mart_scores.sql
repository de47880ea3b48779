-- mart_scores
-- grain: one row per (period, unit, five-group component or 'total')
-- sources: stg_index_scores, definition_groups (the index definition: which group rolls up to which of the five)
-- rules: v2025's online_payment rolls up with online_services into the 22-point group; a rolled-up score is
-- known only when every part is; a published total is kept as published (null stays null); a unit-period
-- with no total row (portal data) gets the sum of its five groups when all five are known, flagged computed;
-- grade_mismatch (total rows) flags a reported grade that differs from the one the total earns.
WITH scores AS (
    SELECT
        s.*,
        g.common_key
    FROM stg_index_scores AS s
    INNER JOIN definition_groups AS g
        ON g.index_version = s.index_version AND g.group_key = s.component
),

components AS (
    SELECT
        period,
        unit_id,
        common_key AS component,
        CASE WHEN count(*) = count(score_points) THEN round(sum(score_points), 2) END AS score_points,
        sum(max_points) AS max_points,
        CAST(NULL AS TEXT) AS reported_grade,
        false AS grade_mismatch,
        min(index_version) AS index_version,
        bool_or(illustrative) AS illustrative,
        string_agg(DISTINCT source_document, '; ') AS source_document,
        string_agg(DISTINCT source_file, '; ') AS source_file,
        count(*) > 1 AS computed,
        max(ingest_id) AS ingest_id
    FROM scores
    GROUP BY period, unit_id, common_key
),

published_totals AS (
    SELECT
        period, unit_id, 'total' AS component, score_points, max_points, reported_grade,
        coalesce(grade_mismatch, false) AS grade_mismatch, index_version,
        illustrative, source_document, source_file, false AS computed, ingest_id
    FROM stg_index_scores
    WHERE component = 'total'
),

computed_totals AS (
    SELECT
        c.period,
        c.unit_id,
        'total' AS component,
        CASE WHEN count(c.score_points) = (SELECT count(DISTINCT common_key) FROM definition_groups)
            THEN round(sum(c.score_points), 2) END AS score_points,
        sum(c.max_points) AS max_points,
        CAST(NULL AS TEXT) AS reported_grade,
        false AS grade_mismatch,
        min(c.index_version) AS index_version,
        bool_or(c.illustrative) AS illustrative,
        string_agg(DISTINCT c.source_document, '; ') AS source_document,
        string_agg(DISTINCT c.source_file, '; ') AS source_file,
        true AS computed,
        max(c.ingest_id) AS ingest_id
    FROM components AS c
    WHERE NOT EXISTS (
        SELECT 1 FROM published_totals AS t WHERE t.period = c.period AND t.unit_id = c.unit_id
    )
    GROUP BY c.period, c.unit_id
)

SELECT * FROM components
UNION ALL BY NAME
SELECT * FROM published_totals
UNION ALL BY NAME
SELECT * FROM computed_totals
