-- Staff lists at a million cases. Each scope a list can be limited to (county, township, station,
-- lead agency, deputy) has an index in the deadline order — work before waiting before finished,
-- then the next due date, then the oldest — followed by the columns lists filter on and the
-- columns of the due date, so that a page and a count are read from the index alone (PostgreSQL
-- reads an expression from an index only when its columns are there too). A county's newest-first and recently-changed
-- orders, a county's counts by status, and the few cases with assisting agencies have their own;
-- the count index replaces the narrower one on (county, status). The expressions are written
-- exactly as in store/src/cases/list.rs (RANK, DUE, TOWNSHIP), or the planners would not match them.
CREATE INDEX cases_work_county ON cases (county_code, (CASE WHEN status IN ('closed', 'merged', 'declined') THEN 2 WHEN status IN ('replied', 'answered_on_spot') THEN 1 ELSE 0 END), (COALESCE(deadline_on, first_reply_due, '9999-12-31')), created_at, id, status, channel, category, level, overdue, deadline_on, first_reply_due);
CREATE INDEX cases_work_township ON cases ((substr(region_code, 1, 9)), (CASE WHEN status IN ('closed', 'merged', 'declined') THEN 2 WHEN status IN ('replied', 'answered_on_spot') THEN 1 ELSE 0 END), (COALESCE(deadline_on, first_reply_due, '9999-12-31')), created_at, id, status, channel, category, level, overdue, deadline_on, first_reply_due);
CREATE INDEX cases_work_station ON cases (station_ref, (CASE WHEN status IN ('closed', 'merged', 'declined') THEN 2 WHEN status IN ('replied', 'answered_on_spot') THEN 1 ELSE 0 END), (COALESCE(deadline_on, first_reply_due, '9999-12-31')), created_at, id, status, channel, category, level, overdue, deadline_on, first_reply_due) WHERE station_ref IS NOT NULL;
CREATE INDEX cases_work_agency ON cases (agency_ref, (CASE WHEN status IN ('closed', 'merged', 'declined') THEN 2 WHEN status IN ('replied', 'answered_on_spot') THEN 1 ELSE 0 END), (COALESCE(deadline_on, first_reply_due, '9999-12-31')), created_at, id, status, channel, category, level, overdue, deadline_on, first_reply_due) WHERE agency_ref IS NOT NULL;
CREATE INDEX cases_work_deputy ON cases (deputy_ref, (CASE WHEN status IN ('closed', 'merged', 'declined') THEN 2 WHEN status IN ('replied', 'answered_on_spot') THEN 1 ELSE 0 END), (COALESCE(deadline_on, first_reply_due, '9999-12-31')), created_at, id, status, channel, category, level, overdue, deadline_on, first_reply_due) WHERE deputy_ref IS NOT NULL;
CREATE INDEX cases_created_county ON cases (county_code, created_at, id, status, channel, category, level, overdue, region_code, deadline_on, first_reply_due);
CREATE INDEX cases_updated_county ON cases (county_code, updated_at, id);
CREATE INDEX cases_count_county ON cases (county_code, status, level, channel, category, overdue, created_at);
DROP INDEX cases_county_status;
CREATE INDEX cases_assisted ON cases (assist_agencies, (CASE WHEN status IN ('closed', 'merged', 'declined') THEN 2 WHEN status IN ('replied', 'answered_on_spot') THEN 1 ELSE 0 END), (COALESCE(deadline_on, first_reply_due, '9999-12-31')), created_at, id, status, channel, category, level, overdue, deadline_on, first_reply_due, agency_ref) WHERE assist_agencies <> '';
