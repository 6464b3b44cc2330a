-- National ambitions for the PSW workforce (source: ambition).
CREATE OR REPLACE VIEW stg_ambition AS
SELECT
    ambition_id,
    measure,
    target,
    target_date,
    target_label,
    source,
    source_kind,
    confidence,
    note
FROM ambition
