-- Organisation: stations of every kind, deputies, agencies and the four-level grid.
-- Slugs are stable public identifiers (QR codes, URLs, scopes); rows are never hard-deleted.

CREATE TABLE stations (
    id             {ID_PK},
    county_code    TEXT NOT NULL,
    slug           TEXT NOT NULL UNIQUE,
    region_code    TEXT NOT NULL REFERENCES regions (code),
    parent_id      BIGINT REFERENCES stations (id),
    kind           TEXT NOT NULL,
    sector         TEXT NOT NULL DEFAULT '',
    household_kind TEXT,
    name           TEXT NOT NULL,
    address        TEXT NOT NULL DEFAULT '',
    opening_hours  TEXT NOT NULL DEFAULT '',
    phone          TEXT NOT NULL DEFAULT '',
    description    TEXT NOT NULL DEFAULT '',
    photo          TEXT,
    online         {BOOL} NOT NULL DEFAULT {TRUE},
    active         {BOOL} NOT NULL DEFAULT {TRUE},
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX stations_county_region ON stations (county_code, region_code);

CREATE TABLE deputies (
    id           {ID_PK},
    county_code  TEXT NOT NULL,
    slug         TEXT NOT NULL UNIQUE,
    region_code  TEXT NOT NULL REFERENCES regions (code),
    name         TEXT NOT NULL,
    gender       TEXT NOT NULL,
    levels       TEXT NOT NULL,
    term         TEXT NOT NULL DEFAULT '',
    constituency TEXT NOT NULL DEFAULT '',
    occupation   TEXT NOT NULL DEFAULT '',
    duties       TEXT NOT NULL DEFAULT '',
    phone        TEXT NOT NULL DEFAULT '',
    photo        TEXT,
    active       {BOOL} NOT NULL DEFAULT {TRUE},
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX deputies_county_region ON deputies (county_code, region_code);

CREATE TABLE station_deputies (
    county_code TEXT NOT NULL,
    station_id  BIGINT NOT NULL REFERENCES stations (id),
    deputy_id   BIGINT NOT NULL REFERENCES deputies (id),
    resident    {BOOL} NOT NULL DEFAULT {FALSE},
    PRIMARY KEY (station_id, deputy_id)
);
CREATE INDEX station_deputies_deputy ON station_deputies (deputy_id);

CREATE TABLE agencies (
    id          {ID_PK},
    county_code TEXT NOT NULL,
    slug        TEXT NOT NULL UNIQUE,
    region_code TEXT NOT NULL REFERENCES regions (code),
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    phone       TEXT NOT NULL DEFAULT '',
    active      {BOOL} NOT NULL DEFAULT {TRUE},
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX agencies_county_region ON agencies (county_code, region_code);

CREATE TABLE grid_cells (
    id          {ID_PK},
    county_code TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    level       BIGINT NOT NULL,
    parent_id   BIGINT REFERENCES grid_cells (id),
    created_at  BIGINT NOT NULL,
    UNIQUE (region_code, code)
);

CREATE TABLE grid_members (
    id          {ID_PK},
    county_code TEXT NOT NULL,
    cell_id     BIGINT NOT NULL REFERENCES grid_cells (id),
    deputy_id   BIGINT REFERENCES deputies (id),
    worker_name TEXT NOT NULL DEFAULT '',
    worker_phone TEXT NOT NULL DEFAULT ''
);
CREATE INDEX grid_members_cell ON grid_members (cell_id);
