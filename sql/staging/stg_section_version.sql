-- The versions of each trust's annual sections for each quarter (source: section_version).
CREATE OR REPLACE VIEW stg_section_version AS
SELECT
    trust_code,
    period_end,
    section,
    version,
    submission_id,
    is_current,
    checked_headcount
FROM section_version
