-- The 30 September quarters with at least one current demographics section, latest first.
SELECT DISTINCT period_end FROM int_current_demographics ORDER BY period_end DESC
