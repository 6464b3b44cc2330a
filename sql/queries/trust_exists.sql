-- A row when the trust code is in the trust reference list.
SELECT 1 FROM trust WHERE trust_code = $trust_code
