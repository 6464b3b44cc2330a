INSERT INTO trust (trust_code, trust_name, region_code, icb_code, open_date, close_date)
VALUES (?, ?, ?, ?, CAST(? AS DATE), CAST(? AS DATE))
