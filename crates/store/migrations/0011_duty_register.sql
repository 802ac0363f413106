-- The duty register (履职登记簿): one row per activity of a deputy, with every earlier version of a
-- corrected entry in duty_entry_history. Automatic entries carry the record they came from
-- (source_key), unique per deputy, so a retry or replay never adds one twice.

CREATE TABLE duty_entries (
    id            {ID_PK},
    county_code   TEXT NOT NULL,
    region_code   TEXT NOT NULL,
    deputy_id     BIGINT NOT NULL REFERENCES deputies (id),
    kind          TEXT NOT NULL,
    done_on       TEXT NOT NULL,
    place         TEXT NOT NULL DEFAULT '',
    description   TEXT NOT NULL DEFAULT '',
    source        TEXT NOT NULL,
    source_key    TEXT,
    status        TEXT NOT NULL,
    recorded_by   TEXT NOT NULL,
    decided_by    TEXT,
    decision_note TEXT NOT NULL DEFAULT '',
    version       BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    UNIQUE (deputy_id, source_key)
);
CREATE INDEX duty_entries_deputy ON duty_entries (deputy_id, done_on);
CREATE INDEX duty_entries_region ON duty_entries (county_code, status, region_code);

CREATE TABLE duty_entry_history (
    entry_id    BIGINT NOT NULL REFERENCES duty_entries (id),
    version     BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    actor       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    done_on     TEXT NOT NULL,
    place       TEXT NOT NULL,
    description TEXT NOT NULL,
    status      TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (entry_id, version)
);

-- Evidence of an entry: photos (cleaned like a case's) and PDF files, stored by hash.
CREATE TABLE duty_evidence (
    entry_id   BIGINT NOT NULL REFERENCES duty_entries (id),
    hash       TEXT NOT NULL,
    mime       TEXT NOT NULL,
    size       BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (entry_id, hash)
);
