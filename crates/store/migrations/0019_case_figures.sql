-- Wide tallies (issue 17): one row per county, grain, dimension, period, township and value,
-- holding the thirteen figures a statistics line shows, moved by column deltas in each step's
-- transaction. Migration 17's tallies kept one row per measure combination (17 occur), so a
-- county's year read some 220,000 rows at a million cases; these read a few thousand.
--
--   grain  'd' / 'm': the China day / month the case was received
--          'rd' / 'rm': the China day / month it was resolved (answered or closed; only resolved cases)
--          'cd' / 'cm' / 'crd' / 'crm': the same for the whole county (township_code ''), kept
--          for every dimension but 'all', which a county report reads rather than its townships'
--          rows (it does not split them by township); a grain of their own keeps each query one
--          range of the key.
--   dim    value
--   all       ''
--   status    level|status            (level '' before triage)
--   channel   channel
--   category  category
--   agency    lead agency slug        (only assigned cases)
--   station   station slug|channel    (only cases of a station)
--   deputy    deputy slug             (only cases addressed to a deputy)
--   township_code  the first nine digits of the case's region ('' in the county rows)
--
-- The figures are those of liaison_domain::figures::Figures, from the case's four measure
-- letters (outcome, on time, rating, overdue; see migration 17).
CREATE TABLE case_figures (
    county_code   TEXT NOT NULL,
    grain         TEXT NOT NULL,
    dim           TEXT NOT NULL,
    period        TEXT NOT NULL,
    township_code TEXT NOT NULL,
    value         TEXT NOT NULL,
    received      BIGINT NOT NULL,
    on_spot       BIGINT NOT NULL,
    solved        BIGINT NOT NULL,
    in_progress   BIGINT NOT NULL,
    declined      BIGINT NOT NULL,
    merged        BIGINT NOT NULL,
    overdue       BIGINT NOT NULL,
    on_time       BIGINT NOT NULL,
    late          BIGINT NOT NULL,
    satisfied     BIGINT NOT NULL,
    partly        BIGINT NOT NULL,
    dissatisfied  BIGINT NOT NULL,
    unrated       BIGINT NOT NULL,
    PRIMARY KEY (county_code, grain, dim, period, township_code, value)
);
DROP TABLE case_tallies;

-- The cases whose constituents allowed publication, newest first, for the bulletin's examples
-- (民心所盼): a month with few of them no longer walks every case of the month.
CREATE INDEX cases_consented ON cases (county_code, created_at) WHERE publish_consent;
