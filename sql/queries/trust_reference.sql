SELECT t.trust_code, t.trust_name, t.region_code, r.region_name, t.open_date, t.close_date
FROM trust AS t JOIN region AS r USING (region_code)
ORDER BY t.trust_code
