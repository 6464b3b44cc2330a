-- new_demographic_rows is the validated, typed frame registered by the loader.
INSERT INTO demographic_row (submission_id, line, trust_code, period_end, dimension, category, headcount)
SELECT $submission_id, line, trust_code, period_end, dimension, category, headcount
FROM new_demographic_rows
