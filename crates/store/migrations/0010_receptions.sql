-- Reception days: schedules by rule, duty rosters, swaps, declared unavailability, and the
-- records of receptions held with the cases raised at them. Nothing here is ever hard-deleted.

CREATE TABLE reception_schedules (
    id             {ID_PK},
    county_code    TEXT NOT NULL,
    -- The station's region, or the county's for a county-wide (joint) reception.
    region_code    TEXT NOT NULL REFERENCES regions (code),
    station_id     BIGINT REFERENCES stations (id),
    kind           TEXT NOT NULL,
    title          TEXT NOT NULL,
    -- The rule as JSON (domain::reception::Rule).
    rule           TEXT NOT NULL,
    holiday_policy TEXT NOT NULL,
    starts_on      TEXT NOT NULL,
    ends_on        TEXT,
    start_time     TEXT NOT NULL,
    end_time       TEXT NOT NULL,
    place          TEXT NOT NULL,
    per_day        BIGINT NOT NULL,
    remind_days    BIGINT NOT NULL,
    active         {BOOL} NOT NULL DEFAULT {TRUE},
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX reception_schedules_station ON reception_schedules (station_id);
CREATE INDEX reception_schedules_county ON reception_schedules (county_code, region_code);

-- The duty roster: one row per deputy per reception day.
CREATE TABLE duty_assignments (
    id          {ID_PK},
    county_code TEXT NOT NULL,
    schedule_id BIGINT NOT NULL REFERENCES reception_schedules (id),
    held_on     TEXT NOT NULL,
    deputy_id   BIGINT NOT NULL REFERENCES deputies (id),
    reminded_at BIGINT,
    created_at  BIGINT NOT NULL,
    UNIQUE (schedule_id, held_on, deputy_id)
);
CREATE INDEX duty_assignments_deputy ON duty_assignments (deputy_id, held_on);
CREATE INDEX duty_assignments_day ON duty_assignments (county_code, held_on);

CREATE TABLE deputy_unavailability (
    id          {ID_PK},
    county_code TEXT NOT NULL,
    deputy_id   BIGINT NOT NULL REFERENCES deputies (id),
    from_on     TEXT NOT NULL,
    to_on       TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);
CREATE INDEX deputy_unavailability_deputy ON deputy_unavailability (deputy_id, from_on);

CREATE TABLE duty_swaps (
    id             {ID_PK},
    county_code    TEXT NOT NULL,
    assignment_id  BIGINT NOT NULL REFERENCES duty_assignments (id),
    from_deputy_id BIGINT NOT NULL REFERENCES deputies (id),
    to_deputy_id   BIGINT NOT NULL REFERENCES deputies (id),
    reason         TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL,
    requested_by   TEXT NOT NULL,
    decided_by     TEXT,
    created_at     BIGINT NOT NULL,
    decided_at     BIGINT
);
CREATE INDEX duty_swaps_assignment ON duty_swaps (assignment_id);
CREATE INDEX duty_swaps_county_status ON duty_swaps (county_code, status);

CREATE TABLE receptions (
    id          {ID_PK},
    county_code TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    station_id  BIGINT REFERENCES stations (id),
    schedule_id BIGINT REFERENCES reception_schedules (id),
    kind        TEXT NOT NULL,
    held_on     TEXT NOT NULL,
    place       TEXT NOT NULL,
    visitors    BIGINT NOT NULL,
    summary     TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX receptions_station ON receptions (station_id, held_on);
CREATE INDEX receptions_county ON receptions (county_code, held_on);

-- Who attended besides the constituents: deputies (by id), agency heads, lawyers, leaders.
CREATE TABLE reception_attendees (
    reception_id BIGINT NOT NULL REFERENCES receptions (id),
    position     BIGINT NOT NULL,
    role         TEXT NOT NULL,
    deputy_id    BIGINT REFERENCES deputies (id),
    name         TEXT NOT NULL,
    title        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (reception_id, position)
);
CREATE INDEX reception_attendees_deputy ON reception_attendees (deputy_id);

-- The households a home visit (家访) went to.
CREATE TABLE reception_households (
    reception_id BIGINT NOT NULL REFERENCES receptions (id),
    position     BIGINT NOT NULL,
    household    TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (reception_id, position)
);

-- The matters raised at a reception: each is a case (channel `reception`).
CREATE TABLE reception_cases (
    case_id      BIGINT PRIMARY KEY REFERENCES cases (id),
    reception_id BIGINT NOT NULL REFERENCES receptions (id),
    -- For 代表·局长面对面: the agency head the question was put to.
    put_to       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX reception_cases_reception ON reception_cases (reception_id);

-- Photos of a reception (stored by hash in the data directory, like a case's).
CREATE TABLE reception_photos (
    reception_id BIGINT NOT NULL REFERENCES receptions (id),
    hash         TEXT NOT NULL,
    mime         TEXT NOT NULL,
    size         BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (reception_id, hash)
);
