-- The current version of every trust's annual sections for every quarter, with whether each still
-- matches the trust's current workforce total (a later workforce version may have changed it).
CREATE OR REPLACE VIEW int_current_sections AS
WITH

current_sections AS (
    SELECT * FROM stg_section_version WHERE is_current
),

workforce_totals AS (
    SELECT trust_code, period_end, sum(headcount) AS headcount
    FROM int_current_return_rows
    GROUP BY trust_code, period_end
)

SELECT
    cs.trust_code,
    cs.period_end,
    cs.section,
    cs.version,
    cs.submission_id,
    cs.checked_headcount,
    wt.headcount AS workforce_headcount,
    coalesce(wt.headcount = cs.checked_headcount, false) AS matches_workforce
FROM current_sections AS cs
LEFT JOIN workforce_totals AS wt USING (trust_code, period_end)
