-- Every trust with its name, open and close dates (the shape checks.trust_known_and_open takes).
SELECT trust_code, trust_name, open_date, close_date FROM trust
