INSERT INTO trust (trust_code, trust_name, region_code, icb_code, open_date, close_date)
VALUES ($trust_code, $trust_name, $region_code, $icb_code, CAST($open_date AS DATE), CAST($close_date AS DATE))
