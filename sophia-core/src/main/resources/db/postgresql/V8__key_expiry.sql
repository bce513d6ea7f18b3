-- API keys that expire and the key a rotated one replaced, as db/migration/V8 on SQLite.
ALTER TABLE api_keys ADD COLUMN expires_at BIGINT;
ALTER TABLE api_keys ADD COLUMN rotated_from TEXT;
