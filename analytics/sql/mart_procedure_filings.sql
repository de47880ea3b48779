-- mart_procedure_filings
-- grain: one row per (period, unit, count source, procedure)
-- sources: stg_filing_counts (codes filled from the catalogue), procedure_catalog (service level, fee)
-- rules:
--   * the catalogue entry is found by procedure code, else by folded name (one entry only);
--   * is_online_service: the catalogue offers the procedure as an online public service, full-process
--     ("Toàn trình") or partial ("Một phần") — the portal's partialCount + fullCount (ONLINE_PROCEDURES);
--     null when the procedure is not in the catalogue;
--   * is_preferred_source: the count source the index is explained from for this (period, unit): the
--     national portal's own counts when loaded ('portal'), else the unit's one-stop records ('own'), else the
--     counts derived from its dossier lists ('dossiers').
WITH filings AS (
    SELECT * FROM stg_filing_counts
),

catalog AS (
    SELECT
        unit_id,
        procedure_code,
        fold_text(procedure_name)
            AS name_key,
        service_level,
        fold_text(service_level)
            IN ('toan trinh', 'mot phan') AS is_online_service,
        has_fee,
        count(*) OVER (PARTITION BY unit_id, procedure_code) AS code_entries,
        count(*) OVER (
            PARTITION BY unit_id,
            fold_text(procedure_name)
        ) AS name_entries
    FROM procedure_catalog
),

sources AS (
    SELECT
        period,
        unit_id,
        CASE
            WHEN bool_or(count_source = 'portal') THEN 'portal'
            WHEN bool_or(count_source = 'own') THEN 'own'
            ELSE 'dossiers'
        END AS preferred_source
    FROM filings
    GROUP BY period, unit_id
),

joined AS (
    SELECT
        f.*,
        coalesce(by_code.service_level, by_name.service_level) AS service_level,
        coalesce(by_code.is_online_service, by_name.is_online_service) AS is_online_service,
        coalesce(by_code.has_fee, by_name.has_fee) AS has_fee,
        (by_code.unit_id IS NOT NULL OR by_name.unit_id IS NOT NULL) AS in_catalog,
        f.count_source = s.preferred_source AS is_preferred_source
    FROM filings AS f
    INNER JOIN sources AS s
        ON s.period = f.period AND s.unit_id = f.unit_id
    LEFT JOIN catalog AS by_code
        ON by_code.unit_id = f.unit_id AND by_code.procedure_code = f.procedure_code AND by_code.code_entries = 1
    LEFT JOIN catalog AS by_name
        ON f.procedure_code IS NULL
        AND by_name.unit_id = f.unit_id AND by_name.name_key = f.name_key AND by_name.name_entries = 1
)

SELECT * FROM joined
