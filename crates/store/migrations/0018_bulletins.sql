-- Bulletins (简报): the weekly brief and the monthly bulletin of a county, a township or a
-- station, drafted from the data of their period, edited, approved by a second person and
-- published as a web page, a PDF and a workbook.
CREATE TABLE bulletins (
    id            {ID_PK},
    county_code   TEXT NOT NULL,
    region_code   TEXT NOT NULL,            -- the county or township it reports on
    station_slug  TEXT NOT NULL DEFAULT '', -- or one station ('' for a region)
    kind          TEXT NOT NULL,            -- weekly | monthly
    period_from   TEXT NOT NULL,            -- YYYY-MM-DD, inclusive
    period_to     TEXT NOT NULL,
    year          BIGINT NOT NULL,
    number        BIGINT,                   -- 第 N 期: per county, region, station, kind and year, on publication
    title         TEXT NOT NULL,
    intro         TEXT NOT NULL DEFAULT '',
    asks          TEXT NOT NULL DEFAULT '', -- 民心所盼
    progress      TEXT NOT NULL DEFAULT '', -- 民意纵览
    echoes        TEXT NOT NULL DEFAULT '', -- 民声回响
    figures       TEXT NOT NULL,            -- the statistics of the period (JSON), fixed on approval
    status        TEXT NOT NULL,            -- draft | approved | published
    created_by    TEXT NOT NULL,
    approved_by   TEXT,
    published_by  TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    approved_at   BIGINT,
    published_at  BIGINT,
    version       BIGINT NOT NULL
);
CREATE UNIQUE INDEX bulletins_one_a_period ON bulletins (county_code, region_code, station_slug, kind, period_from);
CREATE INDEX bulletins_published ON bulletins (county_code, status, published_at);
CREATE UNIQUE INDEX bulletins_numbered ON bulletins (county_code, region_code, station_slug, kind, year, number);
