-- People who may sign in to the dashboard. Idempotent: safe to run on every connect.
-- email is stored lower-cased; trust_code is required for trust_lead and board users and
-- null for analysts; password_hash (argon2) is null for users who only sign in through OIDC.
CREATE TABLE IF NOT EXISTS app_user (
    email            VARCHAR PRIMARY KEY CHECK (email = lower(email) AND email LIKE '%_@_%'),
    role             VARCHAR NOT NULL CHECK (role IN ('analyst', 'trust_lead', 'board')),
    trust_code       VARCHAR,
    password_hash    VARCHAR,
    disabled         BOOLEAN NOT NULL DEFAULT false,
    failed_attempts  INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    locked_until     TIMESTAMP,          -- UTC; sign-in refused until then
    created_at       TIMESTAMP NOT NULL, -- UTC
    CHECK ((role = 'analyst' AND trust_code IS NULL)
        OR (role IN ('trust_lead', 'board') AND trust_code IS NOT NULL))
);
