-- Every trust pooled per region and for England (the formulas: sql/macros/pool_trusts.sql).
CREATE OR REPLACE VIEW int_trust_pooled AS
SELECT * FROM pool_trusts('int_trust_indicators')
