-- mart_deadline_mismatches
-- grain: one row per (unit, procedure) whose configured processing time differs from the published one
-- sources: procedure_catalog (published deadline "Thời hạn công bố" vs the one configured in the one-stop system)
-- rules:
--   * both deadlines are converted to working hours to compare them: a working day is 8 working hours, and a
--     calendar day ("ngày") is 5/7 of a working day (5 working days in 7 days); hours ("giờ") are taken as
--     working hours. So 15 ngày làm việc = 120 h but 15 ngày ≈ 85.71 h; 8 giờ = 8 h but 1 ngày ≈ 5.71 h;
--   * mismatch: 'too_short' (configured < published: the system calls filings overdue that are on time by the
--     published rule), 'too_long' (the reverse), 'unit_differs' (same length in working hours but another unit:
--     software counting hours as clock hours, or days as calendar days, still drifts from the published rule);
--   * a row whose deadlines are equal in value and unit, or where either value or unit is missing, is no mismatch.
WITH assumptions AS (
    SELECT
        8.0 AS working_hours_per_working_day,
        5.0 AS working_days_per_week,
        7.0 AS days_per_week
),

catalog AS (
    SELECT
        c.unit_id,
        c.procedure_code,
        c.procedure_name,
        c.department,
        c.field,
        c.service_level,
        c.published_time,
        c.published_time_unit,
        c.configured_time,
        c.configured_time_unit,
        c.illustrative,
        c.source_file,
        c.row_number,
        c.published_time * CASE c.published_time_unit
            WHEN 'hours' THEN 1.0
            WHEN 'working_days' THEN a.working_hours_per_working_day
            WHEN 'days' THEN a.working_hours_per_working_day * a.working_days_per_week / a.days_per_week
        END AS published_hours,
        c.configured_time * CASE c.configured_time_unit
            WHEN 'hours' THEN 1.0
            WHEN 'working_days' THEN a.working_hours_per_working_day
            WHEN 'days' THEN a.working_hours_per_working_day * a.working_days_per_week / a.days_per_week
        END AS configured_hours
    FROM procedure_catalog AS c
    CROSS JOIN assumptions AS a
),

classified AS (
    SELECT
        *,
        round(configured_hours - published_hours, 2) AS difference_hours,
        CASE
            WHEN published_time IS NULL OR configured_time IS NULL
                OR published_time_unit IS NULL OR configured_time_unit IS NULL THEN NULL
            WHEN configured_hours < published_hours - 1e-6 THEN 'too_short'
            WHEN configured_hours > published_hours + 1e-6 THEN 'too_long'
            WHEN published_time_unit <> configured_time_unit THEN 'unit_differs'
            WHEN published_hours IS NULL AND published_time <> configured_time THEN 'unit_differs'
        END AS mismatch
    FROM catalog
)

SELECT
    unit_id,
    procedure_code,
    procedure_name,
    department,
    field,
    service_level,
    published_time,
    published_time_unit,
    configured_time,
    configured_time_unit,
    round(published_hours, 2) AS published_hours,
    round(configured_hours, 2) AS configured_hours,
    difference_hours,
    mismatch,
    illustrative,
    source_file,
    row_number
FROM classified
WHERE mismatch IS NOT NULL
