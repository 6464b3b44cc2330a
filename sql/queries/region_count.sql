SELECT count(*) FROM region
