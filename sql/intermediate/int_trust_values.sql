-- Every trust's value on every indicator, one row each (long format), for spreads and ranks.
CREATE OR REPLACE VIEW int_trust_values AS
SELECT
    t.period_end,
    t.trust_code,
    t.trust_name,
    t.region_code,
    v.indicator_order,
    v.indicator,
    v.value
FROM int_trust_indicators AS t
CROSS JOIN LATERAL (VALUES
    (1,  'headcount',                CAST(t.headcount AS DOUBLE)),
    (2,  'wte_in_post',              t.wte_in_post),
    (3,  'vacancy_wte',              t.vacancy_wte),
    (4,  'vacancy_rate',             t.vacancy_rate),
    (5,  'sickness_rate',            t.sickness_rate),
    (6,  'leaver_rate_quarter',      t.leaver_rate_quarter),
    (7,  'leaver_rate_12m',          t.leaver_rate_12m),
    (8,  'temporary_staffing_share', t.temporary_staffing_share),
    (9,  'wte_per_100k_population',  t.wte_per_100k_population),
    (10, 'mean_wte_per_head',        t.mean_wte_per_head)
) AS v(indicator_order, indicator, value)
