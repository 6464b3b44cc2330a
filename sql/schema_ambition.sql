-- National ambitions for the PSW workforce (data/reference/ambition.csv), with their source and confidence.
CREATE TABLE IF NOT EXISTS ambition (
    ambition_id   VARCHAR PRIMARY KEY,
    measure       VARCHAR NOT NULL,  -- an indicator name: headcount
    target        DOUBLE NOT NULL,
    target_date   DATE NOT NULL,
    target_label  VARCHAR NOT NULL,  -- as the source says it: "2036/37"
    source        VARCHAR NOT NULL,
    source_kind   VARCHAR NOT NULL CHECK (source_kind IN ('primary', 'secondary')),
    confidence    VARCHAR NOT NULL CHECK (confidence IN ('high', 'medium', 'low')),
    note          VARCHAR
);
