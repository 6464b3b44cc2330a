-- Quarters with at least one accepted return, newest first.
SELECT DISTINCT period_end FROM return_version ORDER BY period_end DESC
