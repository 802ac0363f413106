-- Staff lists at a million cases: each scope a list can be limited to (county, township, station,
-- lead agency, deputy) has an index in the deadline order — work before waiting before finished,
-- then the next due date, then the oldest — with the status at its end, so that a status filter
-- and a count are read from the index. The newest-first and recently-changed orders of a county,
-- and the few cases with assisting agencies, have their own. The expressions are written exactly
-- as in store/src/cases/list.rs (RANK, DUE, TOWNSHIP), or the planners would not match them.
CREATE INDEX cases_work_county ON cases (county_code, (CASE WHEN status IN ('closed', 'merged', 'declined') THEN 2 WHEN status IN ('replied', 'answered_on_spot') THEN 1 ELSE 0 END), (COALESCE(deadline_on, first_reply_due, '9999-12-31')), created_at, id, status);
CREATE INDEX cases_work_township ON cases ((substr(region_code, 1, 9)), (CASE WHEN status IN ('closed', 'merged', 'declined') THEN 2 WHEN status IN ('replied', 'answered_on_spot') THEN 1 ELSE 0 END), (COALESCE(deadline_on, first_reply_due, '9999-12-31')), created_at, id, status);
CREATE INDEX cases_work_station ON cases (station_ref, (CASE WHEN status IN ('closed', 'merged', 'declined') THEN 2 WHEN status IN ('replied', 'answered_on_spot') THEN 1 ELSE 0 END), (COALESCE(deadline_on, first_reply_due, '9999-12-31')), created_at, id, status);
CREATE INDEX cases_work_agency ON cases (agency_ref, (CASE WHEN status IN ('closed', 'merged', 'declined') THEN 2 WHEN status IN ('replied', 'answered_on_spot') THEN 1 ELSE 0 END), (COALESCE(deadline_on, first_reply_due, '9999-12-31')), created_at, id, status);
CREATE INDEX cases_work_deputy ON cases (deputy_ref, (CASE WHEN status IN ('closed', 'merged', 'declined') THEN 2 WHEN status IN ('replied', 'answered_on_spot') THEN 1 ELSE 0 END), (COALESCE(deadline_on, first_reply_due, '9999-12-31')), created_at, id, status);
CREATE INDEX cases_created_county ON cases (county_code, created_at, id);
CREATE INDEX cases_updated_county ON cases (county_code, updated_at, id);
CREATE INDEX cases_assisted ON cases (id) WHERE assist_agencies <> '';
