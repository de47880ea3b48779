-- stg_index_scores
-- grain: one row per (period, unit, component as loaded: v2022 five groups + total, or v2025 six portal groups)
-- sources: index_scores (provincial tables, the published registry, portal group scores)
-- rule: where several files give the same score, published data beats illustrative, then the latest ingest wins.
WITH ranked AS (
    SELECT
        s.*,
        row_number() OVER (
            PARTITION BY s.period, s.unit_id, s.component
            ORDER BY s.illustrative ASC, s.ingest_id DESC
        ) AS preference
    FROM index_scores AS s
)

SELECT * EXCLUDE (preference)
FROM ranked
WHERE preference = 1
