-- An account whose password an administrator reset must choose its own before anything else.
ALTER TABLE users ADD COLUMN must_change_password {BOOL} NOT NULL DEFAULT {FALSE};
