-- Points rules (积分办法): versions per county, or per township (township_code not empty), each in
-- force from effective_from to effective_to (open while no later version exists). The items and
-- targets are kept as JSON; a set is never edited once it has begun, only ended by the next.

CREATE TABLE points_rule_sets (
    id             {ID_PK},
    county_code    TEXT NOT NULL,
    township_code  TEXT NOT NULL DEFAULT '',
    name           TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    effective_to   TEXT,
    term_from      TEXT,
    items          TEXT NOT NULL,
    targets        TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX points_rule_sets_county ON points_rule_sets (county_code, township_code, effective_from);

-- Reminders sent to deputies behind their targets: one per deputy, target and day.
CREATE TABLE duty_target_reminders (
    deputy_id  BIGINT NOT NULL REFERENCES deputies (id),
    year       BIGINT NOT NULL,
    sent_on    TEXT NOT NULL,
    sent_by    TEXT NOT NULL,
    PRIMARY KEY (deputy_id, year, sent_on)
);

-- Archives of annual reports for a township or county, made by a background job; done counts
-- the reports written so far, for the progress shown.
CREATE TABLE report_archives (
    id          {ID_PK},
    county_code TEXT NOT NULL,
    region_code TEXT NOT NULL,
    year        BIGINT NOT NULL,
    status      TEXT NOT NULL,
    done        BIGINT NOT NULL DEFAULT 0,
    total       BIGINT NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX report_archives_region ON report_archives (county_code, region_code, created_at);
