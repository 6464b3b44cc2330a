-- Version 2 of the return: the annual sections (demographics, organisational conditions), the
-- workforce section's optional contacts, and which section each upload attempt was. Idempotent.
-- A database made before version 2 gains the new columns here; nothing already loaded changes.
ALTER TABLE return_row ADD COLUMN IF NOT EXISTS contacts INTEGER;  -- null = not recorded
ALTER TABLE submission ADD COLUMN IF NOT EXISTS section VARCHAR DEFAULT 'workforce';
ALTER TABLE submission ADD COLUMN IF NOT EXISTS sheet VARCHAR;           -- the workbook sheet, when one
ALTER TABLE submission ADD COLUMN IF NOT EXISTS upload_id VARCHAR;       -- the sections of one upload share it
ALTER TABLE submission ADD COLUMN IF NOT EXISTS content_sha256 VARCHAR;  -- of the section's checked rows
ALTER TABLE finding ADD COLUMN IF NOT EXISTS section VARCHAR;
ALTER TABLE finding ADD COLUMN IF NOT EXISTS sheet VARCHAR;

-- PSWs in post at period_end by one category of one dimension; one set per accepted submission.
CREATE TABLE IF NOT EXISTS demographic_row (
    submission_id  BIGINT NOT NULL,
    line           INTEGER NOT NULL,
    trust_code     VARCHAR NOT NULL,
    period_end     DATE NOT NULL,
    dimension      VARCHAR NOT NULL,
    category       VARCHAR NOT NULL,
    headcount      INTEGER NOT NULL,
    PRIMARY KEY (submission_id, dimension, category)
);

-- The organisational conditions of peer work at a trust at period_end; one row per accepted submission.
CREATE TABLE IF NOT EXISTS organisation_row (
    submission_id                  BIGINT PRIMARY KEY,
    line                           INTEGER NOT NULL,
    trust_code                     VARCHAR NOT NULL,
    period_end                     DATE NOT NULL,
    teams_with_psw                 INTEGER NOT NULL,
    teams_with_single_psw          INTEGER NOT NULL,
    psw_with_peer_supervision      INTEGER NOT NULL,
    psw_with_accredited_training   INTEGER NOT NULL,
    psw_with_peer_job_description  INTEGER NOT NULL,
    bank_only_psw_headcount        INTEGER NOT NULL,
    peer_leadership_post           BOOLEAN NOT NULL,
    notes                          VARCHAR
);

-- Versions of a trust's annual sections for a quarter; exactly one of each section is current.
-- checked_headcount is the total PSW headcount the section was checked against when it was loaded:
-- a later workforce version with another total makes it no longer match (the data quality page says so).
CREATE TABLE IF NOT EXISTS section_version (
    trust_code         VARCHAR NOT NULL,
    period_end         DATE NOT NULL,
    section            VARCHAR NOT NULL CHECK (section IN ('demographics', 'organisation')),
    version            INTEGER NOT NULL,
    submission_id      BIGINT NOT NULL UNIQUE,
    is_current         BOOLEAN NOT NULL,
    checked_headcount  INTEGER NOT NULL,
    PRIMARY KEY (trust_code, period_end, section, version)
);
