SELECT region_code, region_name, ons_code, population FROM region ORDER BY region_name
