-- Foundation: regions, accounts, sessions, the audit chain and the case core.
-- Portable SQL; {ID_PK}, {BOOL} and {FALSE} are rendered per backend by dialect.rs.
-- Every table that holds county data carries county_code (six digits) for sharding by county.

CREATE TABLE regions (
    code        TEXT PRIMARY KEY,
    county_code TEXT NOT NULL,
    parent_code TEXT REFERENCES regions (code),
    name        TEXT NOT NULL,
    level       TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX regions_parent ON regions (parent_code);
CREATE INDEX regions_county ON regions (county_code);

CREATE TABLE users (
    id            {ID_PK},
    county_code   TEXT NOT NULL,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until  BIGINT,
    disabled      {BOOL} NOT NULL DEFAULT {FALSE},
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX users_county ON users (county_code);

CREATE TABLE grants (
    id          {ID_PK},
    county_code TEXT NOT NULL,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        TEXT NOT NULL,
    scope_kind  TEXT NOT NULL,
    scope_ref   TEXT NOT NULL,
    UNIQUE (user_id, role, scope_kind, scope_ref)
);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    county_code  TEXT NOT NULL,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    csrf_token   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE audit_log (
    county_code TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    target      TEXT NOT NULL,
    summary     TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    PRIMARY KEY (county_code, seq)
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE audit_head (
    county_code TEXT PRIMARY KEY,
    seq         BIGINT NOT NULL,
    hash        TEXT NOT NULL
);

CREATE TABLE cases (
    id          {ID_PK},
    county_code TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    station_ref TEXT,
    agency_ref  TEXT,
    deputy_ref  TEXT,
    title       TEXT NOT NULL,
    content     TEXT NOT NULL,
    status      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX cases_county_region ON cases (county_code, region_code);

CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
