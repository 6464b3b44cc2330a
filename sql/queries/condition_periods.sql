-- The 30 Septembers with at least one current organisation section, newest first.
SELECT DISTINCT period_end FROM int_current_organisation ORDER BY period_end DESC
