-- The reference list of trusts (source: trust).
CREATE OR REPLACE VIEW stg_trust AS
SELECT
    trust_code,
    trust_name,
    region_code,
    icb_code,
    open_date,
    close_date,
    population,
    population_source
FROM trust
