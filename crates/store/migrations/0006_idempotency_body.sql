-- A submission key is bound to what was submitted: the same key with another body is refused
-- instead of answering with the first case. Keys stored before this migration have no hash and
-- keep answering as before.
ALTER TABLE idempotency_keys ADD COLUMN body_hash TEXT NOT NULL DEFAULT '';
