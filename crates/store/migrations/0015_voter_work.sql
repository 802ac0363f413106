-- A deputy's work with agencies and voters besides suggestions: meetings with agency heads (约见,
-- 代表·局长面对面, 主任接待代表, 通报会) with the questions put and the commitments made, tracked
-- until kept; reports to voters (述职) with the voters' evaluation; and the ledger (台账) of the
-- voters and households a deputy keeps in touch with, with the visits made. The ledger holds
-- personal data: pages show it masked, and every unmasked view and export is audited.

CREATE TABLE agency_meetings (
    id          {ID_PK},
    county_code TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    held_on     TEXT NOT NULL,
    place       TEXT NOT NULL DEFAULT '',
    -- Slugs of the agencies whose heads took part, comma-separated.
    agencies    TEXT NOT NULL,
    summary     TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX agency_meetings_region ON agency_meetings (county_code, region_code, held_on);

CREATE TABLE agency_meeting_deputies (
    meeting_id BIGINT NOT NULL REFERENCES agency_meetings (id),
    deputy_id  BIGINT NOT NULL REFERENCES deputies (id),
    PRIMARY KEY (meeting_id, deputy_id)
);
CREATE INDEX agency_meeting_deputies_deputy ON agency_meeting_deputies (deputy_id);

CREATE TABLE agency_meeting_questions (
    meeting_id    BIGINT NOT NULL REFERENCES agency_meetings (id),
    seq           BIGINT NOT NULL,
    deputy_id     BIGINT REFERENCES deputies (id),
    question      TEXT NOT NULL,
    case_id       BIGINT REFERENCES cases (id),
    suggestion_id BIGINT REFERENCES suggestions (id),
    -- `answered` on the spot, or `study`: taken away for study.
    outcome       TEXT NOT NULL,
    reply         TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (meeting_id, seq)
);

CREATE TABLE agency_commitments (
    id          {ID_PK},
    meeting_id  BIGINT NOT NULL REFERENCES agency_meetings (id),
    county_code TEXT NOT NULL,
    agency      TEXT NOT NULL,
    content     TEXT NOT NULL,
    due_on      TEXT NOT NULL,
    status      TEXT NOT NULL,
    done_on     TEXT,
    done_note   TEXT NOT NULL DEFAULT '',
    warned      {BOOL} NOT NULL DEFAULT {FALSE},
    version     BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX agency_commitments_meeting ON agency_commitments (meeting_id);
CREATE INDEX agency_commitments_agency ON agency_commitments (agency, status);

CREATE TABLE voter_reports (
    id            {ID_PK},
    county_code   TEXT NOT NULL,
    region_code   TEXT NOT NULL,
    deputy_id     BIGINT NOT NULL REFERENCES deputies (id),
    year          BIGINT NOT NULL,
    form          TEXT NOT NULL,
    scheduled_on  TEXT NOT NULL,
    place         TEXT NOT NULL DEFAULT '',
    body          TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL,
    held_on       TEXT,
    attendance    BIGINT NOT NULL DEFAULT 0,
    satisfied     BIGINT NOT NULL DEFAULT 0,
    partly        BIGINT NOT NULL DEFAULT 0,
    dissatisfied  BIGINT NOT NULL DEFAULT 0,
    recorded_by   TEXT NOT NULL,
    version       BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX voter_reports_deputy ON voter_reports (deputy_id, year);
CREATE INDEX voter_reports_region ON voter_reports (county_code, year, region_code);

CREATE TABLE ledger_contacts (
    id          {ID_PK},
    county_code TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    deputy_id   BIGINT NOT NULL REFERENCES deputies (id),
    -- `voter` (a linked voter) or `household` (a household of the 台账).
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    id_number   TEXT NOT NULL DEFAULT '',
    address     TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    -- For a household: elderly_alone, left_behind_child, disabled, hardship (comma-separated).
    categories  TEXT NOT NULL DEFAULT '',
    members     BIGINT NOT NULL DEFAULT 0,
    note        TEXT NOT NULL DEFAULT '',
    active      {BOOL} NOT NULL DEFAULT {TRUE},
    created_by  TEXT NOT NULL,
    version     BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX ledger_contacts_deputy ON ledger_contacts (deputy_id, kind);
CREATE INDEX ledger_contacts_region ON ledger_contacts (county_code, region_code);

CREATE TABLE ledger_visits (
    id            {ID_PK},
    contact_id    BIGINT NOT NULL REFERENCES ledger_contacts (id),
    deputy_id     BIGINT NOT NULL REFERENCES deputies (id),
    visited_on    TEXT NOT NULL,
    needs         TEXT NOT NULL DEFAULT '',
    help          TEXT NOT NULL DEFAULT '',
    next_visit_on TEXT,
    recorded_by   TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX ledger_visits_contact ON ledger_visits (contact_id, visited_on);
CREATE INDEX ledger_visits_deputy ON ledger_visits (deputy_id, visited_on);
