-- Every accepted demographics row, every version (source: demographic_row). Staging only names and types.
CREATE OR REPLACE VIEW stg_demographic_row AS
SELECT
    submission_id,
    line,
    trust_code,
    period_end,
    dimension,
    category,
    headcount
FROM demographic_row
