-- Deputies' formal suggestions (代表建议): drafted by a deputy (or staff for them), submitted,
-- registered with a number by the county (or township) office and assigned to a lead agency and
-- assisting agencies, answered within the statutory clock (due_on; extended once, with a reason),
-- rated by the deputy. Co-signers, the cases it came from and its timeline in their own tables.

CREATE TABLE suggestions (
    id               {ID_PK},
    county_code      TEXT NOT NULL,
    region_code      TEXT NOT NULL,
    level            TEXT NOT NULL,
    deputy_id        BIGINT NOT NULL REFERENCES deputies (id),
    title            TEXT NOT NULL,
    content          TEXT NOT NULL,
    session          TEXT NOT NULL,
    status           TEXT NOT NULL,
    year             BIGINT,
    number           BIGINT,
    lead_agency      TEXT,
    assist_agencies  TEXT NOT NULL DEFAULT '',
    assigned_on      TEXT,
    due_on           TEXT,
    extended         {BOOL} NOT NULL DEFAULT {FALSE},
    extension_reason TEXT NOT NULL DEFAULT '',
    answer_class     TEXT,
    answer           TEXT NOT NULL DEFAULT '',
    answer_doc       TEXT,
    answer_doc_mime  TEXT,
    answered_on      TEXT,
    promised_on      TEXT,
    promise_kept_on  TEXT,
    rating           TEXT,
    rating_comment   TEXT NOT NULL DEFAULT '',
    round            BIGINT NOT NULL DEFAULT 1,
    warned           TEXT NOT NULL DEFAULT '',
    created_by       TEXT NOT NULL,
    version          BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    UNIQUE (county_code, level, year, number)
);
CREATE INDEX suggestions_county ON suggestions (county_code, status, region_code);
CREATE INDEX suggestions_deputy ON suggestions (deputy_id);
CREATE INDEX suggestions_agency ON suggestions (lead_agency, status);

CREATE TABLE suggestion_cosigners (
    suggestion_id BIGINT NOT NULL REFERENCES suggestions (id),
    deputy_id     BIGINT NOT NULL REFERENCES deputies (id),
    PRIMARY KEY (suggestion_id, deputy_id)
);

CREATE TABLE suggestion_cases (
    suggestion_id BIGINT NOT NULL REFERENCES suggestions (id),
    case_id       BIGINT NOT NULL REFERENCES cases (id),
    PRIMARY KEY (suggestion_id, case_id)
);
CREATE INDEX suggestion_cases_case ON suggestion_cases (case_id);

CREATE TABLE suggestion_events (
    suggestion_id BIGINT NOT NULL REFERENCES suggestions (id),
    seq           BIGINT NOT NULL,
    at            BIGINT NOT NULL,
    actor         TEXT NOT NULL,
    action        TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (suggestion_id, seq)
);
