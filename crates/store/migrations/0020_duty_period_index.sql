-- The duty register read by period (issue 17): the statistics count a region's confirmed entries
-- of a period by kind, and score them by deputy, on every statistics page. With the day before
-- the region and the kind and deputy in the key, both read the index alone, one range of it.
CREATE INDEX duty_entries_period ON duty_entries (county_code, status, done_on, region_code, kind, deputy_id);
