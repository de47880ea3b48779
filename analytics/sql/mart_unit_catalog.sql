-- mart_unit_catalog
-- grain: one row per unit with a procedure catalogue
-- sources: procedure_catalog
-- rules: procedures_count = procedures under the unit's authority (the portal's authorityCount, denominator of
--   ONLINE_PROCEDURES); online_procedures_count = those offered online, full-process ("Toàn trình") or partial
--   ("Một phần") (partialCount + fullCount; denominator of ONLINE_SERVICES_USED); fee_procedures_count = those
--   charging a fee or charge (totalFeeFormality of the online-payment tree).
WITH catalog AS (
    SELECT
        unit_id,
        fold_text(service_level)
            IN ('toan trinh', 'mot phan') AS is_online_service,
        has_fee
    FROM procedure_catalog
)

SELECT
    unit_id,
    count(*) AS procedures_count,
    count(*) FILTER (WHERE is_online_service) AS online_procedures_count,
    count(*) FILTER (WHERE has_fee) AS fee_procedures_count
FROM catalog
GROUP BY unit_id
