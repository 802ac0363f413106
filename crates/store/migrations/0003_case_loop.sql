-- The closed loop: the case's routing, deadlines, replies and rating; its timeline (the domain
-- events later features consume); photos; idempotency keys of submissions; the notification
-- outbox.

ALTER TABLE cases ADD COLUMN tracking_code TEXT;
ALTER TABLE cases ADD COLUMN channel TEXT NOT NULL DEFAULT 'station';
ALTER TABLE cases ADD COLUMN category TEXT NOT NULL DEFAULT '其他';
ALTER TABLE cases ADD COLUMN location TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN contact_name TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN contact_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN anonymous {BOOL} NOT NULL DEFAULT {FALSE};
ALTER TABLE cases ADD COLUMN publish_consent {BOOL} NOT NULL DEFAULT {FALSE};
ALTER TABLE cases ADD COLUMN level TEXT;
ALTER TABLE cases ADD COLUMN assist_agencies TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN round BIGINT NOT NULL DEFAULT 1;
ALTER TABLE cases ADD COLUMN deadline_on TEXT;
ALTER TABLE cases ADD COLUMN first_reply_due TEXT;
ALTER TABLE cases ADD COLUMN first_replied_at BIGINT;
ALTER TABLE cases ADD COLUMN overdue {BOOL} NOT NULL DEFAULT {FALSE};
ALTER TABLE cases ADD COLUMN escalated {BOOL} NOT NULL DEFAULT {FALSE};
ALTER TABLE cases ADD COLUMN agency_result TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN public_reply TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN replied_at BIGINT;
ALTER TABLE cases ADD COLUMN rating TEXT;
ALTER TABLE cases ADD COLUMN rating_comment TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN rated_at BIGINT;
ALTER TABLE cases ADD COLUMN merged_into BIGINT;
ALTER TABLE cases ADD COLUMN decline_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN referral TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN closed_at BIGINT;
ALTER TABLE cases ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX cases_tracking_code ON cases (tracking_code);
CREATE INDEX cases_county_status ON cases (county_code, status);
CREATE INDEX cases_contact_phone ON cases (contact_phone);

CREATE TABLE case_events (
    id          {ID_PK},
    county_code TEXT NOT NULL,
    case_id     BIGINT NOT NULL REFERENCES cases (id),
    at          BIGINT NOT NULL,
    actor       TEXT NOT NULL,
    command     TEXT NOT NULL,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    public      {BOOL} NOT NULL DEFAULT {FALSE}
);
CREATE INDEX case_events_case ON case_events (case_id, id);
CREATE INDEX case_events_county_at ON case_events (county_code, at);

CREATE TABLE case_photos (
    id          {ID_PK},
    county_code TEXT NOT NULL,
    case_id     BIGINT NOT NULL REFERENCES cases (id),
    hash        TEXT NOT NULL,
    mime        TEXT NOT NULL,
    bytes       BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX case_photos_case ON case_photos (case_id);

CREATE TABLE idempotency_keys (
    key         TEXT PRIMARY KEY,
    county_code TEXT NOT NULL,
    case_id     BIGINT NOT NULL REFERENCES cases (id),
    created_at  BIGINT NOT NULL
);

CREATE TABLE outbox (
    id              {ID_PK},
    county_code     TEXT NOT NULL,
    channel         TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending',
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT,
    last_error      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_pending ON outbox (status, next_attempt_at);
