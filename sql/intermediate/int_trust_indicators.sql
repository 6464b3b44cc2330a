-- Trust-level indicators and their components, per trust and quarter, over the current version
-- of each return. Every mart builds on this view, so the trust arithmetic is written once.
CREATE OR REPLACE VIEW int_trust_indicators AS
WITH

current_rows AS (
    SELECT * FROM int_current_return_rows
),

trusts AS (
    SELECT trust_code, trust_name, region_code, population FROM stg_trust
),

regions AS (
    SELECT region_code, region_name, population FROM stg_region
),

-- One row per trust and quarter: the sums over the current version's rows.
trust_quarter AS (
    SELECT
        trust_code,
        period_end,
        year(period_end) * 4 + quarter(period_end)   AS quarter_index,
        CAST(sum(headcount) AS BIGINT)               AS headcount,
        sum(wte_in_post)                             AS wte_in_post,
        sum(vacancy_wte)                             AS vacancy_wte,
        sum(sickness_fte_days_lost)                  AS sickness_fte_days_lost,
        sum(fte_days_available)                      AS fte_days_available,
        CAST(sum(leavers_headcount) AS BIGINT)       AS leavers,
        CAST(sum(joiners_headcount) AS BIGINT)       AS joiners,
        sum(bank_wte)                                AS bank_wte,       -- null when every cell blank
        sum(agency_wte)                              AS agency_wte,     -- null when every cell blank
        count(bank_wte) + count(agency_wte)          AS temp_staffing_cells
    FROM current_rows
    GROUP BY trust_code, period_end
),

-- Start-of-quarter headcount S = H - J + L, and the temporary staffing terms
-- (null when every bank and agency cell is blank, so pooling skips the trust).
trust_quarter_terms AS (
    SELECT
        *,
        start_headcount(headcount, joiners, leavers)                 AS start_headcount,
        average_headcount(headcount, start_headcount(headcount, joiners, leavers))
                                                                     AS average_headcount,
        CASE WHEN temp_staffing_cells > 0
             THEN coalesce(bank_wte, 0) + coalesce(agency_wte, 0) END AS temp_staffing_wte,
        CASE WHEN temp_staffing_cells > 0
             THEN wte_in_post + coalesce(bank_wte, 0) + coalesce(agency_wte, 0) END
                                                                     AS temp_staffing_total_wte
    FROM trust_quarter
),

-- The four consecutive quarters ending at each period_end (the current one and three before).
trailing_year AS (
    SELECT
        cur.trust_code,
        cur.period_end,
        count(*)                                                             AS quarters_in_12m,
        CAST(sum(prev.leavers) AS BIGINT)                                    AS leavers_sum,
        max(CASE WHEN prev.quarter_index = cur.quarter_index - 3
                 THEN prev.start_headcount END)                              AS earliest_start_headcount
    FROM trust_quarter_terms AS cur
    JOIN trust_quarter_terms AS prev
      ON prev.trust_code = cur.trust_code
     AND prev.quarter_index BETWEEN cur.quarter_index - 3 AND cur.quarter_index
    GROUP BY cur.trust_code, cur.period_end
),

trust_components AS (
    SELECT
        q.*,
        y.quarters_in_12m,
        CASE WHEN y.quarters_in_12m = 4 THEN y.leavers_sum END               AS leavers_12m,
        CASE WHEN y.quarters_in_12m = 4 THEN y.earliest_start_headcount END  AS start_headcount_12m,
        CASE WHEN y.quarters_in_12m = 4
             THEN average_headcount(q.headcount, y.earliest_start_headcount) END AS average_headcount_12m
    FROM trust_quarter_terms AS q
    JOIN trailing_year AS y USING (trust_code, period_end)
),

trust_indicators AS (
    SELECT
        c.period_end,
        c.trust_code,
        t.trust_name,
        t.region_code,
        r.region_name,
        c.headcount,
        c.wte_in_post,
        c.vacancy_wte,
        -- the formulas: sql/macros/rates.sql
        vacancy_rate(c.vacancy_wte, c.wte_in_post)                           AS vacancy_rate,
        sickness_rate(c.sickness_fte_days_lost, c.fte_days_available)        AS sickness_rate,
        leaver_rate(c.leavers, c.average_headcount)                          AS leaver_rate_quarter,
        leaver_rate(c.leavers_12m, c.average_headcount_12m)                  AS leaver_rate_12m,
        temporary_staffing_share(c.temp_staffing_wte, c.temp_staffing_total_wte) AS temporary_staffing_share,
        wte_per_100k_population(c.wte_in_post, t.population)                 AS wte_per_100k_population,
        mean_wte_per_head(c.wte_in_post, c.headcount)                        AS mean_wte_per_head,
        -- components, for pooling and funnel plots
        c.sickness_fte_days_lost,
        c.fte_days_available,
        c.leavers,
        c.joiners,
        c.start_headcount,
        c.average_headcount,
        c.quarters_in_12m,
        c.leavers_12m,
        c.start_headcount_12m,
        c.average_headcount_12m,
        c.bank_wte,
        c.agency_wte,
        c.temp_staffing_wte,
        c.temp_staffing_total_wte,
        t.population
    FROM trust_components AS c
    LEFT JOIN trusts AS t USING (trust_code)
    LEFT JOIN regions AS r ON r.region_code = t.region_code
)

SELECT * FROM trust_indicators
