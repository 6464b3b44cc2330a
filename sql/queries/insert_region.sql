INSERT INTO region (region_code, region_name, ons_code, population)
VALUES ($region_code, $region_name, $ons_code, $population)
