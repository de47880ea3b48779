-- Curated tables of the analytics database. One row = the grain in each comment.
-- Created by analytics.db on every write; idempotent.

-- one row per ingest of one file (loaded, unchanged, replaced or failed)
CREATE TABLE IF NOT EXISTS ingest_log (
    ingest_id INTEGER PRIMARY KEY,
    file_name TEXT NOT NULL,
    file_path TEXT,
    sha256 TEXT NOT NULL,
    size_bytes BIGINT,
    kind TEXT,
    origin TEXT,
    periods TEXT,
    sheet TEXT,
    rows_loaded INTEGER,
    rows_rejected INTEGER,
    status TEXT NOT NULL,          -- loaded | unchanged | failed | superseded
    replaces TEXT,                 -- ingest ids whose rows this one replaced
    illustrative BOOLEAN,
    source_document TEXT,
    started_at TIMESTAMP,
    duration_ms DOUBLE,
    message TEXT
);

-- one row per unit (department, district, commune, province), whatever name it appeared under
CREATE TABLE IF NOT EXISTS units (
    unit_id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    unit_level TEXT,               -- department | district | commune | province
    province TEXT,
    portal_code TEXT,
    portal_unit_id TEXT,
    ingest_id INTEGER
);

-- one row per (alias, unit): names and codes that refer to the same unit over time
CREATE TABLE IF NOT EXISTS unit_aliases (
    alias_key TEXT NOT NULL,
    alias TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    valid_from TEXT,
    valid_to TEXT,
    note TEXT,
    ingest_id INTEGER
);

-- one row per (period, unit, component incl. 'total', source file): a published or illustrative score
CREATE TABLE IF NOT EXISTS index_scores (
    period TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    component TEXT NOT NULL,
    score_points DOUBLE,           -- NULL = not published (unknown), never 0
    max_points DOUBLE NOT NULL,
    reported_grade TEXT,           -- on 'total' rows
    grade_mismatch BOOLEAN,        -- on 'total' rows: the reported grade differs from the one the total earns (flagged, kept)
    index_version TEXT NOT NULL,
    illustrative BOOLEAN NOT NULL,
    source_document TEXT,
    source_file TEXT NOT NULL,
    sheet TEXT,
    row_number INTEGER,
    column_name TEXT,
    ingest_id INTEGER NOT NULL
);

-- one row per (period, scope, unit, sub-indicator) from the national portal
CREATE TABLE IF NOT EXISTS portal_metrics (
    period TEXT NOT NULL,
    period_type TEXT,
    scope TEXT NOT NULL,           -- all | formality
    formality_code TEXT,
    portal_group TEXT,
    group_key TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    portal_unit_id TEXT,
    portal_code TEXT,
    is_province_row BOOLEAN,
    code TEXT NOT NULL,
    label TEXT,
    numerator BIGINT,
    denominator BIGINT,
    ratio_pct DOUBLE,
    score_points DOUBLE,
    max_points DOUBLE,
    data_quality_status TEXT,
    extra_json TEXT,
    illustrative BOOLEAN NOT NULL,
    source_file TEXT NOT NULL,
    json_path TEXT,
    row_number INTEGER,
    ingest_id INTEGER NOT NULL
);

-- one row per (period, scope, unit, group) from the national portal
CREATE TABLE IF NOT EXISTS portal_groups (
    period TEXT NOT NULL,
    period_type TEXT,
    scope TEXT NOT NULL,
    formality_code TEXT,
    portal_group TEXT,
    group_key TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    is_province_row BOOLEAN,
    score_points DOUBLE,
    max_points DOUBLE,
    illustrative BOOLEAN NOT NULL,
    source_file TEXT NOT NULL,
    json_path TEXT,
    row_number INTEGER,
    ingest_id INTEGER NOT NULL
);

-- one row per (period, unit, procedure, count source): filing counts from one-stop software or the portal.
-- In a database file the rows live in Parquet parts beside it (fact_parts) and filing_counts is a view over them;
-- this table (then named filing_counts_shape, always empty) gives the view and the parts their columns.
CREATE TABLE IF NOT EXISTS {{filing_counts_table}} (
    period TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    procedure_code TEXT,
    procedure_name TEXT,
    department TEXT,
    count_source TEXT NOT NULL,    -- own (one-stop records) | portal (national portal)
    received_total BIGINT,
    received_online BIGINT,
    received_in_person BIGINT,
    received_postal BIGINT,
    carried_over BIGINT,
    resolved_total BIGINT,
    resolved_early BIGINT,
    resolved_on_time BIGINT,
    resolved_late BIGINT,
    pending_total BIGINT,
    pending_within_time BIGINT,
    pending_overdue BIGINT,
    digitized_components BIGINT,
    electronic_results BIGINT,
    reused_data BIGINT,
    fee_filings BIGINT,
    online_payments BIGINT,
    synced_filings BIGINT,
    feedback_total BIGINT,
    feedback_on_time BIGINT,
    feedback_satisfied BIGINT,
    illustrative BOOLEAN NOT NULL,
    source_file TEXT NOT NULL,
    sheet TEXT,
    row_number INTEGER,
    ingest_id INTEGER NOT NULL
);

-- one row per (unit, procedure): published vs configured processing time
CREATE TABLE IF NOT EXISTS procedure_catalog (
    unit_id TEXT NOT NULL,
    procedure_code TEXT,
    procedure_name TEXT NOT NULL,
    field TEXT,
    department TEXT,
    service_level TEXT,
    has_fee BOOLEAN,
    published_time DOUBLE,
    published_time_unit TEXT,      -- working_days | days | hours
    configured_time DOUBLE,
    configured_time_unit TEXT,
    illustrative BOOLEAN NOT NULL,
    source_file TEXT NOT NULL,
    row_number INTEGER,
    ingest_id INTEGER NOT NULL
);

-- one row per Parquet file of dossier rows (kind dossiers), partitioned by period of receipt and unit; the rows
-- themselves stay in <database folder>/dossiers/ so that the database file (copied by every writer) stays small
CREATE TABLE IF NOT EXISTS dossier_files (
    ingest_id INTEGER NOT NULL,
    period TEXT NOT NULL,          -- quarter of receipt
    unit_id TEXT NOT NULL,
    file_path TEXT NOT NULL,       -- relative to the database's folder
    rows BIGINT,
    illustrative BOOLEAN NOT NULL
);

-- one row per plan target (a floor or a ceiling for a metric in a year or period)
CREATE TABLE IF NOT EXISTS targets (
    year INTEGER,
    period TEXT,
    unit_id TEXT,
    metric TEXT NOT NULL,
    metric_label TEXT,
    comparator TEXT NOT NULL,      -- >= | <= | =
    target_value DOUBLE,
    target_grade TEXT,
    target_unit TEXT,              -- pct | points | minutes | grade
    illustrative BOOLEAN NOT NULL,
    source_document TEXT,
    source_file TEXT NOT NULL,
    row_number INTEGER,
    ingest_id INTEGER NOT NULL
);

-- one row per assigned task: what a department must do, by when, and the number it should move
CREATE TABLE IF NOT EXISTS tasks (
    unit_id TEXT NOT NULL,
    period TEXT NOT NULL,          -- the period whose results the task answers (2024Q2)
    task_text TEXT NOT NULL,
    department TEXT NOT NULL,      -- the office (phòng) responsible
    due_date DATE,                 -- null: no deadline written
    due_text TEXT,                 -- the deadline as written ("trong tháng 7/2024")
    metric TEXT NOT NULL,          -- component key, metric key or sub-indicator code
    metric_kind TEXT NOT NULL,     -- component | metric | subindicator
    source_document TEXT,          -- the document that assigned it
    note TEXT,
    illustrative BOOLEAN NOT NULL,
    source_file TEXT NOT NULL,
    row_number INTEGER,
    ingest_id INTEGER NOT NULL
);

-- one row per rejected input row (or cell), with its raw values and the reason
CREATE TABLE IF NOT EXISTS rejects (
    ingest_id INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    sheet TEXT,
    row_number INTEGER,
    column_name TEXT,
    value TEXT,
    reason TEXT NOT NULL,
    raw_json TEXT
);

CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);

-- one row per (Parquet part, period, unit): the immutable files a large fact table's rows live in, one or more
-- per ingest, under <database file>.parts/<table>/; the table's view reads exactly the parts listed here
CREATE TABLE IF NOT EXISTS fact_parts (
    table_name TEXT NOT NULL,      -- filing_counts
    part TEXT NOT NULL,            -- path of the Parquet file relative to the database file's folder (older: absolute)
    ingest_id INTEGER NOT NULL,
    period TEXT,
    unit_id TEXT,
    rows BIGINT NOT NULL,
    illustrative_rows BIGINT NOT NULL
);

-- one row per part no longer listed (replaced): kept on disk for readers of older snapshots, deleted by a
-- later writer once retired longer than the grace period
CREATE TABLE IF NOT EXISTS retired_parts (
    part TEXT NOT NULL,
    retired_at TIMESTAMP NOT NULL
);

-- one row per (index version, group): the definition's groups, for SQL models to roll up by
CREATE TABLE IF NOT EXISTS definition_groups (
    index_version TEXT NOT NULL,
    group_key TEXT NOT NULL,
    common_key TEXT NOT NULL,
    max_points DOUBLE NOT NULL,
    label_vi TEXT,
    label_en TEXT
);

-- a database made before the grade-mismatch flag existed gets the column (NULL: not checked)
ALTER TABLE index_scores ADD COLUMN IF NOT EXISTS grade_mismatch BOOLEAN;
