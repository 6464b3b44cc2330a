-- The demographics of the current version of each trust's return for each 30 September, with
-- whether they still match the trust's current workforce total.
CREATE OR REPLACE VIEW int_current_demographics AS
WITH

demographic_rows AS (
    SELECT * FROM stg_demographic_row
),

current_sections AS (
    SELECT submission_id, version, matches_workforce
    FROM int_current_sections
    WHERE section = 'demographics'
)

SELECT
    dr.trust_code,
    dr.period_end,
    cs.version,
    dr.submission_id,
    dr.dimension,
    dr.category,
    dr.headcount,
    cs.matches_workforce
FROM demographic_rows AS dr
JOIN current_sections AS cs USING (submission_id)
