-- Station stars (联络站星级评选): a county's scorecards (criteria and star lines as JSON, never
-- edited once made), each station's scoring of a year on one of them (entered by one person,
-- approved by a second), and evidence per criterion.

CREATE TABLE scorecards (
    id          {ID_PK},
    county_code TEXT NOT NULL,
    name        TEXT NOT NULL,
    criteria    TEXT NOT NULL,
    thresholds  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX scorecards_county ON scorecards (county_code, id);

CREATE TABLE station_assessments (
    id           {ID_PK},
    county_code  TEXT NOT NULL,
    region_code  TEXT NOT NULL,
    station_id   BIGINT NOT NULL REFERENCES stations (id),
    year         BIGINT NOT NULL,
    scorecard_id BIGINT NOT NULL REFERENCES scorecards (id),
    scores       TEXT NOT NULL,
    total        BIGINT NOT NULL,
    stars        BIGINT NOT NULL,
    status       TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    scored_by    TEXT NOT NULL,
    reviewed_by  TEXT,
    review_note  TEXT NOT NULL DEFAULT '',
    version      BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (station_id, year)
);
CREATE INDEX station_assessments_county ON station_assessments (county_code, year, status);

CREATE TABLE assessment_evidence (
    assessment_id BIGINT NOT NULL REFERENCES station_assessments (id),
    criterion     BIGINT NOT NULL,
    hash          TEXT NOT NULL,
    mime          TEXT NOT NULL,
    size          BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (assessment_id, criterion, hash)
);
