-- Running counts of cases per county, township, day and month, one row per dimension value:
-- the dashboard's counts read a few thousand of these instead of every case. Kept in the
-- transaction of every change to a case (store::cases), rebuilt from the cases by the backfill
-- below (and by `cases::rebuild_tallies`).
CREATE TABLE case_tallies (
    county_code   TEXT NOT NULL,
    grain         TEXT NOT NULL,   -- 'd': period is a day YYYY-MM-DD; 'm': a month YYYY-MM
    period        TEXT NOT NULL,   -- when the cases were received, China time
    township_code TEXT NOT NULL,   -- the first nine digits of the case's region
    dim           TEXT NOT NULL,   -- total, status, channel, category, level, rating, overdue
    key           TEXT NOT NULL,
    n             BIGINT NOT NULL,
    PRIMARY KEY (county_code, grain, period, township_code, dim, key)
);
