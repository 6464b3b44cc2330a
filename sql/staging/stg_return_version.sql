-- The versions of each trust's return for each quarter (source: return_version).
CREATE OR REPLACE VIEW stg_return_version AS
SELECT
    trust_code,
    period_end,
    version,
    submission_id,
    is_current
FROM return_version
