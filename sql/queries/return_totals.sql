-- A return's totals, named as the columns of int_trust_indicators, for the upload warnings of
-- pswbench.returns.cross_checks, which evaluate the registry's SQL for each rate over them
-- (pswbench/reports/definitions.py: the macros of sql/macros/rates.sql). $h headcount, $w WTE in
-- post, $v vacancy WTE, $lost and $avail FTE days lost and available, $l leavers, $j joiners.
WITH

totals AS (
    SELECT
        $h      AS headcount,
        $w      AS wte_in_post,
        $v      AS vacancy_wte,
        $lost   AS sickness_fte_days_lost,
        $avail  AS fte_days_available,
        $l      AS leavers,
        $j      AS joiners
)

SELECT
    *,
    average_headcount(headcount, start_headcount(headcount, joiners, leavers)) AS average_headcount
FROM totals
