-- Every national ambition, soonest first.
SELECT * FROM stg_ambition ORDER BY target_date, ambition_id
