-- The seven NHS England regions (source: region).
CREATE OR REPLACE VIEW stg_region AS
SELECT
    region_code,
    region_name,
    ons_code,
    population
FROM region
