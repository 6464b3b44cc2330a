-- The indicator formulas, written once. int_trust_indicators applies them to one trust's sums,
-- pool_trusts to the sums over trusts (sums over sums, never a mean of rates), and
-- pswbench.returns.cross_checks to the totals of a return being checked. A zero denominator gives
-- null, not zero or an error. The registry (pswbench/reports/definitions.py, Indicator.sql) names
-- the macro behind each indicator; tests/unit/reports/test_indicators.py checks both models agree with it.

-- Start-of-quarter headcount S = H - J + L, and the average of the end and start headcounts.
CREATE OR REPLACE MACRO start_headcount(headcount, joiners, leavers) AS
    headcount - joiners + leavers;
CREATE OR REPLACE MACRO average_headcount(end_headcount, start_headcount) AS
    (end_headcount + start_headcount) / 2.0;

CREATE OR REPLACE MACRO vacancy_rate(vacancy_wte, wte_in_post) AS
    vacancy_wte / nullif(wte_in_post + vacancy_wte, 0);
CREATE OR REPLACE MACRO sickness_rate(days_lost, days_available) AS
    days_lost / nullif(days_available, 0);
CREATE OR REPLACE MACRO leaver_rate(leavers, average_headcount) AS
    leavers / nullif(average_headcount, 0);
CREATE OR REPLACE MACRO temporary_staffing_share(temp_staffing_wte, total_wte) AS
    temp_staffing_wte / nullif(total_wte, 0);
CREATE OR REPLACE MACRO wte_per_100k_population(wte_in_post, population) AS
    wte_in_post / nullif(population, 0) * 100000;
CREATE OR REPLACE MACRO mean_wte_per_head(wte_in_post, headcount) AS
    wte_in_post / nullif(headcount, 0);

-- Organisational conditions and activity (issue 12): a condition's share of its denominator (teams
-- with a PSW, PSW headcount, the peer workforce, trusts); contacts per WTE over the rows that record
-- contacts, and the share of WTE those rows cover.
CREATE OR REPLACE MACRO condition_share(numerator, denominator) AS
    numerator / nullif(denominator, 0);
CREATE OR REPLACE MACRO contacts_per_wte(contacts, wte_recorded) AS
    contacts / nullif(wte_recorded, 0);
CREATE OR REPLACE MACRO wte_coverage(wte_recorded, wte_in_post) AS
    wte_recorded / nullif(wte_in_post, 0);
