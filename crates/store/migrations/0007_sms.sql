-- Text messages. A case keeps the constituent's choice to get notices by SMS (cases received
-- before this migration keep the default: the phone was left for contact). An outbox message
-- for SMS names its template kind and carries the template's parameters as JSON.
ALTER TABLE cases ADD COLUMN sms_notices {BOOL} NOT NULL DEFAULT {TRUE};
ALTER TABLE outbox ADD COLUMN template TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN params TEXT NOT NULL DEFAULT '';
