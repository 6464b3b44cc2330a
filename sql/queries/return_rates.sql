-- A return's rates from its totals, with the formulas every figure is shown with (sql/macros/rates.sql),
-- for the warnings of pswbench.returns.cross_checks. $h headcount, $w WTE in post, $v vacancy WTE,
-- $lost and $avail FTE days lost and available, $l leavers, $j joiners (all DOUBLE).
SELECT
    sickness_rate($lost, $avail)                                      AS sickness,
    vacancy_rate($v, $w)                                              AS vacancy,
    average_headcount($h, start_headcount($h, $j, $l))                AS average_headcount,
    leaver_rate($l, average_headcount($h, start_headcount($h, $j, $l))) AS leaver
