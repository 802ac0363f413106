-- Near-duplicate detection: the SimHash of a case's title and content (as a signed 64-bit value).
ALTER TABLE cases ADD COLUMN fingerprint BIGINT NOT NULL DEFAULT 0;
CREATE INDEX cases_region_status ON cases (region_code, status);
