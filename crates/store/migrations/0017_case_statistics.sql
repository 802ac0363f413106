-- Statistics by every dimension the seeds use (issue 17).
--
-- A case answered on the spot keeps that fact after it is rated and closed (it used to count as
-- merely closed), until a dissatisfied rating sends it back.
ALTER TABLE cases ADD COLUMN on_spot {BOOL} NOT NULL DEFAULT {FALSE};
UPDATE cases SET on_spot = {TRUE}
WHERE replied_at IS NOT NULL
  AND EXISTS (SELECT 1 FROM case_events v WHERE v.case_id = cases.id AND v.to_status = 'answered_on_spot'
      AND NOT EXISTS (SELECT 1 FROM case_events w WHERE w.case_id = cases.id AND w.id > v.id AND w.to_status = 'replied'));

-- The tallies again, keyed dimension first (a query reads only the dimensions it shows), with
-- the dimensions the statistics read and a second time basis: the day a case was resolved, so
-- that "solved in month M" is a sum like "received in month M".
--
--   grain  'd' / 'm': the China day / month the case was received
--          'rd' / 'rm': the China day / month it was resolved (answered or closed; only resolved cases)
--   dim    key (M is the case's four measure letters, below)
--   all       M
--   status    level|status|M          (level '' before triage)
--   channel   channel|M
--   category  category|M
--   agency    lead agency slug|M      (only assigned cases)
--   station   station slug|channel|M  (only cases of a station)
--   deputy    deputy slug|M           (only cases addressed to a deputy)
--
--   M = outcome, on time, rating, overdue:
--     outcome  p in progress, s solved (replied or closed), o answered on the spot, x declined, m merged
--     on time  1 resolved by its deadline, 0 resolved after it, - no deadline or not resolved
--     rating   s 满意, p 基本满意, d 不满意, u 未评价, - not rated yet
--     overdue  1 marked overdue by the sweep, 0 not
DROP TABLE case_tallies;
CREATE TABLE case_tallies (
    county_code   TEXT NOT NULL,
    grain         TEXT NOT NULL,
    dim           TEXT NOT NULL,
    period        TEXT NOT NULL,
    township_code TEXT NOT NULL,   -- the first nine digits of the case's region
    key           TEXT NOT NULL,
    n             BIGINT NOT NULL,
    PRIMARY KEY (county_code, grain, dim, period, township_code, key)
);

-- The published outcomes (民声回响) of a county, newest first, for its public statistics page.
CREATE INDEX cases_published ON cases (county_code, closed_at) WHERE publish_consent AND status = 'closed';
