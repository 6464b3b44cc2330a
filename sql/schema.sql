-- pswbench schema. Idempotent: run on every connect by a writer.
CREATE TABLE IF NOT EXISTS region (
    region_code   VARCHAR PRIMARY KEY,
    region_name   VARCHAR NOT NULL,
    ons_code      VARCHAR,
    population    BIGINT            -- usual residents, Census 2021 (approximate NHS region fit)
);

CREATE TABLE IF NOT EXISTS trust (
    trust_code        VARCHAR PRIMARY KEY,
    trust_name        VARCHAR NOT NULL,
    region_code       VARCHAR NOT NULL,
    icb_code          VARCHAR,
    open_date         DATE,          -- null: open before any period we accept
    close_date        DATE,          -- null: still open
    population        BIGINT,        -- catchment population when a real figure is known
    population_source VARCHAR
);

CREATE SEQUENCE IF NOT EXISTS submission_id_seq START 1;

-- Every upload attempt, whatever its outcome.
CREATE TABLE IF NOT EXISTS submission (
    submission_id  BIGINT PRIMARY KEY,
    trust_code     VARCHAR,          -- null when the file was unreadable
    period_end     DATE,
    file_name      VARCHAR NOT NULL,
    sha256         VARCHAR NOT NULL,
    size_bytes     BIGINT NOT NULL,
    row_count      INTEGER,
    submitted_by   VARCHAR NOT NULL,
    submitted_at   TIMESTAMP NOT NULL,
    status         VARCHAR NOT NULL CHECK (status IN ('accepted', 'rejected', 'duplicate')),
    version        INTEGER,          -- set when accepted
    error_count    INTEGER NOT NULL,
    warning_count  INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS finding (
    submission_id  BIGINT NOT NULL,
    severity       VARCHAR NOT NULL CHECK (severity IN ('error', 'warning')),
    line           INTEGER,          -- 1-based file line; header = 1; null for file-level
    column_name    VARCHAR,
    rule           VARCHAR NOT NULL,
    value          VARCHAR,
    message        VARCHAR NOT NULL
);

-- Accepted return rows; one set per accepted submission (every version kept).
CREATE TABLE IF NOT EXISTS return_row (
    submission_id           BIGINT NOT NULL,
    line                    INTEGER NOT NULL,
    trust_code              VARCHAR NOT NULL,
    period_end              DATE NOT NULL,
    service_setting         VARCHAR NOT NULL,
    afc_band                VARCHAR NOT NULL,
    headcount               INTEGER NOT NULL,
    wte_in_post             DOUBLE NOT NULL,
    vacancy_wte             DOUBLE NOT NULL,
    sickness_fte_days_lost  DOUBLE NOT NULL,
    fte_days_available      DOUBLE NOT NULL,
    leavers_headcount       INTEGER NOT NULL,
    joiners_headcount       INTEGER NOT NULL,
    bank_wte                DOUBLE,  -- null = not recorded
    agency_wte              DOUBLE,
    notes                   VARCHAR,
    PRIMARY KEY (submission_id, service_setting, afc_band)
);

-- Versions of each trust's return for each quarter; exactly one is current.
CREATE TABLE IF NOT EXISTS return_version (
    trust_code     VARCHAR NOT NULL,
    period_end     DATE NOT NULL,
    version        INTEGER NOT NULL,
    submission_id  BIGINT NOT NULL UNIQUE,
    is_current     BOOLEAN NOT NULL,
    PRIMARY KEY (trust_code, period_end, version)
);

-- Who did what: sign-ins, uploads, exports, refusals.
CREATE SEQUENCE IF NOT EXISTS audit_id_seq START 1;
CREATE TABLE IF NOT EXISTS audit_log (
    audit_id   BIGINT PRIMARY KEY,
    event_at   TIMESTAMP NOT NULL,
    actor      VARCHAR NOT NULL,
    action     VARCHAR NOT NULL,
    trust_code VARCHAR,
    detail     VARCHAR
);

-- Bumped by every accepted load so caches keyed on it never serve stale figures.
CREATE TABLE IF NOT EXISTS data_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  BIGINT NOT NULL,
    changed_at TIMESTAMP NOT NULL
);

-- Per-deployment settings, such as the secret that orders anonymised peer labels.
CREATE TABLE IF NOT EXISTS app_setting (
    key    VARCHAR PRIMARY KEY,
    value  VARCHAR NOT NULL
);

