-- People who may sign in to the dashboard. Idempotent: safe to run on every connect.
-- email is stored lower-cased; trust_code is required for trust_lead and board users and
-- null for analysts; password_hash (argon2) is null for users who only sign in through OIDC.
-- Failed sign-ins are not kept here but in sign_in_throttle, for every email alike.
CREATE TABLE IF NOT EXISTS app_user (
    email            VARCHAR PRIMARY KEY CHECK (email = lower(email) AND email LIKE '%_@_%'),
    role             VARCHAR NOT NULL CHECK (role IN ('analyst', 'trust_lead', 'board')),
    trust_code       VARCHAR,
    password_hash    VARCHAR,
    disabled         BOOLEAN NOT NULL DEFAULT false,
    created_at       TIMESTAMP NOT NULL, -- UTC
    CHECK ((role = 'analyst' AND trust_code IS NULL)
        OR (role IN ('trust_lead', 'board') AND trust_code IS NOT NULL))
);

-- Failed password sign-ins per email as typed (normalised), whether or not an account has it, so a
-- lock says nothing about which emails exist (pswbench.access.throttle). Times are UTC.
CREATE TABLE IF NOT EXISTS sign_in_throttle (
    email           VARCHAR PRIMARY KEY,
    failures        INTEGER NOT NULL CHECK (failures >= 0),
    last_failed_at  TIMESTAMP NOT NULL,
    locked_until    TIMESTAMP            -- sign-in refused until then
);
