-- Macros the SQL models share. Created with every schema (persistent) and, on read-only
-- connections to older files, as temporary macros by analytics.db.create_macros.

-- a text folded for matching names across files, as analytics.definition.fold folds it:
-- NFC, lower case, diacritics stripped, đ → d, runs of white space → one space
CREATE OR REPLACE MACRO fold_text(x) AS
    regexp_replace(trim(replace(strip_accents(lower(nfc_normalize(x))), 'đ', 'd')), '\s+', ' ', 'g');
